"""Time `cleaners.clean` against `trafilatura.extract` on the labelled corpus.

Run on demand (pytest does not collect this file):

    python tests/benchmarks/bench_clean.py [CORPUS_DIR] [--repeat 5] [--pages] [--json]

CORPUS_DIR defaults to ../shared/corpus next to the repository. When it is absent the script
prints "skipped: corpus not found" and exits 0. Each `.html` page is read once as bytes, put in
the "wechat" group when it carries WeChat page markers and in the "mirror" group otherwise, and
given to both tools R times; the per-page figure is the median of those R runs, and the group
figure is the median over its pages. Both tools are warmed up first so that import and first-call
costs (dateparser, trafilatura's models) are not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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


@dataclass
class Page:
    path: Path
    group: str
    url: str | None
    data: bytes
    times: dict[str, float] = field(default_factory=dict)  # tool -> median seconds
    errors: dict[str, str] = field(default_factory=dict)  # tool -> "ExcType: message"
    status: str | None = None  # the status reprints gave


BIG_PAGE_BYTES = 1024 * 1024


def classify(data: bytes) -> str:
    """'wechat-big' for a full WeChat article page of 1 MB or more (the 2024-25 template, mostly
    inline script), 'wechat' for other mp.weixin.qq.com pages, 'mirror' for any other HTML page."""
    if not any(marker in data for marker in WECHAT_MARKERS):
        return "mirror"
    return "wechat-big" if len(data) >= BIG_PAGE_BYTES else "wechat"


def load_pages(corpus: Path) -> list[Page]:
    pages = []
    for path in sorted(corpus.glob("*.html")):
        url = None
        expect = path.with_name(path.stem + ".expect.json")
        if expect.is_file():
            url = json.loads(expect.read_text(encoding="utf-8")).get("url")
        data = path.read_bytes()
        pages.append(Page(path=path, group=classify(data), url=url, data=data))
    return pages


def load_tools() -> tuple[dict[str, Callable[[bytes, str | None], Any]], dict[str, str]]:
    """The tools that can be imported, and why the others cannot."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    tools: dict[str, Callable[[bytes, str | None], Any]] = {}
    missing: dict[str, str] = {}
    try:
        from cleaners import attribution, clean, sweep

        def cold_clean(data: bytes, url: str | None) -> Any:
            # The cleaner memoises rule decisions per line of text; timing the same page again
            # would hit those caches, so empty them to time every run cold.
            for cached in (attribution._find_credits, sweep._language_rule, sweep.heading_rule):
                cached.cache_clear()
            return clean(data, url)

        tools["reprints"] = cold_clean
    except ImportError as exc:
        missing["reprints"] = f"cleaners.clean not importable ({exc})"
    try:
        import trafilatura

        tools["trafilatura"] = lambda data, url: trafilatura.extract(
            data, url=url, with_metadata=True
        )
    except ImportError as exc:
        missing["trafilatura"] = f"trafilatura not importable ({exc})"
    return tools, missing


def time_call(fn: Callable[[bytes, str | None], Any], page: Page, repeat: int) -> tuple[float, Any]:
    runs = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(page.data, page.url)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def run(pages: list[Page], tools: dict[str, Callable], repeat: int) -> None:
    # Warm up every tool on a WeChat page and a mirror page (imports, lazy models, dateparser).
    warm = [next((p for p in pages if p.group == g), None) for g in ("wechat-big", "mirror")]
    for fn in tools.values():
        for page in filter(None, warm):
            with contextlib.suppress(Exception):  # failures are reported per page below
                fn(page.data, page.url)
    for page in pages:
        for name, fn in tools.items():
            try:
                seconds, result = time_call(fn, page, repeat)
            except Exception as exc:
                page.errors[name] = f"{type(exc).__name__}: {exc}"
                continue
            page.times[name] = seconds
            if name == "reprints":
                page.status = getattr(result, "status", None)


