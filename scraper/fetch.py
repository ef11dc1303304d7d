"""Polite asynchronous fetching: concurrency limits, per-host delays, robots.txt, retries,
conditional requests and a size limit read as a stream."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import time
from dataclasses import dataclass, field
from importlib import metadata
from urllib.parse import urlsplit

import httpx
from protego import Protego

from .errors import FetchError, ResponseTooLarge, RobotsDisallowed

RETRY_STATUSES = {429, 500, 502, 503, 504}
# A response must be complete within this many timeouts, however slowly it trickles in.
TOTAL_TIMEOUTS = 2
WECHAT_HOSTS = ("mp.weixin.qq.com",)
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
    """How politely to fetch: limits, delays, timeouts, retries and the size limit."""

    user_agent: str = field(default_factory=_user_agent)
    concurrency: int = 8
    per_host: int = 2
    delay: float = 1.0
    timeout: float = 20.0
    max_bytes: int = 32 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 120.0
    obey_robots: bool = True
    # Upper bound of any delay between requests to a host (Crawl-delay, a source's delay).
    max_delay: float = 60.0
    # Upper bound of all the waiting between retries of one URL (Retry-After, backoff).
    max_wait_per_url: float = 300.0
    # Let discovered links and redirects reach loopback, private and link-local addresses.
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
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_loaded: bool = False


class Fetcher:
    """Fetch URLs over one HTTP client, politely; use as `async with Fetcher(settings) as f`."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
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
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def trust(self, url: str) -> None:
        """Mark the host of `url` as named by the user: it may be fetched whatever address it
        has, and so may links found on it (see `FetchSettings.allow_private`)."""
        host = urlsplit(url).hostname
        if host:
            self._trusted.add(host.lower())

    def set_host_delay(self, url: str, delay: float) -> None:
        """Use a different delay between requests to the host of `url`."""
        self._host(url).delay = delay

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET `url`; a 304 comes back as a `Fetched` with `not_modified`.

        Raises `RobotsDisallowed`, `ResponseTooLarge`, or `FetchError` once retries on
        connection errors, 429 and 5xx (honouring Retry-After) are spent.
        """
        if self.settings.obey_robots and not await self._allowed(url):
            raise RobotsDisallowed(f"robots.txt disallows {url}")
        headers = _conditional(etag, last_modified)
        if urlsplit(url).hostname in WECHAT_HOSTS:
            headers.update(WECHAT_HEADERS)
        problem, retry_after = "", None
        for attempt in range(self.settings.retries + 1):
            if attempt:
                backoff = self.settings.backoff * 2 ** (attempt - 1)
                wait = backoff if retry_after is None else retry_after
                await asyncio.sleep(min(wait, self.settings.max_wait))
            retry_after = None
            try:
                fetched = await self._get(url, headers)
            except ResponseTooLarge:
                raise
            except httpx.TooManyRedirects:
                raise FetchError(
                    f"{url}: more than {self.settings.max_redirects} redirects"
                ) from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError, OverflowError) as exc:
                raise FetchError(f"{url}: not a URL that can be fetched ({exc})") from None
            except (httpx.TransportError, httpx.DecodingError, TimeoutError) as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            if fetched.status_code not in RETRY_STATUSES:
                return fetched
            problem = f"HTTP {fetched.status_code}"
            retry_after = _retry_after(fetched.headers)
        raise FetchError(f"{url}: {problem} (after {self.settings.retries} retries)")

    async def _get(self, url: str, headers: dict[str, str]) -> Fetched:
        host = self._host(url)
        async with host.slots:
            await self._wait_turn(host)
            async with self._slots, asyncio.timeout(self.settings.timeout * TOTAL_TIMEOUTS):
                return await self._request(url, headers)

    async def _request(self, url: str, headers: dict[str, str]) -> Fetched:
        started = time.monotonic()
        assert self._client is not None, "use the Fetcher as an async context manager"
        async with self._client.stream("GET", url, headers=headers) as response:
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

    async def _read(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
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
            host.next_at = time.monotonic() + max(host.delay, self.settings.delay)

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self.settings.per_host))
        return self._hosts[key]

    async def _allowed(self, url: str) -> bool:
        host = self._host(url)
        async with host.robots_lock:
            if not host.robots_loaded:
                host.robots = await self._load_robots(url)
                host.robots_loaded = True
                delay = host.robots.crawl_delay(self.settings.user_agent) if host.robots else None
                if delay:
                    host.delay = max(host.delay, float(delay))
        return host.robots is None or host.robots.can_fetch(url, self.settings.user_agent)

    async def _load_robots(self, url: str) -> Protego | None:
        """robots.txt as RFC 9309 reads it: 4xx means no rules (None), 5xx or no answer
        means none of the site may be fetched."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            response = await self._get(robots_url, {})
        except (httpx.HTTPError, ResponseTooLarge, TimeoutError):
            return Protego.parse("User-agent: *\nDisallow: /\n")
        if 400 <= response.status_code < 500:
            return None
        if response.status_code >= 500:
            return Protego.parse("User-agent: *\nDisallow: /\n")
        return Protego.parse(response.content.decode("utf-8", "replace"))


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
