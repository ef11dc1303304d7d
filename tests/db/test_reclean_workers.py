"""`reprints reclean --workers N` gives the database a serial reclean gives, and `--shard I/N`
splits the articles into shares that cover them all once, the same in every copy."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from db_helpers import CHANGING_RULE, import_pages, one_error_line, reprints, rows, scalar

PAGES = Path(__file__).resolve().parents[1] / "cleaners" / "pages"
# What a reclean writes, less the times it writes them at.
CONTENT = {
    "articles": "SELECT id, url, status, title, body, body_markdown, content_hash, version, "
    "fetch_id, snapshot, cleaner_version FROM articles ORDER BY id",
    "article_versions": "SELECT id, article_id, version, content_hash, body, fetch_id "
    "FROM article_versions ORDER BY id",
    "removals": "SELECT id, article_id, version, position, kind, rule, text FROM removals "
    "ORDER BY id",
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("workers") / "articles.db"
    assert import_pages(path, PAGES).returncode in (0, 1)
    return path


def recleaned(source: Path, folder: Path, name: str, *options: str) -> Path:
    copy = folder / name
    shutil.copy(source, copy)
    rule = folder / "rule.toml"
    rule.write_text(CHANGING_RULE, encoding="utf-8")
    result = reprints("reclean", copy, "--rules", rule, *options)
    assert result.returncode == 0, result.stderr
    return copy


def test_two_workers_write_what_one_does(imported: Path, tmp_path: Path):
    serial = recleaned(imported, tmp_path, "serial.db")
    parallel = recleaned(imported, tmp_path, "parallel.db", "--workers", "2")
    for table, sql in CONTENT.items():
        assert rows(parallel, sql) == rows(serial, sql), table
    changed = scalar(serial, "SELECT count(*) FROM article_versions")
    assert changed >= 5, "the rule changes several articles"


def test_shards_cover_every_article_once(imported: Path, tmp_path: Path):
    every = {row["url"] for row in rows(imported, "SELECT url FROM articles")}
    shares = []
    for index in (1, 2, 3):
        copy = recleaned(imported, tmp_path, f"share{index}.db", "--shard", f"{index}/3")
        changed = rows(
            copy,
            "SELECT DISTINCT a.url FROM articles a JOIN article_versions v ON v.article_id = a.id",
        )
        shares.append({row["url"] for row in changed})
    whole = recleaned(imported, tmp_path, "whole.db")
    changed_whole = {
        row["url"]
        for row in rows(
            whole,
            "SELECT DISTINCT a.url FROM articles a JOIN article_versions v ON v.article_id = a.id",
        )
    }
    assert set().union(*shares) == changed_whole and changed_whole <= every
    assert sum(map(len, shares)) == len(changed_whole), "no article is in two shares"
    assert all(shares), "each share has some"


def test_a_shard_is_the_same_share_in_another_copy(imported: Path, tmp_path: Path):
    first = recleaned(imported, tmp_path, "a.db", "--shard", "2/3", "-v")
    second = recleaned(imported, tmp_path, "b.db", "--shard", "2/3", "--workers", "2")
    sql = CONTENT["articles"]
    assert rows(first, sql) == rows(second, sql)


@pytest.mark.parametrize("value", ["0/3", "4/3", "1-3", "a/b", "3"])
def test_a_bad_shard_is_one_line(imported: Path, value: str):
    result = reprints("reclean", imported, "--shard", value)
    assert result.returncode != 0
    assert "--shard" in one_error_line(result) and "I/N" in one_error_line(result)


def test_a_bad_snapshot_fails_alone_with_workers(imported: Path, tmp_path: Path):
    copy = tmp_path / "broken.db"
    shutil.copy(imported, copy)
    with sqlite3.connect(copy) as conn:
        (digest,) = conn.execute("SELECT snapshot FROM articles ORDER BY id LIMIT 1").fetchone()
        conn.execute("UPDATE snapshots SET content = x'00ff' WHERE sha256 = ?", [digest])
    result = reprints("reclean", copy, "--workers", "2")
    assert result.returncode == 1
    assert result.stderr.count("failed ") == 1 and "error" in result.stderr.lower()
    total = scalar(copy, "SELECT count(*) FROM articles")
    run = rows(copy, "SELECT failed, unchanged FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert (run["failed"], run["unchanged"]) == (1, total - 1)
