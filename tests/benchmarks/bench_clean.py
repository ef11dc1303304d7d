"""Time `cleaners.clean` against `trafilatura.extract` on the labelled corpus, cold, page by page.

Run on demand (pytest does not collect this file):

    python tests/benchmarks/bench_clean.py [CORPUS_DIR] [--repeat N] [--pages] [--json] [--markdown]

CORPUS_DIR defaults to ../shared/corpus next to the repository. When it is absent the script
prints "skipped: corpus not found" and exits 0.

What is timed is the FIRST call on each page, as a crawl sees it: before every call to
`cleaners.clean` the cleaner's memo caches are emptied (every `functools` cache in `cleaners/`
except those of functions without parameters, which load the rules once per process), and
`trafilatura.extract(data, url=url, with_metadata=True)` is timed the same way, one call per
page; with `--markdown`, trafilatura is asked for what `clean` always gives beside the text,
the article as Markdown (`output_format="markdown"` with formatting, links, images and tables).
Both tools are warmed up first on the project's own test pages (tests/cleaners/pages),
outside the timed set, so that imports and dateparser's first call are not counted.

Pages are grouped: "wechat-big" (a WeChat article page of 1 MB or more, the 2024-25 template),
"wechat" (other mp.weixin.qq.com pages), "mirror" (every other HTML page), "text" (.txt
dumps; trafilatura finds next to nothing in plain text, so its figure there is no comparison).
"wechat-all" reports the two WeChat groups together. Each group reports the median and the sum
of the per-page times, and the ratio trafilatura / reprints of each, and the median of each
page's own ratio (a group of small and large pages has its median time at the seam between
them, which the per-page ratio does not mind). `--repeat N` runs the
whole cold pass N times and reports the median over passes of each per-pass figure (default 1:
one pass).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import json
import os
import pkgutil
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
WARM_UP_PAGES = REPO_ROOT / "tests" / "cleaners" / "pages"

# Markers of a page served by mp.weixin.qq.com: an article (js_article, msg_title, rich_media),
# one of its error and notice pages (weui-msg), or an account's profile page.
WECHAT_MARKERS = (
    b'id="js_article"',
    b"var msg_title",
    b"rich_media",
    b"weui-msg",
    b"page_profile_info",
)
TOOLS = ("reprints", "trafilatura")
GROUPS = ("wechat-big", "wechat", "mirror", "text")
# The rows reported: each group, and every WeChat page together.
ROWS = {
    "wechat-big": ("wechat-big",),
    "wechat": ("wechat",),
    "wechat-all": ("wechat-big", "wechat"),
    "mirror": ("mirror",),
    "text": ("text",),
}
BIG_PAGE_BYTES = 1024 * 1024
SUFFIXES = (".html", ".txt")


@dataclass
class Page:
    path: Path
    group: str
    url: str | None
    data: bytes
    times: dict[str, list[float]] = field(default_factory=dict)  # tool -> seconds per pass
    errors: dict[str, str] = field(default_factory=dict)  # tool -> "ExcType: message"
    status: str | None = None  # the status reprints gave


def classify(path: Path, data: bytes) -> str:
    """The page's group (see the module docstring)."""
    if path.suffix == ".txt":
        return "text"
    if not any(marker in data for marker in WECHAT_MARKERS):
        return "mirror"
    return "wechat-big" if len(data) >= BIG_PAGE_BYTES else "wechat"


def load_pages(corpus: Path) -> list[Page]:
    pages = []
    for path in sorted(p for p in corpus.iterdir() if p.suffix in SUFFIXES):
        url = None
        expect = path.with_name(path.stem + ".expect.json")
        if expect.is_file():
            url = json.loads(expect.read_text(encoding="utf-8")).get("url")
        data = path.read_bytes()
        pages.append(Page(path=path, group=classify(path, data), url=url, data=data))
    return pages


