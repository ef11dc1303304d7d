"""`cleaners.clean` costs time in proportion to the page, whatever its shape.

Linear growth: a page of N short blocks, at N = 2,000 and N = 20,000, with the cleaner's memo
caches emptied before every run (so the larger page cannot be cheaper per block by hitting
them). Deep nesting: no recursion limit is hit. Pathological inputs: each cleans in bounded time.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import pkgutil
import time
from collections.abc import Iterator

import pytest

import cleaners
from cleaners import STATUSES, Article, clean

SMALL = 2_000
LARGE = 20_000
# Ten times the blocks may cost at most this many times the time (linear, with some slack).
MAX_GROWTH = 14
RUNS = 3
MAX_SECONDS = 2.0
PROSE = "这是嵌套很深的页面里的一段正文，它应当被找到并保留下来。"


def memo_caches() -> list:
    """The cleaner's functools caches that memoise per argument (not the rule loaders)."""
    found = []
    for info in pkgutil.iter_modules(cleaners.__path__):
        module = importlib.import_module(f"cleaners.{info.name}")
        for value in vars(module).values():
            wrapped = getattr(value, "__wrapped__", None)
            if (
                hasattr(value, "cache_clear")
                and wrapped is not None
                and getattr(value, "__module__", None) == module.__name__
                and inspect.signature(wrapped).parameters
            ):
                found.append(value)
    return found


CACHES = memo_caches()


@pytest.fixture(autouse=True, scope="module")
def _warm() -> None:
    """Import costs (trafilatura, dateparser) are paid before anything is timed."""
    clean(div_page(50))


def cold_run(page: str) -> tuple[float, Article]:
    """The seconds one `clean` of `page` takes with the memo caches emptied first, and its
    result."""
    for cached in CACHES:
        cached.cache_clear()
    start = time.perf_counter()
    article = clean(page)
    return time.perf_counter() - start, article


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """Move the test session's own objects (hundreds of thousands, late in a full run) out of
    the garbage collector's sight while timing: each of its full collections walks them all,
    which makes a page that allocates ten times more objects cost more than ten times as
    much in a big session, whatever the cleaner does."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def div_page(n: int) -> str:
    return (
        "<html><body>" + "".join(f"<div>item {i} here</div>" for i in range(n)) + "</body></html>"
    )


def paragraph_page(n: int) -> str:
    body = "".join(f"<p>这是第{i}段，内容很短。Sentence {i} ends here.</p>" for i in range(n))
    return f"<html><head><title>Many paragraphs</title></head><body>{body}</body></html>"


def test_memo_caches_are_found() -> None:
    names = {f"{c.__module__}.{c.__name__}" for c in CACHES}
    assert "cleaners.cues._score" in names
    assert "cleaners.rulebuild.default_rules" not in names


@pytest.mark.parametrize(
    ("make", "last"),
    [(div_page, f"item {LARGE - 1} here"), (paragraph_page, f"Sentence {LARGE - 1} ends here.")],
    ids=["div", "p"],
)
@pytest.mark.usefixtures("frozen_heap")
def test_cost_grows_linearly(make, last: str) -> None:
    small, large = make(SMALL), make(LARGE)
    # Other work on the machine only ever adds time, in bursts (runs of one page here vary
    # twofold), so each figure is the fastest of several. A small page is timed as a batch
    # of LARGE // SMALL cold runs in a row, so that both figures span about the same time and
    # meet the same bursts; the two kinds of run alternate.
    batch = LARGE // SMALL
    small_batches, runs = [], []
    for _ in range(RUNS):
        small_batches.append(sum(cold_run(small)[0] for _ in range(batch)))
        runs.append(cold_run(large))
    small_typical = min(small_batches) / batch
    large_typical = min(seconds for seconds, _ in runs)
    article = runs[-1][1]
    assert large_typical <= MAX_GROWTH * small_typical, (
        f"{LARGE} blocks took {large_typical:.2f} s, {SMALL} took {small_typical:.3f} s"
        f" ({large_typical / small_typical:.1f}x)"
    )
    assert article.status == "ok"
    assert last in article.body


def test_deep_nesting_keeps_the_text() -> None:
    depth = 5_000
    page = "<html><body>" + "<div>" * depth + f"<p>{PROSE * 3}</p>" + "</div>" * depth
    article = clean(page + "</body></html>")
    assert article.status in STATUSES
    assert PROSE * 3 in article.body


def test_nesting_without_a_container_finds_the_text() -> None:
    depth = 150
    inner = f"<p>{PROSE * 3}</p><p>{PROSE}</p>"
    page = "<html><body>" + "<span><div>" * depth + inner + "</div></span>" * depth
    article = clean(page + "</body></html>")
    assert article.status == "ok"
    assert PROSE * 3 in article.body


@pytest.mark.parametrize(
    "body",
    [
        "<p>" + "“" * 100_000 + "</p>",
        "<p>" + "「" * 50_000 + "</p>",
        "<p>" + "".join(f'<a href="/p/{i}">link {i}</a>' for i in range(8_000)) + "</p>",
        "<p>" + "<br>" * 20_000 + "</p>",
    ],
    ids=["curly-quotes", "corner-brackets", "links-line", "breaks"],
)
def test_pathological_input_is_quick(body: str) -> None:
    page = f"<html><body>{body}</body></html>"
    if "<a " in body:
        assert len(page) > 200_000 and "\n" not in page
    start = time.perf_counter()
    article = clean(page)
    assert time.perf_counter() - start < MAX_SECONDS
    assert article.status in STATUSES
