"""The ready Scrapy spider is as polite as `reprints crawl`: robots.txt's Crawl-delay (which
Scrapy itself ignores) and a source's `delay` space the requests to their host, and no gap is
shorter than the delay (Scrapy's own delay varies by ±50% unless told not to)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from server import TestServer, article_html

pytest.importorskip("scrapy", reason="the Scrapy tests need reprints[scrapy]")

SCRAPY = str(Path(sys.executable).with_name("scrapy"))
MODULE = str(Path(__file__).resolve().parents[2] / "scraper" / "scrapy_shard.py")
PAGES = 7


def crawl_with_scrapy(server: TestServer, tmp_path: Path, delay: float, source: str = "") -> None:
    """The spider over PAGES pages named by one source, with DOWNLOAD_DELAY `delay`."""
    urls = ", ".join(f'"{server.page(f"/p/{n}.html", article_html(n))}"' for n in range(PAGES))
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "pages"\nurls = [{urls}]\n{source}', encoding="utf-8")
    done = subprocess.run(
        [SCRAPY, "runspider", MODULE, "-a", f"sources={sources}", "-L", "WARNING",
         "-s", f"REPRINTS_DATABASE={tmp_path / 'shard.db'}", "-s", f"DOWNLOAD_DELAY={delay}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]


def gaps(server: TestServer) -> list[float]:
    """Seconds between the page requests the server received, in order."""
    times = sorted(r.at for n in range(PAGES) for r in server.requests_for(f"/p/{n}.html"))
    assert len(times) == PAGES, "each page fetched once"
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


def test_robots_crawl_delay_spaces_the_requests(server: TestServer, tmp_path: Path):
    server.robots("User-agent: *\nCrawl-delay: 0.5\n")
    crawl_with_scrapy(server, tmp_path, delay=0)
    assert min(gaps(server)) >= 0.45, gaps(server)


def test_a_sources_delay_spaces_the_requests_to_its_host(server: TestServer, tmp_path: Path):
    crawl_with_scrapy(server, tmp_path, delay=0, source="delay = 0.5\n")
    assert min(gaps(server)) >= 0.45, gaps(server)


def test_no_gap_is_shorter_than_the_download_delay(server: TestServer, tmp_path: Path):
    crawl_with_scrapy(server, tmp_path, delay=0.4)
    assert min(gaps(server)) >= 0.35, gaps(server)
