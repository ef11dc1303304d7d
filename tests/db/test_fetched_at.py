"""`reprints import --fetched-at`: relative dates on imported files count from the time given,
give no date without it, and a reclean counts from the same time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from db_helpers import reprints, rows, scalar

PARAGRAPHS = "".join(
    f"<p>第{i}段：渡口的老船工每天清晨五点起床，先看潮水，再把船擦干净，等第一批赶集的人上船。</p>"
    for i in range(1, 6)
)


def relative_page(title: str, when: str) -> bytes:
    """An article page whose only date is a relative phrase."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><article><h1>{title}</h1><p>{when}</p>"
        f"{PARAGRAPHS}</article></body></html>"
    ).encode()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "ferry.html").write_bytes(relative_page("渡口的清晨", "3小时前"))
    (pages / "market.html").write_bytes(relative_page("赶集的日子", "昨天 10:20"))
    return pages


def imported(db_path: Path, *args: object) -> None:
    result = reprints("import", db_path, *args)
    assert result.returncode == 0, result.stderr


def published(db_path: Path) -> dict[str, str | None]:
    found = rows(db_path, "SELECT title, published FROM articles ORDER BY title")
    return {r["title"]: r["published"] for r in found}


def articles(db_path: Path) -> list[dict]:
    """The articles, less the cleaner version (which rule edits elsewhere may change)."""
    found = rows(db_path, "SELECT * FROM articles ORDER BY id")
    return [{k: v for k, v in row.items() if k != "cleaner_version"} for row in found]


def reclean_leaves_it_alone(db_path: Path) -> None:
    """Two recleans change no article and make no version."""
    before = articles(db_path)
    versions = scalar(db_path, "SELECT count(*) FROM article_versions")
    for _ in range(2):
        result = reprints("reclean", db_path)
        assert result.returncode == 0, result.stderr
        run = rows(db_path, "SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]
        assert (run["unchanged"], run["updated"], run["failed"]) == (len(before), 0, 0)
    assert articles(db_path) == before
    assert scalar(db_path, "SELECT count(*) FROM article_versions") == versions


def test_without_fetched_at_relative_dates_give_none(tmp_path: Path, folder: Path):
    db_path = tmp_path / "a.db"
    imported(db_path, folder)
    assert published(db_path) == {"渡口的清晨": None, "赶集的日子": None}
    assert scalar(db_path, "SELECT count(*) FROM fetches WHERE date_base IS NOT NULL") == 0
    reclean_leaves_it_alone(db_path)


def test_fetched_at_resolves_relative_dates_and_reclean_uses_it(tmp_path: Path, folder: Path):
    db_path = tmp_path / "a.db"
    imported(db_path, folder, "--fetched-at", "2024-05-01T12:34:56Z")
    found = published(db_path)
    ferry = dt.datetime.fromisoformat(str(found["渡口的清晨"]))
    assert ferry == dt.datetime(2024, 5, 1, 9, 34, 56, tzinfo=dt.UTC)
    # 12:34 UTC is 20:34 in China: "yesterday 10:20" is 30 April, 10:20 there.
    market = dt.datetime.fromisoformat(str(found["赶集的日子"]))
    assert market.utcoffset() == dt.timedelta(hours=8)
    assert (market.date(), market.hour, market.minute) == (dt.date(2024, 4, 30), 10, 20)
    bases = {r["date_base"] for r in rows(db_path, "SELECT date_base FROM fetches")}
    assert bases == {"2024-05-01T12:34:56+00:00"}
    run = rows(db_path, "SELECT arguments FROM runs WHERE command = 'import'")[0]
    assert json.loads(run["arguments"])[-2:] == ["--fetched-at", "2024-05-01T12:34:56+00:00"]
    reclean_leaves_it_alone(db_path)


def test_a_date_alone_is_midnight_utc(tmp_path: Path, folder: Path):
    db_path = tmp_path / "a.db"
    imported(db_path, folder / "ferry.html", "--fetched-at", "2024-05-01")
    ferry = dt.datetime.fromisoformat(str(published(db_path)["渡口的清晨"]))
    assert ferry == dt.datetime(2024, 4, 30, 21, tzinfo=dt.UTC)


def test_importing_again_with_a_fetch_time_dates_the_articles(tmp_path: Path, folder: Path):
    db_path = tmp_path / "a.db"
    imported(db_path, folder)
    imported(db_path, folder)
    assert scalar(db_path, "SELECT count(*) FROM fetches") == 2  # the same bytes: only seen
    imported(db_path, folder, "--fetched-at", "2024-05-01T20:00:00+08:00")
    run = rows(db_path, "SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert (run["updated"], run["unchanged"]) == (2, 0)
    ferry = dt.datetime.fromisoformat(str(published(db_path)["渡口的清晨"]))
    assert ferry == dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)
    assert scalar(db_path, "SELECT count(*) FROM article_versions") == 2
    reclean_leaves_it_alone(db_path)


@pytest.mark.parametrize(
    "value", ["2024-05-01T12:00:00", "yesterday", "2024-02-30", "1714550000", ""]
)
def test_bad_fetched_at_is_a_usage_error_in_one_line(tmp_path: Path, folder: Path, value: str):
    db_path = tmp_path / "a.db"
    result = reprints("import", db_path, folder, "--fetched-at", value)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--fetched-at" in result.stderr
    assert result.stderr.startswith("Error: ")
    assert not db_path.exists()  # refused before any run started
