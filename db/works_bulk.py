"""Rebuilding the republication graph of a whole database in bulk: the same works as linking
every article incrementally, found in passes that suit a large database.

1. Fingerprint every article in chunks (shingles, MinHash band keys into a scratch table,
   anchors and translation edges as in incremental linking).
2. Load the band keys into `lsh_bands` in key order, and read every pair of articles that
   shares a key, in one join.
3. Verify the candidate pairs exactly, a group of connected candidates at a time, so that
   each article is shingled about once.
4. Write the works of the connected copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import sqlite_utils

from cleaners.fingerprint import MIN_SHINGLES, anchors, band_keys, shingles, signature

from .schema import transaction
from .works_build import MEMBERS, components, valid_edges, work_for
from .works_edges import (
    Edge,
    LinkResult,
    article_rows,
    article_text,
    by_ids,
    oriented,
    store_fingerprint,
    text_edge,
    translation_edges,
)

CHUNK = 2_000
# Articles whose shingles are held at once while candidates are verified.
VERIFY_CHUNK = 2_000


def rebuild(
    db: sqlite_utils.Database, progress: Callable[[int, int], None] | None = None
) -> LinkResult:
    """Relink every article of the database, in one transaction (a rebuild cut short leaves
    the works as they were); `progress(done, total)` after each chunk fingerprinted."""
    result = LinkResult()
    edges: dict[tuple[int, int], Edge] = {}
    with transaction(db):
        forget_all(db)
        db.execute("CREATE TEMP TABLE IF NOT EXISTS new_bands (key INTEGER, article_id INTEGER)")
        db.execute("DELETE FROM temp.new_bands")
        ids = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
        for start in range(0, len(ids), CHUNK):
            _fingerprint_chunk(db, ids[start : start + CHUNK], result, edges)
            if progress:
                progress(min(start + CHUNK, len(ids)), len(ids))
        db.execute(
            "INSERT INTO lsh_bands (key, article_id) "
            "SELECT key, article_id FROM temp.new_bands ORDER BY key, article_id"
        )
        db.execute("DROP TABLE temp.new_bands")
        for edge in _verified(db, _candidates(db)):
            edges[edge[0], edge[1]] = edge
        db.conn.executemany(
            "INSERT INTO copy_edges (small, large, kind, jaccard, containment) "
            "VALUES (?, ?, ?, ?, ?)",
            list(edges.values()),
        )
        result.pairs = len(edges)
        result.works = _write_works(db, [(e[0], e[1], e[2]) for e in edges.values()])
    return result


def forget_all(db: sqlite_utils.Database) -> None:
    for table in ("lsh_bands", "copy_edges", "fingerprints"):
        db.execute(f"DELETE FROM {table}")
    db.execute("UPDATE articles SET work_id = NULL, copy_role = NULL")
    db.execute("DELETE FROM works")


def _fingerprint_chunk(
    db: sqlite_utils.Database, ids: list[int], result: LinkResult, edges: dict
) -> None:
    """Fingerprints and band keys of the articles; translation edges into `edges`."""
    keys: list[tuple[int, int]] = []
    for row in article_rows(db, ids):
        text = article_text(row)
        found, found_anchors = shingles(text), anchors(text)
        store_fingerprint(db, row, found, found_anchors)
        result.articles += 1
        if not text:
            continue
        if len(found) >= MIN_SHINGLES:
            keys += [(key, row["id"]) for key in band_keys(signature(found))]
        for edge in translation_edges(db, row, len(found), found_anchors):
            edges[edge[0], edge[1]] = edge
    db.conn.executemany("INSERT INTO temp.new_bands (key, article_id) VALUES (?, ?)", keys)


def _candidates(db: sqlite_utils.Database) -> list[tuple[int, int]]:
    """Every pair of articles that shares a band key, ordered so that connected pairs are
    neighbours."""
    pairs = db.execute(
        "SELECT DISTINCT a.article_id, b.article_id FROM lsh_bands AS a JOIN lsh_bands AS b "
        "ON b.key = a.key AND b.article_id > a.article_id"
    ).fetchall()
    nodes = {node for pair in pairs for node in pair}
    groups = components(nodes, pairs)
    group_of = {node: number for number, group in enumerate(groups) for node in group}
    return sorted(pairs, key=lambda pair: (group_of[pair[0]], pair))


def _verified(db: sqlite_utils.Database, pairs: list[tuple[int, int]]) -> Iterator[Edge]:
    """The candidate pairs that are copies, verified on their shingles, a chunk of about
    VERIFY_CHUNK articles at a time."""
    chunk: list[tuple[int, int]] = []
    articles: set[int] = set()
    for pair in pairs:
        chunk.append(pair)
        articles.update(pair)
        if len(articles) >= VERIFY_CHUNK:
            yield from _verify_chunk(db, chunk, articles)
            chunk, articles = [], set()
    yield from _verify_chunk(db, chunk, articles)


def _verify_chunk(
    db: sqlite_utils.Database, pairs: list[tuple[int, int]], articles: set[int]
) -> Iterator[Edge]:
    held: dict[int, np.ndarray] = {
        row["id"]: shingles(row["body"] or "")
        for row in by_ids(db, "SELECT id, body FROM articles WHERE id IN ({marks})", articles)
    }
    for first, second in pairs:
        verified = text_edge(held[first], held[second])
        if verified:
            yield oriented((first, len(held[first])), (second, len(held[second])), *verified)


def _write_works(db: sqlite_utils.Database, edges: list[tuple[int, int, str]]) -> int:
    """Write the work of every article, the connected copies together; the works written."""
    nodes = [r[0] for r in db.execute("SELECT id FROM articles WHERE status = 'ok'")]
    pending: list[list[int]] = []
    written = held = 0
    for component in components(nodes, valid_edges(sorted(edges))):
        pending.append(component)
        held += len(component)
        if held >= VERIFY_CHUNK:
            written += _write_components(db, pending)
            pending, held = [], 0
    return written + _write_components(db, pending)


def _write_components(db: sqlite_utils.Database, groups: list[list[int]]) -> int:
    members: dict[int, dict[str, Any]] = {
        m["id"]: m for m in by_ids(db, MEMBERS, [i for group in groups for i in group])
    }
    claimed: set[int] = set()
    for group in groups:
        claimed.add(work_for(db, [members[i] for i in group], claimed))
    return len(claimed)
