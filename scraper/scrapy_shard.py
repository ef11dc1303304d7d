"""Scrapy stores into reprints: every page a Scrapy spider fetches lands in a reprints database
(the worker's shard) as `reprints crawl` stores it, and a ready spider crawls sources files.

Install with `pip install "reprints[scrapy]"`, then, for any spider, in its settings:

    REPRINTS_DATABASE = "shard-1.db"
    DOWNLOADER_MIDDLEWARES = {"scraper.scrapy_shard.ReprintsMiddleware": 50}
    ITEM_PIPELINES = {"scraper.scrapy_shard.ReprintsPipeline": 300}

The middleware sits nearest the engine, so it sees each request's last answer (after Scrapy's
retries and redirects): a page becomes a fetch with its HTTP facts, a snapshot and an
article (blocked pages never an article), a 304 a not-modified fetch, an error a failed
fetch; a URL already stored is skipped unless `REPRINTS_REFRESH` (then asked for
conditionally). The whole crawl is one run in `runs`, linked into works at its end. The
pipeline stores items that carry a page a spider fetched some other way (`url`, `body`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.settings import default_settings

import cleaners
import db
from cleaners.media import NOT_HTML, is_text
from scraper.cli_rules import user_rule_paths
from scraper.cli_works import link_new
from scraper.discover import feed_links, listing_links, sitemap_batches
from scraper.fetch import Fetched, FetchSettings, bounded_delay
from scraper.pages import clean_page, page_source, save_cleaned
from scraper.sources import Source, load_sources

__all__ = [
    "POLITE_SETTINGS",
    "ReprintsMiddleware",
    "ReprintsPipeline",
    "ReprintsShard",
    "SourcesSpider",
]

# Requests the middleware leaves alone: a sources file's feeds, sitemaps and listings (as
# `reprints crawl` stores none of them), and robots.txt.
SOURCE = "reprints_source"
PAGE = -1
_DEFAULTS = FetchSettings()
# Scrapy's delay without its random ±50%, so that no gap is shorter than the crawl's: by
# DOWNLOAD_DELAY_JITTER where Scrapy has it (2.19 does), else RANDOMIZE_DOWNLOAD_DELAY (2.13).
_STEADY = (
    {"DOWNLOAD_DELAY_JITTER": 0.0}
    if hasattr(default_settings, "DOWNLOAD_DELAY_JITTER")
    else {"RANDOMIZE_DOWNLOAD_DELAY": False}
)
# `reprints crawl`'s politeness, in Scrapy's terms; a source's delay and robots.txt's
# Crawl-delay (which Scrapy ignores) are applied to their hosts' download slots.
POLITE_SETTINGS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "DOWNLOAD_DELAY": _DEFAULTS.delay,
    **_STEADY,
    "CONCURRENT_REQUESTS": _DEFAULTS.concurrency,
    "CONCURRENT_REQUESTS_PER_DOMAIN": _DEFAULTS.per_host,
    "DOWNLOAD_TIMEOUT": _DEFAULTS.timeout,
    "DOWNLOAD_MAXSIZE": _DEFAULTS.max_bytes,
    "REDIRECT_MAX_TIMES": _DEFAULTS.max_redirects,
    "RETRY_TIMES": _DEFAULTS.retries,
    "USER_AGENT": _DEFAULTS.user_agent.replace("python-httpx", "Scrapy"),
    "DOWNLOADER_MIDDLEWARES": {"scraper.scrapy_shard.ReprintsMiddleware": 50},
    "ITEM_PIPELINES": {"scraper.scrapy_shard.ReprintsPipeline": 300},
}


class ReprintsShard:
    """The reprints database one Scrapy process writes, and the run it records there."""

    def __init__(
        self, path: str, rules: cleaners.Rules, refresh: bool = False, claims: Any = None
    ) -> None:
        self.path = path
        self.store = db.open_database(path)
        self.claims = claims
        self.rules = rules.with_learned(db.learned_rules(self.store))
        self.refresh = refresh
        self.run_id: int | None = None
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []

    @classmethod
    def of(cls, crawler: Any) -> ReprintsShard:
        """The shard of `crawler` (made once, from its settings), open for its spider."""
        shard = getattr(crawler, "reprints_shard", None)
        if shard is None:
            path = crawler.settings.get("REPRINTS_DATABASE")
            if not path:
                raise NotConfigured("set REPRINTS_DATABASE to the reprints database to fill")
            rules = cleaners.load_rules(
                *user_rule_paths(tuple(crawler.settings.getlist("REPRINTS_RULES")))
            )
            refresh = crawler.settings.getbool("REPRINTS_REFRESH")
            shard = cls(path, rules, refresh, _claims(crawler.settings, path))
            crawler.reprints_shard = shard
            crawler.signals.connect(shard.opened, signal=signals.spider_opened)
            crawler.signals.connect(shard.closed, signal=signals.spider_closed)
        return shard

    def opened(self, spider: scrapy.Spider | None = None) -> None:
        self.run_id = db.start_run(self.store, "scrapy", [spider.name], self.rules)

    def closed(self, spider: scrapy.Spider, reason: str) -> None:
        link_new(self.store)
        failed = self.counts["failed"] or self.counts["blocked"] or reason != "finished"
        errors = self.errors + ([] if reason == "finished" else [f"the spider stopped: {reason}"])
        db.finish_run(self.store, self.run_id, self.counts, 1 if failed else 0, errors)

    def last_fetch(self, url: str) -> db.LastFetch | None:
        return db.last_fetch(self.store, url)

    def claim(self, request: scrapy.Request) -> None:
        """Note that this worker has taken `request` from the shared queue."""
        if self.claims is not None:
            self.claims.claim(request.url, request.meta.get(SOURCE, PAGE))

    def release(self, url: str) -> None:
        """`url` is stored (or its failure is): no longer this worker's to finish."""
        if self.claims is not None:
            self.claims.release(url)

    def unfinished(self) -> list[tuple[str, int]]:
        """The URLs this shard's worker took and did not finish before it was killed, each
        with the index of its source in the sources file (`PAGE` for a page)."""
        return self.claims.taken() if self.claims is not None else []

    def store_page(self, page: Fetched, last: db.LastFetch | None) -> str:
        """Store what came back for a page, as `reprints crawl` does; the outcome."""
        self.counts["fetched"] += 1
        if page.not_modified and last:
            db.record_not_modified(
                self.store, last.id, page.url, page.fetched_at, page_source(page, self.run_id)
            )
            return self._count("unchanged")
        if page.status_code >= 400:
            return self.fail(page.url, f"HTTP {page.status_code}", page)
        if not is_text(page.headers.get("content-type")):
            source = page_source(page, self.run_id)
            db.record_fetch(self.store, self.run_id, source, NOT_HTML, page.content)
            return self._count("skipped")
        try:
            article = clean_page(page, self.rules, _DEFAULTS.max_bytes)
        except cleaners.CleanerError as exc:
            return self.fail(page.url, str(exc), page)
        return self._count(save_cleaned(self.store, self.run_id, page, article, self.rules))

    def fail(self, url: str, reason: str, page: Fetched | None = None) -> str:
        self.errors.append(f"{url}: {reason}")
        source = page_source(page, self.run_id) if page else None
        db.record_failure(
            self.store,
            self.run_id,
            source or db.PageSource(url=url, fetched_at=db.store.now()),
            reason,
        )
        return self._count("failed")

    def _count(self, outcome: str) -> str:
        self.counts[outcome] += 1
        return outcome


