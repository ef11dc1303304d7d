"""Re-clean stored snapshots with the current rules, without fetching anything."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import Any

import sqlite_utils

from cleaners import CleanerError, Rules, clean, load_rules, source_key

from .clock import instant
from .store import reclean_article, snapshot_bytes

SELECT_ARTICLES = """
SELECT articles.*, fetches.url AS fetch_url, fetches.headers AS fetch_headers,
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
) -> Counter[str]:
    """Clean every article's snapshot again, with what its fetch told the first cleaning (the
    URL, Content-Type and the time relative dates count from); store a new version where the
    result changed.

    An article whose snapshot cannot be read or cleaned, for any reason, counts as failed
    (its reason appended to `errors`) and the others go on; a failure of the database itself
    (sqlite3.Error) ends the reclean. Pass `counts` to keep the counts when it does.
    `rules` (default: the shipped ones) are those of the cleaning, learned rules included:
    `only_outdated` skips the articles whose rules, learned ones of their source included,
    are the same.
    """
    counts = Counter() if counts is None else counts
    rules = rules or load_rules()
    for row in list(db.query(SELECT_ARTICLES)):
        counts["discovered"] += 1
        if only_outdated and row["cleaner_version"] == _current_version(rules, row):
            counts["skipped"] += 1
            continue
        try:
            data = snapshot_bytes(db, row["snapshot"])
            article = clean(data, **_as_fetched(row), rules=rules)
        except sqlite3.Error:
            raise
        except Exception as exc:  # one bad snapshot must not end the reclean
            counts["failed"] += 1
            if errors is not None:
                reason = exc if isinstance(exc, CleanerError) else f"{type(exc).__name__}: {exc}"
                errors.append(f"{row['url']}: {reason}")
            if progress:
                progress(row, "failed")
            continue
        outcome = reclean_article(db, run_id, row, article, rules)
        counts[outcome] += 1
        if progress:
            progress(row, outcome)
    return counts


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
