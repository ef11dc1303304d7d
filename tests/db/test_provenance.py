"""A page fetched from the web outranks a local file that only claims its URL: the file is kept
as its own fetch, snapshot and version, but never becomes the current version."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from db_helpers import page_html, reprints, rows, scalar

WEB_TEXT = [
    "山脚下的茶园今年春天雨水多，新芽比往年早冒了十来天，采茶的人天不亮就上了山。",
    "老板娘说头一批茶最金贵，一斤鲜叶炒下来只剩四两，得趁着露水没干的时候采。",
]
FILE_TEXT = [
    "这是一份存在本地硬盘上的旧稿，内容和网上的那一篇并不一样，只是声称自己是它。",
    "旧稿里写的是秋天的事情，茶园在落叶，工人们在修剪枝条，准备过冬。",
]


class Site(ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1 serving `pages` by path (robots.txt: 404)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages: dict[str, bytes] = {}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = self.server.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def crawl(db_path: Path, url: str, *extra: str) -> None:
    result = reprints("crawl", db_path, url, "--delay", "0", "--timeout", "5", *extra)
    assert result.returncode == 0, result.stderr


def claiming_file(tmp_path: Path, url: str, text: list[str] = FILE_TEXT) -> Path:
    path = tmp_path / "claims.html"
    path.write_text(page_html("茶园的旧稿", text, url), encoding="utf-8")
    return path


def article(db_path: Path, url: str) -> dict:
    (row,) = rows(
        db_path,
        "SELECT articles.*, fetches.url AS fetch_url FROM articles "
        "JOIN fetches ON fetches.id = articles.fetch_id WHERE articles.url = ?",
        (url,),
    )
    return row


def versions(db_path: Path, article_id: int) -> list[dict]:
    return rows(
        db_path,
        "SELECT article_versions.*, fetches.url AS fetch_url FROM article_versions "
        "JOIN fetches ON fetches.id = article_versions.fetch_id WHERE article_id = ? "
        "ORDER BY version",
        (article_id,),
    )


def test_a_file_claiming_a_fetched_url_does_not_replace_it(site: Site, tmp_path: Path):
    url = site.url("/tea.html")
    site.pages["/tea.html"] = page_html("山上的茶园", WEB_TEXT, url).encode()
    db_path = tmp_path / "p.db"
    crawl(db_path, url)
    before = article(db_path, url)
    page = claiming_file(tmp_path, url)
    result = reprints("import", db_path, page, "-v")
    assert result.returncode == 0, result.stderr
    assert any(line.startswith("outranked") for line in result.stderr.splitlines())
    after = article(db_path, url)
    assert after["fetch_url"] == url
    assert (after["fetch_id"], after["version"], after["title"]) == (
        before["fetch_id"],
        1,
        "山上的茶园",
    )
    assert "茶园今年春天" in after["body"]
    (kept,) = versions(db_path, after["id"])
    assert kept["fetch_url"] == page.resolve().as_uri()
    assert kept["version"] == 2 and kept["replaced_by_run"] is None
    assert "旧稿" in kept["body"]
    snapshot = scalar(db_path, "SELECT sha256 FROM fetches WHERE url = ?", (kept["fetch_url"],))
    assert kept["snapshot"] == snapshot
    assert rows(db_path, "PRAGMA foreign_key_check") == []
    # importing it again changes nothing
    again = reprints("import", db_path, page)
    assert again.returncode == 0, again.stderr
    assert len(versions(db_path, after["id"])) == 1


def test_a_web_fetch_replaces_a_file_claimed_version(site: Site, tmp_path: Path):
    url = site.url("/tea.html")
    db_path = tmp_path / "w.db"
    page = claiming_file(tmp_path, url, WEB_TEXT)  # the same text as the web page
    result = reprints("import", db_path, page)
    assert result.returncode == 0, result.stderr
    assert article(db_path, url)["fetch_url"] == page.resolve().as_uri()
    site.pages["/tea.html"] = page_html("茶园的旧稿", WEB_TEXT, url).encode()
    crawl(db_path, url)
    current = article(db_path, url)
    assert current["fetch_url"] == url and current["version"] == 2
    (old,) = versions(db_path, current["id"])
    assert old["fetch_url"] == page.resolve().as_uri() and old["version"] == 1
    # and from then on the file does not come back
    page.write_text(page_html("茶园的旧稿", FILE_TEXT, url), encoding="utf-8")
    reprints("import", db_path, page)
    assert article(db_path, url)["fetch_url"] == url
    assert [v["version"] for v in versions(db_path, current["id"])] == [1, 3]


def test_a_web_update_after_an_outranked_file_takes_the_next_version(site: Site, tmp_path: Path):
    url = site.url("/tea.html")
    site.pages["/tea.html"] = page_html("山上的茶园", WEB_TEXT, url).encode()
    db_path = tmp_path / "u.db"
    crawl(db_path, url)
    reprints("import", db_path, claiming_file(tmp_path, url))
    updated = page_html("山上的茶园", [*WEB_TEXT, "补记：茶季结束了。"], url)
    site.pages["/tea.html"] = updated.encode()
    crawl(db_path, url, "--refresh")
    current = article(db_path, url)
    assert current["fetch_url"] == url and current["version"] == 3
    assert "补记" in current["body"]
    first, kept = versions(db_path, current["id"])
    assert (first["version"], first["fetch_url"]) == (1, url)
    assert (kept["version"], kept["replaced_by_run"]) == (2, None)  # the file: never current
