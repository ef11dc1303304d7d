"""Polite, bounded asynchronous fetching: concurrency limits, per-host delays, robots.txt,
retries, conditional requests, a size limit read as a stream, and an address policy."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import math
import time
from dataclasses import dataclass, field
from importlib import metadata
from urllib.parse import urlsplit

import httpx
from protego import Protego

from .addresses import non_public_addresses
from .errors import (
    AddressRefused,
    FetchError,
    ResponseTooLarge,
    RobotsDisallowed,
    RobotsUnavailable,
)

RETRY_STATUSES = {429, 500, 502, 503, 504}
# A response must be complete within this many timeouts, however slowly it trickles in.
TOTAL_TIMEOUTS = 2
WECHAT_HOSTS = ("mp.weixin.qq.com",)
SCHEMES = ("http", "https")
DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
# The request extension that carries the host a call to `fetch` was given.
NAMED = "reprints_named_host"
WECHAT_HEADERS = {
    "Referer": "https://mp.weixin.qq.com/",
    "Accept-Language": "zh-CN,zh;q=0.9",
}


def _user_agent() -> str:
    try:
        version = metadata.version("reprints")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"reprints/{version} (article archiver; python-httpx)"


@dataclass(frozen=True)
class FetchSettings:
    """How politely to fetch, and the bounds that keep one host or URL from holding a run.

    Every wait is bounded: a delay between requests to a host by `max_delay`, one wait
    before a retry by `max_wait`, all the waits for one URL by `max_wait_per_url`, and one
    attempt (redirects included) by `TOTAL_TIMEOUTS` times `timeout`.
    """

    user_agent: str = field(default_factory=_user_agent)
    # Requests in flight at once, over all hosts and to one host (host and port).
    concurrency: int = 8
    per_host: int = 2
    # Seconds between requests to one host, at least; Crawl-delay or a source's delay may
    # raise it, up to `max_delay`.
    delay: float = 1.0
    # Seconds of silence allowed while connecting or reading; one attempt ends after
    # `TOTAL_TIMEOUTS` times this, however slowly its answer trickles in.
    timeout: float = 20.0
    # Bytes of (decoded) body, at most.
    max_bytes: int = 32 * 1024 * 1024
    max_redirects: int = 5
    # Retries after a connection error, a timeout, 429 or 5xx.
    retries: int = 3
    # Seconds before the first retry, doubling for each next one, unless Retry-After
    # (delta-seconds in ASCII digits, or an HTTP-date) says otherwise.
    backoff: float = 1.0
    # Seconds of one wait before a retry, at most (Retry-After or backoff).
    max_wait: float = 120.0
    obey_robots: bool = True
    # Seconds of any delay between requests to a host, at most (Crawl-delay, a source's
    # delay); an infinite delay counts as this, a negative or NaN one as none.
    max_delay: float = 60.0
    # Seconds of all the waits before retries of one URL, at most: a retry whose wait would
    # go past this is not made, and the URL fails saying so.
    max_wait_per_url: float = 300.0
    # Let any URL reach loopback, private, link-local, multicast and reserved addresses;
    # otherwise only hosts passed to `Fetcher.trust` may (see `Fetcher.trust`).
    allow_private: bool = False


@dataclass(frozen=True)
class Fetched:
    """One response: where it ended up, its status, headers (names in lower case) and body,
    and when it arrived (UTC, to the second)."""

    url: str
    final_url: str
    status_code: int
    headers: dict[str, str]
    content: bytes
    fetched_at: str
    elapsed_ms: int

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304


@dataclass
class _Host:
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0
    delay: float = 0.0
    robots: Protego | None = None
    robots_problem: str | None = None
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_loaded: bool = False


class Fetcher:
    """Fetch URLs over one HTTP client, politely; use as `async with Fetcher(settings) as f`."""

    def __init__(self, settings: FetchSettings | None = None, trust_given: bool = True) -> None:
        """`trust_given=False` takes no URL given to `fetch` as named by the user: with no host
        trusted, every host must then be public (for URLs found in stored pages)."""
        self.settings = settings or FetchSettings()
        self._trust_given = trust_given
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self._hosts: dict[str, _Host] = {}
        self._trusted: set[str] = set()
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            headers={"User-Agent": s.user_agent},
            timeout=httpx.Timeout(s.timeout),
            follow_redirects=True,
            max_redirects=s.max_redirects,
            limits=httpx.Limits(max_connections=s.concurrency),
            event_hooks={"request": [self._check_address]},
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def trust(self, url: str) -> None:
        """Mark the host of `url` as named by the user: it may be fetched whatever address it
        has, and so may links found on it (see `FetchSettings.allow_private`).

        Once any host is trusted, every other host, whether reached by a URL given to `fetch`
        or by a redirect, must resolve to public addresses only. A Fetcher that trusts no host
        takes each URL given to `fetch` as named, and checks only redirects to other hosts.
        """
        try:
            host = httpx.URL(url).host
        except (httpx.InvalidURL, TypeError):
            return
        if host:
            self._trusted.add(host)

    def set_host_delay(self, url: str, delay: float) -> None:
        """Use a different delay between requests to the host of `url`, up to `max_delay`;
        an invalid URL is left for `fetch` to report."""
        if _valid(url) is not None:
            self._host(url).delay = self._bounded(delay)

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Fetched:
        """GET `url`, with `headers` besides the usual; a 304 comes back as a `Fetched` with
        `not_modified`.

        Raises `FetchError` for a URL that cannot be fetched (invalid, no such host, too many
        redirects, retries or waiting spent), or one of its kinds: `RobotsDisallowed`,
        `RobotsUnavailable`, `AddressRefused`, `ResponseTooLarge`.
        """
        target = _valid(url)
        if target is None:
            raise FetchError(f"{url!r}: not a URL that can be fetched")
        sent = _conditional(etag, last_modified)
        if target.host in WECHAT_HOSTS:
            sent.update(WECHAT_HEADERS)
        sent.update(headers or {})
        named = target.host if self._trust_given and not self._trusted else ""
        if self.settings.obey_robots:
            await self._check_robots(url, named)
        return await self._with_retries(url, sent, named)

    async def _with_retries(self, url: str, headers: dict[str, str], named: str) -> Fetched:
        s = self.settings
        problem, retry_after, waited = "", None, 0.0
        for attempt in range(s.retries + 1):
            if attempt:
                wait = min(
                    _backoff(s.backoff, attempt) if retry_after is None else retry_after, s.max_wait
                )
                if waited + wait > s.max_wait_per_url:
                    raise FetchError(
                        f"{url}: {problem}; waiting {wait:g} s more to retry would go past "
                        f"the {s.max_wait_per_url:g} s allowed per URL"
                    )
                await asyncio.sleep(wait)
                waited += wait
            try:
                fetched = await self._get(url, headers, named)
            except httpx.TooManyRedirects:
                raise FetchError(f"{url}: more than {s.max_redirects} redirects") from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError, OverflowError) as exc:
                raise FetchError(f"{url}: not a URL that can be fetched ({exc})") from None
            except (httpx.TransportError, httpx.DecodingError, TimeoutError) as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
            if fetched.status_code not in RETRY_STATUSES:
                return fetched
            problem = f"HTTP {fetched.status_code}"
            retry_after = _retry_after(fetched.headers)
        raise FetchError(f"{url}: {problem} (after {s.retries} retries)")

    async def _get(self, url: str, headers: dict[str, str], named: str) -> Fetched:
        host = self._host(url)
        async with host.slots:
            await self._wait_turn(host)
            async with self._slots, asyncio.timeout(self.settings.timeout * TOTAL_TIMEOUTS):
                return await self._request(url, headers, named)

    async def _request(self, url: str, headers: dict[str, str], named: str) -> Fetched:
        started = time.monotonic()
        assert self._client is not None, "use the Fetcher as an async context manager"
        extensions = {NAMED: named}
        async with self._client.stream(
            "GET", url, headers=headers, extensions=extensions
        ) as response:
            fetched_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            content = await self._read(response)
        return Fetched(
            url=url,
            final_url=str(response.url),
            status_code=response.status_code,
            headers=dict(response.headers),
            content=content,
            fetched_at=fetched_at,
            elapsed_ms=int((time.monotonic() - started) * 1000),
        )

    async def _check_address(self, request: httpx.Request) -> None:
        """Before each request, the first and every redirect: refuse a host that is neither
        trusted nor named if it has an address that is not public."""
        host = request.url.host
        if request.url.scheme not in SCHEMES or not host:
            raise FetchError(f"{request.url}: not a URL that can be fetched")
        if (
            self.settings.allow_private
            or host in self._trusted
            or host == request.extensions.get(NAMED)
        ):
            return
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            refused = await non_public_addresses(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"{request.url}: cannot resolve {host} ({exc})") from None
        if refused:
            raise AddressRefused(
                f"{request.url}: {host} is at {', '.join(refused)}, not a public address, "
                "and the host was not named by the user"
            )

    async def _read(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(
                f"{response.url}: response of {int(declared)} bytes is over the {limit} byte limit"
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise ResponseTooLarge(
                    f"{response.url}: response is over the {limit} byte limit (decoded)"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def _wait_turn(self, host: _Host) -> None:
        async with host.lock:
            wait = host.next_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            gap = max(host.delay, self._bounded(self.settings.delay))
            host.next_at = time.monotonic() + gap

    def _bounded(self, delay: float) -> float:
        return bounded_delay(delay, self.settings.max_delay)

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self.settings.per_host))
        return self._hosts[key]

    async def _check_robots(self, url: str, named: str) -> None:
        """Raise unless robots.txt, read once per host, lets us fetch `url`."""
        host = self._host(url)
        async with host.robots_lock:
            if not host.robots_loaded:
                host.robots, host.robots_problem = await self._load_robots(url, named)
                host.robots_loaded = True
                delay = host.robots.crawl_delay(self.settings.user_agent) if host.robots else None
                if delay is not None:
                    host.delay = max(host.delay, self._bounded(float(delay)))
        if host.robots_problem is not None:
            where = urlsplit(url).netloc.lower()
            raise RobotsUnavailable(
                f"robots.txt unavailable at {where} ({host.robots_problem})", where
            )
        if host.robots is not None and not host.robots.can_fetch(url, self.settings.user_agent):
            raise RobotsDisallowed(f"robots.txt disallows {url}")

    async def _load_robots(self, url: str, named: str) -> tuple[Protego | None, str | None]:
        """robots.txt as RFC 9309 reads it, and why it is unavailable: 4xx means no rules
        (None), 5xx or no answer means none of the site may be fetched."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            response = await self._get(robots_url, {}, named)
        except ResponseTooLarge:
            return Protego.parse(DISALLOW_ALL), "over the size limit"
        except httpx.TooManyRedirects:
            return Protego.parse(DISALLOW_ALL), "too many redirects"
        except (httpx.HTTPError, TimeoutError) as exc:
            problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return Protego.parse(DISALLOW_ALL), problem
        if 400 <= response.status_code < 500:
            return None, None
        if response.status_code >= 500:
            return Protego.parse(DISALLOW_ALL), f"HTTP {response.status_code}"
        return Protego.parse(response.content.decode("utf-8", "replace")), None


def _valid(url: str) -> httpx.URL | None:
    """`url` parsed, if it is an http(s) URL with a host and a possible port."""
    try:
        parsed = httpx.URL(url)
        urlsplit(url).port  # noqa: B018 - raises ValueError on what httpx lets by
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in SCHEMES or not parsed.host:
        return None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return None
    return parsed


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _backoff(base: float, attempt: int) -> float:
    """The wait before retry number `attempt` (from 1) when the server names none."""
    return base * 2.0 ** min(attempt - 1, 30)


def _retry_after(headers: dict[str, str]) -> float | None:
    """Retry-After in seconds, if it is delta-seconds (ASCII digits) or an HTTP-date;
    anything else (`²`, `-5`, `1e9`, `inf`) is None, so that the backoff applies."""
    value = (headers.get("retry-after") or headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return min(float(value), 1e9)
    if value.isascii() and value[0].isalpha():  # an HTTP-date starts with the day's name
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
    return None


def bounded_delay(delay: float, most: float) -> float:
    """`delay` within [0, most]: NaN or negative as 0, infinite as `most`."""
    if math.isnan(delay) or delay < 0:
        return 0.0
    return min(delay, most)
