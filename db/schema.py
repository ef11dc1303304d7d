"""Open a reprints database: connection settings, versioned migrations, indexes and search.

The schema version is SQLite's `PRAGMA user_version`. Each migration moves a database one
version up inside one transaction, so an older database opens with nothing lost and a newer
one is refused.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from .clock import response_time
from .errors import NotADatabase, SchemaTooNew, database_failure, is_operational
from .search import index_article

SCHEMA_VERSION = 9
BUSY_TIMEOUT_SECONDS = 30.0

# The article columns the first schema had (migrations 1 and 2 build from these; later ones
# add columns of their own).
_FIRST_ARTICLE_FIELDS = {
    "status": str,
    "title": str,
    "account": str,
    "account_id": str,
    "author": str,
    "source": str,
    "source_account_id": str,
    "editor": str,
    "translator": str,
    "published": str,
    "original_url": str,
    "is_original": int,
    "language": str,
    "body": str,
    "images": str,
    "origins": str,
    "reader": str,
    "cleaner_version": str,
    "content_hash": str,
}
# Every article column an Article fills, as `articles` and `article_versions` have them now.
ARTICLE_FIELDS = {**_FIRST_ARTICLE_FIELDS, "body_markdown": str}


def open_database(
    path: str | Path, create: bool = True, busy_timeout: float = BUSY_TIMEOUT_SECONDS
) -> sqlite_utils.Database:
    """Open (and create or migrate) the database at `path`; a write waits up to
    `busy_timeout` seconds for another process's lock.

    Raises `SchemaTooNew` for a database made by a newer reprints, `NotADatabase` for a file
    that is not SQLite.
    """
    path = Path(path)
    if path.is_dir():
        raise NotADatabase(f"{path} is a directory, not a database file")
    if not create and not path.exists():
        raise NotADatabase(f"{path} does not exist")
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        _check_identity(db)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        if is_operational(exc) and not _is_not_a_database(exc):
            raise database_failure(exc, str(path)) from None
        raise NotADatabase(f"{path} is not a SQLite database ({exc})") from None
    try:
        migrate(db)
    except sqlite3.Error as exc:
        raise database_failure(exc, str(path)) from None
    return db


def _is_not_a_database(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB"


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction, taking the write lock at the start (BEGIN IMMEDIATE) so that
    a concurrent writer waits for the busy timeout instead of failing half way. Inside one
    already open (a batch of them), part of that one: a failure undoes the whole batch.
    (Not a savepoint: SQLite's full-text index writes out its pending terms at each one.)"""
    if db.conn.in_transaction:
        yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def _check_identity(db: sqlite_utils.Database) -> int:
    """The schema version, after making sure the file is empty or a reprints database."""
    tables = set(db.table_names())
    version = schema_version(db)
    if tables and (not {"runs", "articles"} <= tables or version < 1):
        raise NotADatabase("the file is a SQLite database, but not one made by reprints")
    return version


def migrate(db: sqlite_utils.Database, target: int = SCHEMA_VERSION) -> None:
    """Bring the database up to `target`, one version per transaction."""
    current = _check_identity(db)
    if current > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the database has schema version {current}, newer than this reprints "
            f"understands ({SCHEMA_VERSION}); upgrade reprints to open it"
        )
    for version in range(current + 1, target + 1):
        with transaction(db):
            if schema_version(db) < version:
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version = {version}")


