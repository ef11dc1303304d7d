"""Archive the images of stored articles: fetched politely with the referer their host
expects, checked to be images by their bytes, within size caps, and stored once each.

One image's failure is recorded on it and the run goes on; transient failures are tried again
by later runs, permanent ones (refused, missing, too large, not an image) with `retry` only.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import db
from db.image_types import image_type
from db.images import ImageFetch, ImageState, ImageTask

from .errors import AddressRefused, FetchError, ResponseTooLarge, RobotsDisallowed
from .fetch import Fetched, Fetcher, FetchSettings

Report = Callable[[dict[str, Any]], None]
WECHAT_REFERER = "https://mp.weixin.qq.com/"
# Image hosts (and their subdomains) that answer only a WeChat page's referer; any other
# host gets the URL of the article the image stands in, as a browser would send.
IMAGE_REFERERS = MappingProxyType(
    {"qpic.cn": WECHAT_REFERER, "qlogo.cn": WECHAT_REFERER, "weixin.qq.com": WECHAT_REFERER}
)
ACCEPT = "image/avif,image/webp,image/apng,image/*;q=0.8,*/*;q=0.5"
# Statuses after which the same request may succeed later.
TRANSIENT_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class ImageSettings:
    """What one run fetches: images up to `max_image_bytes` each, up to `max_total_bytes` in
    all and `limit` image URLs (None: no cap); `retry` tries the unavailable ones again."""

    max_image_bytes: int = 16 * 1024 * 1024
    max_total_bytes: int | None = 2 * 1024 * 1024 * 1024
    limit: int | None = None
    retry: bool = False
    referers: Mapping[str, str] = field(default_factory=lambda: IMAGE_REFERERS)


def referer_for(image_url: str, page_url: str | None, referers: Mapping[str, str]) -> str | None:
    """The Referer to send for an image: its host's, else the article's web URL, else none."""
    host = (urlsplit(image_url).hostname or "").lower()
    for suffix, referer in referers.items():
        if host == suffix or host.endswith(f".{suffix}"):
            return referer
    if page_url and page_url.startswith(("http://", "https://")):
        return page_url
    return None


@dataclass
class ImageResult:
    """Counts by outcome (`discovered` image URLs, `fetched`, `new` files, `unchanged` already
    stored, `failed`, `robots`, `skipped` past a cap) and one line per failed image."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    run_id: int | None = None

    @property
    def exit_code(self) -> int:
        """0 when every image tried was stored; 1 when some failed or robots.txt refused them."""
        return 1 if self.counts.get("failed") or self.counts.get("robots") else 0


