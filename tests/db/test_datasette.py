"""The Datasette plugin: metadata, sorting, facets, readable bodies, links and canned queries."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from db_helpers import EXPECTED, OK_PAGES, check_per_value

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from datasette.app import Datasette  # noqa: E402

import db  # noqa: E402
from db.search import index_article  # noqa: E402

PAGES = ROOT / "tests" / "cleaners" / "pages"
HOSTILE_URL = "https://example.com/hostile"
HOSTILE_BODY = "第一段<script>alert(1)</script>开源\n\n第二段 <b>bold</b>\n\n【编者按】不是命中"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database imported from the cleaner test pages, plus one article with HTML in it."""
    path = tmp_path_factory.mktemp("datasette") / "articles.db"
    store = db.open_database(path)
    run_id = db.start_run(store, "import", [str(PAGES)])
    result = db.import_paths(store, run_id, [PAGES])
    db.finish_run(store, run_id, result.counts, 0)
    row = {
        "url": HOSTILE_URL,
        "status": "ok",
        "title": "<img src=x onerror=alert(2)>标题",
        "body": HOSTILE_BODY,
        "published": "1999-01-01",
        "run_id": run_id,
    }
    row["id"] = store["articles"].insert(row).last_pk
    index_article(store, row)
    store.conn.close()
    return path


@pytest.fixture(scope="module")
def ds(database: Path) -> Datasette:
    return Datasette([str(database)])


def get(ds: Datasette, path: str, **params: Any):
    """GET a page from Datasette's in-process client."""
    return asyncio.run(ds.client.get(path, params=params or None))


def article_id(database: Path, title_part: str) -> int:
    store = db.open_database(database)
    try:
        return store.execute(
            "SELECT id FROM articles WHERE title LIKE ?", [f"%{title_part}%"]
        ).fetchone()[0]
    finally:
        store.conn.close()


def test_plugin_is_registered(ds: Datasette) -> None:
    plugins = get(ds, "/-/plugins.json").json()
    hooks = next(p["hooks"] for p in plugins if p["name"] == "reprints")
    assert {"get_metadata", "render_cell", "prepare_connection"} <= set(hooks)


def test_metadata_describes_tables_and_columns(ds: Datasette) -> None:
    meta = get(ds, "/-/metadata.json").json()["databases"]["articles"]
    tables = ("articles", "runs", "fetches", "snapshots", "removals", "article_versions")
    for table in (*tables, "learned_rules"):
        assert meta["tables"][table]["description"]
    assert meta["tables"]["articles"]["columns"]["body"]
    assert set(meta["queries"]) == {
        "search",
        "recent",
        "per_source",
        "most_republished",
        "copies",
        "republications",
    }
    page = get(ds, "/articles/articles").text
    assert "One row per article URL" in page
    assert 'class="column-descriptions"' in page


def test_articles_sorted_by_published_with_facets(ds: Datasette) -> None:
    data = get(ds, "/articles/articles.json", _shape="objects", _size="max").json()
    published = [r["published"] for r in data["rows"] if r["published"]]
    assert published == sorted(published, reverse=True)
    assert data["rows"][0]["published"] == published[0]
    page = get(ds, "/articles/articles").text
    assert "sorted by published descending" in page
    for column in ("account", "source", "author", "status"):
        assert f'data-column="{column}"' in page and "facet-info" in page
    assert set(data["facet_results"]) == {"account", "source", "author", "status"}
    statuses = {r["value"] for r in data["facet_results"]["status"]["results"]}
    assert {"ok", "deleted", "expired"} <= statuses


def test_article_page_has_paragraphs_and_links(ds: Datasette, database: Path) -> None:
    row_id = article_id(database, "小团队为什么更愿意开源")
    page = get(ds, f"/articles/articles/{row_id}").text
    assert '<div class="reprints-body"><p>今年春天' in page
    assert page.count("<p>") >= 8
    assert "/articles/fetches/" in page and "/articles/snapshots/" in page
    assert "/articles/runs/1" in page
    assert "Links from other tables" in page
    assert f"/articles/removals?article_id={row_id}" in page
    assert "/-/reprints.css" in page


