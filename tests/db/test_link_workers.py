"""`reprints link --workers N` (and `db.link(..., workers=N)`) writes the graph a serial link
writes, the fingerprinting and verifying shared by forked processes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from db_helpers import import_pages, reprints, rows
from test_works import partition, work_state
from works_pages import FILES, write_pages

import db
from db import works_bulk

GRAPH = {
    "fingerprints": "SELECT * FROM fingerprints ORDER BY article_id",
    "lsh_bands": "SELECT * FROM lsh_bands ORDER BY key, article_id",
    "copy_edges": "SELECT * FROM copy_edges ORDER BY small, large",
    "works": "SELECT * FROM works ORDER BY id",
    "articles": "SELECT id, work_id, copy_role FROM articles ORDER BY id",
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("link-workers")
    write_pages(folder / "pages")
    path = folder / "articles.db"
    assert import_pages(path, folder / "pages").returncode == 0
    return path


def graph(path: Path) -> dict[str, list[dict]]:
    return {table: rows(path, sql) for table, sql in GRAPH.items()}


def linked(source: Path, copy: Path, workers: int) -> Path:
    shutil.copy(source, copy)
    store = db.open_database(copy)
    db.link(store, None, workers=workers)
    store.conn.close()
    return copy


def test_two_workers_link_what_one_does(imported, tmp_path, monkeypatch):
    """With chunks of two articles and verifying tasks of three, many tasks are in flight."""
    monkeypatch.setattr(works_bulk, "CHUNK", 2)
    monkeypatch.setattr(works_bulk, "VERIFY_CHUNK", 3)
    serial = graph(linked(imported, tmp_path / "serial.db", 1))
    parallel = graph(linked(imported, tmp_path / "parallel.db", 2))
    assert parallel == serial
    assert len(serial["copy_edges"]) >= len(FILES) - 3, "the six copies are linked"
    assert any(edge["kind"] == "translation" for edge in serial["copy_edges"])


def test_link_command_with_workers(imported, tmp_path):
    copy = tmp_path / "articles.db"
    shutil.copy(imported, copy)
    before = work_state(copy), partition(copy)
    result = reprints("link", copy, "--workers", "2", "-v")
    assert result.returncode == 0, result.stderr
    assert (work_state(copy), partition(copy)) == before
    assert result.stderr.strip().endswith("works")


def test_workers_must_be_a_positive_number(imported):
    result = reprints("link", imported, "--workers", "0")
    assert result.returncode == 2
    assert "--workers" in result.stderr
    assert "Traceback" not in result.stderr
