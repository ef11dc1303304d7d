"""The Fetcher against a real server on 127.0.0.1: limits, delays, robots.txt, retries,
conditional requests and the size limit."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest
from server import GBK_TEXT, TestServer, article_html, page_file

from scraper.errors import FetchError, ResponseTooLarge, RobotsDisallowed, RobotsUnavailable
from scraper.fetch import Fetched, Fetcher, FetchSettings


def fast(**changes: object) -> FetchSettings:
    options: dict[str, object] = {
        "delay": 0.0,
        "timeout": 1.0,
        "retries": 2,
        "backoff": 0.05,
        "max_bytes": 1_000_000,
    }
    options.update(changes)
    return FetchSettings(**options)  # type: ignore[arg-type]


def fetch(url: str, settings: FetchSettings | None = None, **kwargs: str | None) -> Fetched:
    async def go() -> Fetched:
        async with Fetcher(settings or fast()) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(go())


def fetch_all(urls: list[str], settings: FetchSettings) -> list[Fetched | BaseException]:
    async def go() -> list[Fetched | BaseException]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls), return_exceptions=True)

    return asyncio.run(go())


def timed(call, *args, **kwargs):
    started = time.monotonic()
    try:
        return call(*args, **kwargs), time.monotonic() - started
    except Exception as exc:  # returned for the test to inspect
        return exc, time.monotonic() - started


# plain pages, headers, conditional requests


def test_page_is_fetched_with_its_validators_and_a_reprints_user_agent(server: TestServer):
    url = server.page("/a.html", article_html(1))
    page = fetch(url)
    assert page.status_code == 200
    assert page.content == article_html(1)
    assert page.headers["etag"].startswith('"')
    assert page.headers["last-modified"].endswith("GMT")
    assert not page.not_modified
    (request,) = server.requests_for("/a.html")
    assert "reprints" in request.headers["user-agent"].lower()
    assert "if-none-match" not in request.headers
    assert "if-modified-since" not in request.headers


def test_conditional_request_with_etag_gets_304(server: TestServer):
    url = server.page("/a.html", article_html(1))
    first = fetch(url)
    again = fetch(url, etag=first.headers["etag"], last_modified=first.headers["last-modified"])
    assert again.status_code == 304
    assert again.not_modified
    assert again.content == b""
    request = server.requests_for("/a.html")[-1]
    assert request.headers["if-none-match"] == first.headers["etag"]
    assert request.headers["if-modified-since"] == first.headers["last-modified"]


def test_conditional_request_with_last_modified_only(server: TestServer):
    url = server.page("/a.html", article_html(1))
    first = fetch(url)
    again = fetch(url, last_modified=first.headers["last-modified"])
    assert again.not_modified
    assert "if-none-match" not in server.requests_for("/a.html")[-1].headers


def test_changed_page_answers_200_to_the_old_etag(server: TestServer):
    url = server.page("/a.html", article_html(1))
    first = fetch(url)
    server.page("/a.html", article_html("1 revised"))
    again = fetch(url, etag=first.headers["etag"])
    assert again.status_code == 200
    assert again.content == article_html("1 revised")


def test_bytes_come_back_undecoded(server: TestServer):
    raw = page_file("mirror_gbk_nocharset.html")
    url = server.page("/gbk.html", raw, content_type="text/html")
    page = fetch(url)
    assert page.content == raw
    assert GBK_TEXT.encode("gbk") in page.content


def test_gzip_content_encoding_is_decoded(server: TestServer):
    body = article_html("zipped")
    server.route(
        "/zipped.html",
        lambda h: h.respond(200, gzip.compress(body), headers={"Content-Encoding": "gzip"}),
    )
    assert fetch(server.url("/zipped.html")).content == body


def test_redirect_is_followed(server: TestServer):
    server.page("/new.html", article_html("new"))
    url = server.redirect("/old.html", "/new.html", status=301)
    page = fetch(url)
    assert page.status_code == 200
    assert page.final_url == server.url("/new.html")
    assert page.url == url


# retries


def test_429_is_retried_after_retry_after_seconds(server: TestServer):
    url = server.sequence(
        "/busy.html",
        [(429, {"Retry-After": "1"}, b"slow down"), (200, {}, article_html("busy"))],
    )
    page, _ = timed(fetch, url)  # backoff is 0.05 s: only Retry-After explains a 1 s wait
    assert isinstance(page, Fetched), page
    assert page.status_code == 200
    first, second = server.requests_for("/busy.html")
    assert second.at - first.at >= 0.9


def test_retry_after_is_capped_by_max_wait(server: TestServer):
    url = server.sequence("/busy.html", [(429, {"Retry-After": "3600"}, b"go away")])
    error, elapsed = timed(fetch, url, fast(retries=1, max_wait=0.2))
    assert isinstance(error, FetchError)
    assert "429" in str(error)
    assert elapsed < 3
    assert server.hits["/busy.html"] == 2


def test_retry_after_as_http_date(server: TestServer):
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 2))
    url = server.sequence(
        "/busy.html", [(503, {"Retry-After": when}, b"later"), (200, {}, article_html(1))]
    )
    page = fetch(url)
    assert page.status_code == 200
    first, second = server.requests_for("/busy.html")
    assert second.at - first.at >= 0.5


def test_500_then_200(server: TestServer):
    url = server.sequence("/flaky.html", [(500, {}, b"oops"), (200, {}, article_html(2))])
    page = fetch(url)
    assert page.status_code == 200
    assert page.content == article_html(2)
    assert server.hits["/flaky.html"] == 2


def test_500_every_time_fails_after_the_retries(server: TestServer):
    url = server.sequence("/broken.html", [(500, {}, b"oops")])
    with pytest.raises(FetchError, match="500"):
        fetch(url, fast(retries=2))
    assert server.hits["/broken.html"] == 3


def test_404_is_not_retried(server: TestServer):
    page = fetch(server.url("/missing.html"))
    assert page.status_code == 404
    assert server.hits["/missing.html"] == 1


def test_timeout(server: TestServer):
    url = server.slow("/slow.html", 3)
    error, elapsed = timed(fetch, url, fast(timeout=0.5, retries=1))
    assert isinstance(error, FetchError)
    assert "Timeout" in str(error)
    assert elapsed < 2.5
    assert server.hits["/slow.html"] == 2


def test_timeout_bounds_a_body_that_trickles_in(server: TestServer):
    """A server that sends one byte every 0.25 s must not hold a fetch for long: the
    timeout bounds the whole response, not only each read."""
    url = server.drip("/drip.txt", size=16, interval=0.25)
    error, elapsed = timed(fetch, url, fast(timeout=1, retries=0))
    assert elapsed < 2.5, f"a trickling body held the fetch for {elapsed:.1f} s"
    assert isinstance(error, FetchError)


def test_connection_reset(server: TestServer):
    url = server.reset("/reset.html")
    with pytest.raises(FetchError) as info:
        fetch(url, fast(retries=1))
    assert not isinstance(info.value, ResponseTooLarge)
    assert server.hits["/reset.html"] == 2


def test_truncated_body(server: TestServer):
    url = server.truncated("/cut.html")
    with pytest.raises(FetchError, match="(?i)incomplete|peer closed|protocol"):
        fetch(url, fast(retries=1))
    assert server.hits["/cut.html"] == 2


# size limits


def test_too_large_with_content_length_is_refused_without_retry(server: TestServer):
    url = server.large("/big.html", 3_000_000)
    with pytest.raises(ResponseTooLarge, match="limit"):
        fetch(url, fast(max_bytes=1_000_000))
    assert server.hits["/big.html"] == 1


def test_too_large_without_content_length_is_refused_while_streaming(server: TestServer):
    url = server.large("/big.html", 3_000_000, content_length=False)
    with pytest.raises(ResponseTooLarge, match="limit"):
        fetch(url, fast(max_bytes=1_000_000))
    assert server.hits["/big.html"] == 1


def test_body_at_the_limit_is_accepted(server: TestServer):
    url = server.large("/exact.html", 200_000, content_length=False)
    assert len(fetch(url, fast(max_bytes=200_000)).content) == 200_000


def test_gzip_bomb_is_refused(server: TestServer, gzip_bomb: bytes):
    url = server.gzip_bomb("/bomb.html", gzip_bomb)
    error, elapsed = timed(fetch, url, fast(max_bytes=1_000_000))
    assert isinstance(error, ResponseTooLarge), error
    assert "decoded" in str(error)
    assert elapsed < 5
    assert server.hits["/bomb.html"] == 1


def test_redirect_loop_fails_quickly(server: TestServer):
    server.redirect("/loop/a", "/loop/b")
    url = server.redirect("/loop/b", "/loop/a")
    with pytest.raises(FetchError, match="redirect"):
        fetch(url, fast(max_redirects=5))
    assert server.hits["/loop/a"] + server.hits["/loop/b"] <= 6


# robots.txt


def test_robots_disallowed_path_is_never_requested(server: TestServer):
    server.robots("User-agent: *\nDisallow: /private/\n")
    server.page("/private/secret.html", article_html("secret"))
    url = server.page("/public.html", article_html("public"))
    with pytest.raises(RobotsDisallowed):
        fetch(server.url("/private/secret.html"))
    assert fetch(url).status_code == 200
    assert server.hits["/private/secret.html"] == 0


def test_robots_is_obeyed_by_requests_made_while_it_loads(server: TestServer):
    """Concurrent first requests to a host must wait for its robots.txt, not slip past."""
    server.robots("User-agent: *\nDisallow: /private/\n")
    urls = [server.page(f"/private/{i}.html", article_html(i)) for i in range(3)]
    urls.append(server.page("/public.html", article_html("public")))
    results = fetch_all(urls, fast())
    assert [type(r).__name__ for r in results] == ["RobotsDisallowed"] * 3 + ["Fetched"]
    assert sum(server.hits[f"/private/{i}.html"] for i in range(3)) == 0


def test_robots_is_read_once_per_host(server: TestServer):
    server.robots("User-agent: *\nDisallow: /private/\n")
    urls = [server.page(f"/p{i}.html", article_html(i)) for i in range(4)]
    results = fetch_all(urls, fast())
    assert all(isinstance(r, Fetched) for r in results), results
    assert server.hits["/robots.txt"] == 1


def test_robots_group_for_reprints_applies(server: TestServer):
    server.robots("User-agent: reprints\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    url = server.page("/a.html", article_html(1))
    with pytest.raises(RobotsDisallowed):
        fetch(url)
    assert server.hits["/a.html"] == 0


def test_robots_404_allows_everything(server: TestServer):
    url = server.page("/a.html", article_html(1))
    assert fetch(url).status_code == 200
    assert server.hits["/robots.txt"] == 1


def test_robots_5xx_disallows_everything_and_says_robots_is_unavailable(server: TestServer):
    server.sequence("/robots.txt", [(503, {}, b"down")])
    url = server.page("/a.html", article_html(1))
    with pytest.raises(RobotsUnavailable, match="robots.txt unavailable"):
        fetch(url)
    assert server.hits["/a.html"] == 0


def test_ignore_robots_does_not_ask(server: TestServer):
    server.robots("User-agent: *\nDisallow: /\n")
    url = server.page("/a.html", article_html(1))
    assert fetch(url, fast(obey_robots=False)).status_code == 200
    assert server.hits["/robots.txt"] == 0


def test_robots_longest_match_wins(server: TestServer):
    """RFC 9309 2.2.2: the most specific (longest) matching rule wins, whatever its place
    in the group; an Allow for a page inside a disallowed folder lets the page through."""
    server.robots("User-agent: *\nDisallow: /private/\nAllow: /private/open.html\n")
    url = server.page("/private/open.html", article_html("open"))
    server.page("/private/closed.html", article_html("closed"))
    with pytest.raises(RobotsDisallowed):
        fetch(server.url("/private/closed.html"))
    assert fetch(url).status_code == 200


def test_robots_wildcards(server: TestServer):
    """RFC 9309 2.2.3: `*` matches any characters and `$` anchors the end of the path."""
    server.robots("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*/print/\n")
    server.page("/doc/file.pdf", b"%PDF", content_type="application/pdf")
    server.page("/news/print/1.html", article_html("print"))
    url = server.page("/doc/file.pdf.html", article_html("pdf page"))
    with pytest.raises(RobotsDisallowed):
        fetch(server.url("/doc/file.pdf"))
    with pytest.raises(RobotsDisallowed):
        fetch(server.url("/news/print/1.html"))
    assert fetch(url).status_code == 200
    assert server.hits["/doc/file.pdf"] == 0
    assert server.hits["/news/print/1.html"] == 0


def fetch_in_turn(urls: list[str], settings: FetchSettings) -> list[Fetched]:
    async def go() -> list[Fetched]:
        async with Fetcher(settings) as fetcher:
            return [await fetcher.fetch(u) for u in urls]

    return asyncio.run(go())


def test_robots_crawl_delay_spaces_requests(server: TestServer):
    server.robots("User-agent: *\nCrawl-delay: 1\n")
    urls = [server.page(f"/p{i}.html", article_html(i)) for i in range(2)]
    fetch_in_turn(urls, fast())
    first, second = sorted(r.at for p in ("/p0.html", "/p1.html") for r in server.requests_for(p))
    assert second - first >= 0.9


# politeness


def test_delay_between_requests_to_one_host(server: TestServer):
    urls = [server.page(f"/p{i}.html", article_html(i)) for i in range(3)]
    results = fetch_all(urls, fast(delay=0.3, per_host=4))
    assert all(isinstance(r, Fetched) for r in results), results
    times = sorted(r.at for i in range(3) for r in server.requests_for(f"/p{i}.html"))
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.25, gaps


def test_per_host_limit(server: TestServer):
    urls = [server.slow(f"/s{i}.html", 0.3) for i in range(6)]
    results = fetch_all(urls, fast(per_host=2, concurrency=8))
    assert all(isinstance(r, Fetched) for r in results), results
    assert server.max_in_flight == 2


def test_global_concurrency_limit(server: TestServer):
    urls = [server.slow(f"/s{i}.html", 0.3) for i in range(4)]
    results = fetch_all(urls, fast(per_host=8, concurrency=1))
    assert all(isinstance(r, Fetched) for r in results), results
    assert server.max_in_flight == 1
