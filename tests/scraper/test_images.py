"""Archiving the images of stored articles from a real server on 127.0.0.1: the referer,
one fetch per URL and one file per SHA-256, the size caps, failures recorded and retried,
private addresses refused, and a run killed mid-way resumed by the next."""

from __future__ import annotations

import json
import sqlite3
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from server import FAST, REPRINTS, Handler, TestServer, kill_when_counted

import db
from scraper.fetch import FetchSettings
from scraper.images import IMAGE_REFERERS, WECHAT_REFERER, ImageArchive, ImageSettings, referer_for

LOCAL = [*FAST, "--allow-private"]


def png(seed: int, size: int = 0) -> bytes:
    """A valid PNG whose pixels depend on `seed`, padded to about `size` bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, seed % 256, (seed * 7) % 256, 40]))
    padding = chunk(b"tEXt", b"x" * max(0, size - 60)) if size else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + padding
        + chunk(b"IDAT", pixels)
        + (chunk(b"IEND", b""))
    )


def page_with_images(title: str, sources: list[str]) -> bytes:
    """An article page with lazy WeChat-style images (`data-src`) between its paragraphs."""
    text = "the quick brown fox jumps over the lazy dog near the river bank, and stays"
    images = "".join(
        f'<p><img data-src="{src}" alt="figure {i}"></p>' for i, src in enumerate(sources)
    )
    paragraphs = [f"<p>Paragraph {i} of {title}: {text}.</p>" for i in range(5)]
    paragraphs.insert(2, images)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{''.join(paragraphs)}</article></body></html>"
    ).encode()


def image_route(server: TestServer, path: str, body: bytes, referer: str | None = None) -> str:
    """Serve `body` as a PNG at `path`; with `referer`, answer 403 to any other Referer."""

    def serve(h: Handler) -> None:
        if referer is not None and h.headers.get("Referer") != referer:
            h.respond(403, b"hotlinking refused", "text/plain")
        else:
            h.respond(200, body, "image/png")

    return server.route(path, serve)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([REPRINTS, *args], capture_output=True, text=True, timeout=120)


def rows(path: Path, sql: str, values: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(str(path), timeout=10)
    try:
        return conn.execute(sql, values).fetchall()
    finally:
        conn.close()


def states(path: Path) -> dict[str, str]:
    return dict(rows(path, "SELECT url, state FROM article_images ORDER BY url"))


def test_images_are_fetched_with_the_referer_once_per_url_and_stored_once(
    server: TestServer, db_path: Path
):
    first, second = server.url("/a.html"), server.url("/b.html")
    shared = image_route(server, "/img/shared.png", png(1), referer=first)
    copy = image_route(server, "/img/copy.png", png(1))  # the same bytes at another URL
    own = image_route(server, "/img/own.png", png(2), referer=second)
    server.page("/a.html", page_with_images("Alpha", [shared, copy]))
    server.page("/b.html", page_with_images("Beta", [own, shared]))

    done = run("crawl", str(db_path), first, second, "--images", *LOCAL)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert set(states(db_path).values()) == {"stored"}
    assert rows(db_path, "SELECT count(*) FROM article_images") == [(4,)]
    assert rows(db_path, "SELECT count(*) FROM image_files") == [(2,)], "one file per SHA-256"
    assert server.hits["/img/shared.png"] == 1, "one fetch per URL, for both articles"
    positions = rows(
        db_path,
        "SELECT a.title, ai.position, ai.url FROM article_images ai JOIN articles a "
        "ON a.id = ai.article_id ORDER BY a.title, ai.position",
    )
    assert positions == [
        ("Alpha", 0, shared),
        ("Alpha", 1, copy),
        ("Beta", 0, own),
        ("Beta", 1, shared),
    ]
    referers = dict(rows(db_path, "SELECT url, referer FROM image_fetches"))
    assert referers[own] == second
    stored = rows(
        db_path,
        "SELECT content_type, content FROM image_files WHERE sha256 = "
        "(SELECT sha256 FROM article_images WHERE url = ?)",
        (own,),
    )
    assert stored == [("image/png", png(2))]
    commands = rows(db_path, "SELECT command, status FROM runs ORDER BY id")
    assert commands == [("crawl", "ok"), ("images", "ok")]

    again = run("images", str(db_path), *LOCAL)
    assert again.returncode == 0 and again.stderr == ""
    assert server.hits["/img/shared.png"] == 1 and server.hits["/img/own.png"] == 1


def test_a_hosts_own_referer_is_sent_for_its_images(server: TestServer, db_path: Path):
    wechat_only = image_route(server, "/mmbiz/1.png", png(3), referer=WECHAT_REFERER)
    server.page("/w.html", page_with_images("Gamma", [wechat_only]))
    assert run("crawl", str(db_path), server.url("/w.html"), *LOCAL).returncode == 0
    store = db.open_database(db_path)
    run_id = db.start_run(store, "images", [])
    settings = ImageSettings(referers={"127.0.0.1": WECHAT_REFERER})
    result = ImageArchive(store, run_id, FetchSettings(delay=0, allow_private=True), settings)
    assert result.run_sync().counts["new"] == 1
    assert states(db_path) == {wechat_only: "stored"}
    assert server.requests_for("/mmbiz/1.png")[0].headers["referer"] == WECHAT_REFERER


def test_wechat_cdn_hosts_get_the_wechat_referer():
    page = "https://www.example.org/2026/05/article.html"
    assert referer_for(
        "https://mmbiz.qpic.cn/mmbiz_png/x/640?wx_fmt=png", page, IMAGE_REFERERS
    ) == (WECHAT_REFERER)
    assert referer_for("http://wx.qlogo.cn/mmhead/x/0", page, IMAGE_REFERERS) == WECHAT_REFERER
    assert referer_for("https://img.example.org/a.png", page, IMAGE_REFERERS) == page
    assert referer_for("https://notqpic.cn/a.png", page, IMAGE_REFERERS) == page
    assert (
        referer_for("https://img.example.org/a.png", "file:///tmp/a.html", IMAGE_REFERERS) is None
    )


def test_failures_are_recorded_capped_and_retried_only_when_they_may_pass(
    server: TestServer, db_path: Path
):
    good = image_route(server, "/img/good.png", png(4))
    large = image_route(server, "/img/large.png", png(5, size=50_000))
    missing = server.url("/img/missing.png")
    flaky = server.sequence("/img/flaky.png", [(503, {}, b"busy")])
    html = server.page("/img/page.png", b"<html><body>not an image</body></html>")
    server.page("/f.html", page_with_images("Delta", [good, large, missing, flaky, html]))
    assert run("crawl", str(db_path), server.url("/f.html"), *LOCAL).returncode == 0

    first = run("images", str(db_path), *LOCAL, "--max-image-bytes", "20000")
    assert first.returncode == 1
    assert "4 of 5 images not stored" in first.stderr and "Traceback" not in first.stderr
    assert states(db_path) == {
        good: "stored", large: "unavailable", missing: "unavailable", flaky: "failed",
        html: "unavailable",
    }  # fmt: skip
    errors = dict(rows(db_path, "SELECT url, error FROM article_images"))
    assert "20000 byte limit" in errors[large]
    assert errors[missing] == "HTTP 404" and "not an image" in errors[html]
    assert rows(db_path, "SELECT status, failed, new FROM runs WHERE command = 'images'") == [
        ("partial", 4, 1)
    ]
    assert rows(db_path, "SELECT count(*) FROM image_fetches") == [(5,)], "a fetch row for each"

    hits = dict(server.hits)
    run("images", str(db_path), *LOCAL, "--max-image-bytes", "20000")
    assert server.hits["/img/flaky.png"] > hits["/img/flaky.png"], "a transient failure is retried"
    for path in ("/img/good.png", "/img/large.png", "/img/missing.png", "/img/page.png"):
        assert server.hits[path] == hits[path], f"{path} was fetched again"
    run("images", str(db_path), *LOCAL)
    assert states(db_path)[flaky] == "unavailable", "three runs give up on it"
    assert rows(db_path, "SELECT attempts FROM article_images WHERE url = ?", (flaky,)) == [(3,)]

    retried = run("images", str(db_path), *LOCAL, "--retry")
    assert retried.returncode == 1
    assert states(db_path)[large] == "stored", "--retry fetches the unavailable ones again"


def test_images_at_private_addresses_are_refused_unless_allowed(server: TestServer, db_path: Path):
    inside = image_route(server, "/img/inside.png", png(6))
    server.page("/p.html", page_with_images("Epsilon", [inside]))
    assert run("crawl", str(db_path), server.url("/p.html"), *FAST).returncode == 0
    refused = run("images", str(db_path), *FAST)
    assert refused.returncode == 1
    assert server.hits["/img/inside.png"] == 0
    assert "not a public address" in rows(db_path, "SELECT error FROM article_images")[0][0]


def test_the_total_cap_leaves_the_rest_for_the_next_run(server: TestServer, db_path: Path):
    sources = [image_route(server, f"/img/{i}.png", png(10 + i, size=4_000)) for i in range(6)]
    server.page("/t.html", page_with_images("Zeta", sources))
    assert run("crawl", str(db_path), server.url("/t.html"), *LOCAL).returncode == 0
    capped = run("images", str(db_path), *LOCAL, "--concurrency", "1", "--max-total-bytes", "9000")
    assert capped.returncode == 0, capped.stderr
    left = [url for url, state in states(db_path).items() if state == "pending"]
    assert len(left) == 3
    skipped = rows(db_path, "SELECT skipped FROM runs WHERE command = 'images'")
    assert skipped == [(3,)]
    assert run("images", str(db_path), *LOCAL).returncode == 0
    assert set(states(db_path).values()) == {"stored"}


def test_a_new_article_version_reuses_the_stored_images(server: TestServer, db_path: Path):
    picture = image_route(server, "/img/kept.png", png(7))
    server.page("/v.html", page_with_images("Eta", [picture]))
    url = server.url("/v.html")
    assert run("crawl", str(db_path), url, "--images", *LOCAL).returncode == 0
    server.page("/v.html", page_with_images("Eta, revised", [picture]))
    assert run("crawl", str(db_path), url, "--refresh", "--images", *LOCAL).returncode == 0
    assert rows(db_path, "SELECT version, state FROM article_images ORDER BY version") == [
        (1, "stored"),
        (2, "stored"),
    ]
    assert server.hits["/img/kept.png"] == 1
    store = db.open_database(db_path)
    archived = db.archived_images(store, 1, 2)
    assert [(i.position, i.url, i.content_type) for i in archived] == [(0, picture, "image/png")]


@pytest.mark.parametrize("count", [80])
def test_a_run_killed_mid_way_is_resumed_by_the_next(server: TestServer, db_path: Path, count: int):
    sources = [image_route(server, f"/img/k{i}.png", png(100 + i)) for i in range(count)]
    for n in range(4):
        server.page(f"/k{n}.html", page_with_images(f"Kill {n}", sources[n::4]))
    urls = [server.url(f"/k{n}.html") for n in range(4)]
    assert run("crawl", str(db_path), *urls, *LOCAL).returncode == 0
    server.delay = 0.03
    args = [REPRINTS, "images", str(db_path), *LOCAL, "--concurrency", "2"]
    stored_sql = "SELECT count(*) FROM article_images WHERE state = 'stored'"
    kill_when_counted(args, db_path, stored_sql, 10, 20)
    stored = rows(db_path, stored_sql)[0][0]
    assert 10 <= stored < count, "the run was not killed mid-way"
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db_path, "PRAGMA foreign_key_check") == []
    assert rows(
        db_path,
        "SELECT count(*) FROM article_images ai JOIN image_files f ON f.sha256 = ai.sha256 "
        "JOIN image_fetches x ON x.id = ai.fetch_id AND x.sha256 = f.sha256 "
        "WHERE ai.state = 'stored'",
    ) == [(stored,)], "each stored image has its file and its fetch"
    kept = [url for url, state in states(db_path).items() if state == "stored"]
    before = {url: server.hits[url.split(str(server.port))[1]] for url in kept}

    server.delay = 0
    resumed = run("images", str(db_path), *LOCAL)
    assert resumed.returncode == 0, resumed.stderr
    assert set(states(db_path).values()) == {"stored"}
    assert rows(db_path, "SELECT count(*) FROM image_files") == [(count,)]
    refetched = [
        u for u, hits in before.items() if server.hits[u.split(str(server.port))[1]] > hits
    ]
    assert refetched == [], "images stored before the kill were fetched again"
    runs = rows(db_path, "SELECT status FROM runs WHERE command = 'images' ORDER BY id")
    assert runs == [("interrupted",), ("ok",)]
    summary = json.loads(rows(db_path, "SELECT arguments FROM runs ORDER BY id DESC")[0][0])
    assert "allow_private=True" in summary
