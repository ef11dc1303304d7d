"""`reprints learn`: boilerplate learned from one source's own stored articles, applied by
reclean, import and `clean --rules-db`, overruled by the user, and versioned per source.

Two invented sources: 灯塔夜读 (lighthouse.example) posts seven articles with a standing head
note and a standing closing slogan; 远方书评 (faraway.example) republishes one of them.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest
from db_helpers import reprints, rows, scalar

HEAD_NOTE = "本栏目由夜班编辑轮流值守，文中所记均经当事人同意后发表。"
SLOGAN = "每一盏灯下，都有一个认真读书的人，我们下周同一时间再见。"
COPIED = "灯塔夜读第二辑第七期，本期插图来自读者的手绘。"
MOTTO = "“读书是一盏不灭的灯。”老馆长常把这句话挂在嘴边。"
HEADING = "一、缘起"
PLACES = ["图书馆", "旧书店", "自习室", "阅览室", "书房", "报刊亭", "借阅处"]


def paragraphs(i: int) -> list[str]:
    place = PLACES[i]
    return [
        f"第{i}个故事发生在城东的{place}，那里每天晚上都亮着一盏灯，直到凌晨两点才熄灭。",
        f"在{place}值班的人换了好几茬，每一位都留下了自己的习惯和一本写满字的登记簿。",
        f"我们在{place}遇到的第{i}位读者说，她已经在这里读完了三百多本书，最喜欢的是旧杂志。",
        f"后来{place}要搬迁了，常来的人自发组织起来，把书一箱一箱地搬到了新的地方。",
    ]


def article_page(i: int, host: str = "lighthouse.example", account: str = "灯塔夜读") -> str:
    """Article `i` of a source: head note, a section heading, the text (with the motto in
    the middle of some), then the copied line and the slogan."""
    text = paragraphs(i)
    if i % 2 == 0:
        text.insert(2, MOTTO)
    blocks = [f"<p>{HEAD_NOTE}</p>", f"<h2>{HEADING}</h2>"]
    blocks += [f"<p>{html.escape(p)}</p>" for p in text]
    blocks += [f"<p>{COPIED}</p>", f"<p>{SLOGAN}</p>"]
    title = f"{PLACES[i]}里的夜晚"
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:url" content="https://{host}/posts/{i}">'
        f'<meta property="og:site_name" content="{account}"></head><body><article>'
        f"<h1>{title}</h1>{''.join(blocks)}</article></body></html>"
    )


def copy_page() -> str:
    """远方书评's republication of article 1: the text and the copied line, its own tail."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(1))
    title = f"{PLACES[1]}里的夜晚"
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        '<meta property="og:url" content="https://faraway.example/r/1">'
        '<meta property="og:site_name" content="远方书评"></head><body><article>'
        f"<h1>{title}</h1>{body}<p>{COPIED}</p><p>远方书评，只推荐读过的书。</p>"
        "</article></body></html>"
    )


def write_pages(folder: Path, numbers: range) -> Path:
    folder.mkdir(exist_ok=True)
    for i in numbers:
        (folder / f"lighthouse-{i}.html").write_text(article_page(i), encoding="utf-8")
    return folder


