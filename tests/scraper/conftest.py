"""Fixtures for the scraper tests: a real HTTP server on 127.0.0.1, and a gzip bomb."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from server import TestServer

BOMB_INFLATED = 60 * 1024 * 1024


@pytest.fixture
def server() -> Iterator[TestServer]:
    """A fresh server on 127.0.0.1 (port 0); stopped at teardown."""
    srv = TestServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def gzip_bomb() -> bytes:
    """A few tens of KB of gzip that inflate to 60 MB of zeros, built once."""
    data = gzip.compress(b"\0" * BOMB_INFLATED, compresslevel=9)
    assert len(data) < 100_000
    return data


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "articles.db"