def summarise(pages: list[Page]) -> list[dict[str, Any]]:
    rows = []
    groups = {
        "wechat": ("wechat", "wechat-big"),
        "wechat-big": ("wechat-big",),
        "mirror": ("mirror",),
    }
    for group, kinds in groups.items():
        members = [p for p in pages if p.group in kinds]
        if not members:
            continue
        row: dict[str, Any] = {"group": group, "pages": len(members)}
        for tool in TOOLS:
            timed = [p.times[tool] for p in members if tool in p.times]
            row[f"{tool}_ms"] = round(statistics.median(timed) * 1000, 2) if timed else None
            row[f"{tool}_total_ms"] = round(sum(timed) * 1000, 2) if timed else None
            row[f"{tool}_errors"] = sum(1 for p in members if tool in p.errors)
        both = [p for p in members if all(t in p.times for t in TOOLS)]
        if both:
            # Ratio of the medians, over the pages both tools handled.
            ours = statistics.median(p.times["reprints"] for p in both)
            theirs = statistics.median(p.times["trafilatura"] for p in both)
            row["ratio"] = round(theirs / ours, 2) if ours > 0 else None
        else:
            row["ratio"] = None
        rows.append(row)
    return rows


def fmt_ms(value: float | None) -> str:
    return "     n/a" if value is None else f"{value:6.1f} ms"


def print_table(rows, pages, missing, repeat, show_pages: bool) -> None:
    def cell(page: Page, tool: str) -> str:
        if tool in page.times:
            return fmt_ms(page.times[tool] * 1000)
        return "   error" if tool in page.errors else "     n/a"

    print(f"reprints vs trafilatura, median of {repeat} runs per page, median over pages")
    for tool, why in missing.items():
        print(f"  {tool}: {why}")
    if show_pages:
        for p in pages:
            mark = {t: cell(p, t) for t in TOOLS}
            print(
                f"  {p.group:<10} {p.path.name:<52} {len(p.data) / 1024:7.0f} KB"
                f"  reprints {mark['reprints']}  trafilatura {mark['trafilatura']}"
                f"  status {p.status or '-'}"
            )
            for tool, err in p.errors.items():
                print(f"      {tool} failed: {err}")
    for r in rows:
        ratio = "" if r["ratio"] is None else f"  {r['ratio']:5.1f}x faster"
        errors = [f"{t} failed on {r[f'{t}_errors']}" for t in TOOLS if r[f"{t}_errors"]]
        print(
            f"{r['group']:<10} {r['pages']:3d} pages  reprints {fmt_ms(r['reprints_ms'])}"
            f"  trafilatura {fmt_ms(r['trafilatura_ms'])}{ratio}"
            + (f"  ({', '.join(errors)})" if errors else "")
        )
        totals = [f"{t} {r[f'{t}_total_ms'] / 1000:.2f} s" for t in TOOLS if r[f"{t}_total_ms"]]
        print(f"{'':<20}sum over pages: {', '.join(totals)}")
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if platform.system() == "Darwin" else rss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="runs per page (default 5)")
    parser.add_argument("--pages", action="store_true", help="also print one line per page")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    if not args.corpus.is_dir():
        print(f"skipped: corpus not found at {args.corpus}")
        return 0
    pages = load_pages(args.corpus)
    if not pages:
        print(f"skipped: no .html pages in {args.corpus}")
        return 0
    tools, missing = load_tools()
    if not tools:
        print("skipped: " + "; ".join(missing.values()))
        return 0

    run(pages, tools, args.repeat)
    rows = summarise(pages)
    if args.json:
        result = {
            "corpus": str(args.corpus),
            "repeat": args.repeat,
            "missing": missing,
            "groups": rows,
            "pages": [
                {
                    "file": p.path.name,
                    "group": p.group,
                    "bytes": len(p.data),
                    "url": p.url,
                    "status": p.status,
                    **{
                        f"{t}_ms": round(p.times[t] * 1000, 2) if t in p.times else None
                        for t in TOOLS
                    },
                    "errors": p.errors,
                }
                for p in pages
            ],
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(rows, pages, missing, args.repeat, args.pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