def memo_caches() -> list[Any]:
    """Every functools cache in the cleaners package that memoises results per text of a page
    (its first parameter is `text`): a crawl meets every page's text for the first time. Caches
    of compiled patterns (keyed by a variable's name) and loaders (the rules, the version) stay
    warm, as they do in a crawl after its first page."""
    import cleaners

    found = []
    for info in pkgutil.iter_modules(cleaners.__path__):
        module = importlib.import_module(f"cleaners.{info.name}")
        for value in vars(module).values():
            wrapped = getattr(value, "__wrapped__", None)
            if not hasattr(value, "cache_clear") or wrapped is None:
                continue
            if getattr(value, "__module__", None) != module.__name__:
                continue  # imported from elsewhere: counted where it is defined
            parameters = list(inspect.signature(wrapped).parameters)
            if parameters and parameters[0] == "text":
                found.append(value)
    return found


def load_tools(
    markdown: bool = False,
) -> tuple[dict[str, Callable[[bytes, str | None], Any]], dict[str, str]]:
    """The tools that can be imported, and why the others cannot; trafilatura's Markdown output
    when `markdown`."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    tools: dict[str, Callable[[bytes, str | None], Any]] = {}
    missing: dict[str, str] = {}
    try:
        from cleaners import clean

        caches = memo_caches()

        def cold_clean(data: bytes, url: str | None) -> Any:
            for cached in caches:
                cached.cache_clear()
            return clean(data, url)

        tools["reprints"] = cold_clean
    except ImportError as exc:
        missing["reprints"] = f"cleaners.clean not importable ({exc})"
    try:
        import trafilatura

        options = (
            {"output_format": "markdown", "include_formatting": True, "include_links": True}
            | {"include_images": True, "include_tables": True}
            if markdown
            else {}
        )
        tools["trafilatura"] = lambda data, url: trafilatura.extract(
            data, url=url, with_metadata=True, **options
        )
    except ImportError as exc:
        missing["trafilatura"] = f"trafilatura not importable ({exc})"
    return tools, missing


def warm_up(tools: dict[str, Callable]) -> None:
    """One call of each tool on each of the project's test pages (not in the timed set)."""
    for path in sorted(WARM_UP_PAGES.glob("*")):
        if path.suffix not in SUFFIXES:
            continue
        data = path.read_bytes()
        for fn in tools.values():
            with contextlib.suppress(Exception):  # failures are reported per page below
                fn(data, None)
    if "reprints" in tools:
        from cleaners.dates import parse_date

        parse_date("Feb 27, 2019", "en")  # dateparser's first call loads its language data


def run_pass(pages: list[Page], tools: dict[str, Callable]) -> None:
    """Time one cold call of each tool on each page."""
    for page in pages:
        for name, fn in tools.items():
            if name in page.errors:
                continue
            start = time.perf_counter()
            try:
                result = fn(page.data, page.url)
            except Exception as exc:
                page.errors[name] = f"{type(exc).__name__}: {exc}"
                continue
            page.times.setdefault(name, []).append(time.perf_counter() - start)
            if name == "reprints":
                page.status = getattr(result, "status", None)


def _ratio(theirs: float | None, ours: float | None) -> float | None:
    return round(theirs / ours, 2) if theirs and ours else None


def summarise(pages: list[Page], passes: int) -> list[dict[str, Any]]:
    """Per group: the median over passes of the per-pass median and sum of page times (ms)."""
    rows = []
    for name, groups in ROWS.items():
        members = [p for p in pages if p.group in groups]
        if not members:
            continue
        row: dict[str, Any] = {"group": name, "pages": len(members)}
        for tool in TOOLS:
            timed = [p.times[tool] for p in members if len(p.times.get(tool, ())) == passes]
            row[f"{tool}_errors"] = sum(1 for p in members if tool in p.errors)
            row[f"{tool}_ms"] = row[f"{tool}_total_ms"] = None
            if timed:
                per_pass = [[times[i] for times in timed] for i in range(passes)]
                median = statistics.median(statistics.median(run) for run in per_pass)
                total = statistics.median(sum(run) for run in per_pass)
                row[f"{tool}_ms"] = round(median * 1000, 2)
                row[f"{tool}_total_ms"] = round(total * 1000, 2)
        row["ratio"] = _ratio(row["trafilatura_ms"], row["reprints_ms"])
        row["total_ratio"] = _ratio(row["trafilatura_total_ms"], row["reprints_total_ms"])
        row["page_ratio"] = _median_page_ratio(members)
        rows.append(row)
    return rows


