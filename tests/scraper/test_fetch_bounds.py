"""The Fetcher's bounds against hostile answers from a real server on 127.0.0.1: header
values, delays, waits, invalid URLs, unavailable robots.txt and the address policy."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator

import pytest
from server import TestServer, article_html
from test_fetch import fast

from scraper.errors import AddressRefused, FetchError, RobotsUnavailable
from scraper.fetch import Fetched, Fetcher, FetchSettings

# Whatever a test does, it must be over within this many seconds: nothing may hang.
DEADLINE = 10


def run(
    urls: list[str],
    settings: FetchSettings | None = None,
    trust: tuple[str, ...] = (),
    before: Callable[[Fetcher], None] | None = None,
) -> list[Fetched | BaseException]:
    """Fetch `urls` one after the other (outcomes in order), trusting `trust` first."""

    async def go() -> list[Fetched | BaseException]:
        async with Fetcher(settings or fast()) as fetcher:
            for url in trust:
                fetcher.trust(url)
            if before is not None:
                before(fetcher)
            outcomes: list[Fetched | BaseException] = []
            for url in urls:
                try:
                    outcomes.append(await fetcher.fetch(url))
                except Exception as exc:  # returned for the test to inspect
                    outcomes.append(exc)
            return outcomes

    async def bounded() -> list[Fetched | BaseException]:
        return await asyncio.wait_for(go(), DEADLINE)

    return asyncio.run(bounded())


def gaps(server: TestServer, paths: list[str]) -> list[float]:
    times = sorted(r.at for p in paths for r in server.requests_for(p))
    return [b - a for a, b in zip(times, times[1:], strict=False)]


# Retry-After and the waits before retries


@pytest.mark.parametrize("value", ["²", "-5", "1e9", "inf", "NaN", "12abc", "¹²", "", " "])
def test_a_retry_after_that_is_not_delta_seconds_or_a_date_means_backoff(
    server: TestServer, value: str
):
    url = server.sequence(
        "/busy.html", [(503, {"Retry-After": value}, b"later"), (200, {}, article_html(1))]
    )
    started = time.monotonic()
    (page,) = run([url], fast(max_wait=5))
    assert isinstance(page, Fetched), page
    assert page.status_code == 200
    assert time.monotonic() - started < 2


def test_a_retry_after_date_without_a_zone_is_read_as_utc_and_capped(server: TestServer):
    url = server.sequence(
        "/busy.html",
        [(503, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 -0000"}, b""), (200, {}, b"ok")],
    )
    started = time.monotonic()
    (page,) = run([url], fast(max_wait=0.3))
    assert isinstance(page, Fetched), page
    assert 0.25 <= time.monotonic() - started < 2
    first, second = server.requests_for("/busy.html")
    assert second.at - first.at >= 0.25


def test_the_waits_for_one_url_stop_at_max_wait_per_url(server: TestServer):
    url = server.sequence("/busy.html", [(503, {"Retry-After": "1"}, b"later")])
    started = time.monotonic()
    (error,) = run([url], fast(retries=10, max_wait=5, max_wait_per_url=1.5))
    elapsed = time.monotonic() - started
    assert isinstance(error, FetchError)
    assert "per URL" in str(error) and "503" in str(error), error
    assert server.hits["/busy.html"] == 2
    assert elapsed < 2.5


# delays between requests to a host


def test_a_huge_crawl_delay_is_capped_by_max_delay(server: TestServer):
    server.robots("User-agent: *\nCrawl-delay: 100000\n")
    urls = [server.page(f"/p{i}.html", article_html(i)) for i in range(2)]
    outcomes = run(urls, fast(max_delay=0.3))
    assert all(isinstance(o, Fetched) for o in outcomes), outcomes
    (gap,) = gaps(server, ["/p0.html", "/p1.html"])
    assert 0.25 <= gap < 2


@pytest.mark.parametrize(
    ("delay", "low", "high"),
    [(float("inf"), 0.25, 2), (1e12, 0.25, 2), (float("nan"), 0, 0.25), (-5.0, 0, 0.25)],
)
def test_a_source_delay_is_bounded(server: TestServer, delay: float, low: float, high: float):
    urls = [server.page(f"/p{i}.html", article_html(i)) for i in range(2)]
    outcomes = run(urls, fast(max_delay=0.3), before=lambda f: f.set_host_delay(urls[0], delay))
    assert all(isinstance(o, Fetched) for o in outcomes), outcomes
    (gap,) = gaps(server, ["/p0.html", "/p1.html"])
    assert low <= gap < high


# invalid URLs


INVALID = [
    "http://ｅｘａｍｐｌｅ．com/",
    "http://[::1",
    "http://127.0.0.1\x00/a.html",
    "http://127.0.0.1/a\x07.html",
    "http:///a.html",
    "http://:80/a.html",
    "ftp://127.0.0.1/a.html",
    "javascript:alert(1)",
    "http://127.0.0.1:99999/a.html",
    "",
]


@pytest.mark.parametrize("url", INVALID)
def test_an_invalid_url_is_a_fetch_error_for_that_url(url: str):
    (error,) = run([url], before=lambda f: f.set_host_delay(url, 1.0))
    assert type(error) is FetchError, repr(error)
    assert "not a URL that can be fetched" in str(error)


@pytest.mark.parametrize("location", ["http://[::1", "ftp://127.0.0.1/a.html", "http://a\tb/"])
def test_a_redirect_to_an_invalid_url_is_a_fetch_error(server: TestServer, location: str):
    url = server.redirect("/go.html", location)
    (error,) = run([url], fast(retries=1))
    assert type(error) is FetchError, repr(error)


# robots.txt that cannot be read


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but not listening: connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_robots_5xx_is_robots_unavailable_for_the_host_read_once(server: TestServer):
    server.sequence("/robots.txt", [(503, {}, b"down")])
    urls = [server.page(f"/p{i}.html", article_html(i)) for i in range(2)]
    outcomes = run(urls)
    for error in outcomes:
        assert isinstance(error, RobotsUnavailable), error
        assert error.host == f"127.0.0.1:{server.port}"
        assert str(error) == f"robots.txt unavailable at 127.0.0.1:{server.port} (HTTP 503)"
    assert server.hits["/robots.txt"] == 1
    assert server.hits["/p0.html"] + server.hits["/p1.html"] == 0


def test_robots_refused_connection_is_robots_unavailable(closed_port: int):
    url = f"http://127.0.0.1:{closed_port}/a.html"
    started = time.monotonic()
    (error,) = run([url])
    assert isinstance(error, RobotsUnavailable), repr(error)
    assert error.host == f"127.0.0.1:{closed_port}"
    assert "ConnectError" in str(error)
    assert time.monotonic() - started < 3


def test_robots_timeout_is_robots_unavailable(server: TestServer):
    server.slow("/robots.txt", 3)
    url = server.page("/a.html", article_html(1))
    (error,) = run([url], fast(timeout=0.3))
    assert isinstance(error, RobotsUnavailable), repr(error)
    assert server.hits["/a.html"] == 0


def test_robots_403_still_means_no_rules(server: TestServer):
    server.sequence("/robots.txt", [(403, {}, b"no")])
    url = server.page("/a.html", article_html(1))
    (page,) = run([url])
    assert isinstance(page, Fetched), page


# the address policy


def test_a_redirect_from_a_trusted_host_to_an_untrusted_loopback_name_is_refused(
    server: TestServer,
):
    server.page("/a.html", article_html(1))
    url = server.redirect("/go.html", f"http://localhost:{server.port}/a.html")
    (error,) = run([url], trust=(server.url("/"),))
    assert isinstance(error, AddressRefused), repr(error)
    assert "localhost" in str(error) and "127.0.0.1" in str(error)
    assert server.hits["/a.html"] == 0


def test_allow_private_lets_the_redirect_through(server: TestServer):
    server.page("/a.html", article_html(1))
    url = server.redirect("/go.html", f"http://localhost:{server.port}/a.html")
    (page,) = run([url], fast(allow_private=True), trust=(server.url("/"),))
    assert isinstance(page, Fetched), page
    assert page.final_url == f"http://localhost:{server.port}/a.html"


def test_an_untrusted_loopback_host_is_refused_before_its_robots_txt(server: TestServer):
    server.page("/a.html", article_html(1))
    urls = [f"http://localhost:{server.port}/a.html", f"http://127.0.0.2:{server.port}/a.html"]
    outcomes = run(urls, trust=(server.url("/"),))
    assert [type(o) for o in outcomes] == [AddressRefused, AddressRefused], outcomes
    assert "127.0.0.2" in str(outcomes[1])
    assert server.hits["/robots.txt"] == 0
    assert server.hits["/a.html"] == 0


def test_a_trusted_name_form_may_be_fetched(server: TestServer):
    url = server.page("/a.html", article_html(1))
    local = f"http://localhost:{server.port}/a.html"
    outcomes = run([url, local], trust=(url, "http://LOCALHOST:1/other"))
    assert all(isinstance(o, Fetched) for o in outcomes), outcomes


def test_without_trusted_hosts_a_redirect_to_another_loopback_host_is_refused(
    server: TestServer,
):
    server.page("/a.html", article_html(1))
    url = server.redirect("/go.html", f"http://localhost:{server.port}/a.html")
    same = server.redirect("/same.html", "/a.html")
    outcomes = run([url, same])
    assert isinstance(outcomes[0], AddressRefused), outcomes
    assert isinstance(outcomes[1], Fetched), outcomes
    assert server.hits["/a.html"] == 1
