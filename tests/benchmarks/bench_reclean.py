"""Time `reprints reclean DB --workers N` and `reprints link DB --workers N` against
`--workers 1` on the same database, and check that both leave the same articles, versions and
removals (reclean) or the same works (link).

Run on demand (pytest does not collect this file):

    python tests/benchmarks/bench_reclean.py [--pages 3000] [--workers 2] [--seed 1] [--json]

The database is made by importing a generated WARC of N WeChat-style article pages (the
archive bench_warc.py writes, `--mix pages`), then copied once per run. Two cases: the same
rules (nothing changes: the work is the cleaning, which the workers share), and a rule file
that removes short lines holding 的, so that nearly every article changes and the run writes
new versions, removals and search entries (which this process does alone, in order). Then
`link` rebuilds the works from scratch (fingerprints, bands, copy edges, works). Times are
wall clock of the whole command (start-up, and for reclean the linking after it, included),
one run each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_warc import write_warc
from children import reprints_command

RULE = """[[boilerplate]]
name = "bench.short-lines-with-de"
kind = "promo"
max_chars = 40
pattern = '的'
"""
CONTENT = (
    "SELECT id, url, content_hash, version, body, body_markdown FROM articles ORDER BY id",
    "SELECT id, article_id, version, content_hash FROM article_versions ORDER BY id",
    "SELECT id, article_id, version, position, kind, rule, text FROM removals ORDER BY id",
)
GRAPH = (
    "SELECT * FROM fingerprints ORDER BY article_id",
    "SELECT * FROM lsh_bands ORDER BY key, article_id",
    "SELECT * FROM copy_edges ORDER BY small, large",
    "SELECT * FROM works ORDER BY id",
    "SELECT id, work_id, copy_role FROM articles ORDER BY id",
)


def build(folder: Path, pages: int, seed: int) -> Path:
    archive = write_warc(folder / "pages.warc.gz", pages * 2, seed)
    path = folder / "source.db"
    done = subprocess.run([*reprints_command(), "import", str(path), str(archive.path)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"import failed: {done.stderr[-500:]}")
    return path


def reclean(source: Path, folder: Path, workers: int, changing: bool) -> tuple[float, Path]:
    copy = folder / f"workers-{workers}-{changing}.db"
    shutil.copy(source, copy)
    rule = folder / "rule.toml"
    rule.write_text(RULE, encoding="utf-8")
    command = ["reclean", str(copy), "--workers", str(workers)]
    return timed(command + (["--rules", str(rule)] if changing else [])), copy


def link(source: Path, folder: Path, workers: int) -> tuple[float, Path]:
    copy = folder / f"link-{workers}.db"
    shutil.copy(source, copy)
    return timed(["link", str(copy), "--workers", str(workers)]), copy


def timed(arguments: list[str]) -> float:
    """Seconds the `reprints` command took; a failure ends the benchmark."""
    start = time.perf_counter()
    done = subprocess.run([*reprints_command(), *arguments], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"reprints {' '.join(arguments)} failed: {done.stderr[-500:]}")
    return seconds


def content(path: Path, queries: tuple[str, ...] = CONTENT) -> list[list[tuple]]:
    with sqlite3.connect(path) as conn:
        return [conn.execute(sql).fetchall() for sql in queries]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_reclean-") as name:
        folder = Path(name)
        source = build(folder, options.pages, options.seed)
        results = [case(source, folder, options, changing) for changing in (False, True)]
        results.append(link_case(source, folder, options))
    for result in results:
        if options.json:
            print(json.dumps(result))
        else:
            changed = result.get("articles_changed")
            print(
                f"{result['command']} of {result['pages']} articles"
                f"{f' ({changed} changed)' if changed is not None else ''}, "
                f"{result['cpus']} CPUs, load {result['load']:.2f}: --workers 1 "
                f"{result['serial_s']:.2f} s, --workers {result['workers']} "
                f"{result['parallel_s']:.2f} s, {result['speedup']:.2f}x; "
                f"same database: {result['identical']}"
            )
    sys.exit(0 if all(result["identical"] for result in results) else 1)


def case(source: Path, folder: Path, options: argparse.Namespace, changing: bool) -> dict:
    serial, one = reclean(source, folder, 1, changing)
    parallel, many = reclean(source, folder, options.workers, changing)
    with sqlite3.connect(one) as conn:
        changed = conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]
    found = figures("reclean", options, serial, parallel, content(one) == content(many))
    return {**found, "articles_changed": changed}


def link_case(source: Path, folder: Path, options: argparse.Namespace) -> dict:
    serial, one = link(source, folder, 1)
    parallel, many = link(source, folder, options.workers)
    same = content(one, GRAPH) == content(many, GRAPH)
    return figures("link", options, serial, parallel, same)


def figures(
    command: str, options: argparse.Namespace, serial: float, parallel: float, identical: bool
) -> dict:
    return {
        "command": command,
        "pages": options.pages,
        "workers": options.workers,
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "serial_s": round(serial, 2),
        "parallel_s": round(parallel, 2),
        "speedup": round(serial / parallel, 2),
        "identical": identical,
    }


if __name__ == "__main__":
    main()
