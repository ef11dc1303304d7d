"""The republication graph (issue 10), through the real CLI on invented pages: six copies of
one article make one work with the right original and roles; two articles on one template and
a digest of teasers stay apart; `reprints copies` in text and json; ids survive a re-import."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import NamedTuple

import pytest
from db_helpers import import_pages, one_error_line, reprints, rows, scalar
from works_pages import COPIES, FILES, TITLE, write_pages

ROLES = {
    "original": "original",
    "reprint": "reprint",
    "mirror": "mirror",
    "dump": "dump",
    "excerpt": "excerpt",
    "translation": "translation",
}
JSON_KEYS = {"article_id", "url", "title", "account", "author", "published", "role", "original"}
ORIGINAL_RULES = {"credit", "original_mark"}


class Linked(NamedTuple):
    db: Path
    pages: dict[str, Path]


def article(db_path: Path, page: Path) -> dict:
    """The article stored from the file `page` (found by its fetch, not by the cleaner)."""
    (found,) = rows(
        db_path,
        "SELECT articles.* FROM articles JOIN fetches ON fetches.id = articles.fetch_id "
        "WHERE fetches.url = ?",
        (page.resolve().as_uri(),),
    )
    return found


def articles_by_name(linked: Linked) -> dict[str, dict]:
    return {name: article(linked.db, path) for name, path in linked.pages.items()}


FILE_OF = (
    "SELECT articles.*, fetches.url AS file FROM articles "
    "JOIN fetches ON fetches.id = articles.fetch_id"
)


def file_name(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def partition(db_path: Path) -> set[frozenset[str]]:
    """The works as sets of page file names (ids of works may differ between builds)."""
    groups: dict[int, set[str]] = {}
    for row in rows(db_path, f"{FILE_OF} WHERE articles.status = 'ok'"):
        assert row["work_id"] is not None, row["file"]
        groups.setdefault(row["work_id"], set()).add(file_name(row["file"]))
    return {frozenset(g) for g in groups.values()}


def originals(db_path: Path) -> set[str]:
    """The page file name of each work's original."""
    found = rows(
        db_path,
        f"SELECT a.file FROM works JOIN ({FILE_OF}) AS a ON a.id = works.original_article_id",
    )
    return {file_name(row["file"]) for row in found}


