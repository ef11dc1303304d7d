"""Full-text search for Chinese (simplified and traditional), Japanese and Latin queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from db_helpers import EXPECTED, OK_PAGES, page_html, reprints

from db import open_database, search
from db.search import characters, fts_query, grams, snippet

# --- the index and query functions -------------------------------------------------------


def test_grams_of_chinese_are_overlapping_bigrams():
    assert grams("开源模型") == "开源 源模 模型"


def test_grams_keep_latin_words_and_split_cjk_runs():
    assert grams("用 Python 写代码，很开心") == "Python 写代 代码 很开 开心"
    assert grams("GPT-4o 模型") == "GPT 4o 模型"


def test_grams_of_japanese_include_kana():
    assert grams("バッテリー交換") == "バッ ッテ テリ リー ー交 交換"


def test_grams_of_nothing():
    assert grams("") == ""
    assert grams(None) == ""
    assert grams("，。！") == ""


def test_characters_are_single_cjk_characters():
    assert characters("开源 model 模型。") == "开 源 模 型"
    assert characters(None) == ""


def test_fts_query_shapes():
    assert fts_query("钟") == 'chars : "钟"'
    assert fts_query("开源") == '{title body people} : "开源"'
    assert fts_query("开源模型") == '{title body people} : "开源 源模 模型"'
    assert fts_query("Python") == '{title body people} : "Python"'
    assert fts_query("开源 Python") == (
        '{title body people} : "开源" AND {title body people} : "Python"'
    )


@pytest.mark.parametrize("query", ["", "   ", '"', "，。", "*"])
def test_fts_query_of_nothing_is_empty(query: str):
    assert fts_query(query) == ""


def test_fts_query_never_passes_quotes_or_operators_through():
    match = fts_query('开源" OR body:* NEAR(')
    assert match.count('"') % 2 == 0
    assert "*" not in match and "NEAR(" not in match and '" OR' not in match


def test_snippet_marks_the_hit():
    body = "第一段没有。\n" + "填充文字" * 40 + "这里讲开源模型。" + "后面还有" * 40
    piece = snippet(body, "开源")
    assert "【开源】" in piece
    assert piece.startswith("…") and piece.endswith("…")
    assert "\n" not in piece
    assert len(piece) < 140


def test_snippet_is_case_insensitive_and_falls_back_to_the_start():
    assert "【python】" in snippet("We use python daily.", "Python")
    assert snippet("没有命中的正文", "开源") == "没有命中的正文"


# --- searching the imported golden pages -------------------------------------------------


@pytest.fixture(scope="module")
def golden(imported_once):
    db = open_database(imported_once.db)
    yield db
    db.close()


def titles(results: list[dict]) -> list[str]:
    return [r["title"] for r in results]


def texts(db, results: list[dict]) -> list[str]:
    """The searched text of each result: title, body and people (account, author, source)."""
    return [
        db.execute(
            "SELECT coalesce(title, '') || ' ' || body || ' ' || coalesce(account, '') || ' ' "
            "|| coalesce(author, '') || ' ' || coalesce(source, '') FROM articles WHERE id = ?",
            [r["id"]],
        ).fetchone()[0]
        for r in results
    ]


def expected_hits(character: str) -> set[str | None]:
    """Titles of the ok pages whose expectation has `character` in a searched field (title,
    account, author, source) or in a snippet the body must keep."""
    hits = set()
    for name in OK_PAGES:
        expect = EXPECTED[name]
        fields = expect["fields"]
        searched = [fields.get(k) or "" for k in ("title", "account", "author", "source")]
        if any(character in text for text in [*searched, *expect.get("keep", [])]):
            hits.add(fields.get("title"))
    return hits


def test_one_character_query(golden):
    results = search(golden, "钟")
    assert titles(results)[0] == "在博物馆里修钟表的人"
    assert "秋天的第一锅板栗饭" in titles(results)  # 十分钟, in the body only
    assert all("钟" in text for text in texts(golden, results))
    assert expected_hits("钟") <= set(titles(results))  # 钟离, an author, among them
    assert "【钟】" in results[0]["snippet"]


def test_two_character_query(golden):
    results = search(golden, "开源")
    assert titles(results) == ["小团队为什么更愿意开源自己的模型？"]
    assert "【开源】" in results[0]["snippet"]


def test_two_character_query_finds_every_article_with_it(golden):
    results = search(golden, "書道")
    assert titles(results) == [
        "中国の若者に「夜間学校」が人気、仕事帰りに書道や水泳を学ぶ―中国メディア"
    ]
    shared = titles(search(golden, "開始"))  # the same characters in Japanese and Chinese
    assert "為什麼越來越多人開始在陽台種菜" in shared
    assert "中国の若者に「夜間学校」が人気、仕事帰りに書道や水泳を学ぶ―中国メディア" in shared


def test_four_character_query(golden):
    results = search(golden, "开源模型")
    assert titles(results) == ["小团队为什么更愿意开源自己的模型？"]
    assert "【开源模型】" in results[0]["snippet"]
    # the four characters must be adjacent: 模型 and 开源 elsewhere in the text do not count
    assert search(golden, "模型开源") == []


def test_traditional_chinese_query(golden):
    for query in ("陽台", "陽台種菜"):
        results = search(golden, query)
        assert titles(results) == ["為什麼越來越多人開始在陽台種菜"], query
    assert search(golden, "阳台种菜") == []  # simplified characters are different characters


def test_japanese_query(golden):
    results = search(golden, "バッテリー")
    assert titles(results) == ["電動自転車のバッテリー交換ステーションは儲かるのか?"]
    assert "【バッテリー】" in results[0]["snippet"]
    results = search(golden, "夜間学校")
    assert titles(results) == [
        "中国の若者に「夜間学校」が人気、仕事帰りに書道や水泳を学ぶ―中国メディア"
    ]


def test_latin_query_is_case_insensitive(golden):
    for query in ("IntersectionObserver", "intersectionobserver"):
        results = search(golden, query)
        assert titles(results) == ["图片懒加载的三个细节：从 IntersectionObserver 说起"], query
    assert "【IntersectionObserver】" in results[0]["snippet"]


def test_every_word_must_match(golden):
    both = search(golden, "钟 板栗")
    assert titles(both) == ["秋天的第一锅板栗饭"]
    assert set(titles(search(golden, "开源 社区"))) <= set(titles(search(golden, "开源")))
    assert search(golden, "开源 バッテリー") == []


def test_query_without_hits(golden):
    assert search(golden, "量子纠缠") == []
    assert search(golden, "zebrafish") == []
    assert search(golden, "，。") == []


def test_query_with_fts_syntax_does_not_fail(golden):
    for query in ('"开源', "开源 OR", "NEAR(开源", "body:开源", "开源*", "-开源", "AND"):
        results = search(golden, query)
        assert isinstance(results, list), query


def test_only_articles_with_a_body_are_found(golden):
    statuses = {
        row[0]
        for row in golden.execute(
            "SELECT DISTINCT articles.status FROM articles_fts "
            "JOIN articles ON articles.id = articles_fts.rowid"
        )
    }
    assert statuses == {"ok"}
    indexed = golden.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
    assert (
        indexed == golden.execute("SELECT count(*) FROM articles WHERE status = 'ok'").fetchone()[0]
    )


def test_limit(golden):
    assert len(search(golden, "书", limit=2)) == 2
    assert len(search(golden, "书")) > 2


def test_results_are_ranked(golden):
    results = search(golden, "书")
    ranks = [r["rank"] for r in results]
    assert ranks == sorted(ranks)


# --- ranking on pages made for it ---------------------------------------------------------

FILLER = [
    "海岛上的清晨总是从一阵风声开始，码头边的渔船陆续出海。",
    "补给船每两周来一次，带来蔬菜、报纸和家人的信。",
    "到了夜里，岛上只剩下海浪和发电机的声音。",
    "他每天记录天气、潮水和过往船只的数量，写满了好几本笔记。",
]


@pytest.fixture(scope="module")
def ranked(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ranked")
    pages = {
        "title.html": ("灯塔守望者的一天", FILLER, "https://example.org/title"),
        "body.html": (
            "海岛上的一天",
            [*FILLER[:2], "远处的灯塔亮了一下，又暗下去。", *FILLER[2:]],
            "https://example.org/body",
        ),
        "none.html": ("海岛上的另一天", FILLER, "https://example.org/none"),
        "punct.html": (
            "标点的边界",
            ["这一句写到模型，开源的事以后再说。"],
            "https://example.org/p",
        ),
    }
    for name, (title, paragraphs, url) in pages.items():
        (folder / name).write_text(page_html(title, paragraphs, url), encoding="utf-8")
    db_path = folder / "ranked.db"
    result = reprints("import", db_path, folder)
    assert result.returncode == 0, result.stderr
    return db_path


def test_title_hit_ranks_before_a_single_body_hit(ranked: Path):
    db = open_database(ranked)
    try:
        results = search(db, "灯塔")
    finally:
        db.close()
    assert [r["url"] for r in results] == ["https://example.org/title", "https://example.org/body"]
    assert "【灯塔】" in results[1]["snippet"]


def test_bigrams_do_not_cross_punctuation(ranked: Path):
    db = open_database(ranked)
    try:
        assert search(db, "型开") == []
        assert [r["url"] for r in search(db, "模型")] == ["https://example.org/p"]
    finally:
        db.close()


# --- the command line ---------------------------------------------------------------------


def test_cli_search_json(imported_once):
    result = reprints("search", imported_once.db, "开源", "--format", "json")
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    assert [r["title"] for r in results] == ["小团队为什么更愿意开源自己的模型？"]
    assert {"id", "url", "title", "account", "author", "published", "snippet", "rank"} <= set(
        results[0]
    )
    assert "body" not in results[0]
    assert "【开源】" in results[0]["snippet"]
    assert results[0]["account"] == "青石开源社"


def test_cli_search_text(imported_once):
    result = reprints("search", imported_once.db, "バッテリー")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "電動自転車のバッテリー交換ステーションは儲かるのか?"
    assert "https://asia-tech-news.example/ja/articles/2025/01/battery-swap" in result.stdout
    assert "【バッテリー】" in result.stdout


def test_cli_search_limit_and_no_hits(imported_once):
    limited = reprints("search", imported_once.db, "书", "--limit", "1", "--format", "json")
    assert limited.returncode == 0 and len(json.loads(limited.stdout)) == 1
    none = reprints("search", imported_once.db, "量子纠缠")
    assert none.returncode == 0
    assert none.stdout == ""
    assert "no articles found" in none.stderr
    none_json = reprints("search", imported_once.db, "量子纠缠", "--format", "json")
    assert json.loads(none_json.stdout) == []


def test_cli_search_does_not_create_a_database(tmp_path: Path):
    result = reprints("search", tmp_path / "nothing.db", "开源")
    assert result.returncode == 2
    assert not (tmp_path / "nothing.db").exists()
