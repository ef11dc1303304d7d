"""Write pages and articles with their provenance, one transaction per page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
import zlib
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from cleaners import Article, Rules, load_rules

from .schema import ARTICLE_FIELDS, transaction
from .search import index_article

NEW, UPDATED, UNCHANGED, BLOCKED = "new", "updated", "unchanged", "blocked"
# A file's page kept beside the current version, which a page fetched from the web holds.
OUTRANKED = "outranked"
COMPRESSION = "zlib"


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class PageSource:
    """Where a page came from: a file that was read or an HTTP response."""

    url: str
    fetched_at: str
    status_code: int | None = None
    headers: dict[str, str] | None = None
    etag: str | None = None
    last_modified: str | None = None
    run_id: int | None = None
    date_base: str | None = None


@dataclass(frozen=True)
class ArchiveOrigin:
    """The WARC record a fetch was read from: a row of `archive_records`."""

    record_id: str
    warc_file: str
    offset: int
    record_type: str
    target_uri: str | None = None
    warc_date: str | None = None
    payload_digest: str | None = None


def record_origin(
    db: sqlite_utils.Database,
    run_id: int | None,
    origin: ArchiveOrigin,
    fetch_id: int | None,
    outcome: str,
) -> None:
    """Note that an archive record was read, and what became of it (inside the caller's
    transaction, with the fetch it gave, so that the two are written together)."""
    insert(
        db,
        "archive_records",
        {**vars(origin), "run_id": run_id, "fetch_id": fetch_id, "outcome": outcome},
    )


def insert(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> int:
    """Insert one row (of values SQLite takes as they are) and return its rowid: what
    `db[table].insert` does, without reading the table's schema on every call."""
    names = ", ".join(f"[{name}]" for name in row)
    marks = ", ".join("?" * len(row))
    sql = f"INSERT INTO [{table}] ({names}) VALUES ({marks})"
    return db.conn.execute(sql, list(row.values())).lastrowid


def update(db: sqlite_utils.Database, table: str, row_id: int, changes: dict[str, Any]) -> None:
    """Set `changes` on the row `row_id`: what `db[table].update` does, without its savepoint
    (at which the search index writes out its pending terms) or its reading the row again."""
    columns = ", ".join(f"[{name}] = ?" for name in changes)
    db.conn.execute(f"UPDATE [{table}] SET {columns} WHERE id = ?", [*changes.values(), row_id])


def database_file(db: sqlite_utils.Database) -> str:
    """The path of the database's main file, for messages."""
    try:
        for _, name, file in db.conn.execute("PRAGMA database_list"):
            if name == "main":
                return file or ":memory:"
    except sqlite3.Error:
        pass
    return "the database"


def rollback(db: sqlite_utils.Database) -> None:
    """End a transaction left open (by a failed COMMIT); a failure here changes nothing."""
    try:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot_bytes(db: sqlite_utils.Database, digest: str) -> bytes:
    """The raw page stored under `digest`."""
    return decompress(*stored_snapshot(db, digest))


def stored_snapshot(db: sqlite_utils.Database, digest: str) -> tuple[str | None, bytes]:
    """The snapshot stored under `digest` as it is stored: its compression and content."""
    row = db.execute(
        "SELECT compression, content FROM snapshots WHERE sha256 = ?", [digest]
    ).fetchone()
    if row is None:
        raise KeyError(digest)
    return row


def decompress(compression: str | None, content: bytes) -> bytes:
    """A snapshot's raw bytes from its stored form."""
    return zlib.decompress(content) if compression == COMPRESSION else content


def touch_if_unchanged(
    db: sqlite_utils.Database, url: str, digest: str, seen: str, date_base: str | None = None
) -> bool:
    """If the last fetch of `url` had these very bytes, and its relative dates were counted
    from the same time, note that it was seen again and say so."""
    row = db.execute(
        "SELECT id, sha256, date_base FROM fetches WHERE url = ? ORDER BY id DESC LIMIT 1", [url]
    ).fetchone()
    if row is None or row[1] != digest or row[2] != date_base:
        return False
    record_not_modified(db, row[0], url, seen)
    return True


