"""`reprints import`: provenance, snapshots, idempotence and bad files, on real files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
import zlib
from importlib import metadata
from pathlib import Path

import pytest
from db_helpers import (
    ARTICLE_PAGES,
    BLOCKED_PAGES,
    EXPECTED,
    PAGE_FILES,
    PAGES,
    STATUS_OF,
    reprints,
    rows,
    scalar,
)

import cleaners
from db import open_database, snapshot_bytes

# Pages that are stored as articles but are not articles (deleted, expired, ...).
STATUS_PAGES = {
    name: status for name, status in STATUS_OF.items() if status not in {"ok", "blocked"}
}
TABLES = ("articles", "fetches", "removals", "snapshots", "article_versions", "articles_fts")


def fetch_of(db_path: Path, page: Path) -> dict:
    found = rows(db_path, "SELECT * FROM fetches WHERE url = ?", (page.resolve().as_uri(),))
    assert len(found) == 1, (page, found)
    return found[0]


def article_of(db_path: Path, page: Path) -> dict | None:
    found = rows(
        db_path,
        "SELECT articles.* FROM articles JOIN fetches ON fetches.id = articles.fetch_id "
        "WHERE fetches.url = ?",
        (page.resolve().as_uri(),),
    )
    assert len(found) <= 1
    return found[0] if found else None


def test_run_is_recorded(imported_once):
    imported, pages_copy = imported_once
    (run,) = rows(imported, "SELECT * FROM runs")
    assert run["command"] == "import"
    assert json.loads(run["arguments"]) == [str(imported), str(pages_copy)]
    assert run["reprints_version"] == metadata.version("reprints")
    assert run["cleaner_version"] == cleaners.cleaner_version()
    assert run["status"] == "ok"
    assert run["exit_code"] == 0
    started = dt.datetime.fromisoformat(run["started"])
    ended = dt.datetime.fromisoformat(run["ended"])
    assert started <= ended
    assert abs(dt.datetime.now(dt.UTC) - ended) < dt.timedelta(minutes=5)
    assert run["errors"] is None
    pages = len(PAGE_FILES)
    assert (run["discovered"], run["fetched"]) == (pages, pages)
    assert run["new"] == ARTICLE_PAGES
    assert run["blocked"] == len(BLOCKED_PAGES)
    assert (run["updated"], run["unchanged"], run["failed"]) == (0, 0, 0)


def test_every_file_is_a_fetch_with_provenance(imported_once):
    imported, pages_copy = imported_once
    assert scalar(imported, "SELECT count(*) FROM fetches") == len(PAGE_FILES)
    run_id = scalar(imported, "SELECT id FROM runs")
    for page in sorted(pages_copy.iterdir()):
        data = page.read_bytes()
        fetch = fetch_of(imported, page)
        assert fetch["url"].startswith("file:///")
        assert fetch["run_id"] == run_id
        assert fetch["sha256"] == hashlib.sha256(data).hexdigest()
        assert fetch["bytes"] == len(data)
        assert fetch["error"] is None
        modified = dt.datetime.fromtimestamp(page.stat().st_mtime, dt.UTC)
        assert abs(dt.datetime.fromisoformat(fetch["last_modified"]) - modified) < dt.timedelta(
            seconds=1
        )
        assert fetch["fetched_at"] and fetch["last_seen"] == fetch["fetched_at"]


def test_snapshots_are_compressed_and_exact(imported_once):
    imported, pages_copy = imported_once
    largest = max(pages_copy.iterdir(), key=lambda p: p.stat().st_size)
    data = largest.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    (snap,) = rows(imported, "SELECT * FROM snapshots WHERE sha256 = ?", (digest,))
    assert snap["bytes"] == len(data)
    assert len(snap["content"]) < len(data) / 2
    assert snap["content"] != data

    db = open_database(imported)
    try:
        for page in pages_copy.iterdir():
            page_bytes = page.read_bytes()
            assert snapshot_bytes(db, hashlib.sha256(page_bytes).hexdigest()) == page_bytes
    finally:
        db.close()
    for snap in rows(imported, "SELECT * FROM snapshots"):
        raw = zlib.decompress(snap["content"]) if snap["compression"] == "zlib" else None
        assert raw is not None, snap["compression"]
        assert hashlib.sha256(raw).hexdigest() == snap["sha256"]
        assert len(raw) == snap["bytes"]


def test_identical_files_are_stored_once(tmp_path: Path):
    folder = tmp_path / "twins"
    folder.mkdir()
    for name in ("a.html", "b.html"):  # no URL of its own: two articles, one snapshot
        shutil.copy(PAGES / "mirror_163.html", folder / name)
    for name in ("c.html", "d.html"):  # its own URL: one article, one snapshot
        shutil.copy(PAGES / "wechat_original_2024.html", folder / name)
    db_path = tmp_path / "twins.db"
    result = reprints("import", db_path, folder)
    assert result.returncode == 0, result.stderr
    assert scalar(db_path, "SELECT count(*) FROM snapshots") == 2
    assert scalar(db_path, "SELECT count(*) FROM fetches") == 4
    assert scalar(db_path, "SELECT count(DISTINCT sha256) FROM fetches") == 2
    assert scalar(db_path, "SELECT count(*) FROM articles") == 3
    run = rows(db_path, "SELECT * FROM runs")[0]
    assert (run["new"], run["unchanged"]) == (3, 1)
    assert scalar(db_path, "SELECT max(version) FROM articles") == 1


def test_articles_take_the_pages_own_url(imported_once):
    imported, pages_copy = imported_once
    own = 0
    for page in sorted(pages_copy.iterdir()):
        if page.name in BLOCKED_PAGES:
            continue
        article = article_of(imported, page)
        expected = cleaners.clean(page.read_bytes()).url
        if expected:
            own += 1
            assert article["url"] == expected, page.name
            assert not article["url"].startswith("file:")
        else:
            assert article["url"] == page.resolve().as_uri(), page.name
    # most pages with a known address carry it (og:url, canonical, msg_link)
    assert own >= sum(1 for expect in EXPECTED.values() if expect["url"]) / 2
    wechat = article_of(imported, pages_copy / "wechat_original_2024.html")
    assert "mp.weixin.qq.com/s?__biz=MzkxNTQ2ODQ1Mw==" in wechat["url"]
    assert "sn=3f9c2a7be41d0c55a8e1f6d27b90c413" in wechat["url"]
    assert article_of(imported, pages_copy / "mirror_36kr.html")["url"] == (
        "https://36kr.com/p/2426137788912345"
    )


def test_every_article_points_to_its_fetch_and_snapshot(imported_once):
    imported = imported_once.db
    bad = rows(
        imported,
        "SELECT articles.id FROM articles LEFT JOIN fetches ON fetches.id = articles.fetch_id "
        "WHERE fetches.id IS NULL OR fetches.sha256 IS NOT articles.snapshot "
        "OR articles.snapshot NOT IN (SELECT sha256 FROM snapshots)",
    )
    assert bad == []
    assert rows(imported, "PRAGMA foreign_key_check") == []
    assert scalar(imported, "SELECT count(*) FROM articles") == ARTICLE_PAGES


def test_removals_are_stored(imported_once):
    imported, pages_copy = imported_once
    page = pages_copy / "wechat_original_2024.html"
    article = article_of(imported, page)
    stored = rows(
        imported,
        "SELECT position, kind, rule, text FROM removals WHERE article_id = ? AND version = 1 "
        "ORDER BY position",
        (article["id"],),
    )
    expected = cleaners.clean(page.read_bytes()).removed
    assert len(expected) > 0
    assert [(r["kind"], r["rule"], r["text"]) for r in stored] == [
        (r.kind, r.rule, r.text) for r in expected
    ]
    assert [r["position"] for r in stored] == list(range(len(expected)))


@pytest.mark.parametrize("name", sorted(BLOCKED_PAGES))
def test_blocked_pages_are_fetches_not_articles(imported_once, name: str):
    imported, pages_copy = imported_once
    page = pages_copy / name
    fetch = fetch_of(imported, page)
    assert fetch["page_status"] == "blocked"
    assert scalar(imported, "SELECT count(*) FROM snapshots WHERE sha256 = ?", (fetch["sha256"],))
    assert article_of(imported, page) is None
    assert scalar(imported, "SELECT count(*) FROM articles WHERE fetch_id = ?", (fetch["id"],)) == 0


@pytest.mark.parametrize("name", sorted(STATUS_PAGES))
def test_pages_that_are_not_articles_keep_their_status(imported_once, name):
    imported, pages_copy = imported_once
    article = article_of(imported, pages_copy / name)
    assert article["status"] == STATUS_PAGES[name]
    assert article["body"] is None
    assert article["url"] == (pages_copy / name).resolve().as_uri()
    indexed = scalar(
        imported, "SELECT count(*) FROM articles_fts WHERE rowid = ?", (article["id"],)
    )
    assert indexed == 0


def dump(db_path: Path) -> dict[str, list[dict]]:
    return {t: rows(db_path, f"SELECT rowid AS _rowid, * FROM {t} ORDER BY rowid") for t in TABLES}


def without(records: list[dict], *keys: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in keys} for r in records]


def test_importing_again_changes_only_last_seen(imported: Path, pages_copy: Path):
    before = dump(imported)
    time.sleep(1.1)  # times are stored to the second
    result = reprints("import", imported, pages_copy)
    assert result.returncode == 0, result.stderr
    after = dump(imported)
    for table in TABLES:
        assert len(after[table]) == len(before[table]), table
        assert without(after[table], "last_seen") == without(before[table], "last_seen"), table
    for table in ("articles", "fetches"):
        for old, new in zip(before[table], after[table], strict=True):
            assert new["last_seen"] > old["last_seen"], (table, new)
    runs = rows(imported, "SELECT * FROM runs ORDER BY id")
    assert len(runs) == 2
    assert runs[1]["status"] == "ok"
    assert runs[1]["unchanged"] == len(PAGE_FILES)
    assert (runs[1]["new"], runs[1]["updated"], runs[1]["failed"]) == (0, 0, 0)


def test_bad_file_is_reported_and_skipped(tmp_path: Path, pages_copy: Path):
    garbage = pages_copy / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 40)
    db_path = tmp_path / "bad.db"
    result = reprints("import", db_path, pages_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    complaints = [line for line in result.stderr.splitlines() if "garbage.html" in line]
    assert len(complaints) == 1, result.stderr
    assert "binary" in complaints[0]
    # the rest was imported
    assert scalar(db_path, "SELECT count(*) FROM articles") == ARTICLE_PAGES
    (run,) = rows(db_path, "SELECT * FROM runs")
    assert run["status"] == "partial"
    assert run["exit_code"] == 1
    assert run["failed"] == 1
    assert run["discovered"] == len(PAGE_FILES) + 1
    errors = json.loads(run["errors"])
    assert len(errors) == 1 and "garbage.html" in errors[0] and "binary" in errors[0]
    (fetch,) = rows(db_path, "SELECT * FROM fetches WHERE url = ?", (garbage.resolve().as_uri(),))
    assert fetch["error"] and "binary" in fetch["error"]
    assert fetch["sha256"] is None
    assert fetch["run_id"] == run["id"]


def test_page_over_the_size_limit_is_reported_and_skipped(tmp_path: Path):
    folder = tmp_path / "big"
    folder.mkdir()
    shutil.copy(PAGES / "mirror_163.html", folder / "ok.html")
    huge = folder / "huge.html"
    with huge.open("wb") as out:
        out.write(b"<html><body><p>")
        out.write("很长的一页。".encode() * (cleaners.MAX_PAGE_BYTES // 18 + 1000))
        out.write(b"</p></body></html>")
    db_path = tmp_path / "big.db"
    result = reprints("import", db_path, folder)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert any("huge.html" in line for line in result.stderr.splitlines()), result.stderr
    assert scalar(db_path, "SELECT count(*) FROM articles") == 1
    assert scalar(db_path, "SELECT failed FROM runs") == 1
    assert scalar(db_path, "SELECT count(*) FROM snapshots") == 1


def test_missing_path_is_a_usage_error(tmp_path: Path):
    db_path = tmp_path / "missing.db"
    result = reprints("import", db_path, tmp_path / "no-such-folder")
    assert result.returncode == 2
    assert "no-such-folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db_path.exists()


def test_verbose_prints_one_line_per_file(tmp_path: Path):
    db_path = tmp_path / "v.db"
    result = reprints(
        "import", db_path, PAGES / "mirror_163.html", PAGES / "error_antibot.html", "-v"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("new") and "mirror_163.html" in line for line in lines)
    assert any(line.startswith("blocked") and "error_antibot.html" in line for line in lines)
    quiet = reprints("import", tmp_path / "q.db", PAGES / "mirror_163.html")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
