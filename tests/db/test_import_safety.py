"""`reprints import` reads only what it should, one bad file never stops it, and its run is
never left `running`: links out of the folder, FIFOs, devices, a cleaner that raises, a full
or locked database, signals."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from db_helpers import page_html, reprints, rows, scalar

import db
from db import importer

PARAGRAPHS = [
    "渡口的老船工每天清晨五点就把船推下水，先绕着小岛转一圈，看看夜里有没有漂来的木头。",
    "他说这条河他走了四十年，水位涨落、暗礁的位置，全都记在心里，用不着看什么地图。",
    "去年镇上修了桥，坐船的人少了一大半，可他还是每天出船，说是河认得他，他也认得河。",
]


def write_page(path: Path, title: str, url: str | None = None) -> Path:
    path.write_text(page_html(title, PARAGRAPHS, url), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with one good page, beside a folder outside it with a private page."""
    inside = tmp_path / "pages"
    inside.mkdir()
    write_page(inside / "good.html", "河边的渡口")
    outside = tmp_path / "private"
    outside.mkdir()
    write_page(outside / "secret.html", "不该被读的页面")
    return inside


def fetched_urls(db_path: Path) -> set[str]:
    return {r["url"] for r in rows(db_path, "SELECT url FROM fetches")}


def only_run(db_path: Path) -> dict:
    (run,) = rows(db_path, "SELECT * FROM runs")
    return run


def test_symlink_out_of_the_folder_is_skipped(tmp_path: Path, folder: Path):
    (folder / "link.html").symlink_to(tmp_path / "private" / "secret.html")
    (folder / "linked_dir").symlink_to(tmp_path / "private", target_is_directory=True)
    db_path = tmp_path / "a.db"
    result = reprints("import", db_path, folder)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "outside the folder" in line]
    assert len(lines) == 2 and any("link.html" in line for line in lines), result.stderr
    assert fetched_urls(db_path) == {(folder / "good.html").resolve().as_uri()}
    run = only_run(db_path)
    assert (run["status"], run["new"], run["skipped"], run["failed"]) == ("partial", 1, 2, 0)


def test_symlink_inside_the_folder_is_read(tmp_path: Path, folder: Path):
    (folder / "alias.html").symlink_to(folder / "good.html")
    db_path = tmp_path / "in.db"
    result = reprints("import", db_path, folder)
    assert result.returncode == 0, result.stderr
    assert scalar(db_path, "SELECT count(*) FROM articles") == 1


def test_follow_symlinks_reads_them(tmp_path: Path, folder: Path):
    (folder / "link.html").symlink_to(tmp_path / "private" / "secret.html")
    (folder / "linked_dir").symlink_to(tmp_path / "private", target_is_directory=True)
    store = db.open_database(tmp_path / "follow.db")
    with db.recorded_run(store, "import", [str(folder)]) as run:
        result = db.import_paths(store, run.run_id, [folder], follow_symlinks=True)
    assert result.problems == []
    secret = (tmp_path / "private" / "secret.html").resolve().as_uri()
    assert secret in fetched_urls(tmp_path / "follow.db")
    assert result.counts["new"] == 2 and result.counts["unchanged"] == 1  # the dir, then link


def test_fifo_in_the_folder_is_skipped_without_hanging(tmp_path: Path, folder: Path):
    os.mkfifo(folder / "pipe.html")
    db_path = tmp_path / "fifo.db"
    result = reprints("import", db_path, folder, timeout=30)
    assert result.returncode == 1, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "pipe.html" in line]
    assert "FIFO" in line
    assert scalar(db_path, "SELECT count(*) FROM articles") == 1
    assert only_run(db_path)["skipped"] == 1


