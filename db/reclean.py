"""Re-clean stored snapshots with the current rules, without fetching anything."""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from cleaners import Article, CleanerError, Rules, clean, load_rules, source_key

from .clock import instant
from .parallel import worker_pool
from .schema import transaction
from .store import article_fields, decompress, keep_unchanged, reclean_article, stored_snapshot

# Articles cleaned by the pool at a time, while the window before them is written.
WINDOW = 64
# What recleaning an article needs of it and of its fetch (not its body: every article's is
# read, and they are held until cleaned).
SELECT_ARTICLES = """
SELECT articles.id, articles.url, articles.snapshot, articles.fetch_id, articles.content_hash,
    articles.cleaner_version, articles.account, articles.account_id,
    fetches.url AS fetch_url, fetches.headers AS fetch_headers,
    fetches.date_base AS fetch_date_base
FROM articles JOIN fetches ON fetches.id = articles.fetch_id
ORDER BY articles.id
"""


def reclean(
    db: sqlite_utils.Database,
    run_id: int,
    only_outdated: bool = False,
    progress: Callable[[dict, str], None] | None = None,
    errors: list[str] | None = None,
    counts: Counter[str] | None = None,
    rules: Rules | None = None,
    workers: int = 1,
    shard: Shard | None = None,
) -> Counter[str]:
    """Clean every article's snapshot again, with what its fetch told the first cleaning (the
    URL, Content-Type and the time relative dates count from); store a new version where the
    result changed.

    An article whose snapshot cannot be read or cleaned, for any reason, counts as failed
    (its reason appended to `errors`) and the others go on; a failure of the database itself
    (sqlite3.Error) ends the reclean. Pass `counts` to keep the counts when it does.
    `rules` (default: the shipped ones) are those of the cleaning, learned rules included:
    `only_outdated` skips the articles whose rules, learned ones of their source included,
    are the same. `workers` processes clean at once (this one writes, in the articles'
    order, so the result is a serial run's); `shard` takes only its share of the articles.
    `progress(row, outcome)` after each article: its id and url among the row's keys, and
    what became of it ("updated", "unchanged", "failed").
    """
    counts = Counter() if counts is None else counts
    rules = rules or load_rules()
    chosen = []
    for row in db.query(SELECT_ARTICLES):
        if shard is not None and not shard.holds(row["url"]):
            continue
        counts["discovered"] += 1
        if only_outdated and row["cleaner_version"] == _current_version(rules, row):
            counts["skipped"] += 1
            continue
        chosen.append(row)
    cleaned = _cleaned(db, chosen, rules, workers)
    while window := list(itertools.islice(cleaned, WINDOW)):
        with transaction(db):  # one commit per window: a commit per article cost more
            for row, outcome in window:
                _store(db, run_id, row, outcome, rules, counts, errors, progress)
    return counts


def _store(db, run_id, row, outcome, rules, counts, errors, progress) -> None:
    if isinstance(outcome, Failure):
        counts["failed"] += 1
        if errors is not None:
            errors.append(f"{row['url']}: {outcome.reason}")
        if progress:
            progress(row, "failed")
        return
    if isinstance(outcome, Unchanged):
        result = keep_unchanged(db, row["id"], outcome.cleaner_version)
    else:
        result = reclean_article(db, run_id, row, outcome.article, rules, outcome.fields)
    counts[result] += 1
    if progress:
        progress(row, result)


@dataclass(frozen=True)
class Shard:
    """Share `index` of `count` (`--shard 2/8`): the articles whose URL's SHA-256, as a
    number, leaves `index` - 1 divided by `count`. The same URL is in the same share in
    every copy of a database, whichever machine runs it."""

    index: int
    count: int

    def holds(self, url: str) -> bool:
        digest = int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big")
        return digest % self.count == self.index - 1


@dataclass(frozen=True)
class Failure:
    """Why an article could not be cleaned again."""

    reason: str


