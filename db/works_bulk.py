"""Rebuilding the republication graph of a whole database in bulk: the same works as linking
every article incrementally, found in passes that suit a large database.

1. Fingerprint every article in chunks (shingles, MinHash band keys into a scratch table,
   anchors); with several workers, they shingle while this process stores, in the
   articles' order. Then the translation edges, in one pass over the credited names.
2. Load the band keys into `lsh_bands` in key order, and find every pair of articles that
   shares a key, in one join, into a scratch table with the group of connected candidates
   of each article.
3. Verify the candidate pairs exactly, a group of connected candidates at a time (a task of
   a worker), so that each article is shingled about once; the copies go straight into
   `copy_edges`.
4. Write the works of the connected copies, read back from `copy_edges`.

Pairs and edges stay in SQLite: what this process holds grows with the articles (a number
or two each), not with the pairs, which grow faster where copies are many.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from cleaners.fingerprint import MIN_SHINGLES, anchors, band_keys, shingles, signature

from .parallel import ordered_map
from .schema import transaction
from .works_build import (
    MEMBERS,
    compilations,
    components,
    part_texts,
    without_digest_parts,
    work_for,
)
from .works_credits import all_translation_edges
from .works_edges import (
    Edge,
    EdgeKind,
    LinkResult,
    article_rows,
    article_text,
    by_ids,
    oriented,
    store_fingerprint,
    text_edge,
)

# Articles fingerprinted at a time (by one worker).
CHUNK = 500
# Articles whose shingles are held at once while candidates are verified.
VERIFY_CHUNK = 2_000
# Edges written to a statement.
EDGE_CHUNK = 1_000


def rebuild(
    db: sqlite_utils.Database,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> LinkResult:
    """Relink every article of the database, in one transaction (a rebuild cut short leaves
    the works as they were); `progress(done, total)` after each chunk fingerprinted. `workers`
    processes shingle the texts (this one writes, in the articles' order: the result is the
    same as with one)."""
    result = LinkResult()
    with transaction(db):
        forget_all(db)
        db.execute("CREATE TEMP TABLE IF NOT EXISTS new_bands (key INTEGER, article_id INTEGER)")
        db.execute("DELETE FROM temp.new_bands")
        ids = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
        chunks = (list(article_rows(db, ids[n : n + CHUNK])) for n in range(0, len(ids), CHUNK))
        for rows, found in ordered_map(_fingerprint_rows, chunks, workers):
            _store_chunk(db, rows, found, result)
            if progress:
                progress(result.articles, len(ids))
        db.execute(
            "INSERT INTO lsh_bands (key, article_id) "
            "SELECT key, article_id FROM temp.new_bands ORDER BY key, article_id"
        )
        db.execute("DROP TABLE temp.new_bands")
        _store_edges(db, all_translation_edges(db))
        _group_candidates(db)
        for _, verified in ordered_map(_verify_chunk, _verify_tasks(db), workers):
            _store_edges(db, verified)
        db.execute("DROP TABLE temp.candidates")
        db.execute("DROP TABLE temp.candidate_groups")
        (result.pairs,) = db.execute("SELECT count(*) FROM copy_edges").fetchone()
        result.works = _write_works(db)
    return result


def _store_edges(db: sqlite_utils.Database, edges: Iterable[Edge]) -> None:
    """Write `edges` into `copy_edges`, a later edge of a pair in place of an earlier one."""
    chunk: list[Edge] = []
    for edge in edges:
        chunk.append(edge)
        if len(chunk) >= EDGE_CHUNK:
            _insert_edges(db, chunk)
            chunk = []
    _insert_edges(db, chunk)


def _insert_edges(db: sqlite_utils.Database, edges: list[Edge]) -> None:
    db.conn.executemany(
        "INSERT OR REPLACE INTO copy_edges (small, large, kind, jaccard, containment) "
        "VALUES (?, ?, ?, ?, ?)",
        edges,
    )


def forget_all(db: sqlite_utils.Database) -> None:
    for table in ("lsh_bands", "copy_edges", "fingerprints"):
        db.execute(f"DELETE FROM {table}")
    db.execute("UPDATE articles SET work_id = NULL, copy_role = NULL")
    db.execute("DELETE FROM works")


@dataclass(frozen=True)
class Fingerprint:
    """What linking keeps of an article's text: its shingle count, its anchors, and its LSH
    band keys (none for a text too short to have copies found by it)."""

    size: int
    anchors: set[str]
    keys: list[int]


def _fingerprint_rows(rows: list[dict[str, Any]]) -> list[Fingerprint]:
    """The fingerprint of each article (in a worker, or here)."""
    prints = []
    for row in rows:
        text = article_text(row)
        found = shingles(text)
        keys = band_keys(signature(found)) if text and len(found) >= MIN_SHINGLES else []
        prints.append(Fingerprint(len(found), anchors(text), keys))
    return prints


def _store_chunk(
    db: sqlite_utils.Database,
    rows: list[dict[str, Any]],
    prints: list[Fingerprint],
    result: LinkResult,
) -> None:
    """Store the fingerprints and band keys of the articles."""
    keys: list[tuple[int, int]] = []
    for row, found in zip(rows, prints, strict=True):
        store_fingerprint(db, row, found.size, found.anchors)
        result.articles += 1
        if article_text(row):
            keys += [(key, row["id"]) for key in found.keys]
    db.conn.executemany("INSERT INTO temp.new_bands (key, article_id) VALUES (?, ?)", keys)


def _group_candidates(db: sqlite_utils.Database) -> None:
    """Every pair of articles that shares a band key (temp.candidates), and the group of
    connected candidates each of them is in (temp.candidate_groups)."""
    db.execute("DROP TABLE IF EXISTS temp.candidates")
    db.execute("DROP TABLE IF EXISTS temp.candidate_groups")
    db.execute(
        "CREATE TEMP TABLE candidates AS SELECT DISTINCT a.article_id AS first, "
        "b.article_id AS second FROM lsh_bands AS a JOIN lsh_bands AS b "
        "ON b.key = a.key AND b.article_id > a.article_id"
    )
    nodes = db.execute("SELECT first FROM temp.candidates UNION SELECT second FROM temp.candidates")
    groups = components((node for (node,) in nodes), db.execute("SELECT * FROM temp.candidates"))
    db.execute("CREATE TEMP TABLE candidate_groups (article_id INTEGER PRIMARY KEY, grp INTEGER)")
    db.conn.executemany(
        "INSERT INTO temp.candidate_groups (article_id, grp) VALUES (?, ?)",
        ((node, number) for number, group in enumerate(groups) for node in group),
    )


def _verify_tasks(
    db: sqlite_utils.Database,
) -> Iterator[tuple[list[tuple[int, int]], dict[int, str]]]:
    """The candidate pairs, connected pairs together, in chunks of about VERIFY_CHUNK
    articles, each with the bodies of its articles."""
    chunk: list[tuple[int, int]] = []
    articles: set[int] = set()
    for pair in db.execute(
        "SELECT c.first, c.second FROM temp.candidates AS c JOIN temp.candidate_groups AS g "
        "ON g.article_id = c.first ORDER BY g.grp, c.first, c.second"
    ):
        chunk.append(pair)
        articles.update(pair)
        if len(articles) >= VERIFY_CHUNK:
            yield chunk, _bodies(db, articles)
            chunk, articles = [], set()
    if chunk:
        yield chunk, _bodies(db, articles)


def _bodies(db: sqlite_utils.Database, articles: set[int]) -> dict[int, str]:
    select = "SELECT id, body FROM articles WHERE id IN ({marks})"
    return {row["id"]: row["body"] or "" for row in by_ids(db, select, articles)}


def _verify_chunk(task: tuple[list[tuple[int, int]], dict[int, str]]) -> list[Edge]:
    """The candidate pairs that are copies, verified on their shingles (in a worker, or
    here)."""
    pairs, bodies = task
    held: dict[int, np.ndarray] = {
        article_id: shingles(body) for article_id, body in bodies.items()
    }
    edges = []
    for first, second in pairs:
        verified = text_edge(held[first], held[second])
        if verified:
            edges.append(
                oriented((first, len(held[first])), (second, len(held[second])), *verified)
            )
    return edges


def _write_works(db: sqlite_utils.Database) -> int:
    """Write the work of every article, the copies `copy_edges` connects together (less the
    part edges of digests); the works written."""
    parts = part_texts(
        db.execute("SELECT small, large, kind FROM copy_edges WHERE kind = ?", [EdgeKind.PART])
    )
    db.execute("CREATE TEMP TABLE IF NOT EXISTS among (id INTEGER PRIMARY KEY)")
    digests = compilations(parts, lambda smalls: _all_joined(db, smalls))
    db.execute("DROP TABLE temp.among")
    nodes = db.execute("SELECT id FROM articles WHERE status = 'ok'")
    edges = without_digest_parts(db.execute("SELECT small, large, kind FROM copy_edges"), digests)
    pending: list[list[int]] = []
    written = held = 0
    for component in components((node for (node,) in nodes), edges):
        pending.append(component)
        held += len(component)
        if held >= VERIFY_CHUNK:
            written += _write_components(db, pending)
            pending, held = [], 0
    return written + _write_components(db, pending)


def _all_joined(db: sqlite_utils.Database, articles: list[int]) -> bool:
    """Whether a copy edge joins every two of `articles` (counted in SQLite)."""
    db.execute("DELETE FROM temp.among")
    db.conn.executemany(
        "INSERT OR IGNORE INTO temp.among (id) VALUES (?)", [(a,) for a in articles]
    )
    (joined,) = db.execute(
        "SELECT count(*) FROM (SELECT DISTINCT min(small, large), max(small, large) "
        "FROM copy_edges WHERE small IN (SELECT id FROM temp.among) "
        "AND large IN (SELECT id FROM temp.among))"
    ).fetchone()
    count = len(set(articles))
    return joined == count * (count - 1) // 2


def _write_components(db: sqlite_utils.Database, groups: list[list[int]]) -> int:
    members: dict[int, dict[str, Any]] = {
        m["id"]: m for m in by_ids(db, MEMBERS, [i for group in groups for i in group])
    }
    claimed: set[int] = set()
    for group in groups:
        claimed.add(work_for(db, [members[i] for i in group], claimed))
    return len(claimed)
