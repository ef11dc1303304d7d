"""One crawl: discover URLs at the sources, fetch what is new or changed, clean and store it."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import cleaners
import db
from cleaners.media import NOT_HTML, is_text

from .discover import Link, feed_links, listing_links, sitemap_batches
from .errors import FetchError, RobotsDisallowed, RobotsUnavailable, ScraperError
from .fetch import Fetched, Fetcher, FetchSettings
from .pages import clean_page, page_source, save_cleaned
from .sources import Source

MAX_SITEMAPS = 50
Report = Callable[[dict[str, Any]], None]


@dataclass
class CrawlResult:
    """Counts by outcome, and one line per URL that failed (one per host whose robots.txt
    was unavailable)."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def nothing_fetched(self) -> bool:
        """URLs were found that were not already stored, yet not one could be fetched."""
        c = self.counts
        return bool(c["discovered"]) and not c["fetched"] and c["skipped"] < c["discovered"]

    @property
    def exit_code(self) -> int:
        """0 when every URL was archived or known; 1 when some failed, came back blocked or
        were disallowed by robots.txt, or when nothing could be fetched at all."""
        failed = any(self.counts.get(k) for k in ("failed", "blocked", "robots"))
        return 1 if failed or self.nothing_fetched else 0


class RecordingFailed(ScraperError):
    """A URL's failure could not be written to the database, so the crawl was stopped (after
    its workers) rather than go on losing what it did; `result` holds the counts so far."""

    def __init__(self, url: str, cause: Exception, result: CrawlResult) -> None:
        super().__init__(
            f"cannot record the failure of {url} in the database ({type(cause).__name__}: {cause})"
        )
        self.url = url
        self.cause = cause
        self.result = result


@dataclass(frozen=True)
class _Item:
    url: str
    source: Source
    updated: str | None


