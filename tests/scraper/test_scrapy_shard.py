"""Scrapy workers store into reprints shards (`scraper.scrapy_shard`): two scrapy-redis workers
sharing a local Redis crawl 2,000 pages of a server on 127.0.0.1 with no page fetched twice
and none lost, also when one is killed mid-way and started again (then the pages it had
fetched and not yet stored are fetched again, and stored once), and their merged shards equal
one `reprints crawl` of the same pages (checked after the kill, the harder case)."""

from __future__ import annotations

import random
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest
from server import ANTIBOT_TEXT, REPRINTS, TestServer, article_html, crawl, rows, stored_count

pytest.importorskip("scrapy_redis", reason="the Scrapy tests need reprints[scrapy]")
REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server (Debian's)")

SCRAPY = str(Path(sys.executable).with_name("scrapy"))
MODULE = str(Path(__file__).resolve().parents[2] / "scraper" / "scrapy_shard.py")
PAGES = 2000
IN_FLIGHT = 8  # CONCURRENT_REQUESTS: what a killed worker may have fetched and not stored
CONTENT = {
    "articles": "SELECT url, status, title, body, content_hash, snapshot FROM articles "
    "ORDER BY url",
    "snapshots": "SELECT sha256 FROM snapshots ORDER BY sha256",
    "fetches": "SELECT url, status_code, sha256, page_status FROM fetches ORDER BY url",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path):
    port = free_port()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def serve(server: TestServer, folder: Path) -> Path:
    """PAGES distinct article pages, a tenth of them listed in a feed, the rest by URL."""
    urls = []
    for n in range(PAGES):
        draw = random.Random(n)
        text = " ".join("".join(draw.choices(string.ascii_lowercase, k=6)) for _ in range(50))
        urls.append(server.page(f"/p/{n}.html", article_html(n, text)))
    feed_items = "".join(f"<item><link>{url}</link></item>" for url in urls[: PAGES // 10])
    feed = f"<rss version='2.0'><channel><title>t</title>{feed_items}</channel></rss>"
    server.xml("/feed.xml", feed.encode(), "application/rss+xml")
    listed = ", ".join(f'"{url}"' for url in urls[PAGES // 10 :])
    sources = folder / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "feed"\nfeed = "{server.url("/feed.xml")}"\n\n'
        f'[[source]]\nname = "pages"\nurls = [{listed}]\n',
        encoding="utf-8",
    )
    return sources


def worker(shard: Path, sources: Path, redis_url: str) -> list[str]:
    return [
        SCRAPY, "runspider", MODULE, "-a", f"sources={sources}", "-L", "WARNING",
        "-s", f"REPRINTS_DATABASE={shard}", "-s", "DOWNLOAD_DELAY=0",
        "-s", f"CONCURRENT_REQUESTS={IN_FLIGHT}", "-s", "ROBOTSTXT_OBEY=False",
        "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={IN_FLIGHT}",
        "-s", "SCHEDULER=scraper.scrapy_queue.ClaimingScheduler",
        "-s", "DUPEFILTER_CLASS=scrapy_redis.dupefilter.RFPDupeFilter",
        "-s", "SCHEDULER_PERSIST=True", "-s", f"REDIS_URL={redis_url}",
    ]  # fmt: skip


def run_workers(commands: list[list[str]], kill_first_at: int | None = None, shard=None):
    """Start the workers together; with `kill_first_at`, SIGKILL the first once its shard
    holds that many articles, then start it again; wait for all."""
    procs = [
        subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in commands
    ]
    if kill_first_at is not None:
        deadline = time.monotonic() + 120
        while stored_count(shard, "SELECT count(*) FROM articles") < kill_first_at:
            assert procs[0].poll() is None, "the worker ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait(timeout=10)
        procs[0] = subprocess.Popen(commands[0], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert b"Traceback" not in err, err.decode()[-2000:]


def page_hits(server: TestServer) -> dict[str, int]:
    return {path: n for path, n in server.hits.items() if path.startswith("/p/")}


def merged(tmp_path: Path, *shards: Path) -> Path:
    target = tmp_path / "merged.db"
    done = subprocess.run([REPRINTS, "merge", str(target), *map(str, shards)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return target


@pytest.mark.parametrize("killed", [False, True], ids=["both-run", "one-killed"])
def test_two_workers_share_one_queue_and_merge_into_one_crawl(
    server: TestServer, tmp_path: Path, redis_url: str, killed: bool
):
    sources = serve(server, tmp_path)
    shards = [tmp_path / "w1.db", tmp_path / "w2.db"]
    commands = [worker(shard, sources, redis_url) for shard in shards]
    run_workers(commands, PAGES // 4 if killed else None, shards[0])
    hits = page_hits(server)
    assert len(hits) == PAGES, "no URL lost"
    twice = [n for n in hits.values() if n > 1]
    if killed:  # what it had fetched and not yet stored, fetched again after the restart
        assert len(twice) <= IN_FLIGHT and max(twice, default=2) == 2
    else:
        assert twice == [], "no page fetched twice"
    fetches = [rows(shard, "SELECT url FROM fetches") for shard in shards]
    stored = [url for found in fetches for (url,) in found]
    assert len(stored) == len(set(stored)) == PAGES, "one stored fetch per page"
    counts = [rows(shard, "SELECT count(*) FROM articles")[0][0] for shard in shards]
    assert sum(counts) == PAGES and min(counts) > 0, "both workers took a share"
    if not killed:
        return
    single = tmp_path / "single.db"
    done = crawl(single, "--sources", str(sources), "--delay", "0", "--per-host", "8",
                 "--allow-private", "--ignore-robots", timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    together = merged(tmp_path, *shards)
    for name, sql in CONTENT.items():
        assert rows(together, sql) == rows(single, sql), name
    runs = rows(together, "SELECT command, status FROM runs WHERE command = 'scrapy'")
    assert ("scrapy", "ok") in runs


SPIDER = """
import scrapy

class Pages(scrapy.Spider):
    name = "pages"
    custom_settings = {
        "DOWNLOADER_MIDDLEWARES": {"scraper.scrapy_shard.ReprintsMiddleware": 50},
        "ITEM_PIPELINES": {"scraper.scrapy_shard.ReprintsPipeline": 300},
        "ROBOTSTXT_OBEY": False, "RETRY_ENABLED": False, "HTTPERROR_ALLOW_ALL": True,
    }

    async def start(self):
        for url in URLS:
            yield scrapy.Request(url)

    def parse(self, response):
        if response.url.endswith("/ok.html"):
            yield {"url": "http://127.0.0.1:1/elsewhere.html", "body": response.body + b" "}
"""


def test_any_spider_stores_like_a_crawl_with_the_middleware_and_pipeline(
    server: TestServer, tmp_path: Path
):
    urls = [
        server.page("/ok.html", article_html("ok")),
        server.page("/wall.html", f"<html><body><p>{ANTIBOT_TEXT}</p></body></html>".encode()),
        server.url("/missing.html"),
    ]
    spider = tmp_path / "pages.py"
    spider.write_text(f"URLS = {urls!r}\n{SPIDER}", encoding="utf-8")
    shard = tmp_path / "shard.db"
    done = subprocess.run(
        [SCRAPY, "runspider", str(spider), "-L", "WARNING", "-s", f"REPRINTS_DATABASE={shard}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    statuses = dict(rows(shard, "SELECT url, page_status FROM fetches"))
    assert statuses[urls[1]] == "blocked" and statuses[urls[2]] is None
    errors = rows(shard, "SELECT error FROM fetches WHERE url = ?", [urls[2]])
    assert errors == [("HTTP 404",)]
    articles = {url for (url,) in rows(shard, "SELECT url FROM articles")}
    assert articles == {urls[0], "http://127.0.0.1:1/elsewhere.html"}, "never a blocked page"
    (run,) = rows(shard, "SELECT command, status, fetched, new, blocked, failed FROM runs")
    assert run == ("scrapy", "partial", 4, 2, 1, 1), "three responses and one item"