class ReprintsMiddleware:
    """A downloader middleware that stores every page response in the crawler's shard, and
    heeds robots.txt's Crawl-delay."""

    def __init__(self, shard: ReprintsShard, crawler: Any) -> None:
        self.shard = shard
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReprintsMiddleware:
        return cls(ReprintsShard.of(crawler), crawler)

    def process_request(self, request: scrapy.Request, spider: scrapy.Spider | None = None) -> None:
        if _left_alone(request):
            return
        last = self.shard.last_fetch(request.url)
        if last is None:
            return
        if not self.shard.refresh:
            self.shard.counts["skipped"] += 1
            self.shard.release(request.url)
            raise IgnoreRequest(f"{request.url}: already stored")
        request.meta["reprints_last"] = last
        if last.etag:
            request.headers.setdefault("If-None-Match", last.etag)
        if last.last_modified:
            request.headers.setdefault("If-Modified-Since", last.last_modified)

    def process_response(
        self,
        request: scrapy.Request,
        response: scrapy.http.Response,
        spider: scrapy.Spider | None = None,
    ) -> scrapy.http.Response:
        if _is_robots(request) and response.status == 200:
            self._heed_crawl_delay(request, response)
        elif not _left_alone(request):
            page = _fetched(request, response)
            request.meta["reprints_outcome"] = self.shard.store_page(
                page, request.meta.get("reprints_last")
            )
            self.shard.release(page.url)
        return response

    def _heed_crawl_delay(self, request: scrapy.Request, response: scrapy.http.Response) -> None:
        """robots.txt's Crawl-delay for our user agent, as the least delay of its host's
        download slot, now and when the slot is made again."""
        agent = request.headers.get("User-Agent", b"*").decode("latin-1")
        found = Protego.parse(response.body.decode("utf-8", "replace")).crawl_delay(agent)
        if found is None:
            return
        delay = bounded_delay(float(found), _DEFAULTS.max_delay)
        _slow_slot(self.crawler, self.crawler.engine.downloader.get_slot_key(request), delay)

    def process_exception(
        self, request: scrapy.Request, exception: Exception, spider: scrapy.Spider | None = None
    ) -> None:
        if _left_alone(request):
            return
        if isinstance(exception, IgnoreRequest):
            if "robots.txt" in str(exception):
                self.shard.counts["robots"] += 1
            return
        url = _first_url(request)
        self.shard.fail(url, f"{type(exception).__name__}: {exception}")
        self.shard.release(url)


