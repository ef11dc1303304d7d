"""What a crawl tells the cleaner about a response, its Content-Type and its time, and that a
reclean tells it the same: relative dates count from the Date header (or the arrival time when
that is missing or wrong), a charset given only by the header decodes the page, and re-cleaning
the stored snapshot changes nothing."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path

import pytest
from server import (
    CYRILLIC,
    FAST,
    KOI8_PAGE,
    RELATIVE_PAGE,
    REPRINTS,
    TestServer,
    crawl,
    http_date,
    last_run,
    rows,
    value,
)


def reclean(db_path: Path) -> dict[str, object]:
    proc = subprocess.run(
        [REPRINTS, "reclean", str(db_path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return last_run(db_path)


def article(db_path: Path, url: str) -> dict[str, object]:
    columns = ("published", "origins", "version", "content_hash", "body", "fetch_id")
    found = rows(db_path, f"SELECT {', '.join(columns)} FROM articles WHERE url = ?", [url])
    assert len(found) == 1, found
    return dict(zip(columns, found[0], strict=True))


def published_instant(db_path: Path, url: str) -> dt.datetime:
    published = article(db_path, url)["published"]
    assert published, "no publication time"
    return dt.datetime.fromisoformat(str(published))


def test_relative_date_counts_from_the_date_header_and_reclean_keeps_it(
    server: TestServer, db_path: Path
):
    stated = dt.datetime.fromtimestamp(int(time.time()) - 5 * 3600 - 17, dt.UTC)
    url = server.page("/night.html", RELATIVE_PAGE, headers={"Date": http_date(stated.timestamp())})
    proc = crawl(db_path, url, *FAST)
    assert proc.returncode == 0, proc.stderr

    assert published_instant(db_path, url) == stated - dt.timedelta(hours=3)
    first = article(db_path, url)
    assert "relative to the fetch time" in str(first["origins"])
    assert value(db_path, "SELECT date_base FROM fetches WHERE url = ?", [url]) == (
        stated.isoformat()
    )

    for _ in range(2):
        run = reclean(db_path)
        assert (run["unchanged"], run["updated"], run["failed"]) == (1, 0, 0)
        assert article(db_path, url) == first
    assert value(db_path, "SELECT count(*) FROM article_versions") == 0


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 01 Jan 1990 00:00:00 GMT",  # absurd: decades from the local clock
        "soon",  # not a date
        "now-ish +0000",
        "{near} -0500",  # near the clock, but an email date, not an HTTP-date
    ],
)
def test_missing_or_wrong_date_header_falls_back_to_the_arrival_time(
    server: TestServer, db_path: Path, date: str
):
    near = dt.datetime.now(dt.UTC) - dt.timedelta(hours=5)
    date = date.format(
        near=near.astimezone(dt.timezone(dt.timedelta(hours=-5))).strftime("%a, %d %b %Y %H:%M:%S")
    )
    url = server.page("/night.html", RELATIVE_PAGE, headers={"Date": date})
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    proc = crawl(db_path, url, *FAST)
    assert proc.returncode == 0, proc.stderr
    after = dt.datetime.now(dt.UTC)

    arrived = dt.datetime.fromisoformat(
        str(value(db_path, "SELECT fetched_at FROM fetches WHERE url = ?", [url]))
    )
    assert before <= arrived <= after
    base = value(db_path, "SELECT date_base FROM fetches WHERE url = ?", [url])
    assert dt.datetime.fromisoformat(str(base)) == arrived
    assert published_instant(db_path, url) == arrived - dt.timedelta(hours=3)
    assert reclean(db_path)["unchanged"] == 1


def test_server_date_header_is_used_when_the_page_sets_none(server: TestServer, db_path: Path):
    url = server.page("/night.html", RELATIVE_PAGE)
    proc = crawl(db_path, url, *FAST)
    assert proc.returncode == 0, proc.stderr
    (headers,) = rows(db_path, "SELECT headers FROM fetches WHERE url = ?", [url])[0]
    assert '"date"' in headers
    arrived = dt.datetime.fromisoformat(
        str(value(db_path, "SELECT fetched_at FROM fetches WHERE url = ?", [url]))
    )
    assert abs(published_instant(db_path, url) + dt.timedelta(hours=3) - arrived) <= dt.timedelta(
        seconds=2
    )


def test_charset_only_in_the_header_decodes_the_page_and_reclean_too(
    server: TestServer, db_path: Path
):
    url = server.page("/rynok.html", KOI8_PAGE, "text/html; charset=koi8-r")
    proc = crawl(db_path, url, *FAST)
    assert proc.returncode == 0, proc.stderr
    stored = article(db_path, url)
    assert CYRILLIC in str(stored["body"])
    assert "koi8-r (http)" in str(stored["origins"])
    for _ in range(2):
        run = reclean(db_path)
        assert (run["unchanged"], run["updated"], run["failed"]) == (1, 0, 0)
    assert article(db_path, url) == stored
