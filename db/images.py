"""Archived images: which images each stored article version has, by position; their bytes,
stored once per SHA-256; and every request made for one. Each image's outcome is written in
one transaction, so a run that is killed leaves what it stored and resumes with the rest.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from dataclasses import dataclass

import sqlite_utils

from .image_types import image_type
from .schema import transaction
from .store import now, sha256

# Transient failures of one image (timeouts, 5xx) are tried again by this many runs in all.
MAX_ATTEMPTS = 3


class ImageState(enum.StrEnum):
    """The states of an image in `article_images.state`."""

    PENDING = "pending"  # not tried yet
    STORED = "stored"  # its bytes are in image_files
    FAILED = "failed"  # a transient failure: the next run tries again
    UNAVAILABLE = "unavailable"  # refused, missing, too large or not an image: not retried


@dataclass(frozen=True)
class ImageTask:
    """One image URL to fetch, for every article that has it; `page_url` is the first such
    article's URL (a referer for the image's host)."""

    url: str
    page_url: str
    attempts: int


@dataclass(frozen=True)
class ImageFetch:
    """One request for an image: what was asked and what came back."""

    url: str
    referer: str | None
    fetched_at: str
    status_code: int | None = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class ArchivedImage:
    """A stored image of an article, at its position in the article's image list."""

    position: int
    url: str
    sha256: str
    content_type: str
    bytes: int


QUEUE_SQL = """
INSERT OR IGNORE INTO article_images (article_id, version, position, url, state, attempts,
                                      updated_at)
SELECT a.id, a.version, j.key, j.value, 'pending', 0, ?
FROM articles AS a, json_each(a.images) AS j
WHERE a.status = 'ok' AND json_valid(a.images) AND j.type = 'text'"""

LINK_KNOWN_SQL = """
UPDATE article_images AS ai
SET state = 'stored', sha256 = f.sha256, fetch_id = f.id, error = NULL, updated_at = ?
FROM (SELECT url, min(fetch_id) AS fetch_id FROM article_images WHERE state = 'stored'
      GROUP BY url) AS known
JOIN image_fetches AS f ON f.id = known.fetch_id
WHERE ai.url = known.url AND ai.state != 'stored' AND ai.state IN ({states})"""

TASKS_SQL = """
SELECT ai.url, min(a.url), max(ai.attempts)
FROM article_images AS ai JOIN articles AS a ON a.id = ai.article_id
WHERE ai.state IN ({states})
GROUP BY ai.url
ORDER BY min(ai.article_id), ai.url"""


def _states(retry: bool) -> list[str]:
    states = [ImageState.PENDING, ImageState.FAILED]
    return [*states, ImageState.UNAVAILABLE] if retry else states


def queue_images(db: sqlite_utils.Database) -> int:
    """Add the images of every current article version that are not listed yet, as pending;
    how many were added."""
    with transaction(db):
        return db.conn.execute(QUEUE_SQL, [now()]).rowcount


def link_known(db: sqlite_utils.Database, retry: bool = False) -> int:
    """Mark the images whose URL is already stored (for another article or version) as
    stored, without fetching them; how many rows that was. `retry` includes the unavailable."""
    states = _states(retry)
    sql = LINK_KNOWN_SQL.format(states=", ".join("?" * len(states)))
    with transaction(db):
        return db.conn.execute(sql, [now(), *states]).rowcount


def image_tasks(db: sqlite_utils.Database, retry: bool = False) -> Iterator[ImageTask]:
    """The image URLs left to fetch, once each, in the order their articles were stored."""
    states = _states(retry)
    sql = TASKS_SQL.format(states=", ".join("?" * len(states)))
    for url, page_url, attempts in db.conn.execute(sql, states).fetchall():
        yield ImageTask(url, page_url, attempts or 0)


def store_image(db: sqlite_utils.Database, run_id: int, fetch: ImageFetch, data: bytes) -> bool:
    """Store a fetched image, its fetch, and the image in place for every article that has
    its URL, in one transaction; whether its bytes were new to the database."""
    digest = sha256(data)
    with transaction(db):
        new = db.conn.execute(
            "INSERT OR IGNORE INTO image_files (sha256, bytes, content_type, content, first_seen) "
            "VALUES (?, ?, ?, ?, ?)",
            [digest, len(data), image_type(data), data, fetch.fetched_at],
        ).rowcount
        fetch_id = _insert_fetch(db, run_id, fetch, bytes=len(data), sha256=digest)
        db.conn.execute(
            "UPDATE article_images SET state = 'stored', sha256 = ?, fetch_id = ?, "
            "attempts = attempts + 1, error = NULL, updated_at = ? "
            "WHERE url = ? AND state != 'stored'",
            [digest, fetch_id, fetch.fetched_at, fetch.url],
        )
    return bool(new)


def record_image_failure(
    db: sqlite_utils.Database, run_id: int, fetch: ImageFetch, error: str, permanent: bool
) -> ImageState:
    """Record a failed request for an image on its fetch row and on every article that has it:
    unavailable if `permanent` or its attempts are spent, else failed (tried again later)."""
    with transaction(db):
        fetch_id = _insert_fetch(db, run_id, fetch, error=error)
        db.conn.execute(
            "UPDATE article_images SET attempts = attempts + 1, fetch_id = ?, error = ?, "
            "updated_at = ?, state = CASE WHEN ? OR attempts + 1 >= ? THEN 'unavailable' "
            "ELSE 'failed' END WHERE url = ? AND state != 'stored'",
            [fetch_id, error, fetch.fetched_at, permanent, MAX_ATTEMPTS, fetch.url],
        )
        state = db.conn.execute(
            "SELECT state FROM article_images WHERE url = ? AND fetch_id = ? LIMIT 1",
            [fetch.url, fetch_id],
        ).fetchone()
    return ImageState(state[0]) if state else ImageState.FAILED


def _insert_fetch(db: sqlite_utils.Database, run_id: int, fetch: ImageFetch, **facts) -> int:
    return (
        db["image_fetches"]
        .insert(
            {
                "run_id": run_id,
                "url": fetch.url,
                "referer": fetch.referer,
                "fetched_at": fetch.fetched_at,
                "status_code": fetch.status_code,
                "headers": json.dumps(fetch.headers, ensure_ascii=False) if fetch.headers else None,
                **facts,
            }
        )
        .last_pk
    )


def archived_images(
    db: sqlite_utils.Database, article_id: int, version: int
) -> list[ArchivedImage]:
    """The stored images of one article version, by position."""
    rows = db.conn.execute(
        "SELECT ai.position, ai.url, f.sha256, f.content_type, f.bytes FROM article_images AS ai "
        "JOIN image_files AS f ON f.sha256 = ai.sha256 WHERE ai.article_id = ? AND "
        "ai.version = ? AND ai.state = 'stored' ORDER BY ai.position",
        [article_id, version],
    )
    return [ArchivedImage(*row) for row in rows]


def image_bytes(db: sqlite_utils.Database, digest: str) -> bytes | None:
    """The bytes of a stored image."""
    row = db.conn.execute("SELECT content FROM image_files WHERE sha256 = ?", [digest]).fetchone()
    return row[0] if row else None
