"""`reprints export`: JSON lines and Markdown folders, filtered by account, publication time,
status and a SQL condition, idempotent, with one-line errors for bad options."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from db_helpers import import_pages, one_error_line, reprints

import db

POSTS = {
    "ferry.html": (
        "渡口的早班船", "江岸日记", "2025-01-05 07:30",
        "每天清晨六点半，渡口的早班船载着赶集的人过江。",
    ),
    "bridge.html": (
        "新桥通车以后", "江岸日记", "2025-04-20 09:00",
        "新桥通车以后，渡口的乘客少了一半，船老大开始接游客。",
    ),
    "market.html": (
        "早市的豆腐摊", "城西食记", "2025-03-11 06:10",
        "早市的豆腐摊只卖到八点，卖完就收摊，从不等人。",
    ),
}  # fmt: skip
CHINA = dt.timezone(dt.timedelta(hours=8))
DELETED = "<html><body><div class='weui-msg'>该内容已被发布者删除</div></body></html>"


def wechat_page(title: str, account: str, when: str, text: str) -> str:
    stamp = int(dt.datetime.fromisoformat(when).replace(tzinfo=CHINA).timestamp())
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<script>var msg_title = '{title}'; var nickname = "{account}"; var ct = "{stamp}";</script>
</head><body>
<div id="js_content"><h2>{title}的开头</h2><p>{text}这段文字只在这篇文章里出现。</p>
<ul><li>第一件事：{text[:8]}</li><li>第二件事：收拾好再走</li></ul>
<p>文章的最后一段，写给每一位读到这里的人，谢谢你们的耐心。</p></div></body></html>"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("export")
    pages = base / "pages"
    pages.mkdir()
    for name, post in POSTS.items():
        (pages / name).write_text(wechat_page(*post), "utf-8")
    (pages / "gone.html").write_text(DELETED, "utf-8")
    db_path = base / "articles.db"
    import_pages(db_path, pages)
    return db_path


def jsonl(store: Path, *options: str) -> list[dict]:
    result = reprints("export", store, "--format", "jsonl", *options)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_jsonl_has_every_field_the_body_forms_and_the_removals(store):
    records = jsonl(store)
    assert sorted(r["title"] for r in records) == sorted(post[0] for post in POSTS.values())
    first = next(r for r in records if r["title"] == "渡口的早班船")
    assert first["account"] == "江岸日记" and first["status"] == "ok"
    assert "- 第二件事：收拾好再走" in first["body_markdown"].splitlines()
    assert "每天清晨六点半" in first["body"]
    assert isinstance(first["removed"], list) and isinstance(first["images"], list)
    assert {"id", "url", "published", "content_hash", "work_id", "copy_role"} <= set(first)


def test_filters(store):
    assert {r["title"] for r in jsonl(store, "--account", "城西食记")} == {"早市的豆腐摊"}
    since = {r["title"] for r in jsonl(store, "--since", "2025-03-01")}
    assert since == {"新桥通车以后", "早市的豆腐摊"}
    assert [r["status"] for r in jsonl(store, "--status", "deleted")] == ["deleted"]
    both = jsonl(store, "--status", "deleted", "--status", "ok")
    assert len(both) == len(POSTS) + 1
    where = jsonl(store, "--where", "title LIKE '%桥%'", "--account", "江岸日记")
    assert [r["title"] for r in where] == ["新桥通车以后"]


def test_jsonl_to_a_file_is_idempotent(store, tmp_path):
    out = tmp_path / "articles.jsonl"
    first = reprints("export", store, "--format", "jsonl", "--out", out, "-v")
    assert first.returncode == 0, first.stderr
    assert "1 files written" in first.stderr
    before = out.read_bytes(), out.stat().st_mtime_ns
    again = reprints("export", store, "--format", "jsonl", "--out", out, "-v")
    assert "0 files written, 1 unchanged" in again.stderr
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before
    assert [json.loads(line)["title"] for line in out.read_text("utf-8").splitlines()]


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_markdown_folders_one_per_article_and_idempotent(store, tmp_path):
    out = tmp_path / "markdown"
    result = reprints("export", store, "--format", "markdown", "--out", out, "-v")
    assert result.returncode == 0, result.stderr
    folders = sorted(p.name for p in out.iterdir())
    assert len(folders) == len(POSTS)
    ferry = next(out.glob("*-2025-01-05-渡口的早班船"))
    document = (ferry / "article.md").read_text("utf-8")
    assert document.startswith('---\ntitle: "渡口的早班船"\n')
    assert '\naccount: "江岸日记"\n' in document
    assert "## 渡口的早班船的开头" in document.splitlines()
    before = tree(out)
    again = reprints("export", store, "--format", "markdown", "--out", out, "-v")
    assert f"0 files written, {len(POSTS)} unchanged" in again.stderr
    assert tree(out) == before


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (("--format", "markdown"), "--out"),
        (("--format", "jsonl", "--where", "no_such_column = 1"), "no_such_column"),
        (("--format", "jsonl", "--where", "title = 'a'; DROP TABLE articles"), "--where"),
        (("--format", "jsonl", "--since", "last spring"), "--since"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(store, options, words):
    result = reprints("export", store, *options)
    assert result.returncode == 2
    assert words in one_error_line(result)
    assert result.stdout == ""
    assert len(jsonl(store)) == len(POSTS)


def test_markdown_into_a_file_is_refused(store, tmp_path):
    out = tmp_path / "a-file"
    out.write_text("keep me", "utf-8")
    result = reprints("export", store, "--format", "markdown", "--out", out)
    assert result.returncode == 2 and str(out) in one_error_line(result)
    assert out.read_text("utf-8") == "keep me"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
GIF = b"GIF89a" + b"\x01" * 30


def page_with_images(sources: list[str]) -> str:
    figures = "".join(f'<p><img data-src="{src}" alt="图{i}"></p>' for i, src in enumerate(sources))
    return wechat_page(*POSTS["ferry.html"]).replace("<p>文章的最后", figures + "<p>文章的最后")


def archive(db_path: Path, images: dict[str, bytes]) -> None:
    """Store `images` as if fetched (by URL), as `reprints images` stores them."""
    store = db.open_database(db_path)
    run_id = db.start_run(store, "images", [])
    db.images.queue_images(store)
    for url, data in images.items():
        fetch = db.images.ImageFetch(url, None, "2026-01-01T00:00:00+00:00", 200, {})
        db.images.store_image(store, run_id, fetch, data)
    store.conn.close()


def test_markdown_export_writes_the_archived_images_with_relative_links(tmp_path: Path):
    sources = [f"https://mmbiz.qpic.cn/mmbiz_png/{n}/640?wx_fmt=png&from=appmsg" for n in "abc"]
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "ferry.html").write_text(page_with_images(sources), "utf-8")
    db_path = tmp_path / "articles.db"
    import_pages(db_path, pages)
    archive(db_path, {sources[0]: PNG, sources[1]: GIF})  # the third is not archived
    out = tmp_path / "out"
    assert reprints("export", db_path, "--format", "markdown", "--out", out).returncode == 0
    (folder,) = out.iterdir()
    files = sorted(p.name for p in (folder / "images").iterdir())
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["gif", "png"]
    text = (folder / "article.md").read_text("utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == 3
    assert links[0].startswith("images/") and links[1].startswith("images/")
    assert links[2] == sources[2], "an image not archived keeps its URL"
    for link in links[:2]:
        assert (folder / link).read_bytes() in (PNG, GIF)
    assert (folder / links[0]).read_bytes() == PNG

    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    again = reprints("export", db_path, "--format", "markdown", "--out", out, "-v")
    assert "0 files written" in again.stderr and "0 images written" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == before

    lines = reprints("export", db_path, "--format", "jsonl").stdout.splitlines()
    record = json.loads(lines[0])
    assert [(i["position"], i["content_type"]) for i in record["archived_images"]] == [
        (0, "image/png"),
        (1, "image/gif"),
    ]
