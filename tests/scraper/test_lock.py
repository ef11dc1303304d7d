"""One crawl per database: a second crawl exits 3 at once, or waits its turn with --wait."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from server import FAST, REPRINTS, TestServer, article_html, crawl, rows


def start(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [REPRINTS, "crawl", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_hit(server: TestServer, path: str, within: float = 15) -> None:
    deadline = time.monotonic() + within
    while not server.hits[path]:
        assert time.monotonic() < deadline, f"{path} was never requested"
        time.sleep(0.02)


def test_second_crawl_exits_3_at_once(server: TestServer, db_path: Path):
    slow = server.slow("/slow.html", 4)
    other = server.page("/other.html", article_html("other"))
    first = start(db_path, slow, "--delay", "0", "--timeout", "10", "--retries", "0")
    try:
        wait_for_hit(server, "/slow.html")  # the first crawl holds the lock and is mid-fetch
        started = time.monotonic()
        second = crawl(db_path, other, *FAST, timeout=20)
        elapsed = time.monotonic() - started
        assert second.returncode == 3, second.stderr
        assert elapsed < 3, f"the second crawl took {elapsed:.1f} s to give up"
        assert first.poll() is None, "the first crawl should still be running"
        assert "Traceback" not in second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert "another crawl is running" in lines[0]
        assert "--wait" in lines[0]
        assert second.stdout == ""
        assert server.hits["/other.html"] == 0
        assert first.wait(timeout=20) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert rows(db_path, "SELECT command, status FROM runs") == [("crawl", "ok")]
    assert rows(db_path, "SELECT url FROM articles") == [(slow,)]


def test_second_crawl_with_wait_runs_after_the_first(server: TestServer, db_path: Path):
    slow = server.slow("/slow.html", 2)
    other = server.page("/other.html", article_html("other"))
    first = start(db_path, slow, "--delay", "0", "--timeout", "10", "--retries", "0")
    try:
        wait_for_hit(server, "/slow.html")
        second = start(db_path, other, *FAST, "--wait")
        assert first.wait(timeout=20) == 0
        out, err = second.communicate(timeout=30)
        assert second.returncode == 0, err
        assert (out, err) == ("", "")
    finally:
        for proc in (first, second if "second" in locals() else None):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    (slow_request,) = server.requests_for("/slow.html")
    (other_request,) = server.requests_for("/other.html")
    assert other_request.at - slow_request.at >= 1.9, "the second crawl did not wait its turn"
    runs = rows(db_path, "SELECT id, status, started, ended FROM runs ORDER BY id")
    assert [r[1] for r in runs] == ["ok", "ok"]
    assert runs[1][2] >= runs[0][3]
    assert sorted(r[0] for r in rows(db_path, "SELECT url FROM articles")) == sorted([slow, other])


def test_lock_is_released_when_a_crawl_ends(server: TestServer, db_path: Path):
    url = server.page("/a.html", article_html("a"))
    assert crawl(db_path, url, *FAST).returncode == 0
    assert crawl(db_path, url, *FAST).returncode == 0
    assert Path(f"{db_path}.lock").exists()
