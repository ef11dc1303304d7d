"""Learn each source's own boilerplate from its stored articles, and keep the user's verdicts.

A block is learned for a source when it stands in an edge run (see cleaners.learned) of
enough of that source's distinct works, is short, and occurs in no other source's copy of the
same work (there it would be the article's own text). Relearning replaces what was learned;
rules a user accepted or rejected keep that verdict.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlite_utils

from cleaners import LearnedRule, Place, Rules, source_key
from cleaners.cues import score
from cleaners.learned import LEARNED_KIND, block_key, edge_runs, is_trivial, rule_name
from cleaners.nfkc import nfkc
from cleaners.rules import LearningSettings

from .errors import DbError
from .schema import transaction

MAX_EXAMPLES = 5
ARTICLES = """
SELECT id, url, title, account, account_id, body, content_hash, version FROM articles
WHERE status = 'ok' AND body IS NOT NULL ORDER BY id
"""
REMOVALS = """
SELECT removals.article_id, removals.text FROM removals
JOIN articles ON articles.id = removals.article_id AND articles.version = removals.version
WHERE length(removals.text) <= ?
"""


class RuleState(StrEnum):
    """A learned rule as learning left it, or as the user judged it."""

    LEARNED = "learned"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class UnknownRule(DbError):
    """No learned rule of that name in the database."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no learned rule named {name!r} (see `reprints rules list --rules-db`)")


@dataclass
class Document:
    """One stored article as learning sees it: its body's blocks, and the keys of the
    blocks its cleaning removed (by any rule, learned ones included)."""

    article_id: int
    source: str
    work: str
    texts: list[str]
    keys: list[str]
    removed: set[str]


@dataclass
class Found:
    """The evidence for one block of one source."""

    works: set[str] = field(default_factory=set)
    places: Counter[str] = field(default_factory=Counter)
    article_ids: list[int] = field(default_factory=list)
    example: str = ""


@dataclass
class LearnResult:
    """What a learning run found: sources with enough works, rules in force, changes."""

    sources: int = 0
    learned_sources: int = 0
    rules: int = 0
    added: int = 0
    dropped: int = 0


def learned_rules(db: sqlite_utils.Database) -> list[LearnedRule]:
    """The learned rules in force: learned or accepted, not rejected."""
    rows = db.execute(
        "SELECT name, source, kind, text, place FROM learned_rules WHERE state != ?",
        [RuleState.REJECTED.value],
    )
    return [
        LearnedRule(name, source, kind, text, Place(place))
        for name, source, kind, text, place in rows
    ]


def set_state(db: sqlite_utils.Database, name: str, state: RuleState) -> None:
    """Record the user's verdict on a learned rule; it outlives relearning."""
    with transaction(db):
        changed = db.execute(
            "UPDATE learned_rules SET state = ? WHERE name = ?", [state.value, name]
        ).rowcount
    if not changed:
        raise UnknownRule(name)


def learn(
    db: sqlite_utils.Database,
    run_id: int | None,
    rules: Rules,
    settings: LearningSettings | None = None,
) -> LearnResult:
    """Learn every source's boilerplate from the stored articles and store it (one
    transaction). `rules` name the kinds of what is learned; `settings` default to theirs."""
    settings = settings or rules.learning
    documents = list(_documents(db, settings.max_chars))
    shared = _keys_by_work(documents)
    by_source: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        by_source[document.source].append(document)
    result = LearnResult()
    found: dict[str, dict[str, Found]] = {}
    for source, docs in by_source.items():
        learned = _learn_source(source, docs, shared, settings, _learned_before(db, source))
        if learned is None:
            continue
        result.sources += 1
        if learned:
            found[source] = learned
            result.learned_sources += 1
    with transaction(db):
        _store(db, run_id, rules, found, by_source, result)
    return result


def _documents(db: sqlite_utils.Database, max_chars: int) -> Iterator[Document]:
    removed: dict[int, set[str]] = defaultdict(set)
    for article_id, text in db.execute(REMOVALS, [max_chars]):
        removed[article_id].add(block_key(text))
    for row in db.query(ARTICLES):
        source = source_key(row["account_id"], row["account"], row["url"])
        if not source:
            continue
        texts = row["body"].split("\n\n")
        work = _work_key(row["title"]) or row["content_hash"]
        keys = [block_key(t) for t in texts]
        yield Document(row["id"], source, work, texts, keys, removed[row["id"]])


def _work_key(title: str | None) -> str:
    """A title as works are told apart: any case and spacing, but every digit (the 12th and
    13th issues of a weekly are two works)."""
    return "".join(nfkc(title or "").split()).casefold()


def _learned_before(db: sqlite_utils.Database, source: str) -> dict[str, tuple[str, str]]:
    """Where the source's rules learned before stood, and an example of each, by key."""
    rows = db.execute("SELECT text, place, example FROM learned_rules WHERE source = ?", [source])
    return {key: (place, example) for key, place, example in rows}


