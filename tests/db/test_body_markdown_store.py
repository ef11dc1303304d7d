"""The body as Markdown is stored beside the plain body, in articles and in earlier versions."""

from __future__ import annotations

from db_helpers import import_pages, rows


def structured_page(title: str, closing: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<script>var msg_title = '{title}'; var nickname = "河边札记";</script></head><body>
<div id="js_content">
<p>河边的步道去年修好以后，每天傍晚都有附近的居民来散步，遛狗的人比以前多了一倍。</p>
<h2>步道的三段</h2>
<ul><li>北段：沿着老码头</li><li>南段：穿过芦苇地</li></ul>
<p>更多照片见<a href="https://example.org/riverside">河边相册</a>。</p>
<p>{closing}</p>
</div></body></html>"""


def test_import_stores_the_markdown_and_keeps_it_in_versions(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    page = pages / "river.html"
    page.write_text(structured_page("河边步道", "下个月步道还会装上路灯。"), "utf-8")
    db_path = tmp_path / "articles.db"
    assert import_pages(db_path, pages).returncode == 0
    (stored,) = rows(db_path, "SELECT body, body_markdown FROM articles")
    lines = stored["body_markdown"].splitlines()
    assert "## 步道的三段" in lines
    assert "- 北段：沿着老码头" in lines and "- 南段：穿过芦苇地" in lines
    assert "[河边相册](https://example.org/riverside)" in stored["body_markdown"]
    assert "](" not in stored["body"]

    page.write_text(structured_page("河边步道", "步道的路灯已经装好了。"), "utf-8")
    assert import_pages(db_path, pages).returncode == 0
    (old,) = rows(db_path, "SELECT body_markdown FROM article_versions")
    assert "下个月步道还会装上路灯。" in old["body_markdown"]
    (new,) = rows(db_path, "SELECT body_markdown FROM articles")
    assert "步道的路灯已经装好了。" in new["body_markdown"]
