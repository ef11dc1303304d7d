"""The commands after the database opened: a failure of the database itself (locked, damaged,
a table missing) is one line naming the file and what to do, exit code 3, and the run is
marked; one bad stored page is a failed count, exit code 1, and the rest is done."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from db_helpers import one_error_line, page_html, reprints, rows, scalar


def small_database(tmp_path: Path, pages: int = 3) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(pages):
        title = f"第{i}篇：社区菜园的收成"
        paragraphs = [f"第{i}篇文章讲社区菜园今年的收成，志愿者们每周六上午一起浇水除草。" * 3]
        (folder / f"p{i}.html").write_text(page_html(title, paragraphs), "utf-8")
    db_path = tmp_path / "articles.db"
    assert reprints("import", db_path, folder).returncode == 0
    return db_path


def test_search_without_its_search_table_is_a_damaged_database(tmp_path: Path):
    db_path = small_database(tmp_path)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TABLE articles_fts")
    conn.commit()
    conn.close()
    result = reprints("search", db_path, "菜园")
    assert result.returncode == 3
    line = one_error_line(result)
    assert str(db_path) in line and "damaged" in line and ".recover" in line


def test_import_into_a_locked_database_exits_3_and_writes_nothing(tmp_path: Path):
    db_path = small_database(tmp_path)
    runs_before = scalar(db_path, "SELECT count(*) FROM runs")
    extra = tmp_path / "extra.html"
    extra.write_text(page_html("又一篇", ["这是另一篇关于社区图书馆的文章，讲旧书交换。" * 3]))
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    env = {**os.environ, "REPRINTS_BUSY_TIMEOUT": "1.5"}
    started = time.monotonic()
    try:
        result = reprints("import", db_path, extra, timeout=120, env=env)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert 1.5 <= time.monotonic() - started < 25, "it waits the busy timeout, and no longer"
    assert result.returncode == 3, result.stderr
    line = one_error_line(result)
    assert "locked" in line and str(db_path) in line
    assert scalar(db_path, "SELECT count(*) FROM runs") == runs_before
    assert scalar(db_path, "SELECT count(*) FROM fetches WHERE url LIKE '%extra.html'") == 0


def test_reclean_fails_one_damaged_snapshot_and_recleans_the_rest(tmp_path: Path):
    db_path = small_database(tmp_path)
    conn = sqlite3.connect(db_path)
    damaged = conn.execute("SELECT snapshot FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("UPDATE snapshots SET content = x'00ff00' WHERE sha256 = ?", [damaged])
    conn.commit()
    conn.close()
    result = reprints("reclean", db_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("failed ") == 1, result.stderr
    (run,) = rows(db_path, "SELECT * FROM runs WHERE command = 'reclean'")
    assert run["status"] == "partial"
    assert (run["failed"], run["unchanged"]) == (1, 2)


@pytest.mark.parametrize("value", ["soon", "-1", "1e9"])
def test_a_bad_busy_timeout_is_a_usage_error(tmp_path: Path, value: str):
    db_path = small_database(tmp_path)
    result = reprints("reclean", db_path, env={**os.environ, "REPRINTS_BUSY_TIMEOUT": value})
    assert result.returncode == 2
    assert "REPRINTS_BUSY_TIMEOUT" in one_error_line(result)
