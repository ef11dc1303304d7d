"""`reprints reclean` and version history: nothing changes unless the cleaned content does,
and then the previous version is kept."""

from __future__ import annotations

import json
from pathlib import Path

from db_helpers import PAGE_FILES, reprints, rows, scalar

import cleaners
from db import open_database, search
from db.schema import transaction

EDITED_PAGE = "wechat_original_2024.html"
OLD_PARAGRAPH = "我们还发现，新用户最愿意关注的往往不是热门话题"
NEW_PARAGRAPH = "复盘时我们又发现，新用户最先点开的其实是本地天气和通勤路况"
TABLES = ("articles", "removals", "article_versions", "snapshots", "fetches", "articles_fts")


def dump(db_path: Path) -> dict[str, list[dict]]:
    return {t: rows(db_path, f"SELECT rowid AS _rowid, * FROM {t} ORDER BY rowid") for t in TABLES}


def reclean(db_path: Path, *options: str) -> dict:
    result = reprints("reclean", db_path, *options)
    assert result.returncode == 0, result.stderr
    return rows(db_path, "SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]


def article_by_file(db_path: Path, page: Path) -> dict:
    url = cleaners.clean(page.read_bytes()).url or page.resolve().as_uri()
    (article,) = rows(db_path, "SELECT * FROM articles WHERE url = ?", (url,))
    return article


def test_reclean_after_import_changes_nothing(imported: Path):
    before = dump(imported)
    articles = len(before["articles"])
    run = reclean(imported)
    assert run["command"] == "reclean"
    assert json.loads(run["arguments"]) == [str(imported)]
    assert run["status"] == "ok" and run["exit_code"] == 0
    assert run["discovered"] == articles
    assert run["unchanged"] == articles
    assert (run["updated"], run["new"], run["failed"]) == (0, 0, 0)
    assert dump(imported) == before
    assert scalar(imported, "SELECT count(*) FROM articles WHERE version != 1") == 0
    assert scalar(imported, "SELECT count(*) FROM article_versions") == 0


def test_reclean_twice_is_idempotent(imported: Path):
    reclean(imported)
    once = dump(imported)
    run = reclean(imported)
    assert dump(imported) == once
    assert run["updated"] == 0 and run["unchanged"] == len(once["articles"])
    assert scalar(imported, "SELECT count(*) FROM runs WHERE command = 'reclean'") == 2


def test_edited_page_keeps_the_previous_version(imported: Path, pages_copy: Path):
    page = pages_copy / EDITED_PAGE
    original = page.read_bytes()
    assert OLD_PARAGRAPH.encode() in original
    v1 = article_by_file(imported, page)
    assert v1["version"] == 1 and OLD_PARAGRAPH in v1["body"]
    removals_v1 = scalar(
        imported, "SELECT count(*) FROM removals WHERE article_id = ? AND version = 1", (v1["id"],)
    )
    assert removals_v1 > 0

    page.write_bytes(original.replace(OLD_PARAGRAPH.encode(), NEW_PARAGRAPH.encode()))
    result = reprints("import", imported, pages_copy)
    assert result.returncode == 0, result.stderr
    run = rows(imported, "SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert run["updated"] == 1
    assert run["unchanged"] == len(PAGE_FILES) - 1

    v2 = article_by_file(imported, page)
    assert v2["id"] == v1["id"]
    assert v2["version"] == 2
    assert NEW_PARAGRAPH in v2["body"] and OLD_PARAGRAPH not in v2["body"]
    assert v2["first_seen"] == v1["first_seen"]
    assert v2["fetch_id"] != v1["fetch_id"]
    assert v2["snapshot"] != v1["snapshot"]
    assert v2["run_id"] == run["id"]

    (old,) = rows(imported, "SELECT * FROM article_versions WHERE article_id = ?", (v1["id"],))
    assert old["version"] == 1
    assert old["body"] == v1["body"]
    assert old["content_hash"] == v1["content_hash"]
    assert (old["fetch_id"], old["snapshot"], old["run_id"]) == (
        v1["fetch_id"],
        v1["snapshot"],
        v1["run_id"],
    )
    assert old["replaced_by_run"] == run["id"]
    # both raw pages are kept
    for digest in (v1["snapshot"], v2["snapshot"]):
        assert scalar(imported, "SELECT count(*) FROM snapshots WHERE sha256 = ?", (digest,)) == 1
    counts = {
        r["version"]: r["n"]
        for r in rows(
            imported,
            "SELECT version, count(*) AS n FROM removals WHERE article_id = ? GROUP BY version",
            (v1["id"],),
        )
    }
    assert counts == {1: removals_v1, 2: len(cleaners.clean(page.read_bytes()).removed)}
    assert rows(imported, "PRAGMA foreign_key_check") == []

    # search follows the new version
    db = open_database(imported)
    try:
        assert [h["id"] for h in search(db, "天气和通勤")] == [v1["id"]]
        assert search(db, "往往不是热门话题") == []
    finally:
        db.close()

    # importing the edited file once more adds nothing
    before = dump(imported)
    assert reprints("import", imported, pages_copy).returncode == 0
    after = dump(imported)
    assert len(after["article_versions"]) == 1
    assert scalar(imported, "SELECT version FROM articles WHERE id = ?", (v1["id"],)) == 2
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}


def spoil(db_path: Path, article_id: int, **changes: str) -> None:
    """Make a stored article look as if an older cleaner had produced it."""
    db = open_database(db_path)
    try:
        with transaction(db):
            assignments = ", ".join(f"{column} = ?" for column in changes)
            db.execute(
                f"UPDATE articles SET {assignments} WHERE id = ?", [*changes.values(), article_id]
            )
    finally:
        db.close()


def test_improved_rules_make_a_new_version(imported: Path, pages_copy: Path):
    page = pages_copy / "mirror_huxiu.html"
    before = article_by_file(imported, page)
    spoil(imported, before["id"], content_hash="old", body="旧规则留下的正文，还带着扫码关注。")

    run = reclean(imported, "-v")
    assert run["updated"] == 1
    assert run["unchanged"] == scalar(imported, "SELECT count(*) FROM articles") - 1

    after = article_by_file(imported, page)
    assert after["version"] == 2
    assert after["body"] == before["body"]
    assert after["content_hash"] == before["content_hash"]
    assert after["last_seen"] == before["last_seen"]  # a reclean is not a sighting
    assert after["fetch_id"] == before["fetch_id"] and after["snapshot"] == before["snapshot"]
    assert after["run_id"] == run["id"]

    (old,) = rows(imported, "SELECT * FROM article_versions WHERE article_id = ?", (before["id"],))
    assert old["version"] == 1
    assert old["content_hash"] == "old"
    assert old["body"] == "旧规则留下的正文，还带着扫码关注。"
    assert old["replaced_by_run"] == run["id"]
    assert scalar(
        imported,
        "SELECT count(*) FROM removals WHERE article_id = ? AND version = 2",
        (after["id"],),
    ) == len(cleaners.clean(page.read_bytes()).removed)
    assert scalar(imported, "SELECT count(*) FROM articles WHERE version = 2") == 1


def test_reclean_verbose_names_the_changed_article(imported: Path, pages_copy: Path):
    page = pages_copy / "mirror_huxiu.html"
    article = article_by_file(imported, page)
    spoil(imported, article["id"], content_hash="old")
    result = reprints("reclean", imported, "-v")
    assert result.returncode == 0, result.stderr
    changed = [line for line in result.stderr.splitlines() if line.startswith("updated")]
    assert changed == [f"updated   {article['url']}"]


def test_outdated_skips_current_articles(imported: Path, pages_copy: Path):
    stale = article_by_file(imported, pages_copy / "mirror_huxiu.html")
    current = article_by_file(imported, pages_copy / "mirror_36kr.html")
    spoil(imported, stale["id"], content_hash="old", cleaner_version="0.0.1+rules.old")
    spoil(imported, current["id"], content_hash="old")

    run = reclean(imported, "--outdated")
    total = scalar(imported, "SELECT count(*) FROM articles")
    assert json.loads(run["arguments"]) == [str(imported), "--outdated"]
    assert run["updated"] == 1
    assert run["skipped"] == total - 1
    assert scalar(imported, "SELECT version FROM articles WHERE id = ?", (stale["id"],)) == 2
    assert scalar(
        imported, "SELECT cleaner_version FROM articles WHERE id = ?", (stale["id"],)
    ) == (cleaners.cleaner_version())
    # the current one was not looked at, even though its hash is off
    assert scalar(imported, "SELECT version FROM articles WHERE id = ?", (current["id"],)) == 1
    assert scalar(imported, "SELECT content_hash FROM articles WHERE id = ?", (current["id"],)) == (
        "old"
    )

    # a full reclean does look at it
    run = reclean(imported)
    assert run["updated"] == 1
    assert scalar(imported, "SELECT version FROM articles WHERE id = ?", (current["id"],)) == 2
