"""The database is usable with plain sqlite-utils: the queries a user would run, with the
real `sqlite-utils` command on an imported database."""

from __future__ import annotations

import csv
import io
import json
import shlex
from collections import Counter

import pytest
from db_helpers import (
    ARTICLE_PAGES,
    BLOCKED_PAGES,
    EXPECTED,
    OK_PAGES,
    PAGE_FILES,
    SQLITE_UTILS,
    STATUS_OF,
    check_per_value,
    run,
)

# Copy these into the README (replace articles.db with your database).
COMMANDS = [
    # how many articles each account has
    'sqlite-utils query articles.db "select account, count(*) as articles from articles '
    "where status = 'ok' group by account order by articles desc, account\"",
    # the latest articles
    'sqlite-utils query articles.db "select published, title, account, url from articles '
    "where status = 'ok' order by published desc limit 10\"",
    # what the cleaner removed, by rule
    'sqlite-utils query articles.db "select rule, kind, count(*) as removals from removals '
    'group by rule, kind order by removals desc, rule"',
    # pages that are not articles (deleted, expired, ...)
    'sqlite-utils query articles.db "select status, count(*) as n from articles '
    'group by status order by n desc, status" --csv',
    # where an article came from: the fetch and the run that stored it
    'sqlite-utils query articles.db "select articles.title, fetches.url as fetched_from, '
    "fetches.fetched_at, fetches.sha256, runs.command, runs.reprints_version from articles "
    "join fetches on fetches.id = articles.fetch_id join runs on runs.id = articles.run_id "
    'where articles.url = :url" -p url https://36kr.com/p/2426137788912345',
    # every run, with its counts
    "sqlite-utils rows articles.db runs -c id -c command -c started -c status -c new "
    "-c updated -c unchanged -c blocked -c failed",
    # row counts of every table
    "sqlite-utils tables articles.db --counts",
]


def sqlite_utils(db_path, index: int) -> str:
    args = shlex.split(COMMANDS[index])
    assert args[0] == "sqlite-utils" and args[2] == "articles.db"
    args[0], args[2] = str(SQLITE_UTILS), str(db_path)
    result = run(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def database(imported_once):
    return imported_once.db


def test_articles_per_account(database):
    rows = json.loads(sqlite_utils(database, 0))
    counts = {r["account"]: r["articles"] for r in rows}
    check_per_value(counts, "account")
    assert [r["articles"] for r in rows] == sorted((r["articles"] for r in rows), reverse=True)


def dated_pages() -> list[tuple[str, str | None]]:
    """(published, title) of the ok pages that assert a date, latest first."""
    fields = [EXPECTED[name]["fields"] for name in OK_PAGES]
    return sorted(
        ((f["published"], f.get("title")) for f in fields if f.get("published")), reverse=True
    )


def test_latest_articles(database):
    rows = json.loads(sqlite_utils(database, 1))
    dated = dated_pages()
    assert len(dated) >= 10
    assert len(rows) == 10
    assert [r["published"] for r in rows] == [published for published, _ in dated[:10]]
    assert all(r["url"] for r in rows)
    # pages published at the same moment come in any order, so match titles as a set
    last = dated[9][0]
    assert Counter(r["title"] for r in rows) <= Counter(t for p, t in dated if p >= last)


def test_removals_per_rule(database):
    rows = json.loads(sqlite_utils(database, 2))
    by_rule = {(r["rule"], r["kind"]): r["removals"] for r in rows}
    assert by_rule[("zh.related-list", "promo")] >= 5
    assert by_rule[("repeated-title", "chrome")] >= 1
    assert ("zh.qr-code", "prompt") in by_rule
    counts = [r["removals"] for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_statuses_as_csv(database):
    rows = list(csv.DictReader(io.StringIO(sqlite_utils(database, 3))))
    expected = Counter(status for status in STATUS_OF.values() if status != "blocked")
    assert {r["status"]: int(r["n"]) for r in rows} == expected
    assert rows[0]["status"] == "ok"


def test_provenance_of_an_article(database):
    (row,) = json.loads(sqlite_utils(database, 4))
    assert row["title"] == "县城宠物医院，正在成为一门好生意吗"
    assert row["fetched_from"].startswith("file:///") and row["fetched_from"].endswith(
        "/mirror_36kr.html"
    )
    assert len(row["sha256"]) == 64
    assert row["command"] == "import"
    assert row["reprints_version"]


def test_runs(database):
    (row,) = json.loads(sqlite_utils(database, 5))
    assert set(row) == {
        "id", "command", "started", "status", "new", "updated", "unchanged", "blocked", "failed",
    }  # fmt: skip
    assert (row["command"], row["status"], row["new"], row["blocked"], row["failed"]) == (
        "import",
        "ok",
        ARTICLE_PAGES,
        len(BLOCKED_PAGES),
        0,
    )


def test_table_counts(database):
    counts = {r["table"]: r["count"] for r in json.loads(sqlite_utils(database, 6))}
    assert counts["runs"] == 1
    assert counts["fetches"] == counts["snapshots"] == len(PAGE_FILES)
    assert counts["articles"] == ARTICLE_PAGES
    assert counts["article_versions"] == 0
    assert counts["articles_fts"] == len(OK_PAGES)
