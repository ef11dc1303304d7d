"""Schema, connection settings and migrations, on real database files."""

from __future__ import annotations

import sqlite3
import threading
import time
import zlib
from pathlib import Path

import pytest
import sqlite_utils
from db_helpers import reprints, rows, scalar

from db import NotADatabase, SchemaTooNew, open_database, search
from db.schema import SCHEMA_VERSION, migrate, transaction

TABLES = {
    "runs": {
        "id", "command", "arguments", "reprints_version", "cleaner_version", "pid", "started",
        "ended", "status", "exit_code", "discovered", "fetched", "new", "updated", "unchanged",
        "blocked", "failed", "skipped", "errors",
    },
    "fetches": {
        "id", "run_id", "url", "fetched_at", "last_seen", "status_code", "headers", "etag",
        "last_modified", "bytes", "sha256", "page_status", "error", "date_base",
    },
    "snapshots": {"sha256", "bytes", "compression", "content", "first_seen"},
    "articles": {
        "id", "url", "status", "title", "account", "author", "source", "editor", "translator",
        "published", "language", "body", "cleaner_version", "content_hash", "version",
        "fetch_id", "snapshot", "run_id", "first_seen", "last_seen", "updated_at", "work_id",
        "copy_role", "body_markdown",
    },
    "removals": {"id", "article_id", "version", "position", "kind", "rule", "text"},
    "article_versions": {
        "id", "article_id", "version", "url", "status", "title", "body", "content_hash",
        "fetch_id", "snapshot", "run_id", "replaced_at", "replaced_by_run", "body_markdown",
    },
    "learned_rules": {
        "name", "source", "kind", "place", "text", "example", "works", "source_works",
        "article_ids", "state", "learned_at", "run_id",
    },
    "works": {
        "id", "original_article_id", "original_rule", "title", "copies", "first_published",
        "last_published",
    },
    "fingerprints": {"article_id", "content_hash", "shingles", "anchors", "scheme"},
    "lsh_bands": {"key", "article_id"},
    "copy_edges": {"small", "large", "kind", "jaccard", "containment"},
    "archive_records": {
        "record_id", "run_id", "warc_file", "offset", "record_type", "target_uri", "warc_date",
        "payload_digest", "fetch_id", "outcome",
    },
}  # fmt: skip

FOREIGN_KEYS = {
    "articles": {
        ("fetch_id", "fetches", "id"),
        ("snapshot", "snapshots", "sha256"),
        ("run_id", "runs", "id"),
        ("work_id", "works", "id"),
    },
    "works": {("original_article_id", "articles", "id")},
    "fetches": {("run_id", "runs", "id"), ("sha256", "snapshots", "sha256")},
    "removals": {("article_id", "articles", "id")},
    "learned_rules": {("run_id", "runs", "id")},
    "archive_records": {("run_id", "runs", "id"), ("fetch_id", "fetches", "id")},
    "article_versions": {
        ("article_id", "articles", "id"),
        ("fetch_id", "fetches", "id"),
        ("snapshot", "snapshots", "sha256"),
        ("run_id", "runs", "id"),
        ("replaced_by_run", "runs", "id"),
    },
}


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    path = tmp_path / "fresh.db"
    open_database(path).close()
    return path


def columns(path: Path, table: str) -> set[str]:
    return {r["name"] for r in rows(path, f"PRAGMA table_info({table})")}


def indexes(path: Path, table: str) -> dict[tuple[str, ...], bool]:
    """Index column tuples of `table`, mapped to whether the index is unique."""
    found = {}
    for index in rows(path, f"PRAGMA index_list({table})"):
        cols = tuple(r["name"] for r in rows(path, f"PRAGMA index_info('{index['name']}')"))
        found[cols] = bool(index["unique"])
    return found


def test_new_database_has_the_current_version(fresh: Path):
    assert scalar(fresh, "PRAGMA user_version") == SCHEMA_VERSION == 9


