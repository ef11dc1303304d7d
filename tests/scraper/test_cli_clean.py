"""`reprints clean --content-type --fetched-at`: what a saved page's fetch said, given by hand."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from server import CYRILLIC, KOI8_PAGE, RELATIVE_PAGE, REPRINTS


def clean(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [REPRINTS, "clean", str(page), *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def relative(tmp_path: Path) -> Path:
    path = tmp_path / "night.html"
    path.write_bytes(RELATIVE_PAGE)
    return path


def test_fetched_at_dates_a_relative_phrase(relative: Path):
    assert json.loads(clean(relative).stdout)["published"] is None
    proc = clean(relative, "--fetched-at", "2024-05-01T20:00:00+08:00")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert dt.datetime.fromisoformat(record["published"]) == dt.datetime(
        2024, 5, 1, 9, tzinfo=dt.UTC
    )
    assert "relative to the fetch time" in record["origins"]["published"]


def test_content_type_charset_decodes_the_page(tmp_path: Path):
    path = tmp_path / "rynok.html"
    path.write_bytes(KOI8_PAGE)
    proc = clean(path, "--content-type", "text/html; charset=KOI8-R", "--format", "text")
    assert proc.returncode == 0, proc.stderr
    assert CYRILLIC in proc.stdout


@pytest.mark.parametrize("value", ["2024-05-01T12:00", "tomorrow", "2024-00-10"])
def test_bad_fetched_at_is_a_usage_error_in_one_line(relative: Path, value: str):
    proc = clean(relative, "--fetched-at", value)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("Error: --fetched-at: ") and proc.stderr.count("\n") == 1


def test_help_documents_the_options():
    proc = subprocess.run([REPRINTS, "clean", "--help"], capture_output=True, text=True)
    assert "--content-type TEXT" in proc.stdout and "--fetched-at ISO8601" in proc.stdout
