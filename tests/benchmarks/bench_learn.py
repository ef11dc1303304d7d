"""Time `reprints learn` on many stored articles, and what applying learned rules adds to
`clean`. Run on demand (pytest does not collect this file):

    python tests/benchmarks/bench_learn.py [--articles 10000] [--sources 100] [--repeat 3]

1. Learning: N invented articles from S sources (each source with its own standing head note
   and closing lines, every article with its own text) are written as HTML pages and imported
   into a fresh database; then `db.learn` runs on it. Printed: the import time (what a user
   pays anyway, for scale), the learning time, the ratio learn / import, and the rules learned.
2. Applying: the pages of ../shared/accounts/yezu-anquan (when present; skipped otherwise) are
   imported and learned from, then each page is cleaned cold (the cleaner's memo caches
   emptied before each call, as bench_clean.py does) with the shipped rules and with the
   shipped rules plus what was learned (its own source's rules and 2,000 of other sources),
   alternating, `--repeat` passes. Printed: the sum and median per page of each, and the ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_clean import memo_caches

import cleaners
import db

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = REPO_ROOT.parent / "shared" / "accounts" / "yezu-anquan"
COMMON_HAN = 3000


def phrase(seed: str, length: int) -> str:
    """Invented text (common Han characters) that differs with `seed`."""
    draw = random.Random(seed)
    return "".join(chr(0x4E00 + draw.randrange(COMMON_HAN)) for _ in range(length))


def article_page(source: int, number: int) -> str:
    text = [f"第{number}篇，{phrase(f'{source}/{number}/{k}', 40)}。" for k in range(8)]
    blocks = [f"<p>{phrase(f'head {source}', 30)}，本号第{source}编辑室整理。</p>"]
    blocks += [f"<p>{p}</p>" for p in text]
    blocks += [f"<p>{phrase(f'tail {source}', 24)}，我们下周再见。</p>", f"<p>第{source}号信箱</p>"]
    title = f"来源{source}的第{number}个故事：{phrase(f'title {source}/{number}', 8)}"
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:url" content="https://s{source}.example/p/{number}">'
        f'<meta property="og:site_name" content="来源{source}"></head><body><article>'
        f"<h1>{title}</h1>{''.join(blocks)}</article></body></html>"
    )


def bench_learning(articles: int, sources: int, folder: Path) -> None:
    pages = folder / "pages"
    pages.mkdir()
    for i in range(articles):
        source, number = i % sources, i // sources
        (pages / f"{source}-{number}.html").write_text(article_page(source, number), "utf-8")
    store = db.open_database(folder / "learn.db")
    run = db.start_run(store, "import", [])
    started = time.perf_counter()
    db.import_paths(store, run, [pages])
    imported = time.perf_counter() - started
    started = time.perf_counter()
    result = db.learn(store, None, cleaners.load_rules())
    learned = time.perf_counter() - started
    print(f"learning: {articles} articles of {sources} sources")
    print(
        f"  import {imported:.1f} s, learn {learned:.2f} s, learn / import {learned / imported:.3f}"
    )
    print(
        f"  {result.sources} sources with enough works, {result.rules} rules "
        f"({result.rules / max(result.learned_sources, 1):.1f} per source)"
    )


def cold_clean(data: bytes, rules: cleaners.Rules, caches: list) -> float:
    for cached in caches:
        cached.cache_clear()
    started = time.perf_counter()
    cleaners.clean(data, rules=rules)
    return time.perf_counter() - started


def bench_applying(folder: Path, repeat: int) -> None:
    if not ACCOUNT.is_dir():
        print(f"applying: skipped: {ACCOUNT} not found")
        return
    store = db.open_database(folder / "account.db")
    db.import_paths(store, db.start_run(store, "import", []), [ACCOUNT], suffixes=(".txt",))
    shipped = cleaners.load_rules()
    db.learn(store, None, shipped)
    own = db.learned_rules(store)
    others = [
        cleaners.LearnedRule(f"learned:s{s}:{k}", f"s{s}", "learned", phrase(f"{s}/{k}", 20))
        for s in range(200)
        for k in range(10)
    ]
    learned = shipped.with_learned([*own, *others])
    pages = [p.read_bytes() for p in sorted(ACCOUNT.glob("*.txt"))]
    caches = memo_caches()
    for data in pages[:3]:
        cleaners.clean(data, rules=learned)
    plain: list[list[float]] = [[] for _ in pages]
    applied: list[list[float]] = [[] for _ in pages]
    for _ in range(repeat):
        for index, data in enumerate(pages):
            plain[index].append(cold_clean(data, shipped, caches))
            applied[index].append(cold_clean(data, learned, caches))
    per_plain = [statistics.median(t) for t in plain]
    per_applied = [statistics.median(t) for t in applied]
    total_plain, total_applied = sum(per_plain), sum(per_applied)
    print(f"applying: {len(pages)} pages, {len(own)} rules of their source + {len(others)} others")
    print(
        f"  sum {total_plain * 1000:.0f} ms shipped, {total_applied * 1000:.0f} ms with learned "
        f"rules: x{total_applied / total_plain:.3f}"
    )
    print(
        f"  median {statistics.median(per_plain) * 1000:.1f} ms / "
        f"{statistics.median(per_applied) * 1000:.1f} ms: "
        f"x{statistics.median(per_applied) / statistics.median(per_plain):.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        bench_learning(args.articles, args.sources, Path(tmp))
        bench_applying(Path(tmp), args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
