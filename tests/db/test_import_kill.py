"""A `reprints import` killed with SIGKILL half way leaves a consistent database, and running
the import again completes it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from db_helpers import PAGES, REPRINTS, page_html, reprints, rows, scalar

import cleaners

# Golden pages without a URL of their own (each copy is its own article, keyed by its
# file:// URL), with a sentence of each one's body where a unique marker is added.
TEMPLATES = {
    "blog_unknown_site.html": "楼下卖书，楼上摆了六张桌子，卖咖啡，也卖本地人做的糕点。",
    "mirror_163.html": "取快递时柜子弹出了一条提示",
    "false_friend_disclaimer_law.html": "几乎都能在文末看到一段免责声明",
    "wechat_2018_template.html": "临川市图书馆新馆正式开放。开馆第一天，借阅量就超过了三千册。",
    "textdump_flat.txt": "一家只有十二个人的语音识别团队把自己训练了两年的模型全部开源",
}
FILES = 480
DEADLINE = 15.0


SNAPSHOT_SQL = (
    "SELECT (SELECT count(*) FROM fetches WHERE error IS NULL), (SELECT count(*) FROM articles)"
)


def marker(number: int) -> str:
    return f"（第{number}号副本，编号K{number:05d}。）"


def make_pages(folder: Path) -> dict[str, Path]:
    """FILES distinct page files: copies of golden pages with a unique sentence, and hand-made
    pages with their own og:url. Returns the expected article URL -> file."""
    folder.mkdir()
    templates = {name: (PAGES / name).read_bytes() for name in TEMPLATES}
    expected = {}
    for number in range(FILES):
        if number % 3 == 2:
            url = f"https://example.org/kill/{number}"
            path = folder / f"own_{number:04d}.html"
            text = page_html(
                f"灯塔笔记第{number}篇",
                [f"第{number}天，海上起了雾。{marker(number)}", "补给船每两周来一次。"],
                url,
            )
            path.write_text(text, encoding="utf-8")
        else:
            name = list(TEMPLATES)[number % len(TEMPLATES)]
            anchor = TEMPLATES[name].encode()
            data = templates[name]
            assert data.count(anchor) == 1, name
            path = folder / f"copy_{number:04d}{Path(name).suffix}"
            path.write_bytes(data.replace(anchor, anchor + marker(number).encode()))
            url = path.resolve().as_uri()
        expected[url] = path
    return expected


def template_of(path: Path) -> str:
    if path.name.startswith("own_"):
        return "own"
    return list(TEMPLATES)[int(path.stem.split("_")[1]) % len(TEMPLATES)]


def poll(db_path: Path, sql: str):
    """A read-only query (one statement, so one consistent snapshot) from another
    connection; None while the file is not ready."""
    if not db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute(sql).fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return None


def check_consistent(db_path: Path, files: dict[str, Path]) -> int:
    """Every stored article is whole; return how many there are."""
    assert scalar(db_path, "PRAGMA integrity_check") == "ok"
    assert rows(db_path, "PRAGMA foreign_key_check") == []
    # no fetch without its snapshot, and every fetch of a page has its article
    assert rows(db_path, "SELECT id FROM fetches WHERE sha256 IS NULL AND error IS NULL") == []
    assert (
        rows(db_path, "SELECT id FROM fetches WHERE sha256 NOT IN (SELECT sha256 FROM snapshots)")
        == []
    )
    assert (
        rows(
            db_path,
            "SELECT fetches.id FROM fetches LEFT JOIN articles ON articles.fetch_id = fetches.id "
            "WHERE articles.id IS NULL AND fetches.error IS NULL",
        )
        == []
    )
    articles = rows(
        db_path,
        "SELECT articles.id, articles.url, articles.status, articles.snapshot, articles.version, "
        "fetches.sha256 AS fetch_sha256, fetches.url AS fetch_url, "
        "(SELECT count(*) FROM snapshots WHERE sha256 = articles.snapshot) AS snapshots, "
        "(SELECT count(*) FROM removals WHERE article_id = articles.id) AS removals, "
        "(SELECT count(*) FROM articles_fts WHERE rowid = articles.id) AS indexed "
        "FROM articles LEFT JOIN fetches ON fetches.id = articles.fetch_id",
    )
    by_path = {path.resolve().as_uri(): path for path in files.values()}
    expected_removals: dict[str, int] = {}
    for article in articles:
        assert article["fetch_sha256"] == article["snapshot"], article
        assert article["snapshots"] == 1, article
        assert article["status"] == "ok" and article["indexed"] == 1, article
        assert article["version"] == 1, article
        path = by_path[article["fetch_url"]]
        assert files[article["url"]] == path
        kind = template_of(path)  # the unique sentence does not change what is removed
        if kind not in expected_removals:
            expected_removals[kind] = len(cleaners.clean(path.read_bytes()).removed)
        assert article["removals"] == expected_removals[kind], article
    assert scalar(db_path, "SELECT count(*) FROM articles_fts") == len(articles)
    assert scalar(db_path, "SELECT count(*) FROM fetches") == len(articles)
    assert scalar(db_path, "SELECT count(*) FROM snapshots") == len(articles)
    return len(articles)


def test_killed_import_leaves_a_consistent_database_and_resumes(tmp_path: Path):
    started = time.monotonic()
    files = make_pages(tmp_path / "pages")
    assert len(files) == FILES
    db_path = tmp_path / "articles.db"

    process = subprocess.Popen(
        [str(REPRINTS), "import", str(db_path), str(tmp_path / "pages")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + DEADLINE
        seen = []  # (fetches, articles, removals) as a concurrent reader sees them
        while time.monotonic() < deadline:
            counts = poll(db_path, SNAPSHOT_SQL)
            if counts is not None:
                seen.append(counts)
                if counts[1] >= 30:
                    break
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.01)
        else:
            pytest.fail("the import wrote no articles in time")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    # a reader never saw a page half written: a fetch without its article
    assert seen and all(fetches == articles for fetches, articles in seen), seen

    # The killed import left whole articles only.
    stored = check_consistent(db_path, files)
    assert 30 <= stored < FILES, f"the import was not caught half way ({stored} of {FILES})"
    (run,) = rows(db_path, "SELECT * FROM runs")
    assert run["status"] == "running"
    assert run["ended"] is None and run["exit_code"] is None
    assert run["pid"] == process.pid

    # Running it again completes it.
    result = reprints("import", db_path, tmp_path / "pages", timeout=120)
    assert result.returncode == 0, result.stderr
    assert check_consistent(db_path, files) == FILES
    assert scalar(db_path, "SELECT count(DISTINCT url) FROM articles") == FILES
    assert {r["url"] for r in rows(db_path, "SELECT url FROM articles")} == set(files)
    fetched = {r["url"] for r in rows(db_path, "SELECT url FROM fetches")}
    assert fetched == {path.resolve().as_uri() for path in files.values()}

    killed, finished = rows(db_path, "SELECT * FROM runs ORDER BY id")
    assert killed["status"] == "interrupted"
    assert finished["status"] == "ok" and finished["exit_code"] == 0
    assert finished["discovered"] == FILES
    assert finished["unchanged"] == stored
    assert finished["new"] == FILES - stored
    assert json.loads(finished["arguments"])[0] == str(db_path)
    elapsed = time.monotonic() - started
    print(f"kill test: {stored} of {FILES} articles before SIGKILL, {elapsed:.1f} s in all")
    assert elapsed < 60
