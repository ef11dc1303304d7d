"""A database on a read-only or a full file system (real tmpfs mounts): one line naming the
file and what to do, exit code 3, nothing half-written, and a complete rerun once the disk is
fixed. Skipped where this process may not mount file systems."""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from db_helpers import one_error_line, page_html, reprints, rows, scalar


def _mount(target: Path, options: str) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs mounted at a fresh folder, unmounted afterwards: room for the schema and
    a page or two of the full-disk test, not for all twelve."""
    target = tmp_path / "disk"
    target.mkdir()
    try:
        _mount(target, "size=4m")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def write_pages(folder: Path, count: int, noise_bytes: int) -> Path:
    """Pages that do not compress away: each carries random text in its body."""
    folder.mkdir(exist_ok=True)
    rng = random.Random(7)
    for i in range(count):
        noise = "".join(rng.choice("甲乙丙丁戊己庚辛壬癸子丑寅卯") for _ in range(noise_bytes // 3))
        text = [f"第{i}篇文章讲社区菜园今年的收成，志愿者们每周六上午一起浇水除草。", noise]
        (folder / f"p{i:02d}.html").write_text(page_html(f"菜园第{i}篇", text), "utf-8")
    return folder


def test_a_read_only_file_system_is_one_line_and_exit_3(tmp_path: Path, small_disk: Path):
    db_path = small_disk / "articles.db"
    pages = write_pages(tmp_path / "pages", 2, 3000)
    assert reprints("import", db_path, pages).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    more = write_pages(tmp_path / "more", 1, 3000)
    result = reprints("import", db_path, more)
    assert result.returncode == 3, result.stderr
    line = one_error_line(result)
    assert str(db_path) in line and "cannot be written" in line
    assert "not a SQLite database" not in line


def test_a_full_disk_stops_the_import_without_half_written_pages(tmp_path: Path, small_disk: Path):
    db_path = small_disk / "articles.db"
    pages = write_pages(tmp_path / "pages", 12, 300_000)
    result = reprints("import", db_path, pages, timeout=120)
    assert result.returncode == 3, result.stderr
    line = one_error_line(result)
    assert str(db_path) in line and "disk" in line
    assert scalar(db_path, "PRAGMA integrity_check") == "ok"
    stored = scalar(db_path, "SELECT count(*) FROM articles")
    assert 0 < stored < 12, "the disk did not fill in the middle of the import"
    orphans = "SELECT count(*) FROM articles a LEFT JOIN snapshots s ON s.sha256 = a.snapshot"
    assert scalar(db_path, orphans + " WHERE s.sha256 IS NULL") == 0
    assert [r["status"] for r in rows(db_path, "SELECT status FROM runs")] != ["running"]
    # Room again (the database copied to a roomy disk): the same command completes the work.
    moved = tmp_path / "articles.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{db_path}{suffix}")
        if source.exists():
            shutil.copy2(source, f"{moved}{suffix}")
    rerun = reprints("import", moved, pages, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert scalar(moved, "SELECT count(*) FROM articles") == 12