def _v1(db: sqlite_utils.Database) -> None:
    """Runs, fetches, snapshots, articles and removals."""
    db["runs"].create(
        {
            "id": int,
            "command": str,
            "arguments": str,
            "reprints_version": str,
            "cleaner_version": str,
            "pid": int,
            "started": str,
            "ended": str,
            "status": str,
            "exit_code": int,
            "discovered": int,
            "fetched": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "blocked": int,
            "failed": int,
            "skipped": int,
            "robots": int,
            "errors": str,
        },
        pk="id",
    )
    db["snapshots"].create(
        {"sha256": str, "bytes": int, "compression": str, "content": bytes, "first_seen": str},
        pk="sha256",
    )
    db["fetches"].create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "fetched_at": str,
            "last_seen": str,
            "status_code": int,
            "headers": str,
            "etag": str,
            "last_modified": str,
            "bytes": int,
            "sha256": str,
            "page_status": str,
            "error": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("sha256", "snapshots", "sha256")],
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,
            **_FIRST_ARTICLE_FIELDS,
            "version": int,
            "fetch_id": int,
            "snapshot": str,
            "run_id": int,
            "first_seen": str,
            "last_seen": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"url", "status"},
        foreign_keys=[
            ("fetch_id", "fetches", "id"),
            ("snapshot", "snapshots", "sha256"),
            ("run_id", "runs", "id"),
        ],
    )
    db["removals"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "position": int,
            "kind": str,
            "rule": str,
            "text": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["articles"].create_index(["url"], unique=True)
    db["fetches"].create_index(["url", "fetched_at"])
    db["fetches"].create_index(["sha256"])
    db["removals"].create_index(["article_id", "version"])
    db["removals"].create_index(["rule"])


def _v2(db: sqlite_utils.Database) -> None:
    """Earlier versions of each article, indexes for browsing, and CJK full-text search."""
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "url": str,
            **_FIRST_ARTICLE_FIELDS,
            "fetch_id": int,
            "snapshot": str,
            "run_id": int,
            "replaced_at": str,
            "replaced_by_run": int,
        },
        pk="id",
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("fetch_id", "fetches", "id"),
            ("snapshot", "snapshots", "sha256"),
            ("run_id", "runs", "id"),
            ("replaced_by_run", "runs", "id"),
        ],
    )
    db["article_versions"].create_index(["article_id", "version"], unique=True)
    for column in ("published", "account", "source", "author", "status"):
        db["articles"].create_index([column])
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, body, people, chars, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for row in db.query("SELECT * FROM articles WHERE status = 'ok'"):
        index_article(db, row)


def _v3(db: sqlite_utils.Database) -> None:
    """`fetches.date_base`: the time relative dates on the page are counted from, so that a
    re-cleaning resolves them as the first cleaning did. Stored HTTP responses get theirs from
    their Date header and fetch time; files had none."""
    db["fetches"].add_column("date_base", str)
    responses = db.conn.execute(
        "SELECT id, headers, fetched_at FROM fetches WHERE sha256 IS NOT NULL "
        "AND (url LIKE 'http://%' OR url LIKE 'https://%') AND fetched_at IS NOT NULL"
    )
    for fetch_id, headers, fetched_at in responses:
        try:
            base = response_time(json.loads(headers) if headers else None, fetched_at)
        except (ValueError, TypeError, AttributeError):
            continue
        db.execute("UPDATE fetches SET date_base = ? WHERE id = ?", [base.isoformat(), fetch_id])


