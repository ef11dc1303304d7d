"""Copy edges between two stored articles: within a language by their text (the overlap of
their shingles, verified exactly), across languages by their credits, publication times and
anchors. Shared by linking incrementally (`works`) and rebuilding from scratch (`works_bulk`).

Edges: `same` (Jaccard of the shingles at least SAME_JACCARD) and `part` (the smaller text
lies for at least PART_CONTAINMENT inside the larger: an excerpt), and `translation`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import sqlite_utils

from cleaners.fingerprint import MIN_SHINGLES, SCHEME, overlap

SAME_JACCARD = 0.5
PART_CONTAINMENT = 0.8
ANCHOR_JACCARD = 0.25
TRANSLATION_DAYS = 45
MAX_PARAMETERS = 900
# Shingles kept between batches for verifying candidates, counted in hashes (8 bytes each).
CACHED_SHINGLES = 4_000_000
ARTICLE_COLUMNS = (
    "id, url, status, title, account, account_id, author, source, source_account_id, "
    "published, language, body, content_hash, is_original, reader, first_seen, work_id"
)


class EdgeKind(StrEnum):
    SAME = "same"
    PART = "part"
    TRANSLATION = "translation"


# (small, large, kind, jaccard, containment): `small` has fewer shingles (or the lower id).
Edge = tuple[int, int, str, float, float]


@dataclass
class LinkResult:
    """What a linking did: articles fingerprinted, copy pairs found, works touched."""

    articles: int = 0
    pairs: int = 0
    works: int = 0


class ShingleCache:
    """The shingles of recently seen articles, the least recently used dropped past `limit`
    hashes, so that memory stays flat however many articles are linked."""

    def __init__(self, limit: int = CACHED_SHINGLES) -> None:
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[int, np.ndarray] = OrderedDict()

    def get(self, article_id: int) -> np.ndarray | None:
        found = self.entries.get(article_id)
        if found is not None:
            self.entries.move_to_end(article_id)
        return found

    def put(self, article_id: int, hashes: np.ndarray) -> None:
        old = self.entries.pop(article_id, None)
        self.size += len(hashes) - (len(old) if old is not None else 0)
        self.entries[article_id] = hashes
        while self.size > self.limit and len(self.entries) > 1:
            self.size -= len(self.entries.popitem(last=False)[1])


def by_ids(db: sqlite_utils.Database, select: str, ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    """The rows of `select` (whose `{marks}` stands for the ids), in chunks of ids that
    SQLite's limit on parameters allows."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), MAX_PARAMETERS):
        part = ordered[start : start + MAX_PARAMETERS]
        yield from db.query(select.format(marks=", ".join("?" * len(part))), part)


def article_rows(db: sqlite_utils.Database, ids: list[int]) -> Iterator[dict[str, Any]]:
    yield from by_ids(db, f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id IN ({{marks}})", ids)


def article_text(row: dict[str, Any]) -> str:
    """The text an article is linked by: its body, when it is an article."""
    return (row["body"] or "") if row["status"] == "ok" else ""


def store_fingerprint(
    db: sqlite_utils.Database, row: dict[str, Any], size: int, found_anchors: set[str]
) -> None:
    """The article's fingerprint: its shingle count (`size`) and anchors."""
    db.execute(
        "INSERT INTO fingerprints (article_id, content_hash, scheme, shingles, anchors) "
        "VALUES (?, ?, ?, ?, ?)",
        [row["id"], row["content_hash"], SCHEME, size, json.dumps(sorted(found_anchors))],
    )


def oriented(
    first: tuple[int, int], second: tuple[int, int], kind: str, jaccard: float, containment: float
) -> Edge:
    """The edge between two articles given as (id, shingle count), the smaller first."""
    small, large = sorted((first, second), key=lambda pair: (pair[1], pair[0]))
    return small[0], large[0], kind, jaccard, containment


def text_edge(mine: np.ndarray, theirs: np.ndarray) -> tuple[str, float, float] | None:
    """The verified edge between two texts' shingles, if they are copies: kind, Jaccard,
    containment."""
    jaccard, containment = overlap(mine, theirs)
    if jaccard >= SAME_JACCARD:
        return EdgeKind.SAME, jaccard, containment
    if containment >= PART_CONTAINMENT and min(len(mine), len(theirs)) >= MIN_SHINGLES:
        return EdgeKind.PART, jaccard, containment
    return None


# The columns of `Credited`, as `Credited.of` reads them (`a` the article).
SELECT_CREDITED = (
    "SELECT a.id, a.author, a.published, f.anchors, f.shingles FROM articles AS a "
    "JOIN fingerprints AS f ON f.article_id = a.id"
)


@dataclass(frozen=True)
class Credited:
    """What a translation edge is judged on, of one article."""

    id: int
    author: str | None
    published: str | None
    anchors: set[str]
    shingles: int

    @classmethod
    def of(cls, row: dict[str, Any]) -> Credited:
        """From a row of articles joined with its fingerprint (anchors as stored)."""
        found = set(json.loads(row["anchors"] or "[]"))
        return cls(row["id"], row["author"], row["published"], found, row["shingles"])


def credit_edge(mine: Credited, theirs: Credited) -> Edge | None:
    """The translation edge between two articles in different languages that a credit joins,
    if their authors agree, they were published close together, and they share enough
    numbers, names and addresses."""
    if mine.author and theirs.author and mine.author != theirs.author:
        return None
    if not _close_in_time(mine.published, theirs.published):
        return None
    shared = len(mine.anchors & theirs.anchors) / max(len(mine.anchors | theirs.anchors), 1)
    if shared < ANCHOR_JACCARD:
        return None
    ends = (mine.id, mine.shingles), (theirs.id, theirs.shingles)
    return oriented(*ends, EdgeKind.TRANSLATION, shared, shared)


def translation_edges(
    db: sqlite_utils.Database, row: dict[str, Any], size: int, mine: set[str]
) -> Iterator[Edge]:
    """Copies in another language whose credit names the account (and author) of this article
    (of `size` shingles), or that it credits, published close to it, sharing its numbers,
    names and addresses (`mine`)."""
    this = Credited(row["id"], row["author"], row["published"], mine, size)
    for other in _credited(db, row):
        edge = credit_edge(this, Credited.of(other))
        if edge:
            yield edge


def _credited(db: sqlite_utils.Database, row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Fingerprinted articles in another language that this one credits as its source, that
    credit this one's account as theirs, or that credit the same source (a reprint of an
    original that is not stored)."""
    named = [v for v in (row["source"], row["source_account_id"]) if v]
    own = [v for v in (row["account"], row["account_id"]) if v]
    # One indexed column per part: an OR across columns would read every article.
    parts = [(column, value) for column in ("account", "account_id") for value in named]
    parts += [(column, value) for column in ("source", "source_account_id") for value in own]
    parts += [(column, value) for column in ("source", "source_account_id") for value in named]
    if not parts:
        return
    union = " UNION ".join(f"SELECT id FROM articles WHERE {column} = ?" for column, _ in parts)
    yield from db.query(
        f"{SELECT_CREDITED} WHERE a.id IN ({union}) AND a.id != ? "
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
