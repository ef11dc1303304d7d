"""Rebuilding the republication graph of a whole database in bulk: the same works as linking
every article incrementally, found in passes that suit a large database.

1. Fingerprint every article in chunks (shingles, MinHash band keys into a scratch table,
   anchors); with several workers, they shingle while this process stores, in the
   articles' order. Then the translation edges, in one pass over the credited names.
2. Load the band keys into `lsh_bands` in key order, and read every pair of articles that
   shares a key, in one join.
3. Verify the candidate pairs exactly, a group of connected candidates at a time (a task of
   a worker), so that each article is shingled about once.
4. Write the works of the connected copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from cleaners.fingerprint import MIN_SHINGLES, anchors, band_keys, shingles, signature

from .parallel import ordered_map
from .schema import transaction
from .works_build import MEMBERS, components, valid_edges, work_for
from .works_credits import all_translation_edges
from .works_edges import (
    Edge,
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
    edges: dict[tuple[int, int], Edge] = {}
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
        for edge in all_translation_edges(db):
            edges[edge[0], edge[1]] = edge
        for _, verified in ordered_map(_verify_chunk, _verify_tasks(db, _candidates(db)), workers):
            for edge in verified:
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


def _verify_tasks(
    db: sqlite_utils.Database, pairs: list[tuple[int, int]]
) -> Iterator[tuple[list[tuple[int, int]], dict[int, str]]]:
    """The candidate pairs in chunks of about VERIFY_CHUNK articles, each with the bodies of
    its articles."""
    chunk: list[tuple[int, int]] = []
    articles: set[int] = set()
    for pair in pairs:
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