@dataclass(frozen=True)
class Cleaned:
    """A snapshot cleaned again, with the columns it is stored with (computed by the worker
    that cleaned it)."""

    article: Article
    fields: dict[str, Any]


@dataclass(frozen=True)
class Unchanged:
    """A snapshot cleaned again to the content its article has: only the version of the rules
    is new (what the worker sends back instead of the article)."""

    cleaner_version: str


Snapshot = tuple[str | None, bytes]  # as stored: its compression and content
Task = tuple[Snapshot | Failure, dict[str, Any], str | None]  # and the current content hash
Outcome = Cleaned | Unchanged | Failure


def _cleaned(
    db: sqlite_utils.Database, rows: list[dict[str, Any]], rules: Rules, workers: int
) -> Iterator[tuple[dict[str, Any], Outcome]]:
    """Each row with its new cleaning, in order; with several workers, a window of articles
    is cleaned by the pool while the one before it is written."""
    if workers <= 1:
        for row in rows:
            yield row, _clean_one(_task(db, row), rules)
        return
    with worker_pool(workers, _start_worker, (rules,)) as pool:
        pending: tuple[list[dict[str, Any]], Any] | None = None
        for start in range(0, len(rows), WINDOW):
            window = rows[start : start + WINDOW]
            tasks = [_task(db, row) for row in window]
            job = pool.map_async(_clean_task, tasks, chunksize=max(1, WINDOW // (4 * workers)))
            if pending is not None:
                yield from zip(pending[0], pending[1].get(), strict=True)
            pending = window, job
        if pending is not None:
            yield from zip(pending[0], pending[1].get(), strict=True)


def _task(db: sqlite_utils.Database, row: dict[str, Any]) -> Task:
    """What cleaning the article's snapshot again takes."""
    return _snapshot(db, row), _as_fetched(row), row["content_hash"]


def _snapshot(db: sqlite_utils.Database, row: dict[str, Any]) -> Snapshot | Failure:
    try:
        return stored_snapshot(db, row["snapshot"])
    except sqlite3.Error:
        raise
    except Exception as exc:  # a lost or unreadable snapshot fails its article alone
        return Failure(f"{type(exc).__name__}: {exc}")


_worker_rules: list[Rules] = []  # in a worker process: the rules its pool was started with


def _start_worker(rules: Rules) -> None:
    _worker_rules.append(rules)


def _clean_task(task: Task) -> Outcome:
    return _clean_one(task, _worker_rules[0])


def _clean_one(task: Task, rules: Rules) -> Outcome:
    """One snapshot cleaned again, or why it could not be."""
    stored, fetched, content_hash = task
    if isinstance(stored, Failure):
        return stored
    try:
        article = clean(decompress(*stored), **fetched, rules=rules)
    except Exception as exc:  # one bad snapshot must not end the reclean
        reason = exc if isinstance(exc, CleanerError) else f"{type(exc).__name__}: {exc}"
        return Failure(str(reason))
    fields = article_fields(article, rules)
    if fields["content_hash"] == content_hash:
        return Unchanged(fields["cleaner_version"])
    return Cleaned(article, fields)


def _current_version(rules: Rules, row: dict[str, Any]) -> str:
    return rules.version_for(source_key(row["account_id"], row["account"], row["url"]))


def _as_fetched(row: dict[str, Any]) -> dict[str, Any]:
    """The `clean()` arguments the article's fetch gave its first cleaning."""
    url = None if row["fetch_url"].startswith("file:") else row["fetch_url"]
    try:
        headers = json.loads(row["fetch_headers"]) if row["fetch_headers"] else {}
    except ValueError:
        headers = {}
    lowered = {str(k).lower(): v for k, v in headers.items()} if isinstance(headers, dict) else {}
    content_type = lowered.get("content-type")
    base = row["fetch_date_base"]
    return {
        "url": url,
        "content_type": content_type if isinstance(content_type, str) else None,
        "fetched_at": instant(base) if base else None,
    }
