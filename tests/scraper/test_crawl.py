"""`reprints crawl` end to end, as a subprocess, against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from server import (
    ANTIBOT_TEXT,
    FAST,
    GBK_TEXT,
    TestServer,
    article_html,
    atom,
    crawl,
    http_date,
    last_run,
    listing,
    page_file,
    rows,
    rss,
    sitemap,
    sitemap_index,
    value,
)

import cleaners
import db
from scraper.crawl import Crawl
from scraper.fetch import FetchSettings
from scraper.sources import Source

OLD = "Mon, 02 Jun 2025 08:00:00 GMT"


class Site:
    """Seven articles behind a feed (3), a sitemap index (2) and a listing page (2)."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.feed_paths = [f"/feed/{i}.html" for i in range(1, 4)]
        self.sitemap_paths = [f"/map/{i}.html" for i in range(1, 3)]
        self.listing_paths = [f"/list/{i}.html" for i in range(1, 3)]
        for path in self.paths:
            server.page(path, article_html(path))
        self.feed = self.set_feed({})
        self.sitemap = self.set_sitemap({})
        server.xml("/sitemap-index.xml", sitemap_index([server.url("/sitemap-1.xml")]))
        self.sitemap_index = server.url("/sitemap-index.xml")
        self.listing = server.page("/news/", listing(self.listing_paths))

    @property
    def paths(self) -> list[str]:
        return self.feed_paths + self.sitemap_paths + self.listing_paths

    @property
    def urls(self) -> list[str]:
        return [self.server.url(p) for p in self.paths]

    def set_feed(self, dates: dict[str, str]) -> str:
        items = [(self.server.url(p), dates.get(p, OLD)) for p in self.feed_paths]
        return self.server.xml("/feed.xml", rss(items), "application/rss+xml")

    def set_sitemap(self, lastmods: dict[str, str]) -> str:
        items = [(self.server.url(p), lastmods.get(p, "2025-06-01")) for p in self.sitemap_paths]
        return self.server.xml("/sitemap-1.xml", sitemap(items))

    def args(self) -> list[str]:
        return [
            "--feed",
            self.feed,
            "--sitemap",
            self.sitemap_index,
            "--listing",
            self.listing,
            "--links",
            "ul.news a",
            *FAST,
        ]

    def article_hits(self) -> int:
        return sum(self.server.hits[p] for p in self.paths)


@pytest.fixture
def site(server: TestServer) -> Site:
    return Site(server)


def counts(run: dict[str, object]) -> dict[str, object]:
    return {k: run[k] for k in db.runs.COUNTS if run[k]}


def article_urls(path: Path) -> list[str]:
    return [r[0] for r in rows(path, "SELECT url FROM articles ORDER BY url")]


def fetched_at(path: Path, url: str) -> dt.datetime:
    text = value(path, "SELECT max(fetched_at) FROM fetches WHERE url = ?", [url])
    return dt.datetime.fromisoformat(str(text))


# discovery to articles, incrementally


def test_feed_sitemap_and_listing_lead_to_articles(site: Site, db_path: Path):
    proc = crawl(db_path, *site.args())
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")  # quiet without -v
    assert article_urls(db_path) == sorted(site.urls)
    for url, path in zip(site.urls, site.paths, strict=True):
        status, body = rows(db_path, "SELECT status, body FROM articles WHERE url = ?", [url])[0]
        assert status == "ok"
        assert f"test article {path}" in body
    run = last_run(db_path)
    assert counts(run) == {"discovered": 7, "fetched": 7, "new": 7}
    assert (run["command"], run["status"], run["exit_code"]) == ("crawl", "ok", 0)
    assert run["ended"]
    assert site.feed in json.loads(str(run["arguments"]))[0]
    assert value(db_path, "SELECT count(*) FROM fetches WHERE etag IS NULL") == 0
    assert value(db_path, "SELECT count(*) FROM snapshots") == 7
    # navigation links on the listing page are not articles; every request names reprints
    assert site.server.hits["/about"] == site.server.hits["/terms"] == 0
    assert all("reprints" in r.headers["user-agent"] for r in site.server.requests)


