"""The republication graph: copies of one work found by their text (MinHash bands kept in
SQLite, every candidate verified exactly) or, across languages, by their credits and anchors;
works as the connected copies, each with its original and every copy's role.

Edges: `same` (Jaccard of the shingles at least SAME_JACCARD) and `part` (the smaller text
lies for at least PART_CONTAINMENT inside the larger: an excerpt), and `translation`. A page
that holds parts of two or more texts that are not copies of each other (a digest, a
compilation) links none of them: its `part` edges are left out of the works.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import sqlite_utils

from cleaners.fingerprint import MIN_SHINGLES, anchors, bands, overlap, shingles, signature

from .schema import transaction
from .works_original import choose_original, role_of

SAME_JACCARD = 0.5
PART_CONTAINMENT = 0.8
ANCHOR_JACCARD = 0.25
TRANSLATION_DAYS = 45
BATCH = 500
MAX_PARAMETERS = 900
EMPTY = np.empty(0, dtype=np.uint64)
ARTICLE_COLUMNS = (
    "id, url, status, title, account, account_id, author, source, source_account_id, "
    "published, language, body, content_hash, is_original, reader, first_seen, work_id"
)


class EdgeKind(StrEnum):
    SAME = "same"
    PART = "part"
    TRANSLATION = "translation"


@dataclass
class LinkResult:
    """What a linking did: articles fingerprinted, copy pairs found, works touched."""

    articles: int = 0
    pairs: int = 0
    works: int = 0


def link(
    db: sqlite_utils.Database,
    article_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LinkResult:
    """Link articles into works: `article_ids` incrementally, or every article (None, a
    rebuild). `progress(done, total)` is called after each batch."""
    result = LinkResult()
    if article_ids is None:
        with transaction(db):
            _forget_all(db)
        ids = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
    else:
        ids = sorted(set(article_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction(db):
            touched = _fingerprint_batch(db, batch, result)
            result.works += _rebuild_works(db, touched)
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return result


def outdated_articles(db: sqlite_utils.Database) -> list[int]:
    """Articles whose text changed since they were linked, or never linked."""
    return [
        r[0]
        for r in db.execute(
            "SELECT articles.id FROM articles LEFT JOIN fingerprints "
            "ON fingerprints.article_id = articles.id "
            "WHERE fingerprints.content_hash IS NOT articles.content_hash"
        )
    ]


def _forget_all(db: sqlite_utils.Database) -> None:
    for table in ("lsh_bands", "copy_edges", "fingerprints"):
        db.execute(f"DELETE FROM {table}")
    db.execute("UPDATE articles SET work_id = NULL, copy_role = NULL")
    db.execute("DELETE FROM works")


def _by_ids(db: sqlite_utils.Database, select: str, ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    """The rows of `select` (whose `{marks}` stands for the ids), in chunks of ids that
    SQLite's limit on parameters allows."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), MAX_PARAMETERS):
        part = ordered[start : start + MAX_PARAMETERS]
        yield from db.query(select.format(marks=", ".join("?" * len(part))), part)