def body_of(database: Path, url: str) -> str:
    return rows(database, "SELECT body FROM articles WHERE url = ?", (url,))[0]["body"]


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def learned_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six lighthouse articles and the faraway copy, imported, learned and recleaned."""
    folder = tmp_path_factory.mktemp("learned")
    pages = write_pages(folder / "pages", range(6))
    (pages / "faraway-1.html").write_text(copy_page(), encoding="utf-8")
    database = folder / "a.db"
    ok(reprints("import", database, pages))
    for i in range(6):
        assert SLOGAN in body_of(database, f"https://lighthouse.example/posts/{i}")
    ok(reprints("learn", database))
    ok(reprints("reclean", database, "--outdated"))
    return database


@pytest.fixture
def archive(learned_archive: Path, tmp_path: Path) -> Path:
    """A copy of the learned archive, for a test to change."""
    return Path(shutil.copy(learned_archive, tmp_path / "a.db"))


def learned(database: Path) -> dict[str, dict]:
    return {r["example"]: r for r in rows(database, "SELECT * FROM learned_rules")}


def test_standing_blocks_are_learned_and_removed(archive: Path) -> None:
    found = learned(archive)
    assert set(found) == {HEAD_NOTE, SLOGAN}
    slogan = found[SLOGAN]
    assert slogan["source"] == "灯塔夜读" and slogan["place"] == "tail"
    assert slogan["works"] == 6 and slogan["source_works"] == 6
    assert slogan["name"].startswith("learned:灯塔夜读:")
    assert len(json.loads(slogan["article_ids"])) == 5
    assert found[HEAD_NOTE]["place"] == "head"
    for i in range(6):
        body = body_of(archive, f"https://lighthouse.example/posts/{i}")
        assert SLOGAN not in body and HEAD_NOTE not in body
        assert paragraphs(i)[-1] in body and paragraphs(i)[0] in body
    removed = rows(
        archive,
        "SELECT removals.rule FROM removals JOIN articles ON articles.id = article_id "
        "AND articles.version = removals.version WHERE removals.text = ?",
        (SLOGAN,),
    )
    assert {r["rule"] for r in removed} == {slogan["name"]}


def test_repeated_text_inside_bodies_survives(archive: Path) -> None:
    for i in range(6):
        body = body_of(archive, f"https://lighthouse.example/posts/{i}")
        assert HEADING in body, "a recurring section heading is content"
        if i % 2 == 0:
            assert MOTTO in body, "a motto quoted in the text is content"


def test_a_block_in_another_sources_copy_is_article_text(archive: Path) -> None:
    assert COPIED not in learned(archive)
    assert COPIED in body_of(archive, "https://lighthouse.example/posts/3")


def test_rejected_rules_stay_rejected_and_come_back_into_the_body(archive: Path) -> None:
    name = learned(archive)[SLOGAN]["name"]
    ok(reprints("rules", "reject", archive, name))
    ok(reprints("learn", archive))
    assert learned(archive)[SLOGAN]["state"] == "rejected"
    ok(reprints("reclean", archive, "--outdated"))
    assert SLOGAN in body_of(archive, "https://lighthouse.example/posts/2")
    assert HEAD_NOTE not in body_of(archive, "https://lighthouse.example/posts/2")
    ok(reprints("rules", "accept", archive, name))
    ok(reprints("reclean", archive, "--outdated"))
    assert SLOGAN not in body_of(archive, "https://lighthouse.example/posts/2")


def test_an_unknown_rule_name_is_an_error(archive: Path) -> None:
    result = reprints("rules", "reject", archive, "learned:nowhere:0000")
    assert result.returncode == 1
    assert "no learned rule named 'learned:nowhere:0000'" in result.stderr


def test_relearning_without_change_leaves_every_article_current(archive: Path) -> None:
    ok(reprints("learn", archive))
    assert "skipped 7" in ok(reprints("reclean", archive, "--outdated", "-v"))


def test_a_changed_rule_set_revisits_exactly_its_source(archive: Path) -> None:
    name = learned(archive)[HEAD_NOTE]["name"]
    ok(reprints("rules", "reject", archive, name))
    summary = ok(reprints("reclean", archive, "--outdated", "-v"))
    assert "discovered 7, updated 6, skipped 1" in summary


def test_clean_with_rules_db_uses_the_pages_own_source(archive: Path, tmp_path: Path) -> None:
    page = tmp_path / "new.html"
    page.write_text(article_page(6), encoding="utf-8")
    plain = json.loads(ok_out(reprints("clean", page)))
    assert SLOGAN in plain["body"]
    record = json.loads(ok_out(reprints("clean", page, "--rules-db", archive)))
    assert SLOGAN not in record["body"] and HEAD_NOTE not in record["body"]
    assert any(r["rule"].startswith("learned:灯塔夜读:") for r in record["removed"])
    other = tmp_path / "other.html"
    other.write_text(article_page(6, host="elsewhere.example", account="别处"), "utf-8")
    assert SLOGAN in json.loads(ok_out(reprints("clean", other, "--rules-db", archive)))["body"]


def ok_out(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_applies_what_was_learned(archive: Path, tmp_path: Path) -> None:
    folder = write_pages(tmp_path / "later", range(6, 7))
    ok(reprints("import", archive, folder))
    body = body_of(archive, "https://lighthouse.example/posts/6")
    assert SLOGAN not in body and paragraphs(6)[0] in body


def test_too_few_works_learn_nothing(tmp_path: Path) -> None:
    folder = write_pages(tmp_path / "pages", range(2))
    database = tmp_path / "a.db"
    ok(reprints("import", database, folder))
    ok(reprints("learn", database))
    assert scalar(database, "SELECT count(*) FROM learned_rules") == 0
    run = rows(database, "SELECT command, status, exit_code FROM runs ORDER BY id DESC LIMIT 1")
    assert run == [{"command": "learn", "status": "ok", "exit_code": 0}]


def test_rules_list_shows_learned_rules_with_their_evidence(archive: Path) -> None:
    result = reprints("rules", "list", "--rules-db", archive, "--format", "json")
    mine = [r for r in json.loads(ok_out(result)) if r["section"] == "learned"]
    assert len(mine) == 2
    assert all("in 6 of 6 works" in r["origin"] for r in mine)
