"""The articles of a shard merged into the target database (see `merge`): an article of a URL
the target lacks is copied with its earlier versions, removals and images; for a URL both
hold, the versions the target lacks are added after its own, and the one fetched last is
current. A version is known by its fetch and content hash, so merging again adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils

from .schema import transaction
from .search import index_article
from .store import NEW, UNCHANGED, UPDATED, insert

Row = dict[str, Any]
# The derived columns: the caller links merged articles into works again.
_DERIVED = ("id", "work_id", "copy_role")
# The commands whose runs clean pages (and record the rules they cleaned with on articles).
CLEANING_COMMANDS = ("crawl", "import", "reclean")


def table_columns(db: sqlite_utils.Database, table: str, *leave_out: str) -> list[str]:
    """The target's columns of `table`, less `leave_out`."""
    names = [row[1] for row in db.execute(f"PRAGMA main.table_info([{table}])")]
    return [name for name in names if name not in leave_out]


def merge_articles(
    db: sqlite_utils.Database,
    shard: str,
    batch: int,
    progress: Callable[[str, int], None] | None = None,
) -> tuple[int, int]:
    """Merge the articles of the attached database `shard`, `batch` to a transaction; the
    numbers of articles added and of those given versions."""
    added = updated = last = 0
    while True:
        found = _rows(
            db,
            f"SELECT s.*, f.target_id AS fetch_target, r.target_id AS run_target "
            f"FROM {shard}.articles s LEFT JOIN temp.fetch_map f ON f.shard_id = s.fetch_id "
            "LEFT JOIN temp.run_map r ON r.shard_id = s.run_id "
            "WHERE s.id > ? ORDER BY s.id LIMIT ?",
            [last, batch],
        )
        if not found:
            return added, updated
        with transaction(db):
            for row in found:
                outcome = _merge_article(db, shard, row)
                added += outcome == NEW
                updated += outcome == UPDATED
        last = found[-1]["id"]
        if progress:
            progress("articles", last)


def _merge_article(db: sqlite_utils.Database, shard: str, row: Row) -> str:
    history = [*_kept_versions(db, shard, row["id"]), _remapped(row)]
    target = _rows(db, "SELECT * FROM main.articles WHERE url = ?", [row["url"]])
    if not target:
        _insert_article(db, shard, row["id"], history)
        return NEW
    return _merge_history(db, shard, row["id"], target[0], history)


def _kept_versions(db: sqlite_utils.Database, shard: str, article_id: int) -> list[Row]:
    found = _rows(
        db,
        f"SELECT s.*, f.target_id AS fetch_target, r.target_id AS run_target, "
        f"b.target_id AS replaced_target FROM {shard}.article_versions s "
        "LEFT JOIN temp.fetch_map f ON f.shard_id = s.fetch_id "
        "LEFT JOIN temp.run_map r ON r.shard_id = s.run_id "
        "LEFT JOIN temp.run_map b ON b.shard_id = s.replaced_by_run "
        "WHERE s.article_id = ? ORDER BY s.version",
        [article_id],
    )
    for version in found:
        version["replaced_by_run"] = version.pop("replaced_target")
    return [_remapped(version) for version in found]


def _remapped(row: Row) -> Row:
    """A shard row with the target's fetch and run ids."""
    row["fetch_id"] = row.pop("fetch_target")
    row["run_id"] = row.pop("run_target")
    return row


def _insert_article(db: sqlite_utils.Database, shard: str, shard_id: int, history: list[Row]):
    current = history[-1]
    row = {name: current[name] for name in table_columns(db, "articles", *_DERIVED)}
    article_id = insert(db, "articles", row)
    for version in history[:-1]:
        _keep(db, article_id, version, version["version"])
    _copy_parts(db, shard, shard_id, article_id, {v["version"]: v["version"] for v in history})
    # The shard's search entry, as its text was indexed there (the same as indexing it again).
    db.execute(
        "INSERT INTO main.articles_fts (rowid, title, body, people, chars) "
        f"SELECT ?, title, body, people, chars FROM {shard}.articles_fts WHERE rowid = ?",
        [article_id, shard_id],
    )


def _merge_history(
    db: sqlite_utils.Database, shard: str, shard_id: int, target: Row, history: list[Row]
) -> str:
    known = {(v["fetch_id"], v["content_hash"]) for v in _target_versions(db, target)}
    fresh = [v for v in history if (v["fetch_id"], v["content_hash"]) not in known]
    current = history[-1]
    times = {
        "first_seen": min(target["first_seen"], current["first_seen"]),
        "last_seen": max(target["last_seen"], current["last_seen"]),
    }
    if current["content_hash"] == target["content_hash"]:  # the same article, seen again
        fresh = [version for version in fresh if version is not current]
    if not fresh:
        if current["fetch_id"] == target["fetch_id"]:  # the same version, perhaps recleaned
            times["cleaner_version"] = _later_rules(db, target, current)
        _update(db, target["id"], times)
        return UNCHANGED
    takes_over = current in fresh and _is_later(db, current, history, target)
    number = _last_version(db, target)
    numbers: dict[int, int] = {}
    for version in fresh:
        if version is current and takes_over:
            continue
        number += 1
        numbers[version["version"]] = number
        replaced_by = target["run_id"] if version is current else version["replaced_by_run"]
        _keep(db, target["id"], {**version, "replaced_by_run": replaced_by}, number)
    if takes_over:
        numbers[current["version"]] = number + 1
        _take_over(db, target, current, number + 1, times)
    else:
        _update(db, target["id"], times)
    _copy_parts(db, shard, shard_id, target["id"], numbers)
    return UPDATED