def _rows(db: sqlite_utils.Database, ids: list[int]) -> Iterator[dict[str, Any]]:
    yield from _by_ids(db, f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id IN ({{marks}})", ids)


def _fingerprint_batch(db: sqlite_utils.Database, ids: list[int], result: LinkResult) -> set[int]:
    """Fingerprint the articles, find and verify their copies; the articles touched."""
    touched: set[int] = set(ids)
    cache: dict[int, np.ndarray] = {}
    for row in _rows(db, ids):
        _forget(db, row["id"])
        text = (row["body"] or "") if row["status"] == "ok" else ""
        found = cache[row["id"]] = shingles(text)
        db.execute(
            "INSERT INTO fingerprints (article_id, content_hash, shingles, anchors) "
            "VALUES (?, ?, ?, ?)",
            [row["id"], row["content_hash"], len(found), json.dumps(sorted(anchors(text)))],
        )
        result.articles += 1
        edges = list(_text_edges(db, row["id"], found, cache)) if text else []
        edges += list(_translation_edges(db, row)) if text else []
        for other, kind, jaccard, containment in edges:
            mine_smaller = len(found) <= len(cache.get(other, EMPTY))
            pair = [row["id"], other] if mine_smaller else [other, row["id"]]
            db.execute(
                "INSERT OR REPLACE INTO copy_edges (small, large, kind, jaccard, containment) "
                "VALUES (?, ?, ?, ?, ?)",
                [*pair, kind, jaccard, containment],
            )
            touched.add(other)
            result.pairs += 1
    return touched


def _forget(db: sqlite_utils.Database, article_id: int) -> None:
    db.execute("DELETE FROM lsh_bands WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM copy_edges WHERE small = ? OR large = ?", [article_id, article_id])
    db.execute("DELETE FROM fingerprints WHERE article_id = ?", [article_id])


def _text_edges(
    db: sqlite_utils.Database, article_id: int, found: np.ndarray, cache: dict[int, np.ndarray]
) -> Iterator[tuple[int, str, float, float]]:
    """Verified copies among the articles that share an LSH band with this one."""
    if len(found) < MIN_SHINGLES:
        return
    keys = list(enumerate(bands(signature(found))))
    values = ", ".join("(?, ?)" for _ in keys)
    flat = [v for pair in keys for v in pair]
    candidates = {
        r[0]
        for r in db.execute(
            f"WITH k(band, hash) AS (VALUES {values}) SELECT DISTINCT l.article_id FROM k "
            "JOIN lsh_bands AS l ON l.band = k.band AND l.hash = k.hash",
            flat,
        )
    }
    db.conn.executemany(
        "INSERT INTO lsh_bands (band, hash, article_id) VALUES (?, ?, ?)",
        [(band, value, article_id) for band, value in keys],
    )
    for other in sorted(candidates - {article_id}):
        theirs = cache.get(other)
        if theirs is None:
            body = db.execute("SELECT body FROM articles WHERE id = ?", [other]).fetchone()[0]
            theirs = cache[other] = shingles(body or "")
        jaccard, containment = overlap(found, theirs)
        if jaccard >= SAME_JACCARD:
            yield other, EdgeKind.SAME, jaccard, containment
        elif containment >= PART_CONTAINMENT and min(len(found), len(theirs)) >= MIN_SHINGLES:
            yield other, EdgeKind.PART, jaccard, containment


def _translation_edges(
    db: sqlite_utils.Database, row: dict[str, Any]
) -> Iterator[tuple[int, str, float, float]]:
    """A copy in another language whose credit names the account (and author) of a stored
    article, published close to it, sharing its numbers, names and addresses."""
    mine = anchors(row["body"])
    for other in _credited(db, row):
        if row["author"] and other["author"] and row["author"] != other["author"]:
            continue
        if not _close_in_time(row["published"], other["published"]):
            continue
        theirs = set(json.loads(other["anchors"] or "[]"))
        shared = len(mine & theirs) / max(len(mine | theirs), 1)
        if shared >= ANCHOR_JACCARD:
            yield other["id"], EdgeKind.TRANSLATION, shared, shared


def _credited(db: sqlite_utils.Database, row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Stored articles in another language that this one credits as its source, or that
    credit this one's account as theirs."""
    named = [v for v in (row["source"], row["source_account_id"]) if v]
    own = [v for v in (row["account"], row["account_id"]) if v]
    # One indexed column per part: an OR across columns would read every article.
    parts = [(column, value) for column in ("account", "account_id") for value in named]
    parts += [(column, value) for column in ("source", "source_account_id") for value in own]
    if not parts:
        return
    union = " UNION ".join(f"SELECT id FROM articles WHERE {column} = ?" for column, _ in parts)
    yield from db.query(
        "SELECT a.id, a.author, a.published, f.anchors FROM articles AS a JOIN fingerprints AS f "
        f"ON f.article_id = a.id WHERE a.id IN ({union}) AND a.id != ? "
        "AND a.status = 'ok' AND coalesce(a.language, '') != coalesce(?, '')",
        [*(value for _, value in parts), row["id"], row["language"]],
    )


def _close_in_time(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    try:
        first = dt.datetime.fromisoformat(a[:19])
        second = dt.datetime.fromisoformat(b[:19])
    except ValueError:
        return True
    return abs((first - second).days) <= TRANSLATION_DAYS


MEMBER_COLUMNS = (
    "articles.id, title, account, account_id, source, source_account_id, published, "
    "language, is_original, reader, first_seen, work_id, coalesce(fingerprints.shingles, 0) "
    "AS shingles"
)


def _rebuild_works(db: sqlite_utils.Database, touched: set[int]) -> int:
    """Recompute the works of every article connected to `touched`; the works written."""
    nodes, edges = _neighbourhood(db, touched)
    select = (
        f"SELECT {MEMBER_COLUMNS} FROM articles LEFT JOIN fingerprints ON "
        "fingerprints.article_id = articles.id WHERE articles.status = 'ok' AND "
        "articles.id IN ({marks})"
    )
    members = {m["id"]: m for m in _by_ids(db, select, nodes)}
    components = _components(members, _valid(edges))
    old_works = {m["work_id"] for m in members.values() if m["work_id"]}
    claimed: set[int] = set()
    for component in components:
        work_id = _work_for(db, [members[i] for i in component], claimed)
        claimed.add(work_id)
    for stale in old_works - claimed:
        if not db.execute("SELECT 1 FROM articles WHERE work_id = ?", [stale]).fetchone():
            db.execute("DELETE FROM works WHERE id = ?", [stale])
    return len(claimed)


def _neighbourhood(
    db: sqlite_utils.Database, start: set[int]
) -> tuple[set[int], list[tuple[int, int, str]]]:
    """Every article connected to `start` by copy edges, and those edges."""
    nodes, frontier = set(start), set(start)
    edges: set[tuple[int, int, str]] = set()
    while frontier:
        batch = sorted(frontier)[:MAX_PARAMETERS]
        frontier -= set(batch)
        marks = ", ".join("?" * len(batch))
        for small, large, kind in db.execute(
            f"SELECT small, large, kind FROM copy_edges "
            f"WHERE small IN ({marks}) OR large IN ({marks})",
            batch + batch,
        ):
            edges.add((small, large, kind))
            for node in (small, large):
                if node not in nodes:
                    nodes.add(node)
                    frontier.add(node)
    return nodes, sorted(edges)


def _valid(edges: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """The edges works are made of: a page that holds parts of two texts that are not copies
    of each other (a digest) is linked to neither."""
    joined = {frozenset((a, b)) for a, b, _ in edges}
    parts: dict[int, list[int]] = defaultdict(list)
    for small, large, kind in edges:
        if kind == EdgeKind.PART:
            parts[large].append(small)
    compilations = {
        large
        for large, smalls in parts.items()
        if any(
            frozenset((a, b)) not in joined for i, a in enumerate(smalls) for b in smalls[i + 1 :]
        )
    }
    return [
        (small, large)
        for small, large, kind in edges
        if not (kind == EdgeKind.PART and large in compilations)
    ]


def _components(
    members: dict[int, dict[str, Any]], edges: list[tuple[int, int]]
) -> list[list[int]]:
    parent = {node: node for node in members}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for node in members:
        groups[root(node)].append(node)
    return [sorted(group) for group in groups.values()]


def _work_for(db: sqlite_utils.Database, members: list[dict[str, Any]], claimed: set[int]) -> int:
    """Write the work of these copies (keeping a work id one of them had); its id."""
    original_id, rule = choose_original(members)
    original = next(m for m in members if m["id"] == original_id)
    published = sorted(m["published"] for m in members if m["published"])
    row = {
        "original_article_id": original_id,
        "original_rule": rule.value,
        "title": original["title"],
        "copies": len(members),
        "first_published": published[0] if published else None,
        "last_published": published[-1] if published else None,
    }
    existing = sorted({m["work_id"] for m in members if m["work_id"]} - claimed)
    if existing:
        work_id = existing[0]
        db["works"].update(work_id, row)
    else:
        work_id = db["works"].insert(row).last_pk
    for member in members:
        db.execute(
            "UPDATE articles SET work_id = ?, copy_role = ? WHERE id = ?",
            [work_id, role_of(member, original).value, member["id"]],
        )
    return work_id


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