@pytest.mark.parametrize("table", sorted(TABLES))
def test_tables_and_columns(fresh: Path, table: str):
    assert TABLES[table] <= columns(fresh, table)


def test_search_table_exists(fresh: Path):
    sql = scalar(fresh, "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'")
    assert "fts5" in sql.lower()


@pytest.mark.parametrize("table", sorted(FOREIGN_KEYS))
def test_foreign_keys_declared(fresh: Path, table: str):
    declared = {
        (r["from"], r["table"], r["to"]) for r in rows(fresh, f"PRAGMA foreign_key_list({table})")
    }
    assert declared == FOREIGN_KEYS[table]


def test_snapshots_keyed_by_sha256(fresh: Path):
    pk = [r["name"] for r in rows(fresh, "PRAGMA table_info(snapshots)") if r["pk"]]
    assert pk == ["sha256"]


def test_indexes(fresh: Path):
    articles = indexes(fresh, "articles")
    assert articles.get(("url",)) is True
    for column in ("published", "account", "source"):
        assert (column,) in articles, column
    assert indexes(fresh, "article_versions").get(("article_id", "version")) is True


def test_connection_settings(fresh: Path):
    db = open_database(fresh)
    try:
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        db.close()
    # WAL is a property of the file: a plain connection sees it too.
    assert scalar(fresh, "PRAGMA journal_mode").lower() == "wal"


def test_foreign_keys_are_enforced(fresh: Path):
    db = open_database(fresh)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                "INSERT INTO articles (url, status, fetch_id) VALUES (?, ?, ?)",
                ["https://example.org/x", "ok", 12345],
            )
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    finally:
        db.close()


def test_a_second_writer_waits_instead_of_failing(fresh: Path):
    second = open_database(fresh)
    held = threading.Event()

    def hold_lock() -> None:
        first = open_database(fresh)
        try:
            with transaction(first):
                first.execute("INSERT INTO runs (command, status) VALUES ('hold', 'running')")
                held.set()
                time.sleep(1.0)
        finally:
            first.close()

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        assert held.wait(5)
        # A reader is not blocked by the writer (WAL).
        assert second.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
        started = time.monotonic()
        with transaction(second):
            second.execute("INSERT INTO runs (command, status) VALUES ('wait', 'running')")
        assert time.monotonic() - started >= 0.5  # it waited for the lock
    finally:
        thread.join()
        second.close()
    assert scalar(fresh, "SELECT count(*) FROM runs") == 2


# --- migrations -------------------------------------------------------------------------

V1_BODY = "灯塔守望者老周在海岛上住了十五年，每天记录潮水和船只。"