class Crawl:
    """A crawl of some sources into one database, in one run.

    A failure at one URL, whatever raised it, is recorded as that URL's failure and the
    crawl goes on; if even that cannot be recorded, `run` raises `RecordingFailed` once the
    workers have stopped.
    """

    def __init__(
        self,
        store: Any,
        run_id: int,
        settings: FetchSettings,
        refresh: bool = False,
        report: Report | None = None,
        rules: cleaners.Rules | None = None,
    ) -> None:
        self.store = store
        self.rules = rules or cleaners.load_rules()
        self.run_id = run_id
        self.settings = settings
        self.refresh = refresh
        self.report = report or (lambda event: None)
        self.result = CrawlResult()
        self.stopped: RecordingFailed | None = None
        self._robots_unavailable: set[str] = set()

    def run_sync(self, sources: list[Source]) -> CrawlResult:
        """`run` in a fresh event loop."""
        return asyncio.run(self.run(sources))

    async def run(self, sources: list[Source]) -> CrawlResult:
        """Discover and visit, with discovery feeding a short queue that the fetch workers
        drain, so that memory does not grow with the number of URLs. Pages are cleaned on
        one thread beside the event loop, so that fetching goes on meanwhile."""
        with ThreadPoolExecutor(1, thread_name_prefix="reprints-clean") as cleaner:
            self.cleaner = cleaner
            await self._run(sources)
        if self.stopped is not None:
            raise self.stopped
        return self.result

    async def _run(self, sources: list[Source]) -> None:
        async with Fetcher(self.settings) as fetcher:
            self.fetcher = fetcher
            for source in sources:
                for url in source.named():
                    fetcher.trust(url)
            queue: asyncio.Queue[_Item | None] = asyncio.Queue(self.settings.concurrency * 2)
            workers = [
                asyncio.create_task(self._worker(queue)) for _ in range(self.settings.concurrency)
            ]
            try:
                await self._discover_all(sources, queue)
                for _ in workers:
                    await queue.put(None)
                await asyncio.gather(*workers)
            finally:
                # Stopped from outside (a signal, Ctrl-C): the workers are cancelled, not
                # waited for on a queue that nobody fills any more.
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)

    async def _worker(self, queue: asyncio.Queue[_Item | None]) -> None:
        """Visit items until the end marker; no exception from a page ends the loop, and
        once the crawl is stopped the items left are taken off the queue unvisited."""
        while (item := await queue.get()) is not None:
            if self.stopped is None:
                try:
                    await self._visit(item)
                except Exception as exc:
                    self._contain(item.url, exc)

    def _contain(self, url: str, exc: Exception) -> None:
        """Record an unexpected exception as the failure of `url`."""
        try:
            self._fail(url, f"unexpected error: {type(exc).__name__}: {exc}")
        except Exception as again:
            self.stopped = self.stopped or RecordingFailed(url, again, self.result)

    async def _discover_all(self, sources: list[Source], queue: asyncio.Queue) -> None:
        seen: set[int] = set()
        for source in sources:
            if self.stopped is not None:
                return
            try:
                await self._discover_source(source, queue, seen)
            except Exception as exc:
                self._contain(next(iter(source.named()), source.name), exc)

    async def _discover_source(self, source: Source, queue: asyncio.Queue, seen: set) -> None:
        remaining = source.limit
        async for links in self._discover(source):
            fresh = []
            for link in links[:remaining] if remaining is not None else links:
                key = hash(link.url)
                if key not in seen:
                    seen.add(key)
                    fresh.append(link)
            if remaining is not None:
                remaining -= min(len(links), remaining)
            self.result.counts["discovered"] += len(fresh)
            self.report({"event": "discovered", "count": len(fresh)})
            for link in fresh:
                if self.stopped is not None:
                    return
                await queue.put(_Item(link.url, source, link.updated))
            if remaining == 0:
                break

    async def _discover(self, source: Source) -> AsyncIterator[list[Link]]:
        """The source's links, a batch at a time (one batch per sitemap of an index)."""
        for url in source.named():
            if source.delay is not None:
                self.fetcher.set_host_delay(url, source.delay)
        if source.urls:
            yield [Link(url) for url in source.urls]
        elif source.feed:
            page = await self._fetch_source(source.feed)
            yield feed_links(page.content, page.final_url) if page else []
        elif source.listing:
            page = await self._fetch_source(source.listing)
            yield listing_links(page.content, page.final_url, source.links or "a") if page else []
        else:
            pending, done = [source.sitemap or ""], set()
            while pending and len(done) < MAX_SITEMAPS:
                current = pending.pop(0)
                if current in done:
                    continue
                done.add(current)
                page = await self._fetch_source(current)
                if page is not None:
                    for found, nested in sitemap_batches(page.content, page.final_url):
                        pending.extend(nested)
                        yield found

    async def _fetch_source(self, url: str) -> Fetched | None:
        """A feed, sitemap or listing page: always fetched fresh, never stored."""
        page = await self._get(url)
        if page is None:
            return None
        if page.status_code >= 400:
            self._fail(url, f"HTTP {page.status_code}")
            return None
        self.report({"event": "source", "url": url, "status": page.status_code})
        return page

    async def _get(self, url: str, last: db.LastFetch | None = None) -> Fetched | None:
        """The response at `url`, or None once a failure to fetch it is counted."""
        try:
            return await self.fetcher.fetch(
                url,
                etag=last.etag if last else None,
                last_modified=last.last_modified if last else None,
            )
        except RobotsDisallowed as exc:
            self._count("robots", url, str(exc))
        except RobotsUnavailable as exc:
            first = exc.host not in self._robots_unavailable
            self._robots_unavailable.add(exc.host)
            note = f"not fetched: the robots.txt of {exc.host} could not be read"
            self._fail(url, str(exc), line=first, note=note)
        except FetchError as exc:
            self._fail(url, str(exc))
        return None

    async def _visit(self, item: _Item) -> None:
        url = item.url
        last = db.last_fetch(self.store, url)
        if last and not self._should_refetch(item, last):
            self._count("skipped", url, "already stored")
            return
        page = await self._get(url, last)
        if page is None:
            return
        self.result.counts["fetched"] += 1
        if page.not_modified and last:
            db.record_not_modified(self.store, last.id, url, page.fetched_at, self._source(page))
            self._count("unchanged", url, "304 not modified", page)
        elif page.status_code >= 400:
            self._fail(url, f"HTTP {page.status_code}", page)
        elif not is_text(page.headers.get("content-type")):
            db.record_fetch(self.store, self.run_id, self._source(page), NOT_HTML, page.content)
            self._count("skipped", url, NOT_HTML, page)
        else:
            await self._store(url, page)

    async def _store(self, url: str, page: Fetched) -> None:
        """Clean the page beside the event loop and store it with its article."""
        clean = partial(clean_page, page, self.rules, self.settings.max_bytes)
        try:
            article = await asyncio.get_running_loop().run_in_executor(self.cleaner, clean)
        except cleaners.CleanerError as exc:
            self._fail(url, str(exc), page)
            return
        try:
            outcome = save_cleaned(self.store, self.run_id, page, article, self.rules)
        except Exception as exc:
            self._fail(url, f"cannot store the page: {type(exc).__name__}: {exc}", page)
            return
        self._count(outcome, url, article.status, page)

    def _source(self, page: Fetched) -> db.PageSource:
        return page_source(page, self.run_id)

    def _should_refetch(self, item: _Item, last: db.LastFetch) -> bool:
        if self.refresh or item.source.refresh:
            return True
        updated = _instant(item.updated, end_of_day=True)
        fetched = _instant(last.fetched_at)
        return bool(updated and fetched and updated > fetched)

    def _count(self, outcome: str, url: str, note: str, page: Fetched | None = None) -> None:
        self.result.counts[outcome] += 1
        event = {"event": "fetch", "url": url, "outcome": outcome, "note": note}
        if page is not None:
            event.update(status=page.status_code, bytes=len(page.content), ms=page.elapsed_ms)
        self.report(event)

    def _fail(
        self,
        url: str,
        reason: str,
        page: Fetched | None = None,
        line: bool = True,
        note: str | None = None,
    ) -> None:
        """Count `url` as failed, add an error line (unless `line` is false) and record the
        failed fetch; a failure to record it stops the crawl (see `RecordingFailed`)."""
        if line:
            self.result.errors.append(f"{url}: {reason}" if url not in reason else reason)
        try:
            db.record_failure(
                self.store,
                self.run_id,
                db.PageSource(
                    url=url,
                    fetched_at=page.fetched_at if page else db.store.now(),
                    status_code=page.status_code if page else None,
                    headers=page.headers if page else None,
                ),
                reason,
            )
        except Exception as exc:
            self.stopped = self.stopped or RecordingFailed(url, exc, self.result)
        self._count("failed", url, note or reason, page)


def _instant(value: str | None, end_of_day: bool = False) -> dt.datetime | None:
    """An ISO 8601 date or time as an aware UTC datetime (naive times are taken as UTC; a day
    alone is its last second when `end_of_day`, so that a change that day counts)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(value) == 10 and end_of_day:
        moment += dt.timedelta(days=1, seconds=-1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