def _later_rules(db: sqlite_utils.Database, target: Row, current: Row) -> str:
    """Of two cleaner versions recorded on one article, the one a run used last."""
    versions = {target["cleaner_version"], current["cleaner_version"]}
    if len(versions) == 1:
        return target["cleaner_version"]
    return max(versions, key=lambda version: _last_used(db, version))


def _last_used(db: sqlite_utils.Database, cleaner_version: str | None) -> tuple[str, int]:
    """When a run that cleans pages last started with these rules, and its id: of two runs
    in the same second (times have seconds only), the one the target took in later."""
    found = db.execute(
        "SELECT started, id FROM main.runs WHERE cleaner_version IS ? "
        f"AND command IN ({', '.join('?' * len(CLEANING_COMMANDS))}) "
        "ORDER BY started DESC, id DESC LIMIT 1",
        [cleaner_version, *CLEANING_COMMANDS],
    ).fetchone()
    return (found[0] or "", found[1]) if found else ("", 0)


def _update(db: sqlite_utils.Database, article_id: int, changes: dict[str, str]) -> None:
    assignments = ", ".join(f"[{name}] = ?" for name in changes)
    db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*changes.values(), article_id])


def _take_over(
    db: sqlite_utils.Database, target: Row, current: Row, number: int, times: dict[str, str]
) -> None:
    """The shard's current version, fetched later, replaces the target's, which is kept."""
    replaced = {**target, "replaced_by_run": current["run_id"], "updated_at": current["updated_at"]}
    _keep(db, target["id"], replaced, target["version"])
    changes = {name: current[name] for name in table_columns(db, "articles", *_DERIVED, "url")}
    changes.update(times, version=number)
    _update(db, target["id"], changes)
    index_article(db, {**changes, "id": target["id"]})


def _keep(db: sqlite_utils.Database, article_id: int, version: Row, number: int) -> None:
    """`version` as a row of the target's `article_versions`, numbered `number`."""
    row = {name: version.get(name) for name in table_columns(db, "article_versions", "id")}
    row.update(article_id=article_id, version=number)
    row["replaced_at"] = version.get("replaced_at") or version["updated_at"]
    insert(db, "article_versions", row)


def _copy_parts(
    db: sqlite_utils.Database, shard: str, shard_id: int, article_id: int, numbers: dict[int, int]
) -> None:
    """The removals and images of the shard's versions `numbers` maps, renumbered."""
    for old, new in numbers.items():
        db.execute(
            "INSERT INTO main.removals (article_id, version, position, kind, rule, text) "
            f"SELECT ?, ?, position, kind, rule, text FROM {shard}.removals "
            "WHERE article_id = ? AND version = ? ORDER BY id",
            [article_id, new, shard_id, old],
        )
        db.execute(
            "INSERT INTO main.article_images (article_id, version, position, url, state, "
            "sha256, fetch_id, attempts, error, updated_at) SELECT ?, ?, s.position, s.url, "
            "s.state, s.sha256, f.target_id, s.attempts, s.error, s.updated_at "
            f"FROM {shard}.article_images s LEFT JOIN temp.image_fetch_map f "
            "ON f.shard_id = s.fetch_id WHERE s.article_id = ? AND s.version = ?",
            [article_id, new, shard_id, old],
        )


def _target_versions(db: sqlite_utils.Database, target: Row) -> list[Row]:
    kept = _rows(
        db,
        "SELECT fetch_id, content_hash FROM main.article_versions WHERE article_id = ?",
        [target["id"]],
    )
    return [target, *kept]


def _last_version(db: sqlite_utils.Database, target: Row) -> int:
    (kept,) = db.execute(
        "SELECT max(version) FROM main.article_versions WHERE article_id = ?", [target["id"]]
    ).fetchone()
    return max(target["version"], kept or 0)


def _is_later(db: sqlite_utils.Database, current: Row, history: list[Row], target: Row) -> bool:
    """Whether the shard's current version is later than the target's: its page fetched
    later; or, of the same fetch time, made from the target's version (which the shard's
    history holds before it: a reclean of it, however soon after), else made later."""
    mine, theirs = _fetched_at(db, current), _fetched_at(db, target)
    if mine != theirs:
        return mine > theirs
    earlier = {(version["fetch_id"], version["content_hash"]) for version in history[:-1]}
    if (target["fetch_id"], target["content_hash"]) in earlier:
        return True
    return (current["updated_at"] or "") > (target["updated_at"] or "")


def _fetched_at(db: sqlite_utils.Database, version: Row) -> str:
    found = db.execute(
        "SELECT fetched_at FROM main.fetches WHERE id = ?", [version["fetch_id"]]
    ).fetchone()
    return (found[0] if found else None) or ""


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[Row]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