def test_atom_feed(server: TestServer, db_path: Path):
    paths = ["/atom/1.html", "/atom/2.html"]
    for path in paths:
        server.page(path, article_html(path))
    feed = server.xml("/atom.xml", atom([(p.lstrip("/"), "2025-06-01T00:00:00Z") for p in paths]))
    proc = crawl(db_path, "--feed", feed, *FAST)
    assert proc.returncode == 0, proc.stderr
    assert article_urls(db_path) == [server.url(p) for p in paths]


def test_second_run_skips_what_is_stored(site: Site, db_path: Path):
    assert crawl(db_path, *site.args()).returncode == 0
    hits, fetches = site.article_hits(), value(db_path, "SELECT count(*) FROM fetches")
    proc = crawl(db_path, *site.args())
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")
    assert site.article_hits() == hits
    assert value(db_path, "SELECT count(*) FROM fetches") == fetches
    assert counts(last_run(db_path)) == {"discovered": 7, "skipped": 7}
    assert value(db_path, "SELECT count(*) FROM runs") == 2


def test_refresh_sends_validators_and_304_stores_nothing_new(site: Site, db_path: Path):
    assert crawl(db_path, *site.args()).returncode == 0
    before = {
        table: value(db_path, f"SELECT count(*) FROM {table}")
        for table in ("articles", "article_versions", "snapshots", "removals")
    }
    etags = dict(rows(db_path, "SELECT url, etag FROM fetches"))
    modified = dict(rows(db_path, "SELECT url, last_modified FROM fetches"))
    seen = dict(rows(db_path, "SELECT url, last_seen FROM articles"))
    proc = crawl(db_path, *site.args(), "--refresh")
    assert proc.returncode == 0, proc.stderr
    for url, path in zip(site.urls, site.paths, strict=True):
        request = site.server.requests_for(path)[-1]
        assert request.headers.get("if-none-match") == etags[url]
        assert request.headers.get("if-modified-since") == modified[url]
    assert counts(last_run(db_path)) == {"discovered": 7, "fetched": 7, "unchanged": 7}
    for table, count in before.items():
        assert value(db_path, f"SELECT count(*) FROM {table}") == count, table
    assert value(db_path, "SELECT max(version) FROM articles") == 1
    for url, last_seen in rows(db_path, "SELECT url, last_seen FROM articles"):
        assert last_seen >= seen[url]


def test_a_304_costs_no_parsing(server: TestServer, tmp_path: Path, monkeypatch):
    urls = [server.page(f"/p{i}.html", article_html(i)) for i in range(3)]
    store = db.open_database(tmp_path / "a.db")
    settings = FetchSettings(delay=0, timeout=1, retries=0)
    source = Source(name="urls", urls=tuple(urls))

    def run(refresh: bool) -> dict[str, int]:
        run_id = db.start_run(store, "crawl", [])
        result = asyncio.run(Crawl(store, run_id, settings, refresh=refresh).run([source]))
        db.finish_run(store, run_id, result.counts, result.exit_code)
        return dict(result.counts)

    assert run(False)["new"] == 3
    calls = []
    real_clean = cleaners.clean

    def counting_clean(*args, **kwargs):
        calls.append(args)
        return real_clean(*args, **kwargs)

    monkeypatch.setattr("scraper.crawl.cleaners.clean", counting_clean)
    assert run(True) == {"discovered": 3, "fetched": 3, "unchanged": 3}
    assert calls == []
    server.page("/p0.html", article_html("0 changed"))
    assert run(True)["updated"] == 1
    assert len(calls) == 1


def test_changed_page_with_newer_feed_date_is_refetched_as_version_2(site: Site, db_path: Path):
    assert crawl(db_path, *site.args()).returncode == 0
    path, url = site.feed_paths[0], site.urls[0]
    etag = value(db_path, "SELECT etag FROM fetches WHERE url = ?", [url])
    site.server.page(path, article_html(path, extra="A correction was added."))
    later = fetched_at(db_path, url) + dt.timedelta(minutes=2)
    site.set_feed({path: http_date(later.timestamp())})
    hits = site.article_hits()
    proc = crawl(db_path, *site.args())
    assert proc.returncode == 0, proc.stderr
    assert site.article_hits() == hits + 1
    assert site.server.requests_for(path)[-1].headers.get("if-none-match") == etag
    assert counts(last_run(db_path)) == {
        "discovered": 7,
        "fetched": 1,
        "updated": 1,
        "skipped": 6,
    }
    version, body = rows(db_path, "SELECT version, body FROM articles WHERE url = ?", [url])[0]
    assert version == 2
    assert "A correction was added." in body
    old = rows(db_path, "SELECT version, body FROM article_versions WHERE url = ?", [url])
    assert len(old) == 1 and old[0][0] == 1 and "correction" not in old[0][1]
    assert value(db_path, "SELECT count(*) FROM article_versions") == 1


