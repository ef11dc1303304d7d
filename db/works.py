"""The republication graph: copies of one work found by their text (MinHash bands kept in
SQLite, every candidate verified exactly) or, across languages, by their credits and anchors
(`works_edges`); works as the connected copies, each with its original and every copy's role
(`works_build`). New articles are linked incrementally here; a whole database is rebuilt in
bulk (`works_bulk`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import sqlite_utils

from cleaners.fingerprint import MIN_SHINGLES, SCHEME, anchors, band_keys, shingles, signature

from .schema import transaction
from .works_build import rebuild_works
from .works_bulk import rebuild
from .works_edges import (
    Edge,
    LinkResult,
    ShingleCache,
    article_rows,
    article_text,
    oriented,
    store_fingerprint,
    text_edge,
    translation_edges,
)

BATCH = 500


def link(
    db: sqlite_utils.Database,
    article_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> LinkResult:
    """Link articles into works: `article_ids` incrementally, or every article (None, a
    rebuild). The database is rebuilt in bulk either way when nothing in it is linked by the
    current fingerprint scheme (it is new, or an older scheme linked it), or when more than
    half of its articles, and more than a batch, are to be linked: that is faster then, and
    `workers` processes share it. `progress(done, total)` is called after each batch."""
    ids = None if article_ids is None else sorted(set(article_ids))
    if ids is None or not _linked_by_this_scheme(db) or _most_of_the_database(db, ids):
        return rebuild(db, progress, workers)
    result, cache = LinkResult(), ShingleCache()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction(db):
            touched = _link_batch(db, batch, result, cache)
            result.works += rebuild_works(db, touched)
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return result


def outdated_articles(db: sqlite_utils.Database) -> list[int]:
    """Articles whose text changed since they were linked, never linked, or linked by
    fingerprints of another scheme."""
    return [
        r[0]
        for r in db.execute(
            "SELECT articles.id FROM articles LEFT JOIN fingerprints "
            "ON fingerprints.article_id = articles.id "
            "WHERE fingerprints.content_hash IS NOT articles.content_hash "
            "OR fingerprints.scheme IS NOT ?",
            [SCHEME],
        )
    ]


def _linked_by_this_scheme(db: sqlite_utils.Database) -> bool:
    query = "SELECT 1 FROM fingerprints WHERE scheme = ? LIMIT 1"
    return db.execute(query, [SCHEME]).fetchone() is not None


def _most_of_the_database(db: sqlite_utils.Database, ids: list[int]) -> bool:
    if len(ids) <= BATCH:
        return False
    return 2 * len(ids) > db.execute("SELECT count(*) FROM articles").fetchone()[0]


def _link_batch(
    db: sqlite_utils.Database, ids: list[int], result: LinkResult, cache: ShingleCache
) -> set[int]:
    """Fingerprint the articles, find and verify their copies; the articles touched."""
    touched: set[int] = set(ids)
    edges: dict[tuple[int, int], Edge] = {}
    for row in article_rows(db, ids):
        _forget(db, row["id"])
        text = article_text(row)
        found, found_anchors = shingles(text), anchors(text)
        cache.put(row["id"], found)
        store_fingerprint(db, row, len(found), found_anchors)
        result.articles += 1
        if not text:
            continue
        # A text edge wins over a translation edge of the same pair (zh-Hans and zh-Hant).
        found_edges = list(translation_edges(db, row, len(found), found_anchors))
        found_edges += _text_edges(db, row["id"], found, cache)
        for edge in found_edges:
            edges[edge[0], edge[1]] = edge
            touched.update(edge[:2])
    db.conn.executemany(
        "INSERT OR REPLACE INTO copy_edges (small, large, kind, jaccard, containment) "
        "VALUES (?, ?, ?, ?, ?)",
        list(edges.values()),
    )
    result.pairs += len(edges)
    return touched


def _forget(db: sqlite_utils.Database, article_id: int) -> None:
    db.execute("DELETE FROM lsh_bands WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM copy_edges WHERE small = ? OR large = ?", [article_id, article_id])
    db.execute("DELETE FROM fingerprints WHERE article_id = ?", [article_id])


def _text_edges(
    db: sqlite_utils.Database, article_id: int, found: np.ndarray, cache: ShingleCache
) -> Iterator[Edge]:
    """Verified copies among the articles that share an LSH band with this one."""
    if len(found) < MIN_SHINGLES:
        return
    keys = band_keys(signature(found))
    marks = ", ".join("?" * len(keys))
    query = f"SELECT DISTINCT article_id FROM lsh_bands WHERE key IN ({marks})"
    candidates = {r[0] for r in db.execute(query, keys)}
    db.conn.executemany(
        "INSERT INTO lsh_bands (key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in keys],
    )
    for other in sorted(candidates - {article_id}):
        theirs = cache.get(other)
        if theirs is None:
            body = db.execute("SELECT body FROM articles WHERE id = ?", [other]).fetchone()[0]
            theirs = shingles(body or "")
            cache.put(other, theirs)
        verified = text_edge(found, theirs)
        if verified:
            yield oriented((article_id, len(found)), (other, len(theirs)), *verified)


def copies(db: sqlite_utils.Database, url: str) -> list[dict[str, Any]] | None:
    """The copies of the work the article at `url` belongs to, original first; None when no
    article has that URL."""
    found = db.execute("SELECT id, work_id FROM articles WHERE url = ?", [url]).fetchone()
    if found is None:
        return None
    article_id, work_id = found
    if work_id is None:
        where, value = "articles.id = ?", article_id
    else:
        where, value = "articles.work_id = ?", work_id
    return list(
        db.query(
            "SELECT articles.id AS article_id, url, articles.title, account, author, published, "
            "copy_role AS role, works.original_article_id = articles.id AS original "
            f"FROM articles LEFT JOIN works ON works.id = articles.work_id WHERE {where} "
            "ORDER BY original DESC, published, articles.id",
            [value],
        )
    )