def save_page(
    db: sqlite_utils.Database,
    run_id: int,
    source: PageSource,
    data: bytes,
    article: Article,
    rules: Rules | None = None,
    origin: ArchiveOrigin | None = None,
) -> str:
    """Store the raw page, its fetch and its article in one transaction; return the outcome.

    Blocked pages (anti-bot, captcha, rate limit, login) are kept as a fetch and a snapshot
    but never as an article. An article whose cleaned content changed keeps its previous
    version in `article_versions`. A page fetched from the web outranks a file that only
    claims its URL: such a file's article is kept in `article_versions` (outcome
    `outranked`), and a web fetch replaces a current version read from a file. `rules`, the
    rules the article was cleaned with, give its `cleaner_version`. `origin`, the archive
    record the page was read from, is recorded with it.
    """
    digest = sha256(data)
    with transaction(db):
        _store_snapshot(db, digest, data, source.fetched_at)
        row = _fetch_row(source, run_id, bytes=len(data), sha256=digest, page_status=article.status)
        fetch_id = insert(db, "fetches", row)
        outcome = BLOCKED
        if article.status != "blocked":
            url = article.url or source.url
            web = is_web_url(source.url)
            fields = article_fields(article, rules or load_rules())
            outcome = _upsert_article(
                db, run_id, fetch_id, digest, article, fields, url, from_web=web
            )
        if origin is not None:
            record_origin(db, run_id, origin, fetch_id, outcome)
        return outcome


def record_fetch(
    db: sqlite_utils.Database,
    run_id: int,
    source: PageSource,
    page_status: str,
    data: bytes,
    origin: ArchiveOrigin | None = None,
) -> None:
    """A response that is not a page (`page_status` says what, e.g. `not_html` for a PDF):
    its fetch and its raw bytes, in one transaction, and no article."""
    digest = sha256(data)
    with transaction(db):
        _store_snapshot(db, digest, data, source.fetched_at)
        row = _fetch_row(source, run_id, bytes=len(data), sha256=digest, page_status=page_status)
        fetch_id = insert(db, "fetches", row)
        if origin is not None:
            record_origin(db, run_id, origin, fetch_id, "skipped")


def record_failure(
    db: sqlite_utils.Database,
    run_id: int,
    source: PageSource,
    error: str,
    origin: ArchiveOrigin | None = None,
) -> None:
    """A fetch or file read that produced no page, with the reason."""
    with transaction(db):
        fetch_id = insert(db, "fetches", _fetch_row(source, run_id, error=error))
        if origin is not None:
            record_origin(db, run_id, origin, fetch_id, "failed")


def reclean_article(
    db: sqlite_utils.Database,
    run_id: int,
    row: dict[str, Any],
    article: Article,
    rules: Rules | None = None,
    fields: dict[str, Any] | None = None,
) -> str:
    """Replace an article's content with a new cleaning of its stored snapshot, if it differs.
    `fields`, the article's columns, are computed from `rules` unless given."""
    fields = fields or article_fields(article, rules or load_rules())
    with transaction(db):
        return _upsert_article(
            db, run_id, row["fetch_id"], row["snapshot"], article, fields, row["url"], touch=False
        )


def _store_snapshot(db: sqlite_utils.Database, digest: str, data: bytes, seen: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO snapshots (sha256, bytes, compression, content, first_seen) "
        "VALUES (?, ?, ?, ?, ?)",
        [digest, len(data), COMPRESSION, zlib.compress(data, 6), seen],
    )