def test_newer_sitemap_lastmod_is_refetched(site: Site, db_path: Path):
    assert crawl(db_path, *site.args()).returncode == 0
    path = site.sitemap_paths[1]
    url = site.server.url(path)
    site.server.page(path, article_html(path, extra="Updated text."))
    later = fetched_at(db_path, url) + dt.timedelta(minutes=2)
    site.set_sitemap({path: later.isoformat()})
    proc = crawl(db_path, *site.args())
    assert proc.returncode == 0, proc.stderr
    assert counts(last_run(db_path))["updated"] == 1
    assert value(db_path, "SELECT version FROM articles WHERE url = ?", [url]) == 2


def test_unchanged_date_in_the_feed_is_not_a_reason_to_refetch(site: Site, db_path: Path):
    assert crawl(db_path, *site.args()).returncode == 0
    site.set_sitemap({p: "2025-06-01T00:00:00+00:00" for p in site.sitemap_paths})
    proc = crawl(db_path, *site.args())
    assert proc.returncode == 0
    assert counts(last_run(db_path))["skipped"] == 7


def _rfc822(when: dt.datetime, offset_hours: int) -> str:
    zone = dt.timezone(dt.timedelta(hours=offset_hours))
    local = when.astimezone(zone)
    return local.strftime("%a, %d %b %Y %H:%M:%S ") + local.strftime("%z")


def test_feed_date_behind_utc_that_is_newer_than_the_fetch_refetches(site: Site, db_path: Path):
    """A pubDate two minutes after the last fetch, written in -0500, is newer: refetch."""
    assert crawl(db_path, *site.args()).returncode == 0
    path, url = site.feed_paths[0], site.urls[0]
    site.server.page(path, article_html(path, extra="Late edit."))
    later = fetched_at(db_path, url) + dt.timedelta(minutes=2)
    site.set_feed({path: _rfc822(later, -5)})
    assert crawl(db_path, *site.args()).returncode == 0
    assert value(db_path, "SELECT version FROM articles WHERE url = ?", [url]) == 2, (
        "the feed said the item changed after the last fetch, but it was not refetched"
    )


def test_feed_date_ahead_of_utc_that_is_older_than_the_fetch_skips(site: Site, db_path: Path):
    """A pubDate an hour before the last fetch, written in +0800, is older: no refetch."""
    assert crawl(db_path, *site.args()).returncode == 0
    path, url = site.feed_paths[0], site.urls[0]
    earlier = fetched_at(db_path, url) - dt.timedelta(hours=1)
    site.set_feed({path: _rfc822(earlier, 8)})
    hits = site.server.hits[path]
    assert crawl(db_path, *site.args()).returncode == 0
    assert site.server.hits[path] == hits, "an item older than the last fetch was refetched"
    assert counts(last_run(db_path))["skipped"] == 7


def test_sources_file_with_limit(site: Site, db_path: Path, tmp_path: Path):
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[defaults]\ndelay = 0\n\n[[source]]\nname = "feed"\nfeed = "{site.feed}"\nlimit = 2\n'
        f'\n[[source]]\nlisting = "{site.listing}"\nlinks = "ul.news a"\n'
    )
    proc = crawl(db_path, "--sources", str(sources), *FAST)
    assert proc.returncode == 0, proc.stderr
    expected = [site.server.url(p) for p in site.feed_paths[:2] + site.listing_paths]
    assert article_urls(db_path) == sorted(expected)


# retries and failures


def test_429_and_500_are_retried_then_stored(server: TestServer, db_path: Path):
    busy = server.sequence(
        "/busy.html",
        [(429, {"Retry-After": "1"}, b"slow down"), (200, {}, article_html("busy"))],
    )
    flaky = server.sequence("/flaky.html", [(500, {}, b"oops"), (200, {}, article_html("flaky"))])
    proc = crawl(db_path, busy, flaky, *FAST)
    assert proc.returncode == 0, proc.stderr
    assert article_urls(db_path) == sorted([busy, flaky])
    assert server.hits["/busy.html"] == server.hits["/flaky.html"] == 2
    first, second = server.requests_for("/busy.html")
    assert second.at - first.at >= 0.9
    assert counts(last_run(db_path)) == {"discovered": 2, "fetched": 2, "new": 2}


