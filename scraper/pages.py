"""What a fetched page becomes in the database, for every way of fetching it (`reprints
crawl`, a Scrapy spider): its fetch with the HTTP facts, its snapshot and its article."""

from __future__ import annotations

import datetime as dt

import cleaners
import db

from .fetch import Fetched


def page_source(page: Fetched, run_id: int, date_base: str | None = None) -> db.PageSource:
    """The provenance of `page`: where and when it was fetched, and what came back."""
    return db.PageSource(
        url=page.url,
        fetched_at=page.fetched_at,
        status_code=page.status_code,
        headers=page.headers,
        etag=page.headers.get("etag"),
        last_modified=page.headers.get("last-modified"),
        run_id=run_id,
        date_base=date_base,
    )


def clean_page(page: Fetched, rules: cleaners.Rules, max_bytes: int) -> cleaners.Article:
    """The article of a fetched page, its relative dates counted from the response's time."""
    return cleaners.clean(
        page.content,
        page.url,
        max_bytes=max_bytes,
        content_type=page.headers.get("content-type"),
        fetched_at=date_base(page),
        rules=rules,
    )


def date_base(page: Fetched) -> dt.datetime:
    """The time relative dates on the page are counted from (its Date header, else when it
    arrived)."""
    return db.response_time(page.headers, page.fetched_at)


def save_cleaned(
    store: object, run_id: int, page: Fetched, article: cleaners.Article, rules: cleaners.Rules
) -> str:
    """Store the page, its fetch and its article in one transaction; the outcome."""
    source = page_source(page, run_id, date_base=date_base(page).isoformat())
    return db.save_page(store, run_id, source, page.content, article, rules)
