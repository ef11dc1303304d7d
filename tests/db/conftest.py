"""Fixtures for the database tests: copies of the golden pages and databases made from them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
from db_helpers import PAGE_FILES, import_pages


@pytest.fixture
def pages_copy(tmp_path: Path) -> Path:
    """A private copy of the golden pages (HTML and text only), safe to edit."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in PAGE_FILES:
        shutil.copy2(page, folder / page.name)
    return folder


@pytest.fixture
def imported(tmp_path: Path, pages_copy: Path) -> Path:
    """A database made by `reprints import` of a copy of the golden pages."""
    db_path = tmp_path / "articles.db"
    import_pages(db_path, pages_copy)
    return db_path


class Imported(NamedTuple):
    db: Path
    folder: Path


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The same, shared by the read-only tests of a module."""
    base = tmp_path_factory.mktemp("imported")
    folder = base / "pages"
    folder.mkdir()
    for page in PAGE_FILES:
        shutil.copy2(page, folder / page.name)
    db_path = base / "articles.db"
    import_pages(db_path, folder)
    return Imported(db_path, folder)
