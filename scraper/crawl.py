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

from .discover import Link, feed_links, listing_links, sitemap_batches
from .errors import FetchError, RobotsDisallowed
from .fetch import Fetched, Fetcher, FetchSettings
from .sources import Source

MAX_SITEMAPS = 50
Report = Callable[[dict[str, Any]], None]


@dataclass
class CrawlResult:
    """Counts by outcome, and one line per URL that failed."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every URL was archived or known, 1 when some failed or came back blocked."""
        return 1 if self.counts.get("failed") or self.counts.get("blocked") else 0


@dataclass(frozen=True)
class _Item:
    url: str
    source: Source
    updated: str | None


class Crawl:
    """A crawl of some sources into one database, in one run."""

    def __init__(
        self,
        store: Any,
        run_id: int,
        settings: FetchSettings,
        refresh: bool = False,
        report: Report | None = None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.settings = settings
        self.refresh = refresh
        self.report = report or (lambda event: None)
        self.result = CrawlResult()

    def run_sync(self, sources: list[Source]) -> CrawlResult:
        """`run` in a fresh event loop."""
        return asyncio.run(self.run(sources))

    async def run(self, sources: list[Source]) -> CrawlResult:
        """Discover and visit, with discovery feeding a short queue that the fetch workers
        drain, so that memory does not grow with the number of URLs. Pages are cleaned on
        one thread beside the event loop, so that fetching goes on meanwhile."""
        with ThreadPoolExecutor(1, thread_name_prefix="reprints-clean") as cleaner:
            self.cleaner = cleaner
            return await self._run(sources)

    async def _run(self, sources: list[Source]) -> CrawlResult:
        async with Fetcher(self.settings) as fetcher:
            self.fetcher = fetcher
            queue: asyncio.Queue[_Item | None] = asyncio.Queue(self.settings.concurrency * 2)
            workers = [
                asyncio.create_task(self._worker(queue)) for _ in range(self.settings.concurrency)
            ]
            try:
                await self._discover_all(sources, queue)
            finally:
                for _ in workers:
                    await queue.put(None)
                await asyncio.gather(*workers)
        return self.result

    async def _worker(self, queue: asyncio.Queue[_Item | None]) -> None:
        while (item := await queue.get()) is not None:
            await self._visit(item)

    async def _discover_all(self, sources: list[Source], queue: asyncio.Queue) -> None:
        seen: set[int] = set()
        for source in sources:
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
                    await queue.put(_Item(link.url, source, link.updated))
                if remaining == 0:
                    break

    async def _discover(self, source: Source) -> AsyncIterator[list[Link]]:
        """The source's links, a batch at a time (one batch per sitemap of an index)."""
        for url in (*source.urls, source.feed, source.sitemap, source.listing):
            if url and source.delay is not None:
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
        try:
            page = await self.fetcher.fetch(url)
        except RobotsDisallowed as exc:
            self._count("robots", url, str(exc))
            return None
        except FetchError as exc:
            self._fail(url, str(exc))
            return None
        if page.status_code >= 400:
            self._fail(url, f"HTTP {page.status_code}")
            return None
        self.report({"event": "source", "url": url, "status": page.status_code})
        return page

    async def _visit(self, item: _Item) -> None:
        url = item.url
        last = db.last_fetch(self.store, url)
        if last and not self._should_refetch(item, last):
            self._count("skipped", url, "already stored")
            return
        try:
            page = await self.fetcher.fetch(
                url,
                etag=last.etag if last else None,
                last_modified=last.last_modified if last else None,
            )
        except RobotsDisallowed as exc:
            self._count("robots", url, str(exc))
            return
        except FetchError as exc:
            self._fail(url, str(exc))
            return
        self.result.counts["fetched"] += 1
        if page.not_modified and last:
            db.record_not_modified(self.store, last.id, url, page.fetched_at, self._source(page))
            self._count("unchanged", url, "304 not modified", page)
            return
        if page.status_code >= 400:
            self._fail(url, f"HTTP {page.status_code}", page)
            return
        base = db.response_time(page.headers, page.fetched_at)
        clean = partial(
            cleaners.clean,
            page.content,
            url,
            max_bytes=self.settings.max_bytes,
            content_type=page.headers.get("content-type"),
            fetched_at=base,
        )
        try:
            article = await asyncio.get_running_loop().run_in_executor(self.cleaner, clean)
        except cleaners.CleanerError as exc:
            self._fail(url, str(exc), page)
            return
        source = self._source(page, date_base=base.isoformat())
        outcome = db.save_page(self.store, self.run_id, source, page.content, article)
        self._count(outcome, url, article.status, page)

    def _source(self, page: Fetched, date_base: str | None = None) -> db.PageSource:
        return db.PageSource(
            url=page.url,
            fetched_at=page.fetched_at,
            status_code=page.status_code,
            headers=page.headers,
            etag=page.headers.get("etag"),
            last_modified=page.headers.get("last-modified"),
            run_id=self.run_id,
            date_base=date_base,
        )

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

    def _fail(self, url: str, reason: str, page: Fetched | None = None) -> None:
        self.result.errors.append(f"{url}: {reason}" if url not in reason else reason)
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
        self._count("failed", url, reason, page)


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