def _fetch_row(source: PageSource, run_id: int | None, **facts: Any) -> dict[str, Any]:
    """A `fetches` row: the request as `source` describes it, plus what became of it."""
    return {
        "run_id": run_id,
        "url": source.url,
        "fetched_at": source.fetched_at,
        "last_seen": source.fetched_at,
        "status_code": source.status_code,
        "headers": _json(source.headers),
        "etag": source.etag,
        "last_modified": source.last_modified,
        "date_base": source.date_base,
        **facts,
    }


def _upsert_article(
    db: sqlite_utils.Database,
    run_id: int,
    fetch_id: int,
    digest: str,
    article: Article,
    fields: dict[str, Any],
    url: str,
    touch: bool = True,
    from_web: bool | None = None,
) -> str:
    """Make the article the current version of `url`, or keep it beside the current one.

    `from_web` says whether the page was fetched from the web (else read from a file that
    only claims `url`); None, for a reclean, compares nothing.
    """
    seen = now()
    current = _current_article(db, url)
    if current is None:
        return _insert_article(db, run_id, fetch_id, digest, article, url, fields, seen)
    current_from_web = _fetch_from_web(db, current["fetch_id"])
    if from_web is False and current_from_web:
        version = _next_version(db, current)
        _keep_version(db, current["id"], version, url, fields, (fetch_id, digest, run_id), seen)
        _insert_removals(db, current["id"], version, article)
        return OUTRANKED
    takes_over = from_web is True and not current_from_web
    if current["content_hash"] == fields["content_hash"] and not takes_over:
        return keep_unchanged(db, current["id"], fields["cleaner_version"], seen if touch else None)
    origin = (current["fetch_id"], current["snapshot"], current["run_id"])
    _keep_version(db, current["id"], current["version"], url, current, origin, seen, run_id)
    version = _next_version(db, current)
    update(
        db,
        "articles",
        current["id"],
        {
            **fields,
            "version": version,
            "fetch_id": fetch_id,
            "snapshot": digest,
            "run_id": run_id,
            "last_seen": seen if touch else current["last_seen"],
            "updated_at": seen,
        },
    )
    _insert_removals(db, current["id"], version, article)
    index_article(db, {"id": current["id"], **fields})
    return UPDATED


def keep_unchanged(
    db: sqlite_utils.Database, article_id: int, cleaner_version: str, seen: str | None = None
) -> str:
    """A cleaning gave the article's content again: record the version of the rules that
    did, and when it was `seen` if it was fetched again."""
    changes = {"cleaner_version": cleaner_version}
    if seen:
        changes["last_seen"] = seen
    update(db, "articles", article_id, changes)
    return UNCHANGED