def test_fifo_named_directly_is_skipped(tmp_path: Path, folder: Path):
    os.mkfifo(tmp_path / "pipe")
    result = reprints("import", tmp_path / "p.db", tmp_path / "pipe", folder, timeout=30)
    assert result.returncode == 1
    assert any("pipe" in line and "FIFO" in line for line in result.stderr.splitlines())
    assert scalar(tmp_path / "p.db", "SELECT count(*) FROM articles") == 1


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_named_directly_fails_at_the_cap(tmp_path: Path, folder: Path):
    db_path = tmp_path / "zero.db"
    result = reprints("import", db_path, "/dev/zero", folder / "good.html", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (fetch,) = rows(db_path, "SELECT * FROM fetches WHERE url = 'file:///dev/zero'")
    assert f"larger than {db.importer.MAX_PAGE_BYTES} bytes" in fetch["error"]
    assert fetch["sha256"] is None
    assert scalar(db_path, "SELECT count(*) FROM articles") == 1
    assert scalar(db_path, "SELECT count(*) FROM snapshots") == 1
    run = only_run(db_path)
    assert (run["status"], run["failed"], run["new"]) == ("partial", 1, 1)


def test_reads_stop_at_max_bytes(tmp_path: Path):
    with pytest.raises(importer.FileRefused, match="larger than 1000 bytes"):
        importer.read_capped(Path("/dev/zero"), 1000)
    page = write_page(tmp_path / "p.html", "大小刚好")
    size = page.stat().st_size
    assert importer.read_capped(page, size)[0] == page.read_bytes()
    with pytest.raises(importer.FileRefused, match=f"larger than {size - 1} bytes"):
        importer.read_capped(page, size - 1)


def test_max_bytes_fails_a_big_file_and_goes_on(tmp_path: Path, folder: Path):
    write_page(folder / "big.html", "很长的一页" * 2000)
    store = db.open_database(tmp_path / "cap.db")
    run_id = db.start_run(store, "import", [])
    result = db.import_paths(store, run_id, [folder], max_bytes=2000)
    assert result.counts["failed"] == 1 and result.counts["new"] == 1
    (problem,) = result.problems
    assert "big.html" in problem and "larger than 2000 bytes" in problem


def raise_on_marker(real_clean):
    def clean(data: bytes, **kwargs):
        if "炸弹".encode() in data:
            raise RuntimeError("the cleaner tripped")
        return real_clean(data, **kwargs)

    return clean


def test_cleaner_exception_fails_that_file_and_the_rest_is_imported(
    tmp_path: Path, folder: Path, monkeypatch
):
    bad = write_page(folder / "a_bad.html", "炸弹页面")
    write_page(folder / "z_after.html", "后面的一页")
    monkeypatch.setattr(importer, "clean", raise_on_marker(importer.clean))
    db_path = tmp_path / "contained.db"
    store = db.open_database(db_path)
    with db.recorded_run(store, "import", [str(folder)]) as run:
        result = db.ImportResult(run.counts, run.errors)
        db.import_paths(store, run.run_id, [folder], result=result)
        run.exit_code = 1 if result.problems else 0
    (fetch,) = rows(db_path, "SELECT * FROM fetches WHERE url = ?", (bad.resolve().as_uri(),))
    assert "RuntimeError: the cleaner tripped" in fetch["error"]
    assert scalar(db_path, "SELECT count(*) FROM articles") == 2
    run_row = only_run(db_path)
    assert (run_row["status"], run_row["failed"], run_row["new"]) == ("partial", 1, 2)
    assert "a_bad.html" in json.loads(run_row["errors"])[0]


def test_full_database_rolls_back_the_file_and_marks_the_run_failed(tmp_path: Path, folder: Path):
    noise = random.Random(8)
    lines = ["".join(chr(noise.randint(0x4E00, 0x9FFF)) for _ in range(80)) for _ in range(500)]
    (folder / "noisy.html").write_text(page_html("杂音", lines), encoding="utf-8")
    db_path = tmp_path / "full.db"
    store = db.open_database(db_path)
    run_in = db.recorded_run(store, "import", [str(folder)])
    with pytest.raises(db.DatabaseUnwritable) as caught, run_in as run:
        pages = store.execute("PRAGMA page_count").fetchone()[0]
        store.execute(f"PRAGMA max_page_count = {pages + 2}")
        db.import_paths(store, run.run_id, [folder])
    assert str(db_path) in str(caught.value) and "run this again" in str(caught.value)
    assert caught.value.path == str(db_path)
    store.conn.close()
    # good.html came first and was stored; of noisy.html nothing is left half-written
    assert fetched_urls(db_path) == {(folder / "good.html").resolve().as_uri()}
    assert scalar(db_path, "SELECT count(*) FROM snapshots") == 1
    assert scalar(db_path, "SELECT count(*) FROM articles") == 1
    run_row = only_run(db_path)
    assert (run_row["status"], run_row["exit_code"]) == ("failed", 3)
    assert "cannot be written" in json.loads(run_row["errors"])[-1]


def test_locked_database_raises_one_error_even_if_the_run_cannot_be_marked(
    tmp_path: Path, folder: Path
):
    db_path = tmp_path / "locked.db"
    store = db.open_database(db_path)
    store.execute("PRAGMA busy_timeout = 50")
    locker = sqlite3.connect(db_path, isolation_level=None)
    run_in = db.recorded_run(store, "import", [str(folder)])
    with pytest.raises(db.DatabaseLocked) as caught, run_in as run:
        locker.execute("BEGIN IMMEDIATE")
        db.import_paths(store, run.run_id, [folder])
    assert "locked" in str(caught.value) and str(db_path) in str(caught.value)
    assert any("could not be marked" in note for note in caught.value.__notes__)
    locker.execute("ROLLBACK")
    assert not store.conn.in_transaction
    assert scalar(db_path, "SELECT count(*) FROM fetches") == 0


def test_an_exception_marks_the_run_failed(tmp_path: Path):
    store = db.open_database(tmp_path / "f.db")
    with pytest.raises(ValueError), db.recorded_run(store, "import", []) as run:
        run.counts["fetched"] += 2
        raise ValueError("went wrong")
    run_row = only_run(tmp_path / "f.db")
    assert (run_row["status"], run_row["fetched"]) == ("failed", 2)
    assert json.loads(run_row["errors"]) == ["ValueError: went wrong"]


def test_keyboard_interrupt_marks_the_run_interrupted(tmp_path: Path):
    store = db.open_database(tmp_path / "k.db")
    with pytest.raises(KeyboardInterrupt), db.recorded_run(store, "import", []):
        raise KeyboardInterrupt
    run_row = only_run(tmp_path / "k.db")
    assert (run_row["status"], run_row["exit_code"]) == ("interrupted", 130)


def test_sys_exit_finishes_the_run_with_its_code(tmp_path: Path):
    store = db.open_database(tmp_path / "e.db")
    with pytest.raises(SystemExit) as caught, db.recorded_run(store, "import", []):
        sys.exit(1)
    assert caught.value.code == 1
    run_row = only_run(tmp_path / "e.db")
    assert (run_row["status"], run_row["exit_code"], run_row["ended"] is None) == (
        "partial",
        1,
        False,
    )


def test_sigterm_marks_the_run_interrupted(tmp_path: Path):
    db_path = tmp_path / "term.db"
    script = textwrap.dedent(
        f"""
        import os, signal, time
        import db
        store = db.open_database({str(db_path)!r})
        with db.recorded_run(store, "import", []) as run:
            run.counts["fetched"] = 3
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, proc.stderr
    run_row = only_run(db_path)
    assert (run_row["status"], run_row["fetched"]) == ("interrupted", 3)
    assert json.loads(run_row["errors"]) == ["interrupted by SIGTERM"]