def make_v1(path: Path) -> dict[str, int]:
    """A database made by schema version 1, filled by hand; returns row counts."""
    conn = sqlite3.connect(path)
    v1 = sqlite_utils.Database(conn)
    migrate(v1, target=1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "article_versions" not in v1.table_names()
    page = b"<html><body><article><p>" + V1_BODY.encode() + b"</p></article></body></html>"
    digest = "ab" * 32
    with conn:
        conn.execute(
            "INSERT INTO runs (id, command, arguments, reprints_version, started, ended, "
            "status, exit_code, new) VALUES (1, 'import', '[\"a.db\", \"p\"]', '0.0.9', "
            "'2024-01-01T00:00:00+00:00', '2024-01-01T00:00:01+00:00', 'ok', 0, 2)"
        )
        conn.execute(
            "INSERT INTO snapshots VALUES (?, ?, 'zlib', ?, '2024-01-01T00:00:00+00:00')",
            [digest, len(page), zlib.compress(page)],
        )
        for fetch_id in (1, 2):
            conn.execute(
                "INSERT INTO fetches (id, run_id, url, fetched_at, last_seen, bytes, sha256, "
                "page_status) VALUES (?, 1, ?, '2024-01-01T00:00:00+00:00', "
                "'2024-01-01T00:00:00+00:00', ?, ?, 'ok')",
                [fetch_id, f"file:///old/{fetch_id}.html", len(page), digest],
            )
        conn.execute(
            "INSERT INTO articles (id, url, status, title, account, body, cleaner_version, "
            "content_hash, version, fetch_id, snapshot, run_id, first_seen, last_seen, "
            "updated_at) VALUES (1, 'https://example.org/lighthouse', 'ok', '海岛灯塔', "
            "'海风读书会', ?, '0.0.9', 'h1', 1, 1, ?, 1, '2024-01-01T00:00:00+00:00', "
            "'2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')",
            [V1_BODY, digest],
        )
        conn.execute(
            "INSERT INTO articles (id, url, status, version, fetch_id, snapshot, run_id) "
            "VALUES (2, 'https://example.org/gone', 'deleted', 1, 2, ?, 1)",
            [digest],
        )
        for position, (kind, rule) in enumerate([("chrome", "follow-plea"), ("ad", "qr")]):
            conn.execute(
                "INSERT INTO removals (article_id, version, position, kind, rule, text) "
                "VALUES (1, 1, ?, ?, ?, '扫码关注')",
                [position, kind, rule],
            )
    conn.close()
    return {"runs": 1, "snapshots": 1, "fetches": 2, "articles": 2, "removals": 2}


V1_TABLES = ("runs", "snapshots", "fetches", "articles", "removals")


def dump(path: Path) -> dict[str, list[dict]]:
    """The rows of the version 1 tables, without the columns later versions added."""
    added = {"fetches": {"date_base"}, "articles": {"work_id", "copy_role", "body_markdown"}}
    return {
        t: [
            {k: v for k, v in row.items() if k not in added.get(t, ())}
            for row in rows(path, f"SELECT * FROM {t} ORDER BY rowid")
        ]
        for t in V1_TABLES
    }


def test_v1_database_is_migrated_without_loss(tmp_path: Path):
    path = tmp_path / "v1.db"
    counts = make_v1(path)
    before = dump(path)
    assert {t: len(r) for t, r in before.items()} == counts

    db = open_database(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert "article_versions" in db.table_names()
        assert "articles_fts" in db.table_names()
        hits = search(db, "灯塔")
        assert [h["url"] for h in hits] == ["https://example.org/lighthouse"]
        assert "【灯塔】" in hits[0]["snippet"]
        assert [h["url"] for h in search(db, "潮")] == ["https://example.org/lighthouse"]
    finally:
        db.close()

    assert dump(path) == before
    assert scalar(path, "SELECT count(*) FROM fetches WHERE date_base IS NOT NULL") == 0
    assert rows(path, "PRAGMA foreign_key_check") == []
    assert indexes(path, "articles").get(("url",)) is True
    assert ("published",) in indexes(path, "articles")


def test_v1_database_opens_from_the_cli(tmp_path: Path):
    path = tmp_path / "v1.db"
    make_v1(path)
    result = reprints("search", path, "守望者", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "https://example.org/lighthouse" in result.stdout
    assert scalar(path, "PRAGMA user_version") == SCHEMA_VERSION


def test_migrating_twice_changes_nothing(tmp_path: Path):
    path = tmp_path / "v1.db"
    make_v1(path)
    open_database(path).close()
    before = dump(path)
    schema = rows(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
    open_database(path).close()
    assert dump(path) == before
    assert rows(path, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema


def make_v2(path: Path, fetches: list[tuple[str, str | None, str | None]]) -> None:
    """A database made by schema version 2 with these (url, headers JSON, sha256) fetches,
    all made at FETCHED_AT."""
    conn = sqlite3.connect(path)
    migrate(sqlite_utils.Database(conn), target=2)
    with conn:
        conn.execute("INSERT INTO runs (id, command, status) VALUES (1, 'crawl', 'ok')")
        conn.execute(
            "INSERT INTO snapshots VALUES (?, 1, 'zlib', ?, ?)",
            ["cd" * 32, zlib.compress(b"x"), FETCHED_AT],
        )
        for url, headers, digest in fetches:
            conn.execute(
                "INSERT INTO fetches (run_id, url, fetched_at, headers, sha256) "
                "VALUES (1, ?, ?, ?, ?)",
                [url, FETCHED_AT, headers, digest],
            )
    conn.close()


FETCHED_AT = "2024-05-01T12:00:07+00:00"


def test_v2_fetches_get_the_time_their_relative_dates_count_from(tmp_path: Path):
    path = tmp_path / "v2.db"
    page = "cd" * 32
    make_v2(
        path,
        [
            ("https://a.example/1", '{"date": "Wed, 01 May 2024 11:59:58 GMT"}', page),
            ("https://a.example/2", '{"date": "Mon, 01 Jan 1990 00:00:00 GMT"}', page),
            ("http://a.example/3", '{"content-type": "text/html"}', page),
            ("https://a.example/4", '{"date": "Wed, 01 May 2024 11:59:58 GMT"}', None),
            ("https://a.example/5", "not json", page),
            ("file:///pages/6.html", None, page),
        ],
    )
    open_database(path).close()
    assert scalar(path, "PRAGMA user_version") == SCHEMA_VERSION
    found = [r["date_base"] for r in rows(path, "SELECT date_base FROM fetches ORDER BY id")]
    assert found == [
        "2024-05-01T11:59:58+00:00",  # the Date header
        FETCHED_AT,  # an absurd Date: the fetch time
        FETCHED_AT,  # no Date: the fetch time
        None,  # no page stored
        None,  # unreadable headers
        None,  # a file: no fetch time known
    ]


# --- refusals ---------------------------------------------------------------------------


@pytest.fixture
def too_new(fresh: Path) -> Path:
    conn = sqlite3.connect(fresh)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    return fresh


def test_newer_database_is_refused(too_new: Path):
    with pytest.raises(SchemaTooNew, match="upgrade"):
        open_database(too_new)
    assert scalar(too_new, "PRAGMA user_version") == 99


@pytest.mark.parametrize("command", [["search", "{db}", "开源"], ["import", "{db}", "{page}"]])
def test_cli_refuses_newer_database_in_one_line(too_new: Path, tmp_path: Path, command):
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>你好</p></body></html>", encoding="utf-8")
    args = [a.format(db=too_new, page=page) for a in command]
    result = reprints(*args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error:")
    assert "upgrade" in lines[0].lower()
    assert "99" in lines[0]
    assert scalar(too_new, "SELECT count(*) FROM runs") == 0


def test_text_file_is_not_a_database(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20)
    before = path.read_bytes()
    with pytest.raises(NotADatabase):
        open_database(path)
    assert path.read_bytes() == before
    result = reprints("search", path, "开源")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error:")
    assert len(result.stderr.strip().splitlines()) == 1


def other_app(path: Path, user_version: int) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('buy milk')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("user_version", [0, 1])
def test_another_apps_database_is_refused(tmp_path: Path, user_version: int):
    path = other_app(tmp_path / "other.db", user_version)
    with pytest.raises(NotADatabase):
        open_database(path)
    tables = {r["name"] for r in rows(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"notes"}
    assert scalar(path, "PRAGMA user_version") == user_version


@pytest.mark.parametrize("user_version", [0, 1])
def test_cli_refuses_another_apps_database_in_one_line(tmp_path: Path, user_version: int):
    path = other_app(tmp_path / "other.db", user_version)
    result = reprints("search", path, "开源")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_refusing_another_apps_database_leaves_the_file_untouched(tmp_path: Path):
    path = other_app(tmp_path / "other.db", 0)
    before = path.read_bytes()
    with pytest.raises(NotADatabase):
        open_database(path)
    assert scalar(path, "PRAGMA journal_mode").lower() != "wal"
    assert path.read_bytes() == before


def test_a_look_alike_with_articles_and_runs_but_no_reprints_version_is_refused(tmp_path: Path):
    path = tmp_path / "lookalike.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, headline TEXT)")
    conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, lap_time REAL)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotADatabase):
        open_database(path)
    assert path.read_bytes() == before
