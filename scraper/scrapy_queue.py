"""The queue several Scrapy workers share: scrapy-redis's scheduler, noting in Redis each
request it hands this worker until the worker has stored it, so that a worker killed mid-way
and started again fetches what it had taken (the shared duplicate filter remembers those as
seen, and no other worker would). Set

    SCHEDULER = "scraper.scrapy_queue.ClaimingScheduler"
    DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
    REDIS_URL = "redis://HOST:6379/0"
"""

from __future__ import annotations

import scrapy
from scrapy_redis.scheduler import Scheduler

from scraper.scrapy_shard import ReprintsShard

__all__ = ["ClaimingScheduler"]


class ClaimingScheduler(Scheduler):
    """scrapy-redis's scheduler; each request it hands out is claimed by this worker."""

    def next_request(self) -> scrapy.Request | None:
        request = super().next_request()
        if request is not None:
            ReprintsShard.of(self.spider.crawler).claim(request)
        return request