class ReprintsPipeline:
    """An item pipeline: items that carry a page (`url`, `body`, and `status`, `headers` if
    known) are stored in the shard as fetched pages; other items pass through."""

    def __init__(self, shard: ReprintsShard) -> None:
        self.shard = shard

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReprintsPipeline:
        return cls(ReprintsShard.of(crawler))

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        fields = dict(item)
        body = fields.get("body")
        if isinstance(body, bytes) and fields.get("url"):
            headers = {str(k).lower(): str(v) for k, v in (fields.get("headers") or {}).items()}
            page = Fetched(
                url=fields["url"],
                final_url=fields["url"],
                status_code=int(fields.get("status") or 200),
                headers=headers,
                content=body,
                fetched_at=db.store.now(),
                elapsed_ms=0,
            )
            return {"url": page.url, "outcome": self.shard.store_page(page, None)}
        return item


class SourcesSpider(scrapy.Spider):
    """A reprints sources file crawled by Scrapy: `scrapy runspider` this module with
    `-a sources=FILE -s REPRINTS_DATABASE=SHARD`; one item per page stored."""

    name = "reprints"
    custom_settings = POLITE_SETTINGS

    def __init__(self, sources: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not sources:
            raise ValueError("give the sources file: -a sources=FILE")
        self.sources = load_sources(sources)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourcesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.settings.set(
            "DOWNLOAD_SLOTS", _source_slots(spider.sources, crawler.settings), priority="spider"
        )
        return spider

    async def start(self):  # Scrapy 2.13 and later
        for request in self.start_requests():
            yield request

    def start_requests(self):  # earlier Scrapy, and scrapy-redis
        for url, source in ReprintsShard.of(self.crawler).unfinished():  # a killed worker's
            if source == PAGE:
                yield scrapy.Request(url, callback=self.stored, dont_filter=True)
            else:
                meta = {SOURCE: source}
                yield scrapy.Request(url, self.discovered, meta=meta, dont_filter=True)
        for index, source in enumerate(self.sources):
            for url in source.urls:
                yield scrapy.Request(url, callback=self.stored)
            place = source.feed or source.listing or source.sitemap
            if place:
                meta = {SOURCE: index}
                yield scrapy.Request(place, callback=self.discovered, meta=meta)

    def discovered(self, response: scrapy.http.Response):
        source: Source = self.sources[response.meta[SOURCE]]
        if source.feed:
            urls = [link.url for link in feed_links(response.body, response.url)]
        elif source.listing:
            links = listing_links(response.body, response.url, source.links or "a")
            urls = [link.url for link in links]
        else:
            urls = []
            for found, nested in sitemap_batches(response.body, response.url):
                urls += [link.url for link in found]
                for sitemap in nested:
                    yield response.follow(sitemap, self.discovered, meta=dict(response.meta))
        for url in urls[: source.limit] if source.limit else urls:
            yield scrapy.Request(url, callback=self.stored)
        ReprintsShard.of(self.crawler).release(_first_url(response.request))

    def stored(self, response: scrapy.http.Response):
        yield {"url": response.url, "outcome": response.meta.get("reprints_outcome")}


class _Claims:
    """The URLs a worker (named by its shard) has taken from a scrapy-redis queue and not yet
    stored, in a Redis hash: what a restarted worker must fetch again, as the shared
    duplicate filter remembers them as seen."""

    def __init__(self, redis: Any, shard: str) -> None:
        self.redis = redis
        self.key = f"reprints:claims:{shard}"

    def claim(self, url: str, source: int) -> None:
        self.redis.hset(self.key, url, source)

    def release(self, url: str) -> None:
        self.redis.hdel(self.key, url)

    def taken(self) -> list[tuple[str, int]]:
        found = self.redis.hgetall(self.key)
        return sorted((url.decode(), int(source)) for url, source in found.items())


def _claims(settings: Any, shard: str) -> _Claims | None:
    """Claims in the Redis that scrapy-redis uses (REDIS_URL), when it is in use."""
    url = settings.get("REDIS_URL")
    if not url:
        return None
    import redis

    return _Claims(redis.Redis.from_url(url), str(Path(shard).resolve()))


def _source_slots(sources: list[Source], settings: Any) -> dict[str, dict[str, Any]]:
    """DOWNLOAD_SLOTS with each source's delay on the hosts of the URLs it names, as
    `reprints crawl` applies it: never less than DOWNLOAD_DELAY, at most `max_delay`."""
    slots = {key: dict(value) for key, value in settings.getdict("DOWNLOAD_SLOTS").items()}
    floor = settings.getfloat("DOWNLOAD_DELAY")
    for source in sources:
        if source.delay is None:
            continue
        delay = max(floor, bounded_delay(source.delay, _DEFAULTS.max_delay))
        for url in source.named():
            slot = slots.setdefault(urlsplit(url).hostname or "", {})
            slot["delay"] = max(slot.get("delay", 0.0), delay)
    return slots


def _slow_slot(crawler: Any, key: str, delay: float) -> None:
    """Make `delay` the least delay of download slot `key`: of the slot now, and of the
    settings the downloader makes it from again once it has been idle."""
    downloader = crawler.engine.downloader
    least = downloader.per_slot_settings.setdefault(key, {})
    least["delay"] = max(least.get("delay", crawler.settings.getfloat("DOWNLOAD_DELAY")), delay)
    slot = downloader.slots.get(key)
    if slot is not None:
        slot.delay = max(slot.delay, least["delay"])


def _is_robots(request: scrapy.Request) -> bool:
    robots = urlsplit(request.url).path == "/robots.txt"
    return robots and bool(request.meta.get("dont_obey_robotstxt"))


def _left_alone(request: scrapy.Request) -> bool:
    return SOURCE in request.meta or request.meta.get("dont_obey_robotstxt", False)


def _first_url(request: scrapy.Request) -> str:
    """The URL asked for, before any redirect."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def _fetched(request: scrapy.Request, response: scrapy.http.Response) -> Fetched:
    headers = {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }
    latency = request.meta.get("download_latency") or 0.0
    return Fetched(
        url=_first_url(request),
        final_url=response.url,
        status_code=response.status,
        headers=headers,
        content=response.body,
        fetched_at=db.store.now(),
        elapsed_ms=int(latency * 1000),
    )