def _keys_by_work(documents: list[Document]) -> dict[str, dict[str, set[str]]]:
    """For each work, the block keys of each source's copies of it."""
    shared: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for document in documents:
        shared[document.work][document.source].update(document.keys)
    return shared


def _learn_source(
    source: str,
    docs: list[Document],
    shared: dict[str, dict[str, set[str]]],
    settings: LearningSettings,
    before: dict[str, tuple[str, str]],
) -> dict[str, Found] | None:
    """The blocks learned for one source, by key; None when it has too few works.

    A block counts for a work where it stands in an edge run of the body, or where the
    cleaning removed it; it is learned when it counts for enough works and stands in an
    edge run of some body (else nothing is left for it to remove), or was learned before.
    """
    works = {doc.work for doc in docs}
    need = max(settings.min_works, math.ceil(settings.min_share * len(works)))
    if len(works) < need:
        return None
    seen_in: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for key, text in zip(doc.keys, doc.texts, strict=True):
            if not is_trivial(key) and len(text) <= settings.max_chars:
                seen_in[key].add(doc.work)
        for key in doc.removed:
            if not is_trivial(key):
                seen_in[key].add(doc.work)
    frequent = {
        key
        for key, in_works in seen_in.items()
        if len(in_works) >= need and not _elsewhere(key, source, in_works, shared)
    }
    evidence: dict[str, Found] = defaultdict(Found)
    for doc in docs:
        head, tail = edge_runs(doc.texts, doc.keys, frequent.__contains__)
        total = sum(len(t) for t in doc.texts) or 1
        if sum(len(doc.texts[i]) for i in head + tail) > settings.max_body_share * total:
            continue
        for place, indexes in ((Place.HEAD, head), (Place.TAIL, tail)):
            for index in indexes:
                _count(evidence[doc.keys[index]], doc, doc.texts[index], place)
    for key, (place, example) in before.items():
        if key in frequent and key not in evidence:
            evidence[key].places[place] += 1
            evidence[key].example = example
    for key, found in evidence.items():
        _count_removed(found, key, docs)
    return {key: found for key, found in evidence.items() if len(found.works) >= need}


def _elsewhere(key: str, source: str, works: set[str], shared) -> bool:
    """Whether another source's copy of one of these works holds the block: article text."""
    return any(
        key in keys for work in works for other, keys in shared[work].items() if other != source
    )


def _count(found: Found, doc: Document, text: str, place: Place) -> None:
    found.works.add(doc.work)
    found.places[place] += 1
    if len(found.article_ids) < MAX_EXAMPLES and doc.article_id not in found.article_ids:
        found.article_ids.append(doc.article_id)
    if not found.example:
        found.example = text


def _count_removed(found: Found, key: str, docs: list[Document]) -> None:
    for doc in docs:
        if key in doc.removed:
            found.works.add(doc.work)
            if len(found.article_ids) < MAX_EXAMPLES and doc.article_id not in found.article_ids:
                found.article_ids.append(doc.article_id)


def _kind(text: str, rules: Rules) -> str:
    """The kind the shipped cues give the block, else `learned`."""
    kind = score(text, rules, evident=True).kind
    return kind if kind and kind != "address" else LEARNED_KIND


def _store(
    db: sqlite_utils.Database,
    run_id: int | None,
    rules: Rules,
    found: dict[str, dict[str, Found]],
    by_source: dict[str, list[Document]],
    result: LearnResult,
) -> None:
    before = {name: state for name, state in db.execute("SELECT name, state FROM learned_rules")}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows = list(_rows(found, by_source, rules, now, run_id))
    names = {row["name"] for row in rows}
    stale = [n for n, state in before.items() if state == RuleState.LEARNED and n not in names]
    for name in stale:
        db.execute("DELETE FROM learned_rules WHERE name = ?", [name])
    for row in rows:
        row["state"] = before.get(row["name"], RuleState.LEARNED.value)
    db["learned_rules"].upsert_all(rows, pk="name")
    result.added = len(names - set(before))
    result.dropped = len(stale)
    result.rules = db.execute(
        "SELECT count(*) FROM learned_rules WHERE state != ?", [RuleState.REJECTED.value]
    ).fetchone()[0]


def _rows(
    found: dict[str, dict[str, Found]],
    by_source: dict[str, list[Document]],
    rules: Rules,
    now: str,
    run_id: int | None,
) -> Iterable[dict[str, Any]]:
    for source, blocks in found.items():
        source_works = len({doc.work for doc in by_source[source]})
        for key, evidence in blocks.items():
            yield {
                "name": rule_name(source, key),
                "source": source,
                "kind": _kind(evidence.example, rules),
                "place": evidence.places.most_common(1)[0][0],
                "text": key,
                "example": evidence.example,
                "works": len(evidence.works),
                "source_works": source_works,
                "article_ids": json.dumps(evidence.article_ids),
                "learned_at": now,
                "run_id": run_id,
            }
