"""Merge shard databases into one, every row once, matched on what it is rather than its id.

A shard is a reprints database that one worker filled (a crawl on one machine, a Scrapy
worker). Runs are matched by when, where and how they ran; snapshots and image files by
SHA-256; fetches (of pages and of images) by URL, time and what came back; articles by URL;
learned rules by name; archive records by their id. Ids are remapped on the way in. Every
step adds only what the target lacks and commits in batches, so a shard merged again, or
after a kill, adds exactly what is missing. The works (copies and originals) are derived:
the caller links the merged articles again (`link_new`).

An article whose URL both databases hold keeps the history of both: the versions the target
lacks are added after its own, and the one fetched last is current, as in one long crawl.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from .errors import DbError
from .merge_articles import merge_articles, table_columns
from .schema import open_database, transaction

BATCH = 500
SHARD = "shard"

# Fetch identity: the same request answered the same way at the same second.
_SAME_FETCH = (
    "m.url = s.url AND m.fetched_at = s.fetched_at AND m.sha256 IS s.sha256 "
    "AND m.status_code IS s.status_code AND m.error IS s.error"
)
_SAME_RUN = (
    "m.started IS s.started AND m.pid IS s.pid AND m.command IS s.command "
    "AND m.arguments IS s.arguments"
)


class MergeError(DbError):
    """A shard that cannot be merged into the target (the target itself, say)."""


@dataclass
class MergeResult:
    """What merging added to the target."""

    runs: int = 0
    snapshots: int = 0
    fetches: int = 0
    articles: int = 0
    updated: int = 0
    image_files: int = 0
    image_fetches: int = 0


Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class _Batching:
    """Rows to a transaction, and who is told of each batch."""

    size: int
    progress: Progress | None

    def done(self, table: str, rows: int) -> None:
        if self.progress:
            self.progress(table, rows)


def merge(
    db: sqlite_utils.Database,
    shard: str | Path,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> MergeResult:
    """Merge the reprints database at `shard` into `db`, `batch` rows to a transaction;
    `progress(table, rows)` is told of each. The shard is migrated to this schema first, if
    it is older."""
    shard = Path(shard)
    _check_distinct(db, shard)
    open_database(shard, create=False).conn.close()
    db.execute(f"ATTACH DATABASE ? AS {SHARD}", [str(shard)])
    try:
        return _merge_attached(db, _Batching(batch, progress))
    except sqlite3.DatabaseError as exc:
        if _shard_is_sound(db):
            raise
        raise MergeError(
            f"damaged ({exc}); what it held before the damage is merged: recover "
            f"the rest with `sqlite3 {shard} .recover` into a new file, and merge that"
        ) from None
    finally:
        db.execute(f"DETACH DATABASE {SHARD}")


def _merge_attached(db: sqlite_utils.Database, batching: _Batching) -> MergeResult:
    result = MergeResult()
    _make_maps(db)
    result.runs = _merge_runs(db)
    result.snapshots = _merge_snapshots(db, batching)
    result.fetches = _merge_fetches(db, "fetches", "fetch_map", batching)
    result.image_files = _copy_new(db, "image_files", "sha256", batching)
    result.image_fetches = _merge_fetches(db, "image_fetches", "image_fetch_map", batching)
    _merge_keyed(db, "archive_records", "record_id")
    _merge_keyed(db, "learned_rules", "name")
    result.articles, result.updated = merge_articles(db, SHARD, batching.size, batching.progress)
    return result


def _shard_is_sound(db: sqlite_utils.Database) -> bool:
    """Whether SQLite finds the attached shard's file whole (so an error was the target's)."""
    try:
        return db.execute(f"PRAGMA {SHARD}.quick_check(1)").fetchone() == ("ok",)
    except sqlite3.DatabaseError:
        return False


def _check_distinct(db: sqlite_utils.Database, shard: Path) -> None:
    target = Path(db.execute("PRAGMA database_list").fetchone()[2])
    if target.exists() and shard.exists() and target.samefile(shard):
        raise MergeError(f"{shard} is the database being merged into; give another shard")


def _make_maps(db: sqlite_utils.Database) -> None:
    """Temporary tables from the shard's ids to the target's, for this connection."""
    for name in ("run_map", "fetch_map", "image_fetch_map"):
        db.execute(f"DROP TABLE IF EXISTS temp.{name}")
        db.execute(f"CREATE TEMP TABLE {name} (shard_id INTEGER PRIMARY KEY, target_id INTEGER)")


def _merge_runs(db: sqlite_utils.Database) -> int:
    columns = table_columns(db, "runs", "id")
    names = ", ".join(columns)
    with transaction(db):
        added = db.execute(
            f"INSERT INTO main.runs ({names}) SELECT {names} FROM {SHARD}.runs s "
            f"WHERE NOT EXISTS (SELECT 1 FROM main.runs m WHERE {_SAME_RUN}) ORDER BY s.id"
        ).rowcount
        db.execute(
            f"INSERT INTO temp.run_map SELECT s.id, (SELECT min(m.id) FROM main.runs m "
            f"WHERE {_SAME_RUN}) FROM {SHARD}.runs s"
        )
    return added


def _batches(db: sqlite_utils.Database, table: str, size: int) -> list[tuple[int, int]]:
    """The shard's rowids of `table` in ranges of at most `size`."""
    (top,) = db.execute(f"SELECT coalesce(max(rowid), 0) FROM {SHARD}.[{table}]").fetchone()
    return [(start, min(start + size, top)) for start in range(0, top, size)]