def test_article_body_and_title_are_escaped(ds: Datasette, database: Path) -> None:
    row_id = article_id(database, "onerror")
    page = get(ds, f"/articles/articles/{row_id}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page
    assert "<img src=x" not in page
    assert "<p>第二段 &lt;b&gt;bold&lt;/b&gt;</p>" in page


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("开源", "小团队为什么更愿意开源自己的模型？"),
        ("源", "小团队为什么更愿意开源自己的模型？"),
        ("语音识别", "小团队为什么更愿意开源自己的模型？"),
        ("バッテリー", "電動自転車のバッテリー交換ステーションは儲かるのか?"),
    ],
)
def test_canned_search(ds: Datasette, query: str, title: str) -> None:
    rows = get(ds, "/articles/search.json", q=query, _shape="array").json()
    assert title in [r["title"] for r in rows]
    hit = next(r for r in rows if r["title"] == title)
    assert f"【{query}】" in hit["snippet"]
    page = get(ds, "/articles/search", q=query).text
    assert f"<mark>{query}</mark>" in page


def test_search_page_links_titles_and_escapes_snippets(ds: Datasette, database: Path) -> None:
    row_id = article_id(database, "onerror")
    page = get(ds, "/articles/search", q="第二段").text
    assert f'<a href="/articles/articles/{row_id}">&lt;img src=x' in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/script&gt;" in page
    # The body's own 【】 are not taken for the hit.
    assert "<mark>编者按</mark>" not in page
    assert "<mark>第二段</mark>" in page


@pytest.mark.parametrize("query", ["", "!!", "  "])
def test_search_without_words_finds_nothing(ds: Datasette, query: str) -> None:
    response = get(ds, "/articles/search.json", q=query, _shape="array")
    assert response.status_code == 200
    assert response.json() == []


def test_recent_and_per_source(ds: Datasette) -> None:
    recent = get(ds, "/articles/recent.json", _shape="array").json()
    assert len(recent) == min(len(OK_PAGES) + 1, 100)  # the golden ok pages and the hostile one
    first_seen = [r["first_seen"] or "" for r in recent]  # the hostile row has none
    assert first_seen == sorted(first_seen, reverse=True)
    fields = [EXPECTED[name]["fields"] for name in OK_PAGES]
    titles = Counter(f["title"] for f in fields if "title" in f)  # None: an untitled share
    if len(recent) > len(OK_PAGES):
        assert titles <= Counter(r["title"] for r in recent)
    sources = get(ds, "/articles/per_source.json", _shape="array").json()
    counts = {r["source"]: r["articles"] for r in sources}
    check_per_value(counts, "source", empty="(no source)", extra=1)


def test_snapshots_link_to_the_page_as_text(ds: Datasette, database: Path) -> None:
    row_id = article_id(database, "小团队为什么更愿意开源")
    store = db.open_database(database)
    digest = store.execute("SELECT snapshot FROM articles WHERE id = ?", [row_id]).fetchone()[0]
    raw = db.snapshot_bytes(store, digest)
    store.conn.close()
    page = get(ds, f"/articles/snapshots/{digest}").text
    link = f"/-/reprints/snapshot/articles/{digest}"
    assert f'<a href="{link}">view page ({len(raw):,} bytes)</a>' in page
    response = get(ds, link)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == raw
    assert get(ds, "/-/reprints/snapshot/articles/" + "0" * 64).status_code == 404
    assert get(ds, "/-/reprints/snapshot/nope/" + "0" * 64).status_code == 404


def test_other_databases_are_left_alone(tmp_path: Path, database: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO articles VALUES (1, 'a\n\nb')")
    conn.commit()
    conn.close()
    both = Datasette([str(database), str(other)])
    meta = get(both, "/-/metadata.json").json()
    assert "articles" in meta["databases"] and "other" not in meta["databases"]
    assert "title" not in meta
    page = get(both, "/other/articles/1").text
    assert "reprints-body" not in page and "/-/reprints.css" not in page
    assert get(both, "/other/search").status_code == 404


def test_learned_rules_are_browsable(ds: Datasette, database: Path) -> None:
    store = db.open_database(database)
    store["learned_rules"].insert(
        {
            "name": "learned:示例号:0a1b2c3d",
            "source": "示例号",
            "kind": "prompt",
            "place": "tail",
            "text": "欢迎转发",
            "example": "欢迎转发<b>",
            "works": 4,
            "source_works": 9,
            "article_ids": "[1, 2]",
            "state": "learned",
        },
        replace=True,
    )
    store.conn.close()
    page = get(ds, "/articles/learned_rules")
    assert page.status_code == 200
    assert "Boilerplate learned from each source" in page.text
    assert "欢迎转发&lt;b&gt;" in page.text
    facets = get(ds, "/articles/learned_rules.json", _facet="state").json()
    assert facets["facet_results"]