class ImageArchive:
    """One run of image archiving over the articles stored in a database."""

    def __init__(
        self,
        store: Any,
        run_id: int,
        fetch_settings: FetchSettings,
        settings: ImageSettings | None = None,
        report: Report | None = None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.settings = settings or ImageSettings()
        self.fetch_settings = dataclasses.replace(
            fetch_settings, max_bytes=self.settings.max_image_bytes
        )
        self.report = report or (lambda event: None)
        self.result = ImageResult()
        self.total_bytes = 0
        self.stopped: BaseException | None = None

    def run_sync(self) -> ImageResult:
        return asyncio.run(self.run())

    async def run(self) -> ImageResult:
        """List the images of new article versions, link those already stored, then fetch the
        rest with as many workers as the fetch settings allow."""
        db.images.queue_images(self.store)
        linked = db.images.link_known(self.store, self.settings.retry)
        self.result.counts["unchanged"] += linked
        tasks = list(db.images.image_tasks(self.store, self.settings.retry))
        limit = self.settings.limit
        if limit is not None and len(tasks) > limit:
            self.result.counts["skipped"] += len(tasks) - limit
            tasks = tasks[:limit]
        self.result.counts["discovered"] = len(tasks)
        self.report({"event": "discovered", "count": len(tasks)})
        queue: asyncio.Queue[ImageTask] = asyncio.Queue()
        for task in tasks:
            queue.put_nowait(task)
        async with Fetcher(self.fetch_settings, trust_given=False) as fetcher:
            self.fetcher = fetcher
            workers = [
                asyncio.create_task(self._worker(queue))
                for _ in range(self.fetch_settings.concurrency)
            ]
            try:
                await asyncio.gather(*workers)
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
        if self.stopped is not None:
            raise self.stopped
        return self.result

    async def _worker(self, queue: asyncio.Queue[ImageTask]) -> None:
        while not queue.empty() and self.stopped is None:
            task = queue.get_nowait()
            cap = self.settings.max_total_bytes
            if cap is not None and self.total_bytes >= cap:
                self._count("skipped", task.url, f"past the {cap} byte cap of this run")
                continue
            try:
                await self._archive(task)
            except Exception as exc:
                try:
                    self._fail(task, None, f"unexpected error: {type(exc).__name__}: {exc}")
                except Exception as again:
                    self.stopped = again

    async def _archive(self, task: ImageTask) -> None:
        if not task.url.startswith(("http://", "https://")):
            self._fail(task, None, "not an http(s) URL", permanent=True)
            return
        referer = referer_for(task.url, task.page_url, self.settings.referers)
        headers = {"Accept": ACCEPT, **({"Referer": referer} if referer else {})}
        try:
            response = await self.fetcher.fetch(task.url, headers=headers)
        except RobotsDisallowed as exc:
            self._fail(task, referer, str(exc), permanent=True, outcome="robots")
            return
        except (AddressRefused, ResponseTooLarge) as exc:
            self._fail(task, referer, str(exc), permanent=True)
            return
        except FetchError as exc:
            self._fail(task, referer, str(exc))
            return
        self.result.counts["fetched"] += 1
        self.total_bytes += len(response.content)
        self._keep(task, referer, response)

    def _keep(self, task: ImageTask, referer: str | None, response: Fetched) -> None:
        """Store the response if it is an image, else record why not."""
        status = response.status_code
        if status >= 400:
            permanent = status < 500 and status not in TRANSIENT_STATUSES
            self._fail(task, referer, f"HTTP {status}", response, permanent)
            return
        if image_type(response.content) is None:
            declared = response.headers.get("content-type") or "no Content-Type"
            why = f"not an image ({len(response.content)} bytes, {declared})"
            self._fail(task, referer, why, response, permanent=True)
            return
        new = db.images.store_image(
            self.store, self.run_id, self._fetch(task, referer, response), response.content
        )
        note = f"{len(response.content)} bytes" + ("" if new else ", already stored")
        self._count("new" if new else "unchanged", task.url, note, response)

    def _fail(
        self,
        task: ImageTask,
        referer: str | None,
        reason: str,
        response: Fetched | None = None,
        permanent: bool = False,
        outcome: str = "failed",
    ) -> None:
        fetch = self._fetch(task, referer, response)
        state = db.images.record_image_failure(self.store, self.run_id, fetch, reason, permanent)
        later = "" if state is ImageState.UNAVAILABLE else " (tried again next run)"
        self.result.errors.append(f"{task.url}: {reason}{later}")
        self._count(outcome, task.url, reason, response)

    def _fetch(self, task: ImageTask, referer: str | None, response: Fetched | None) -> ImageFetch:
        return ImageFetch(
            url=task.url,
            referer=referer,
            fetched_at=response.fetched_at if response else db.store.now(),
            status_code=response.status_code if response else None,
            headers=response.headers if response else None,
        )

    def _count(self, outcome: str, url: str, note: str, response: Fetched | None = None) -> None:
        self.result.counts[outcome] += 1
        event = {"event": "fetch", "url": url, "outcome": outcome, "note": note}
        if response is not None:
            event.update(status=response.status_code, bytes=len(response.content))
        self.report(event)