def _current_article(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    cursor = db.execute("SELECT * FROM articles WHERE url = ?", [url])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def _insert_article(
    db: sqlite_utils.Database,
    run_id: int,
    fetch_id: int,
    digest: str,
    article: Article,
    url: str,
    fields: dict[str, Any],
    seen: str,
) -> str:
    row = {
        "url": url,
        **fields,
        "version": 1,
        "fetch_id": fetch_id,
        "snapshot": digest,
        "run_id": run_id,
        "first_seen": seen,
        "last_seen": seen,
        "updated_at": seen,
    }
    article_id = insert(db, "articles", row)
    _insert_removals(db, article_id, 1, article)
    index_article(db, {"id": article_id, **fields})
    return NEW


def is_web_url(url: str) -> bool:
    """Whether a fetch of `url` came from the web (not from a local file)."""
    return url.startswith(("http://", "https://"))


def _fetch_from_web(db: sqlite_utils.Database, fetch_id: int | None) -> bool:
    row = db.execute("SELECT url FROM fetches WHERE id = ?", [fetch_id]).fetchone()
    return row is not None and is_web_url(row[0])


def _next_version(db: sqlite_utils.Database, current: dict[str, Any]) -> int:
    """One more than any version of the article, current or kept."""
    (kept,) = db.execute(
        "SELECT max(version) FROM article_versions WHERE article_id = ?", [current["id"]]
    ).fetchone()
    return max(current["version"], kept or 0) + 1


def _keep_version(
    db: sqlite_utils.Database,
    article_id: int,
    version: int,
    url: str,
    fields: dict[str, Any],
    origin: tuple[int, str, int],
    seen: str,
    replaced_by_run: int | None = None,
) -> None:
    """A row of `article_versions`: a version replaced by run `replaced_by_run`, or (None)
    one that was never current because a page fetched from the web outranks it."""
    fetch_id, snapshot, run_id = origin
    insert(
        db,
        "article_versions",
        {
            "article_id": article_id,
            "version": version,
            "url": url,
            **{k: fields[k] for k in ARTICLE_FIELDS},
            "fetch_id": fetch_id,
            "snapshot": snapshot,
            "run_id": run_id,
            "replaced_at": seen,
            "replaced_by_run": replaced_by_run,
        },
    )


def article_fields(article: Article, rules: Rules) -> dict[str, Any]:
    """The article's columns, with a hash of its content to tell when it changed and the
    version of the rules that cleaned it."""
    data = article.to_dict()
    fields = {k: data.get(k) for k in ARTICLE_FIELDS if k not in ("content_hash",)}
    fields["is_original"] = None if article.is_original is None else int(article.is_original)
    fields["images"] = _json(list(article.images))
    fields["origins"] = _json(article.origins)
    fields["body"] = article.body or None
    fields["body_markdown"] = article.body_markdown or None
    fields["cleaner_version"] = rules.version_of(article)
    content = {k: data.get(k) for k in CONTENT_KEYS}
    fields["content_hash"] = sha256(
        json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    )
    return fields


# What counts as the article's content: a change in any of these makes a new version.
CONTENT_KEYS = tuple(
    f.name for f in dataclasses.fields(Article) if f.name not in ("url", "origins", "reader")
)


def _insert_removals(db: sqlite_utils.Database, article_id: int, version: int, article: Article):
    db.conn.executemany(
        "INSERT INTO removals (article_id, version, position, kind, rule, text) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (article_id, version, position, removal.kind, removal.rule, removal.text)
            for position, removal in enumerate(article.removed)
        ],
    )


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class LastFetch:
    """What the last successful fetch of a URL said: for conditional requests."""

    id: int
    fetched_at: str
    etag: str | None
    last_modified: str | None
    page_status: str | None


def last_fetch(db: sqlite_utils.Database, url: str) -> LastFetch | None:
    """The latest fetch of `url` that stored a page which was not blocked."""
    row = db.execute(
        "SELECT id, fetched_at, etag, last_modified, page_status FROM fetches "
        "WHERE url = ? AND sha256 IS NOT NULL AND coalesce(page_status, '') != 'blocked' "
        "ORDER BY id DESC LIMIT 1",
        [url],
    ).fetchone()
    return LastFetch(*row) if row else None


def record_not_modified(
    db: sqlite_utils.Database,
    fetch_id: int,
    url: str,
    seen: str,
    response: PageSource | None = None,
    origin: ArchiveOrigin | None = None,
) -> None:
    """The stored page of `url` was seen again unchanged (same bytes, or an HTTP 304):
    update `last_seen`, and record the request itself when there was one (`response`), and
    the archive record it was read from (`origin`)."""
    with transaction(db):
        db.execute("UPDATE fetches SET last_seen = ? WHERE id = ?", [seen, fetch_id])
        db.execute(
            "UPDATE articles SET last_seen = ? WHERE fetch_id IN "
            "(SELECT id FROM fetches WHERE url = ?)",
            [seen, url],
        )
        new_fetch = None
        if response is not None:
            row = _fetch_row(response, response.run_id, page_status="not_modified")
            new_fetch = insert(db, "fetches", row)
        if origin is not None:
            run = response.run_id if response else None
            record_origin(db, run, origin, new_fetch or fetch_id, "unchanged")