def _v4(db: sqlite_utils.Database) -> None:
    """`learned_rules`: boilerplate learned from each source's own articles, with the
    evidence for each rule and the user's verdict on it."""
    db["learned_rules"].create(
        {
            "name": str,
            "source": str,
            "kind": str,
            "place": str,
            "text": str,
            "example": str,
            "works": int,
            "source_works": int,
            "article_ids": str,
            "state": str,
            "learned_at": str,
            "run_id": int,
        },
        pk="name",
        not_null={"source", "kind", "place", "text", "state"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["learned_rules"].create_index(["source"])
    db["learned_rules"].create_index(["state"])


def _v5(db: sqlite_utils.Database) -> None:
    """Works: the copies of one article found by their text or credits, with the original
    (`works`, `articles.work_id`, `articles.copy_role`), and what finding them keeps:
    fingerprints, MinHash LSH bands and the verified copy pairs."""
    db["works"].create(
        {
            "id": int,
            "original_article_id": int,
            "original_rule": str,
            "title": str,
            "copies": int,
            "first_published": str,
            "last_published": str,
        },
        pk="id",
        foreign_keys=[("original_article_id", "articles", "id")],
    )
    db.execute("ALTER TABLE articles ADD COLUMN work_id INTEGER REFERENCES works(id)")
    db.execute("ALTER TABLE articles ADD COLUMN copy_role TEXT")
    for column in ("work_id", "account_id", "source_account_id"):
        db["articles"].create_index([column])
    db["works"].create_index(["copies"])
    db["fingerprints"].create(
        {"article_id": int, "content_hash": str, "shingles": int, "anchors": str},
        pk="article_id",
    )
    db["lsh_bands"].create({"band": int, "hash": int, "article_id": int})
    db["lsh_bands"].create_index(["band", "hash"])
    db["lsh_bands"].create_index(["article_id"])
    db["copy_edges"].create(
        {"small": int, "large": int, "kind": str, "jaccard": float, "containment": float},
        pk=("small", "large"),
    )
    db["copy_edges"].create_index(["large"])


def _v6(db: sqlite_utils.Database) -> None:
    """Fingerprints record the scheme that made them (`cleaners.fingerprint.SCHEME`), so that
    `link` relinks what an older scheme fingerprinted; LSH bands become one key (band number
    and hash) in a table that is its own index. The old bands cannot meet the new ones."""
    db.execute("ALTER TABLE fingerprints ADD COLUMN scheme TEXT")
    db.execute("DROP TABLE lsh_bands")
    db.execute(
        "CREATE TABLE lsh_bands (key INTEGER NOT NULL, article_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, article_id)) WITHOUT ROWID"
    )
    db["lsh_bands"].create_index(["article_id"])


def _v7(db: sqlite_utils.Database) -> None:
    """The body as Markdown beside the plain body, in articles and their earlier versions
    (empty until an article is cleaned again: `reprints reclean DB`)."""
    for table in ("articles", "article_versions"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN body_markdown TEXT")


def _v8(db: sqlite_utils.Database) -> None:
    """Archived images: their bytes once per SHA-256 (`image_files`), every request for one
    (`image_fetches`), and each article version's images by position (`article_images`)."""
    db["image_files"].create(
        {"sha256": str, "bytes": int, "content_type": str, "content": bytes, "first_seen": str},
        pk="sha256",
    )
    db["image_fetches"].create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "referer": str,
            "fetched_at": str,
            "status_code": int,
            "headers": str,
            "bytes": int,
            "sha256": str,
            "error": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("sha256", "image_files", "sha256")],
    )
    db["article_images"].create(
        {
            "article_id": int,
            "version": int,
            "position": int,
            "url": str,
            "state": str,
            "sha256": str,
            "fetch_id": int,
            "attempts": int,
            "error": str,
            "updated_at": str,
        },
        pk=("article_id", "version", "position"),
        not_null={"url", "state"},
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("sha256", "image_files", "sha256"),
            ("fetch_id", "image_fetches", "id"),
        ],
    )
    db["image_fetches"].create_index(["url"])
    db["article_images"].create_index(["url"])
    db["article_images"].create_index(["state"])
    db["article_images"].create_index(["sha256"])


def _v9(db: sqlite_utils.Database) -> None:
    """`archive_records`: every WARC record an import read, by its id (or, for a damaged
    record without one, its file and offset), with the fetch it became, so that importing
    the same archive again changes nothing and a revisit finds the payload it refers to;
    and the search index's merge setting."""
    db["archive_records"].create(
        {
            "record_id": str,
            "run_id": int,
            "warc_file": str,
            "offset": int,
            "record_type": str,
            "target_uri": str,
            "warc_date": str,
            "payload_digest": str,
            "fetch_id": int,
            "outcome": str,
        },
        pk="record_id",
        foreign_keys=[("run_id", "runs", "id"), ("fetch_id", "fetches", "id")],
    )
    db["archive_records"].create_index(["payload_digest"])
    db["archive_records"].create_index(["fetch_id"])
    db["archive_records"].create_index(["target_uri"])
    # The search index merges its segments 8 at a time, not 4: an import of 1,000 pages spent
    # a sixth of its time merging them (a query reads a few more segments).
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8)")


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _v1,
    2: _v2,
    3: _v3,
    4: _v4,
    5: _v5,
    6: _v6,
    7: _v7,
    8: _v8,
    9: _v9,
}