BROKEN = {
    "/slow.html": "Timeout",
    "/reset.html": "",
    "/cut.html": "",
    "/big.html": "limit",
    "/big-chunked.html": "limit",
    "/bomb.html": "limit",
    "/loop/a": "redirect",
    "/missing.html": "404",
}


def test_broken_responses_fail_and_the_rest_is_stored(
    server: TestServer, db_path: Path, gzip_bomb: bytes
):
    server.slow("/slow.html", 3)
    server.reset("/reset.html")
    server.truncated("/cut.html")
    server.large("/big.html", 2_000_000)
    server.large("/big-chunked.html", 2_000_000, content_length=False)
    server.gzip_bomb("/bomb.html", gzip_bomb)
    server.redirect("/loop/a", "/loop/b")
    server.redirect("/loop/b", "/loop/a")
    good = [server.page(f"/good/{i}.html", article_html(i)) for i in range(2)]
    broken = [server.url(p) for p in BROKEN]
    proc = crawl(db_path, *good, *broken, *FAST, "--max-bytes", "1000000", timeout=30)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert article_urls(db_path) == sorted(good)
    run = last_run(db_path)
    # the 404 is a response: fetched, then failed
    assert counts(run) == {"discovered": 10, "fetched": 3, "new": 2, "failed": 8}
    assert (run["status"], run["exit_code"]) == ("partial", 1)
    errors = json.loads(str(run["errors"]))
    assert len(errors) == 8
    for path, expected in BROKEN.items():
        url = server.url(path)
        (error,) = [r[0] for r in rows(db_path, "SELECT error FROM fetches WHERE url = ?", [url])]
        assert error, path
        assert expected in error, (path, error)
        assert any(url in line for line in errors), path
    assert value(db_path, "SELECT count(*) FROM fetches WHERE sha256 IS NOT NULL") == 2


def test_failure_without_v_prints_one_line(server: TestServer, db_path: Path):
    """As the README promises cron users: one summary line on stderr when some URLs failed."""
    good = server.page("/good.html", article_html("good"))
    proc = crawl(db_path, good, server.url("/missing.html"), *FAST)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_failed_feed_is_recorded(server: TestServer, db_path: Path):
    proc = crawl(db_path, "--feed", server.url("/no-feed.xml"), *FAST)
    assert proc.returncode == 1
    assert counts(last_run(db_path)) == {"failed": 1}
    assert "404" in str(value(db_path, "SELECT error FROM fetches"))


def test_sitemap_with_a_malformed_url_still_crawls_the_rest(server: TestServer, db_path: Path):
    good = server.page("/good.html", article_html("good"))
    sm = server.xml("/sitemap.xml", sitemap([("http://[::1/broken", None), (good, None)]))
    proc = crawl(db_path, "--sitemap", sm, *FAST)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert article_urls(db_path) == [good]
    assert last_run(db_path)["status"] in ("ok", "partial")


# encodings, robots.txt, blocked pages


def test_gbk_page_without_charset_is_decoded(server: TestServer, db_path: Path):
    url = server.page("/gbk.html", page_file("mirror_gbk_nocharset.html"), "text/html")
    proc = crawl(db_path, url, *FAST)
    assert proc.returncode == 0, proc.stderr
    title, body = rows(db_path, "SELECT title, body FROM articles WHERE url = ?", [url])[0]
    assert title == "后厨夜班笔记：凌晨两点的那锅汤"
    assert GBK_TEXT in body


def test_robots_disallowed_path_is_never_requested(server: TestServer, db_path: Path):
    server.robots("User-agent: *\nDisallow: /private/\n")
    public = server.page("/public/1.html", article_html("public"))
    private = server.page("/private/1.html", article_html("private"))
    sm = server.xml("/sitemap.xml", sitemap([(public, None), (private, None)]))
    proc = crawl(db_path, "--sitemap", sm, *FAST)
    assert proc.returncode == 1, proc.stderr  # a URL that could not be archived: said, not hidden
    assert proc.stderr.startswith("reprints crawl: 1 disallowed by robots.txt of 2 URLs;")
    assert server.hits["/private/1.html"] == 0
    assert article_urls(db_path) == [public]
    assert counts(last_run(db_path)) == {"discovered": 2, "fetched": 1, "new": 1, "robots": 1}


