"""Re-clean stored snapshots with the current rules, without fetching anything."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import Any

import sqlite_utils

from cleaners import CleanerError, clean, cleaner_version

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
) -> Counter[str]:
    """Clean every article's snapshot again, with what its fetch told the first cleaning (the
    URL, Content-Type and the time relative dates count from); store a new version where the
    result changed.

    An article whose snapshot cannot be read or cleaned, for any reason, counts as failed
    (its reason appended to `errors`) and the others go on; a failure of the database itself
    (sqlite3.Error) ends the reclean. Pass `counts` to keep the counts when it does.
    """
    counts = Counter() if counts is None else counts
    current = cleaner_version()
    for row in list(db.query(SELECT_ARTICLES)):
        counts["discovered"] += 1
        if only_outdated and row["cleaner_version"] == current:
            counts["skipped"] += 1
            continue
        try:
            article = clean(snapshot_bytes(db, row["snapshot"]), **_as_fetched(row))
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
        outcome = reclean_article(db, run_id, row, article)
        counts[outcome] += 1
        if progress:
            progress(row, outcome)
    return counts


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
