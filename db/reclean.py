"""Re-clean stored snapshots with the current rules, without fetching anything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import sqlite_utils

from cleaners import CleanerError, clean, cleaner_version

from .store import reclean_article, snapshot_bytes

SELECT_ARTICLES = """
SELECT articles.*, fetches.url AS fetch_url
FROM articles JOIN fetches ON fetches.id = articles.fetch_id
ORDER BY articles.id
"""


def reclean(
    db: sqlite_utils.Database,
    run_id: int,
    only_outdated: bool = False,
    progress: Callable[[dict, str], None] | None = None,
) -> Counter[str]:
    """Clean every article's snapshot again; store a new version where the result changed."""
    counts: Counter[str] = Counter()
    current = cleaner_version()
    for row in list(db.query(SELECT_ARTICLES)):
        counts["discovered"] += 1
        if only_outdated and row["cleaner_version"] == current:
            counts["skipped"] += 1
            continue
        url = None if row["fetch_url"].startswith("file:") else row["fetch_url"]
        try:
            article = clean(snapshot_bytes(db, row["snapshot"]), url=url)
        except CleanerError:
            counts["failed"] += 1
            continue
        outcome = reclean_article(db, run_id, row, article)
        counts[outcome] += 1
        if progress:
            progress(row, outcome)
    return counts
