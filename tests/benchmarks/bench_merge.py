"""Time `reprints merge DB SHARD SHARD` and its peak memory, beside the alternative: one import
of all the same pages into one database (what the merge must equal, and what a user without
shards would do), and check that both hold the same articles and snapshots.

Run on demand (pytest does not collect this file):

    python tests/benchmarks/bench_merge.py [--pages 10000] [--json]

Each shard is a database made by importing a generated WARC of N WeChat-style article pages
(bench_warc.py, `--mix pages`, seeds 1 and 2: distinct URLs). The merge is also run on
shards of a tenth of the size, so that its memory can be compared: it should not grow with
the shards. Times are wall clock of the whole command (start-up and linking included).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_warc import write_warc
from children import reprints_command

# Runs the command given and prints its peak resident memory (kB): the only child it waits on.
PEAK = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)"
)
CONTENT = (
    "SELECT url, status, content_hash, snapshot, version FROM articles ORDER BY url",
    "SELECT sha256, bytes FROM snapshots ORDER BY sha256",
    "SELECT url, status_code, sha256 FROM fetches ORDER BY url, sha256",
    "SELECT count(*) FROM removals",
)


def measured(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of `command`; exits when it fails."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *command], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:3])} failed: {done.stderr[-500:]}")
    return seconds, int(done.stdout.split()[-1]) // 1024


def shards(folder: Path, pages: int) -> list[Path]:
    """Two archives of `pages` pages each (distinct URLs)."""
    return [
        write_warc(folder / f"shard{seed}-{pages}.warc.gz", pages * 2, seed).path for seed in (1, 2)
    ]


def imported(path: Path, archives: list[Path]) -> tuple[float, int]:
    return measured([*reprints_command(), "import", str(path), *map(str, archives)])


def content(path: Path) -> list[list[tuple]]:
    with sqlite3.connect(path) as conn:
        return [conn.execute(sql).fetchall() for sql in CONTENT]


def case(folder: Path, pages: int) -> dict:
    archives = shards(folder, pages)
    databases = [folder / f"{archive.stem}.db" for archive in archives]
    for database, archive in zip(databases, archives, strict=True):
        imported(database, [archive])
    single = folder / f"single-{pages}.db"
    import_s, import_mb = imported(single, archives)
    merged = folder / f"merged-{pages}.db"
    merge_s, merge_mb = measured([*reprints_command(), "merge", str(merged), *map(str, databases)])
    again_s, _ = measured([*reprints_command(), "merge", str(merged), *map(str, databases)])
    return {
        "pages_per_shard": pages,
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "merge_s": round(merge_s, 2),
        "merge_peak_mb": merge_mb,
        "merge_again_s": round(again_s, 2),
        "import_s": round(import_s, 2),
        "import_peak_mb": import_mb,
        "ratio": round(import_s / merge_s, 1),
        "shard_mb": round(sum(d.stat().st_size for d in databases) / 2**20, 1),
        "identical": content(merged) == content(single),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000, help="Pages in each shard.")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_merge-") as name:
        results = [case(Path(name), pages) for pages in (options.pages // 10, options.pages)]
    for result in results:
        if options.json:
            print(json.dumps(result))
            continue
        print(
            f"merge of 2 shards of {result['pages_per_shard']} pages ({result['shard_mb']} MB), "
            f"{result['cpus']} CPUs, load {result['load']:.2f}: {result['merge_s']:.2f} s, "
            f"peak {result['merge_peak_mb']} MB (again: {result['merge_again_s']:.2f} s); one "
            f"import of the same pages {result['import_s']:.2f} s, peak "
            f"{result['import_peak_mb']} MB: merge {result['ratio']}x faster; "
            f"same database: {result['identical']}"
        )
    sys.exit(0 if all(result["identical"] for result in results) else 1)


if __name__ == "__main__":
    main()
