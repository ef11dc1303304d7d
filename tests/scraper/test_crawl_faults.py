"""`reprints crawl` under faults: pages and stores that raise, dead robots.txt, non-text
responses. Subprocess crawls run with a timeout, so that a hang fails the test."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest
from server import FAST, TestServer, article_html, crawl, last_run, rows, sitemap, value

import cleaners
import db
from scraper.crawl import Crawl, CrawlResult, RecordingFailed
from scraper.fetch import FetchSettings
from scraper.sources import Source

# A crawl that hangs is a failure, well before pytest's own patience runs out.
HANG = 30
SNAPSHOT_FAULT = (
    "CREATE TRIGGER fault_snapshots BEFORE INSERT ON snapshots "
    "WHEN NEW.content IS NOT NULL BEGIN SELECT RAISE(ABORT, 'simulated disk fault'); END"
)
FETCH_FAULT = (
    "CREATE TRIGGER fault_fetches BEFORE INSERT ON fetches "
    "BEGIN SELECT RAISE(ABORT, 'simulated disk fault'); END"
)


def counts(run: dict[str, object]) -> dict[str, object]:
    return {k: run[k] for k in db.runs.COUNTS if run[k]}


def faulty_database(path: Path, *triggers: str) -> None:
    """A reprints database whose SQLite refuses some writes, as a failing disk would."""
    store = db.open_database(path)
    for trigger in triggers:
        store.execute(trigger)
    store.conn.close()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# a page that cannot be stored, at concurrency below, at and above the number of such pages

BAD_PAGES = 4


@pytest.mark.parametrize("concurrency", [2, BAD_PAGES, 8])
def test_pages_that_cannot_be_stored_fail_and_the_crawl_ends(
    server: TestServer, db_path: Path, concurrency: int
):
    faulty_database(db_path, SNAPSHOT_FAULT)
    bad = [server.page(f"/bad/{i}.html", article_html(i)) for i in range(BAD_PAGES)]
    proc = crawl(db_path, *bad, *FAST, "--concurrency", str(concurrency), timeout=HANG)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    run = last_run(db_path)
    assert counts(run) == {"discovered": BAD_PAGES, "fetched": BAD_PAGES, "failed": BAD_PAGES}
    assert (run["status"], run["exit_code"]) == ("partial", 1)
    errors = rows(db_path, "SELECT url, error FROM fetches ORDER BY url")
    assert [url for url, _ in errors] == sorted(bad)
    assert all("simulated disk fault" in error for _, error in errors)


@pytest.mark.parametrize("concurrency", [2, BAD_PAGES, 8])
def test_binary_pages_fail_beside_good_ones(server: TestServer, db_path: Path, concurrency: int):
    bad = [server.page(f"/bin/{i}", b"\0\1\2\3" * 500) for i in range(BAD_PAGES)]
    good = [server.page(f"/good/{i}.html", article_html(i)) for i in range(2)]
    proc = crawl(db_path, *bad, *good, *FAST, "--concurrency", str(concurrency), timeout=HANG)
    assert proc.returncode == 1, proc.stderr
    run = last_run(db_path)
    assert (run["failed"], run["new"], run["status"]) == (BAD_PAGES, 2, "partial")


def test_an_unrecordable_failure_stops_the_crawl_without_hanging(server: TestServer, db_path: Path):
    faulty_database(db_path, SNAPSHOT_FAULT, FETCH_FAULT)
    urls = [server.page(f"/p/{i}.html", article_html(i)) for i in range(12)]
    proc = crawl(db_path, *urls, *FAST, "--concurrency", "2", timeout=HANG)
    assert proc.returncode == 3, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("Error: ") and "simulated disk fault" in line
    assert last_run(db_path)["status"] == "failed"
    # it stopped at the first failure it could not record, not after trying every page
    assert sum(server.hits[f"/p/{i}.html"] for i in range(12)) < 12


# the same, in process: any exception from the cleaner or the store


def crawl_within(path: Path, sources: list[Source], concurrency: int = 2) -> CrawlResult:
    """Crawl into the database at `path` in process, on a daemon thread that opens it, and
    fail the test if the crawl has not ended in time (a hung event loop cannot be cancelled
    from inside); the crawl's exception, if any, is raised."""
    settings = FetchSettings(delay=0, timeout=1, retries=0, concurrency=concurrency, per_host=8)
    outcome: dict[str, object] = {}

    def target() -> None:
        store = db.open_database(path)
        run_id = db.start_run(store, "crawl", [])
        try:
            outcome["result"] = Crawl(store, run_id, settings).run_sync(sources)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG)
    if thread.is_alive():
        pytest.fail(f"the crawl did not end within {HANG} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


@pytest.mark.parametrize("concurrency", [2, BAD_PAGES, 8])
def test_any_exception_from_the_cleaner_is_one_failure(
    server: TestServer, tmp_path: Path, monkeypatch, concurrency: int
):
    bad = [server.page(f"/bad/{i}.html", article_html(f"bad {i}")) for i in range(BAD_PAGES)]
    good = [server.page(f"/good/{i}.html", article_html(f"good {i}")) for i in range(3)]
    real_clean = cleaners.clean

    def clean(data: bytes, url: str, **kwargs):
        if "/bad/" in url:
            raise ValueError("a bug in the cleaner")
        return real_clean(data, url, **kwargs)

    monkeypatch.setattr("scraper.crawl.cleaners.clean", clean)
    source = Source(name="urls", urls=tuple(bad + good))
    result = crawl_within(tmp_path / "a.db", [source], concurrency)
    assert dict(result.counts) == {"discovered": 7, "fetched": 7, "failed": 4, "new": 3}
    assert result.exit_code == 1
    assert len(result.errors) == BAD_PAGES
    assert all("ValueError: a bug in the cleaner" in line for line in result.errors)
    failed = [r[0] for r in rows(tmp_path / "a.db", "SELECT url FROM fetches WHERE error != ''")]
    assert sorted(failed) == sorted(bad)


def test_a_failing_discovery_is_one_failure_and_other_sources_go_on(
    server: TestServer, tmp_path: Path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the feed reader")

    monkeypatch.setattr("scraper.crawl.feed_links", broken)
    feed = server.xml("/feed.xml", b"<rss/>", "application/rss+xml")
    good = server.page("/good.html", article_html("good"))
    sources = [Source(name="feed", feed=feed), Source(name="u", urls=(good,))]
    result = crawl_within(tmp_path / "a.db", sources)
    assert dict(result.counts) == {"failed": 1, "discovered": 1, "fetched": 1, "new": 1}
    assert result.errors == [f"{feed}: unexpected error: RuntimeError: a bug in the feed reader"]


def test_recording_failed_is_raised_after_the_workers_stop(server: TestServer, tmp_path: Path):
    path = tmp_path / "a.db"
    faulty_database(path, SNAPSHOT_FAULT, FETCH_FAULT)
    urls = [server.page(f"/p/{i}.html", article_html(i)) for i in range(10)]
    with pytest.raises(RecordingFailed) as caught:
        crawl_within(path, [Source(name="urls", urls=tuple(urls))])
    assert caught.value.url in urls
    assert "simulated disk fault" in str(caught.value)
    assert caught.value.result.counts["failed"] >= 1
    assert caught.value.result.counts["failed"] == len(caught.value.result.errors)


# robots.txt that cannot be read, and robots.txt that disallows


def test_unavailable_robots_fail_each_url_with_one_line_per_host(db_path: Path):
    erring = TestServer().start()
    try:
        erring.route("/robots.txt", lambda h: h.respond(500, b"oops", "text/plain"))
        on_erring = [erring.page(f"/a/{i}.html", article_html(i)) for i in range(3)]
        dead = f"127.0.0.1:{free_port()}"
        on_dead = [f"http://{dead}/b/{i}.html" for i in range(3)]
        proc = crawl(db_path, *on_erring, *on_dead, *FAST, "-v", timeout=HANG)
    finally:
        erring.stop()
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "robots.txt unavailable" in line]
    assert len(lines) == 2, proc.stderr
    assert any(f"127.0.0.1:{erring.port}" in line for line in lines)
    assert any(dead in line for line in lines)
    assert sum(erring.hits[f"/a/{i}.html"] for i in range(3)) == 0
    run = last_run(db_path)
    assert counts(run) == {"discovered": 6, "failed": 6}
    assert (run["status"], run["exit_code"]) == ("partial", 1)
    assert len(json.loads(str(run["errors"]))) == 2
    errors = [r[0] for r in rows(db_path, "SELECT error FROM fetches")]
    assert len(errors) == 6 and all("robots.txt unavailable" in e for e in errors)


def test_unavailable_robots_without_v_exits_1_with_one_line(server: TestServer, db_path: Path):
    server.route("/robots.txt", lambda h: h.respond(503, b"busy", "text/plain"))
    url = server.page("/a.html", article_html("a"))
    proc = crawl(db_path, url, *FAST, timeout=HANG)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert last_run(db_path)["status"] == "partial"


def test_robots_disallowed_exits_1(server: TestServer, db_path: Path):
    server.robots("User-agent: *\nDisallow: /private/\n")
    public = server.page("/public.html", article_html("public"))
    private = server.page("/private/1.html", article_html("private"))
    proc = crawl(db_path, public, private, *FAST, timeout=HANG)
    assert proc.returncode == 1, proc.stderr
    assert server.hits["/private/1.html"] == 0
    run = last_run(db_path)
    assert counts(run) == {"discovered": 2, "fetched": 1, "new": 1, "robots": 1}
    assert run["status"] == "partial"


# responses that are not pages

NOT_TEXT = {
    "/paper.pdf": ("application/pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" * 40),
    "/photo.png": ("image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 400),
    "/blob": ("application/octet-stream", article_html("served as bytes")),
}


def test_non_text_responses_give_no_article(server: TestServer, db_path: Path):
    urls = [server.page(path, body, kind) for path, (kind, body) in NOT_TEXT.items()]
    good = server.page("/good.html", article_html("good"))
    xhtml = server.page("/x.xhtml", article_html("xhtml"), "application/xhtml+xml")
    proc = crawl(db_path, *urls, good, xhtml, *FAST, "-v", timeout=HANG)
    assert proc.returncode == 0, proc.stderr
    assert [r[0] for r in rows(db_path, "SELECT url FROM articles ORDER BY url")] == sorted(
        [good, xhtml]
    )
    run = last_run(db_path)
    assert counts(run) == {"discovered": 5, "fetched": 5, "new": 2, "skipped": 3}
    for url in urls:
        assert any(url in line and "not_html" in line for line in proc.stderr.splitlines())
    # each kept as a fetch with its raw bytes, never as an article; not fetched again
    stored = rows(db_path, "SELECT url FROM fetches WHERE page_status = 'not_html' ORDER BY url")
    assert [r[0] for r in stored] == sorted(urls)
    assert value(db_path, "SELECT count(*) FROM snapshots") == 5
    again = crawl(db_path, *urls, *FAST, timeout=HANG)
    assert again.returncode == 0, again.stderr
    assert counts(last_run(db_path)) == {"discovered": 3, "skipped": 3}


# honest totals


def test_nothing_fetched_although_urls_were_found_is_not_success():
    result = CrawlResult()
    result.counts.update(discovered=3)
    assert result.exit_code == 1
    result.counts.update(skipped=3)
    assert result.exit_code == 0
    result.counts.update(discovered=1, fetched=1)
    assert result.exit_code == 0


def test_runs_are_never_left_running(server: TestServer, db_path: Path):
    server.route("/robots.txt", lambda h: h.respond(500, b"oops", "text/plain"))
    url = server.page("/a.html", article_html("a"))
    crawl(db_path, url, *FAST, timeout=HANG)
    crawl(db_path, "--feed", server.url("/no-feed.xml"), *FAST, timeout=HANG)
    statuses = [r[0] for r in rows(db_path, "SELECT status FROM runs")]
    assert statuses == ["partial", "partial"]


# addresses


@pytest.mark.parametrize("allow", [False, True])
def test_a_discovered_link_to_an_unnamed_local_host_is_refused(
    server: TestServer, db_path: Path, allow: bool
):
    """The sitemap is on 127.0.0.1, which the user named; it lists a page on `localhost`, a
    host nobody named that resolves to a loopback address."""
    named = server.page("/named.html", article_html("named"))
    server.page("/other.html", article_html("other"))
    unnamed = named.replace("127.0.0.1", "localhost").replace("named.html", "other.html")

    sm = server.xml("/sitemap.xml", sitemap([(named, None), (unnamed, None)]))
    extra = ["--allow-private"] if allow else []
    proc = crawl(db_path, "--sitemap", sm, *FAST, *extra, "-v", timeout=HANG)
    stored = sorted(r[0] for r in rows(db_path, "SELECT url FROM articles"))
    if allow:
        assert proc.returncode == 0, proc.stderr
        assert stored == sorted([named, unnamed])
    else:
        assert proc.returncode == 1, proc.stderr
        assert stored == [named]
        assert "not a public address" in proc.stderr
        assert server.hits["/other.html"] == 0