def _median_page_ratio(members: list[Page]) -> float | None:
    """The median over pages of each page's own ratio (both tools timed on the same page)."""
    ratios = [
        _ratio(page_ms(p, "trafilatura"), page_ms(p, "reprints")) for p in members if not p.errors
    ]
    found = [r for r in ratios if r is not None]
    return round(statistics.median(found), 2) if found else None


def fmt_ms(value: float | None) -> str:
    return "      n/a" if value is None else f"{value:7.1f} ms"


def fmt_ratio(value: float | None) -> str:
    return "    n/a" if value is None else f"{value:6.1f}x"


def page_ms(page: Page, tool: str) -> float | None:
    times = page.times.get(tool)
    return round(statistics.median(times) * 1000, 2) if times else None


def print_table(rows, pages, missing, passes: int, show_pages: bool) -> None:
    print(
        f"reprints vs trafilatura: first (cold) call per page, {passes} pass(es); "
        f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs"
    )
    for tool, why in missing.items():
        print(f"  {tool}: {why}")
    if show_pages:
        for p in pages:
            cells = {t: "    error" if t in p.errors else fmt_ms(page_ms(p, t)) for t in TOOLS}
            print(
                f"  {p.group:<10} {p.path.name:<52} {len(p.data) / 1024:7.0f} KB"
                f"  reprints {cells['reprints']}  trafilatura {cells['trafilatura']}"
                f"  status {p.status or '-'}"
            )
            for tool, err in p.errors.items():
                print(f"      {tool} failed: {err}")
    print(
        f"{'group':<10} pages  {'median: reprints':>17} {'trafilatura':>11} {'ratio':>7}"
        f"   {'sum: reprints':>14} {'trafilatura':>11} {'ratio':>7}   {'per page':>8}"
    )
    for r in rows:
        errors = [f"{t} failed on {r[f'{t}_errors']}" for t in TOOLS if r[f"{t}_errors"]]
        print(
            f"{r['group']:<10} {r['pages']:5d}  {fmt_ms(r['reprints_ms']):>17}"
            f" {fmt_ms(r['trafilatura_ms']):>11} {fmt_ratio(r['ratio'])}"
            f"   {fmt_ms(r['reprints_total_ms']):>14} {fmt_ms(r['trafilatura_total_ms']):>11}"
            f" {fmt_ratio(r['total_ratio'])}   {fmt_ratio(r['page_ratio']):>8}"
            + (f"  ({', '.join(errors)})" if errors else "")
        )
    print(
        "ratio = trafilatura / reprints (higher: reprints faster); per page = the median of "
        "each page's own ratio"
    )
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if platform.system() == "Darwin" else rss / 1024


def as_json(corpus: Path, passes: int, missing, rows, pages: list[Page]) -> str:
    result = {
        "corpus": str(corpus),
        "passes": passes,
        "load_average": os.getloadavg()[0],
        "missing": missing,
        "groups": rows,
        "pages": [
            {
                "file": p.path.name,
                "group": p.group,
                "bytes": len(p.data),
                "url": p.url,
                "status": p.status,
                **{f"{t}_ms": page_ms(p, t) for t in TOOLS},
                "errors": p.errors,
            }
            for p in pages
        ],
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    return json.dumps(result, ensure_ascii=False, indent=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--repeat", type=int, default=1, help="cold passes over the corpus (default 1)"
    )
    parser.add_argument("--pages", action="store_true", help="also print one line per page")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--markdown", action="store_true", help="time trafilatura's Markdown output instead"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    if not args.corpus.is_dir():
        print(f"skipped: corpus not found at {args.corpus}")
        return 0
    pages = load_pages(args.corpus)
    if not pages:
        print(f"skipped: no pages in {args.corpus}")
        return 0
    tools, missing = load_tools(args.markdown)
    if not tools:
        print("skipped: " + "; ".join(missing.values()))
        return 0

    warm_up(tools)
    for _ in range(args.repeat):
        run_pass(pages, tools)
    rows = summarise(pages, args.repeat)
    if args.json:
        print(as_json(args.corpus, args.repeat, missing, rows, pages))
    else:
        print_table(rows, pages, missing, args.repeat, args.pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
