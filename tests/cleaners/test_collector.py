"""`clean` holds off the cycle collector for one page, which is only safe while cleaning makes
no reference cycles; and it leaves the collector as it found it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from cleaners import PageTooLarge, clean
from cleaners.clean import collector_paused

PAGES = sorted(
    path for path in (Path(__file__).parent / "pages").iterdir() if path.suffix in (".html", ".txt")
)
SMALL_PAGE = b"<html><body><p>one paragraph of text</p></body></html>"


def test_the_test_pages_are_there() -> None:
    assert len(PAGES) > 20


def test_cleaning_makes_no_reference_cycles() -> None:
    pages = [(path.read_bytes(), f"https://example.com/{path.name}") for path in PAGES]
    for page, url in pages:  # the first calls import modules, which can leave cycles
        clean(page, url)
    with collector_paused():
        gc.collect()
        for page, url in pages:
            clean(page, url)
        assert gc.collect() == 0


def test_a_reference_cycle_made_beside_cleaning_is_found() -> None:
    with collector_paused():
        gc.collect()
        clean(SMALL_PAGE)
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() == 1


def test_a_collector_that_was_on_is_on_again() -> None:
    assert gc.isenabled()
    clean(SMALL_PAGE)
    assert gc.isenabled()


def test_a_collector_that_was_on_is_on_again_after_an_error() -> None:
    with pytest.raises(PageTooLarge):
        clean(b"<p>" + b"x" * 2000 + b"</p>", max_bytes=1000)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    with collector_paused():
        clean(SMALL_PAGE)
        assert not gc.isenabled()
    assert gc.isenabled()