def _merge_snapshots(db: sqlite_utils.Database, batching: _Batching) -> int:
    added = _copy_new(db, "snapshots", "sha256", batching)
    with transaction(db):
        db.execute(
            f"UPDATE main.snapshots AS m SET first_seen = s.first_seen FROM {SHARD}.snapshots s "
            "WHERE m.sha256 = s.sha256 AND s.first_seen < m.first_seen"
        )
    return added


def _copy_new(db: sqlite_utils.Database, table: str, key: str, batching: _Batching) -> int:
    """Copy the rows of `table` whose `key` the target lacks, batch by batch."""
    names = ", ".join(table_columns(db, table))
    added = 0
    for start, end in _batches(db, table, batching.size):
        with transaction(db):
            added += db.execute(
                f"INSERT INTO main.[{table}] ({names}) SELECT {names} FROM {SHARD}.[{table}] s "
                f"WHERE s.rowid > ? AND s.rowid <= ? "
                f"AND NOT EXISTS (SELECT 1 FROM main.[{table}] m WHERE m.{key} = s.{key})",
                [start, end],
            ).rowcount
        batching.done(table, end)
    return added


def _merge_fetches(db: sqlite_utils.Database, table: str, id_map: str, batching: _Batching) -> int:
    """Copy the fetches the target lacks (their runs remapped), bring `last_seen` forward on
    those it has, and map every shard fetch to the target's."""
    columns = table_columns(db, table, "id")
    names = ", ".join(columns)
    values = ", ".join("r.target_id" if c == "run_id" else f"s.{c}" for c in columns)
    seen = "last_seen" in columns
    added = 0
    for start, end in _batches(db, table, batching.size):
        span = [start, end]
        with transaction(db):
            added += db.execute(
                f"INSERT INTO main.{table} ({names}) SELECT {values} FROM {SHARD}.{table} s "
                "LEFT JOIN temp.run_map r ON r.shard_id = s.run_id "
                "WHERE s.rowid > ? AND s.rowid <= ? "
                f"AND NOT EXISTS (SELECT 1 FROM main.{table} m WHERE {_SAME_FETCH}) "
                "ORDER BY s.id",
                span,
            ).rowcount
            db.execute(
                f"INSERT OR REPLACE INTO temp.{id_map} SELECT s.id, (SELECT min(m.id) FROM "
                f"main.{table} m WHERE {_SAME_FETCH}) FROM {SHARD}.{table} s "
                "WHERE s.rowid > ? AND s.rowid <= ?",
                span,
            )
            if seen:
                _bring_forward(db, table, id_map, span)
        batching.done(table, end)
    return added


def _bring_forward(db: sqlite_utils.Database, table: str, id_map: str, span: list[int]) -> None:
    """A fetch the shard saw again later (not modified) was seen then in the target too."""
    db.execute(
        f"UPDATE main.{table} AS m SET last_seen = s.last_seen FROM {SHARD}.{table} s "
        f"JOIN temp.{id_map} f ON f.shard_id = s.id "
        "WHERE m.id = f.target_id AND s.id > ? AND s.id <= ? "
        "AND s.last_seen > coalesce(m.last_seen, '')",
        span,
    )


def _merge_keyed(db: sqlite_utils.Database, table: str, key: str) -> None:
    """Copy the rows whose `key` the target lacks, their run and fetch ids remapped (a row
    the target has, with the user's verdict on it, stays as it is)."""
    columns = table_columns(db, table)
    mapped = {"run_id": "r.target_id", "fetch_id": "f.target_id"}
    values = ", ".join(mapped.get(c, f"s.{c}") for c in columns)
    join_fetch = (
        "LEFT JOIN temp.fetch_map f ON f.shard_id = s.fetch_id " if "fetch_id" in columns else ""
    )
    with transaction(db):
        db.execute(
            f"INSERT INTO main.{table} ({', '.join(columns)}) SELECT {values} "
            f"FROM {SHARD}.{table} s LEFT JOIN temp.run_map r ON r.shard_id = s.run_id "
            f"{join_fetch}WHERE NOT EXISTS (SELECT 1 FROM main.{table} m WHERE m.{key} = s.{key})"
        )
