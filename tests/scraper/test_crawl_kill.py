"""A crawl killed with SIGKILL in the middle leaves a consistent database, and the next run
completes the work: every page an article exactly once, none lost, none twice."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

from server import REPRINTS, TestServer, article_html, kill_when_counted, sitemap, wait_for_count

ARTICLES = "SELECT count(*) FROM articles"

PAGES = 300


def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(db), timeout=10)


def wait_for_articles(proc: subprocess.Popen, db: Path, n: int, seconds: float = 15) -> None:
    """Wait until the running crawl has stored `n` articles (it must still be running)."""
    wait_for_count(proc, db, ARTICLES, n, seconds)


def test_killed_crawl_is_completed_by_the_next_run(server: TestServer, db_path: Path):
    urls = [server.page(f"/a/{i}.html", article_html(i)) for i in range(PAGES)]
    sm = server.xml("/sitemap.xml", sitemap([(u, None) for u in urls]))
    server.delay = 0.02  # every response takes a little while: the crawl lasts seconds
    args = [REPRINTS, "crawl", str(db_path), "--sitemap", sm, "--delay", "0", "--timeout", "5"]
    args += ["--retries", "1", "--per-host", "4", "--concurrency", "4"]

    kill_when_counted(args, db_path, ARTICLES, 20)

    conn = connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert 20 <= stored < PAGES, "the crawl was not killed in the middle"
        # no half-written page: each article has its fetch and snapshot, and nothing else
        assert conn.execute(
            "SELECT count(*) FROM articles a JOIN fetches f ON f.id = a.fetch_id "
            "JOIN snapshots s ON s.sha256 = a.snapshot AND s.sha256 = f.sha256"
        ).fetchone() == (stored,)
        assert conn.execute("SELECT count(*) FROM fetches WHERE sha256 IS NOT NULL").fetchone() == (
            stored,
        )
        assert conn.execute("SELECT count(*) FROM snapshots").fetchone() == (stored,)
        assert conn.execute("SELECT count(*) FROM articles_fts").fetchone() == (stored,)
        assert conn.execute(
            "SELECT count(*) FROM removals WHERE article_id NOT IN (SELECT id FROM articles)"
        ).fetchone() == (0,)
        assert conn.execute("SELECT status FROM runs").fetchall() == [("running",)]
    finally:
        conn.close()

    server.delay = 0
    again = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert (again.stdout, again.stderr) == ("", "")

    conn = connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        got = [r[0] for r in conn.execute("SELECT url FROM articles")]
        assert len(got) == PAGES, f"{PAGES - len(got)} articles lost"
        assert sorted(got) == sorted(urls)
        assert (
            conn.execute(
                "SELECT url FROM fetches WHERE sha256 IS NOT NULL GROUP BY url HAVING count(*) > 1"
            ).fetchall()
            == []
        ), "pages stored twice"
        assert conn.execute("SELECT count(*) FROM snapshots").fetchone() == (PAGES,)
        assert conn.execute("SELECT count(*) FROM articles_fts").fetchone() == (PAGES,)
        assert conn.execute("SELECT max(version) FROM articles").fetchone() == (1,)
        runs = conn.execute("SELECT status, new, skipped FROM runs ORDER BY id").fetchall()
        assert runs == [("interrupted", 0, 0), ("ok", PAGES - stored, stored)]
    finally:
        conn.close()


def test_sigterm_marks_the_crawl_interrupted(server: TestServer, db_path: Path):
    """cron's or systemd's stop: the run says it was interrupted, rather than `running`."""
    urls = [server.page(f"/t/{i}.html", article_html(i)) for i in range(60)]
    sm = server.xml("/sitemap.xml", sitemap([(u, None) for u in urls]))
    server.delay = 0.05
    args = [REPRINTS, "crawl", str(db_path), "--sitemap", sm, "--delay", "0", "--timeout", "5"]
    proc = subprocess.Popen(args + ["--concurrency", "2"], stderr=subprocess.PIPE, text=True)
    try:
        wait_for_articles(proc, db_path, 3)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    conn = connect(db_path)
    try:
        status, errors = conn.execute("SELECT status, errors FROM runs").fetchone()
    finally:
        conn.close()
    assert status == "interrupted"
    assert "SIGTERM" in errors