def test_robots_is_obeyed_for_urls_given_on_the_command_line(server: TestServer, db_path: Path):
    """Without a feed or sitemap to read first, the workers start at once: robots.txt must
    still be read before any of them fetches."""
    server.robots("User-agent: *\nDisallow: /private/\n")
    private = [server.page(f"/private/{i}.html", article_html(i)) for i in range(4)]
    public = server.page("/public.html", article_html("public"))
    proc = crawl(db_path, *private, public, *FAST, "--concurrency", "8")
    assert proc.returncode == 1, proc.stderr
    assert sum(server.hits[f"/private/{i}.html"] for i in range(4)) == 0
    assert article_urls(db_path) == [public]
    assert last_run(db_path)["robots"] == 4


def test_ignore_robots(server: TestServer, db_path: Path):
    server.robots("User-agent: *\nDisallow: /\n")
    url = server.page("/mine.html", article_html("mine"))
    proc = crawl(db_path, url, *FAST, "--ignore-robots")
    assert proc.returncode == 0, proc.stderr
    assert server.hits["/robots.txt"] == 0
    assert article_urls(db_path) == [url]


def test_antibot_page_is_blocked_not_stored_and_fetched_again(server: TestServer, db_path: Path):
    antibot = page_file("error_antibot.html")
    assert ANTIBOT_TEXT in antibot.decode()
    url = server.page("/s/abc", antibot)
    good = server.page("/good.html", article_html("good"))
    proc = crawl(db_path, url, good, *FAST)
    assert proc.returncode == 1
    assert article_urls(db_path) == [good]
    page_status, sha = rows(
        db_path, "SELECT page_status, sha256 FROM fetches WHERE url = ?", [url]
    )[0]
    assert page_status == "blocked"
    assert sha  # the raw page is kept as evidence
    assert counts(last_run(db_path)) == {"discovered": 2, "fetched": 2, "new": 1, "blocked": 1}
    assert last_run(db_path)["status"] == "partial"

    server.page("/s/abc", article_html("no longer blocked"))
    proc = crawl(db_path, url, good, *FAST)
    assert proc.returncode == 0, proc.stderr
    assert server.hits["/s/abc"] == 2
    assert "if-none-match" not in server.requests_for("/s/abc")[-1].headers
    assert article_urls(db_path) == sorted([url, good])
    assert counts(last_run(db_path)) == {"discovered": 2, "fetched": 1, "new": 1, "skipped": 1}


# output


def test_verbose_logs_each_fetch(site: Site, db_path: Path):
    proc = crawl(db_path, *site.args(), "-v")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    for url in site.urls:
        assert any(url in line and "new" in line for line in lines), url
    assert "new 7" in lines[-1]


def test_json_log_lines(site: Site, db_path: Path):
    proc = crawl(db_path, *site.args(), "-v", "--log-format", "json")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stderr.strip().splitlines()]
    fetches = {e["url"]: e for e in events if e.get("event") == "fetch"}
    assert sorted(fetches) == sorted(site.urls)
    assert all(e["outcome"] == "new" and e["status"] == 200 for e in fetches.values())
    summary = events[-1]
    assert summary["event"] == "summary"
    assert summary["new"] == 7 and summary["discovered"] == 7
    for event in events:
        assert event["level"] == "info", event
        stamp = dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
        assert abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=5), event


def test_json_log_format_is_quiet_without_v_on_success(site: Site, db_path: Path):
    proc = crawl(db_path, *site.args(), "--log-format", "json")
    assert proc.returncode == 0
    assert (proc.stdout, proc.stderr) == ("", "")


def test_json_log_lines_stay_json_when_urls_fail(server: TestServer, db_path: Path):
    good = server.page("/ok.html", article_html("ok"))
    proc = crawl(db_path, good, "http://[::1", *FAST, "-v", "--log-format", "json")
    assert proc.returncode == 1, proc.stderr
    events = [json.loads(line) for line in proc.stderr.strip().splitlines()]
    failed = [e for e in events if e.get("outcome") == "failed" or e["event"] == "error"]
    assert failed and all(e["level"] == "error" for e in failed)
    assert events[-1]["event"] == "summary" and events[-1]["level"] == "warning"