def copies_json(db_path: Path, url: str) -> list[dict]:
    result = reprints("copies", db_path, url, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Linked:
    """Every invented page imported in one run."""
    base = tmp_path_factory.mktemp("works")
    pages = write_pages(base / "pages")
    db_path = base / "articles.db"
    import_pages(db_path, base / "pages")
    return Linked(db_path, pages)


def test_the_pages_are_read_as_built(linked):
    """The premise of the other tests: the cleaner reads each copy as intended."""
    got = articles_by_name(linked)
    assert {name: a["status"] for name, a in got.items()} == dict.fromkeys(FILES, "ok")
    assert {got[name]["title"] for name in COPIES if name != "translation"} == {TITLE}
    assert got["original"]["account"] == got["dump"]["account"] == "青石山房"
    assert got["original"]["is_original"] == 1
    assert (got["reprint"]["account"], got["reprint"]["source"]) == ("山海城事", "青石山房")
    assert (got["translation"]["language"], got["translation"]["source"]) == ("ja", "青石山房")
    assert got["translation"]["author"] == got["original"]["author"] == "方小石"


def test_six_copies_are_one_work(linked):
    got = articles_by_name(linked)
    work_ids = {name: got[name]["work_id"] for name in COPIES}
    assert None not in work_ids.values(), work_ids
    assert len(set(work_ids.values())) == 1, work_ids
    work_id = work_ids["original"]
    members = rows(linked.db, "SELECT url FROM articles WHERE work_id = ?", (work_id,))
    assert {m["url"] for m in members} == {got[name]["url"] for name in COPIES}


def test_the_original_is_the_wechat_page_of_the_named_account(linked):
    got = articles_by_name(linked)
    (work,) = rows(linked.db, "SELECT * FROM works WHERE id = ?", (got["original"]["work_id"],))
    assert work["original_article_id"] == got["original"]["id"], "original is " + next(
        n for n, a in got.items() if a["id"] == work["original_article_id"]
    )
    assert work["original_rule"] in ORIGINAL_RULES


@pytest.mark.parametrize("name", COPIES)
def test_each_copy_has_its_role(linked, name):
    assert article(linked.db, linked.pages[name])["copy_role"] == ROLES[name]


def test_the_work_row(linked):
    got = articles_by_name(linked)
    (work,) = rows(linked.db, "SELECT * FROM works WHERE id = ?", (got["original"]["work_id"],))
    assert work["copies"] == len(COPIES)
    assert work["title"] == TITLE
    assert work["first_published"] == got["original"]["published"] == "2025-03-10T08:00:00+08:00"
    assert work["last_published"].startswith("2025-03-15")


def test_two_articles_on_one_template_stay_apart(linked):
    got = articles_by_name(linked)
    works = [got[name]["work_id"] for name in ("template_1", "template_2", "original")]
    assert None not in works and len(set(works)) == 3, works
    for name in ("template_1", "template_2"):
        (work,) = rows(linked.db, "SELECT * FROM works WHERE id = ?", (got[name]["work_id"],))
        assert (work["copies"], work["original_article_id"]) == (1, got[name]["id"])
        assert got[name]["copy_role"] == "original"


def test_a_digest_of_teasers_chains_nothing(linked):
    got = articles_by_name(linked)
    works = {name: got[name]["work_id"] for name in ("digest", "template_1", "template_2")}
    works["article"] = got["original"]["work_id"]
    assert None not in works.values() and len(set(works.values())) == 4, works
    expected = {frozenset(FILES[name] for name in COPIES)}
    expected |= {frozenset([FILES[name]]) for name in ("digest", "template_1", "template_2")}
    assert partition(linked.db) == expected
    assert scalar(linked.db, "SELECT count(*) FROM works") == 4


def test_copies_json(linked):
    got = articles_by_name(linked)
    listed = copies_json(linked.db, got["original"]["url"])
    assert all(set(item) == JSON_KEYS for item in listed), listed
    by_id = {a["id"]: a for a in got.values()}
    assert sorted(item["article_id"] for item in listed) == sorted(got[n]["id"] for n in COPIES)
    for item in listed:
        stored = by_id[item["article_id"]]
        for key in ("url", "title", "account", "author", "published"):
            assert item[key] == stored[key], (key, item)
        assert item["role"] == stored["copy_role"]
        assert item["original"] is (item["article_id"] == got["original"]["id"])


@pytest.mark.parametrize("name", COPIES)
def test_copies_from_any_copy_lists_the_same_work(linked, name):
    got = articles_by_name(linked)
    listed = copies_json(linked.db, got[name]["url"])
    assert {item["url"] for item in listed} == {got[n]["url"] for n in COPIES}


def test_copies_of_an_article_alone(linked):
    digest = article(linked.db, linked.pages["digest"])
    (item,) = copies_json(linked.db, digest["url"])
    assert (item["article_id"], item["role"], item["original"]) == (digest["id"], "original", True)
    (work,) = rows(linked.db, "SELECT * FROM works WHERE id = ?", (digest["work_id"],))
    assert (work["copies"], work["original_rule"]) == (1, "single")


def test_copies_text(linked):
    got = articles_by_name(linked)
    result = reprints("copies", linked.db, got["reprint"]["url"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name in COPIES:
        (line,) = [line for line in lines if got[name]["url"] in line]
        assert ROLES[name] in line, line
    assert "青石山房" in result.stdout and "2025-03-10" in result.stdout


def test_copies_of_an_unknown_url_is_one_error(linked):
    url = "https://mp.weixin.qq.com/s?__biz=MzAwMDAwMDAwMA==&mid=1&idx=1&sn=0"
    result = reprints("copies", linked.db, url, "--format", "json")
    assert result.returncode == 1
    assert url in one_error_line(result)
    assert result.stdout == ""


def work_state(db_path: Path) -> tuple[list[dict], list[dict]]:
    articles = rows(db_path, "SELECT id, url, work_id, copy_role FROM articles ORDER BY id")
    return articles, rows(db_path, "SELECT * FROM works ORDER BY id")


def test_importing_the_same_pages_again_changes_no_work(tmp_path):
    write_pages(tmp_path / "pages")
    db_path = tmp_path / "articles.db"
    import_pages(db_path, tmp_path / "pages")
    before = work_state(db_path)
    assert before[1], "no works after the import"
    import_pages(db_path, tmp_path / "pages")
    assert work_state(db_path) == before


def test_copies_arriving_before_their_original(tmp_path, linked):
    """Linked incrementally, in two imports, the work is the same and A becomes its original
    when its page arrives; before it, the translation is linked through the reprint, which
    credits the same source."""
    early = ("reprint", "mirror", "excerpt", "translation")
    write_pages(tmp_path / "early", early)
    write_pages(tmp_path / "late", tuple(name for name in FILES if name not in early))
    db_path = tmp_path / "articles.db"
    import_pages(db_path, tmp_path / "early")
    assert {FILES[name] for name in early} in partition(db_path)
    import_pages(db_path, tmp_path / "late")
    assert partition(db_path) == partition(linked.db)
    assert originals(db_path) == originals(linked.db)


def test_link_rebuilds_the_same_works(tmp_path):
    write_pages(tmp_path / "pages")
    db_path = tmp_path / "articles.db"
    import_pages(db_path, tmp_path / "pages")
    works, firsts = partition(db_path), originals(db_path)
    result = reprints("link", db_path)
    assert result.returncode == 0, result.stderr
    assert (partition(db_path), originals(db_path)) == (works, firsts)


def test_a_translation_links_to_a_reprint_when_its_original_is_not_stored(tmp_path):
    """The translation credits A; only B's carded reprint of A's article is stored: the two
    credit the same source, so they are one work."""
    pages = write_pages(tmp_path / "pages", ("reprint", "translation", "template_1"))
    db_path = tmp_path / "articles.db"
    import_pages(db_path, tmp_path / "pages")
    assert {FILES["reprint"], FILES["translation"]} in partition(db_path)
    translation = article(db_path, pages["translation"])
    assert translation["copy_role"] == ROLES["translation"]


def test_fingerprints_of_another_scheme_are_relinked(tmp_path):
    """Fingerprints an older scheme made (as after an upgrade) are outdated: the next import
    relinks every article with the current scheme, to the same works."""
    write_pages(tmp_path / "pages", tuple(name for name in FILES if name != "digest"))
    db_path = tmp_path / "articles.db"
    import_pages(db_path, tmp_path / "pages")
    works, firsts = partition(db_path), originals(db_path)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE fingerprints SET scheme = 'older'")
    conn.close()
    write_pages(tmp_path / "more", ("digest",))
    import_pages(db_path, tmp_path / "more")
    assert scalar(db_path, "SELECT count(*) FROM fingerprints WHERE scheme = 'older'") == 0
    assert partition(db_path) == works | {frozenset({FILES["digest"]})}
    assert originals(db_path) == firsts | {FILES["digest"]}


def test_a_rebuild_cut_short_leaves_the_works_as_they_were(tmp_path, monkeypatch):
    import db
    from db import works_bulk

    write_pages(tmp_path / "pages")
    db_path = tmp_path / "articles.db"
    import_pages(db_path, tmp_path / "pages")
    before = work_state(db_path), partition(db_path)
    monkeypatch.setattr(works_bulk, "CHUNK", 2)

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    store = db.open_database(db_path)
    with pytest.raises(KeyboardInterrupt):
        db.link(store, None, interrupt)
    store.conn.close()
    assert (work_state(db_path), partition(db_path)) == before
    assert scalar(db_path, "SELECT count(*) FROM lsh_bands") > 0
