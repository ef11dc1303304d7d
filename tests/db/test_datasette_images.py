"""Archived images in Datasette: served from the database with the type their bytes have and
inert headers, shown in the article and its thumbnails in place of the remote ones; and the
articles table opening on the columns a person reads by."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from datasette.app import Datasette

import db

STORED = "https://mmbiz.qpic.cn/mmbiz_png/Stored/640?wx_fmt=png&from=appmsg"
REMOTE = "https://mmbiz.qpic.cn/mmbiz_png/Remote/640?wx_fmt=png"
VECTOR = "https://img.example.org/drawing.svg"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
MARKDOWN = f"""## 图片的去处

![存下来的]({STORED})

![没存的]({REMOTE})

![矢量]({VECTOR})
"""


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    path = tmp_path_factory.mktemp("images") / "articles.db"
    store = db.open_database(path)
    store["articles"].insert(
        {"url": "https://example.org/pictures", "status": "ok", "title": "图片的去处",
         "body": "正文", "body_markdown": MARKDOWN, "images": json.dumps([STORED, REMOTE, VECTOR]),
         "version": 1, "author": "林川", "account": "江岸日记"}
    )  # fmt: skip
    run_id = db.start_run(store, "images", [])
    db.images.queue_images(store)
    for url, data in ((STORED, PNG), (VECTOR, SVG)):
        fetch = db.images.ImageFetch(url, None, "2026-01-01T00:00:00+00:00", 200, {})
        db.images.store_image(store, run_id, fetch, data)
    store.conn.close()
    return Datasette([str(path)])


def get(ds: Datasette, path: str):
    return asyncio.run(ds.client.get(path))


def digest(data: bytes) -> str:
    return db.store.sha256(data)


def test_the_article_shows_its_archived_images_from_the_database(ds: Datasette) -> None:
    html = get(ds, "/articles/articles/1").text
    article = html[html.index('<div class="reprints-article">') :]
    sources = re.findall(r'<img [^>]*src="([^"]+)"', article[: article.index("</div>")])
    assert sources == [
        f"/-/reprints/image/articles/{digest(PNG)}",
        REMOTE,
        f"/-/reprints/image/articles/{digest(SVG)}",
    ]
    thumbs = html[html.index('<div class="reprints-thumbs">') :]
    assert f'src="/-/reprints/image/articles/{digest(PNG)}"' in thumbs[: thumbs.index("</div>")]


def test_an_image_is_served_with_its_own_type_and_inert_headers(ds: Datasette) -> None:
    response = get(ds, f"/-/reprints/image/articles/{digest(PNG)}")
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["content-disposition"].startswith("inline")


def test_an_svg_cannot_run_its_script_when_opened(ds: Datasette) -> None:
    response = get(ds, f"/-/reprints/image/articles/{digest(SVG)}")
    assert response.headers["content-type"] == "image/svg+xml"
    policy = response.headers["content-security-policy"]
    assert "sandbox" in policy and "script-src" not in policy


def test_unknown_images_are_not_found(ds: Datasette) -> None:
    assert get(ds, f"/-/reprints/image/articles/{'0' * 64}").status_code == 404
    assert get(ds, "/-/reprints/image/articles/not-a-digest").status_code == 404
    assert get(ds, f"/-/reprints/image/nosuchdb/{digest(PNG)}").status_code == 404


def test_the_image_files_table_shows_the_images(ds: Datasette) -> None:
    html = get(ds, "/articles/image_files").text
    assert html.count('class="reprints-thumb"') == 2


def header_columns(html: str) -> list[str]:
    return re.findall(r'<th [^>]*data-column="([^"]+)"', html)


def test_the_articles_table_opens_on_the_columns_people_read_by(ds: Datasette) -> None:
    shown = header_columns(get(ds, "/articles/articles").text)
    assert shown == ["id", "title", "account", "author", "source", "published", "status"]
    every = header_columns(get(ds, "/articles/articles?_reprints_all=1").text)
    assert {"body", "body_markdown", "images", "origins"} <= set(every)
    assert header_columns(get(ds, "/articles/articles?_col=url").text) == ["id", "url"]
    fewer = header_columns(get(ds, "/articles/articles?_nocol=author").text)
    assert fewer == ["id", "title", "account", "source", "published", "status"]
    hidden = header_columns(get(ds, "/articles/articles?_reprints_all=1&_nocol=body").text)
    assert "body" not in hidden and "url" in hidden
    data = get(ds, "/articles/articles.json?_shape=objects").json()
    assert "body_markdown" in data["rows"][0], "the JSON API keeps every column"
    sorted_page = get(ds, "/articles/articles?_sort=title").text
    assert header_columns(sorted_page)[1:] == ["title", "account", "author", "source",
                                               "published", "status"]  # fmt: skip
