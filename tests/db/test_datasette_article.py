"""Datasette shows an article's Markdown as sanitized HTML (headings, lists, tables, images)
and its images as a row of thumbnails; hostile Markdown renders inert."""

from __future__ import annotations

import asyncio
import json
import re
from html.parser import HTMLParser

import pytest
from datasette.app import Datasette

import db

IMAGE = "https://mmbiz.qpic.cn/mmbiz_jpg/Hk2pQ8vLx4Mn7RcT/640"
GOOD = f"""## 江边的旧书摊

摊主每周六出摊，**雨天也不例外**，详见[地图](https://example.org/map)。

![旧书摊]({IMAGE})

- 文学
- 历史

| 类别 | 数量 |
| --- | --- |
| 小说 | 120 |

> 旧书的好处，是每一本都有人读过。
"""
HOSTILE = """## 标题

<script>alert(1)</script><img src=x onerror="alert(2)">

[点我](javascript:alert(3)) [也点我](JAVASCRIPT:alert(4))
![x](data:image/svg+xml,<svg onload=alert(5)>)

<svg><a xlink:href="javascript:alert(6)">矢量</a></svg> <iframe src="https://evil.example"></iframe>

<a href="https://example.org" onclick="alert(7)" style="position:fixed">链接</a>
"""


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    path = tmp_path_factory.mktemp("article-html") / "articles.db"
    store = db.open_database(path)
    for url, markdown, images in (
        ("https://example.org/good", GOOD, [IMAGE, "javascript:alert(8)"]),
        ("https://example.org/hostile", HOSTILE, ["data:image/png;base64,AAAA"]),
    ):
        store["articles"].insert(
            {
                "url": url,
                "status": "ok",
                "title": url.rsplit("/", 1)[1],
                "body": "正文",
                "body_markdown": markdown,
                "images": json.dumps(images),
            }
        )
    store.conn.close()
    return Datasette([str(path)])


def page(ds: Datasette, title: str) -> str:
    response = asyncio.run(ds.client.get(f"/articles/articles?title={title}"))
    assert response.status_code == 200
    (row_id,) = re.findall(
        r'<td class="col-id[^"]*"[^>]*><a href="/articles/articles/(\d+)"', response.text
    )
    row = asyncio.run(ds.client.get(f"/articles/articles/{row_id}"))
    assert row.status_code == 200
    return row.text


def test_the_markdown_renders_as_an_article(ds: Datasette) -> None:
    html = page(ds, "good")
    article = html[html.index('<div class="reprints-article">') :]
    for tag in (
        "<h2>江边的旧书摊</h2>",
        "<strong>雨天也不例外</strong>",
        "<li>文学</li>",
        "<th>类别</th>",
        "<blockquote>",
    ):
        assert tag in article
    assert (
        '<a href="https://example.org/map" rel="noopener noreferrer nofollow">地图</a>' in article
    )
    # nh3 writes the attributes it adds in no fixed order: compare them as parsed.
    (image,) = [attrs for tag, attrs in elements(article) if tag == "img"]
    assert image == {
        "src": IMAGE, "alt": "旧书摊", "loading": "lazy", "referrerpolicy": "no-referrer"
    }  # fmt: skip


def test_images_are_a_row_of_thumbnails(ds: Datasette) -> None:
    html = page(ds, "good")
    thumbs = html[html.index('<div class="reprints-thumbs">') :]
    thumbs = thumbs[: thumbs.index("</div>")]
    assert thumbs.count('class="reprints-thumb"') == 1
    assert f'src="{IMAGE}"' in thumbs and "javascript" not in thumbs


def test_hostile_markdown_renders_inert(ds: Datasette) -> None:
    html = page(ds, "hostile")
    article = html[html.index('<div class="reprints-article">') :]
    article = article[: article.index("</div>")]
    found = elements(article)
    assert {tag for tag, _ in found} <= {"div", "h2", "p", "a", "img"}
    for _, attrs in found:
        assert not any(name.startswith("on") or name == "style" for name in attrs), attrs
        for name in ("href", "src"):
            assert not (attrs.get(name) or "").lower().startswith(("javascript:", "data:"))
    assert "&lt;script&gt;" in article
    thumbs = html[html.index('<div class="reprints-thumbs">') :]
    assert "data:image" not in thumbs[: thumbs.index("</div>")]


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag in `html`, with its attributes, as a browser's parser reads them."""
    parser = Elements()
    parser.feed(html)
    return parser.found
