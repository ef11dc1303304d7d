"""Kill `reprints import`, `crawl` and `reclean` at random moments and check what they leave.

Run on demand (pytest does not collect this file):

    python tests/benchmarks/faults.py [--kills 20] [--terms 4] [--seed 1] [--pages 100]
                                      [--commands import crawl reclean] [--keep DIR]

Input: the golden article pages of tests/cleaners/pages (bench_crawl's templates), each copy
with a numbered title, a paragraph and an og:url of its own. Only templates whose cleaned
copy is an `ok` article at that og:url are used, so every copy is a distinct article. The
copies are written to a folder (for import) and served with a sitemap and robots.txt by the
tests' HTTP server on 127.0.0.1 (for crawl). Reclean starts from the imported database with
every article made stale (title, body and content hash changed by SQL, as if an older cleaner
had made them), so that each recleaned article writes a new version.

For each command, one uninterrupted run into a fresh database is timed and kept as the
reference. Then each trial starts the same command on a fresh database, sends SIGKILL (or
SIGTERM, `--terms` trials) after a delay drawn uniformly from [0, that duration], and checks:

* integrity: `PRAGMA integrity_check` is ok;
* fk: `PRAGMA foreign_key_check` is empty;
* provenance: every article points at an existing fetch and snapshot, and its fetch holds
  that snapshot; every fetch with a sha256 has its snapshot; article_versions and removals
  point at existing rows; the search index holds one row per ok article; no run but the
  killed one is `running`;
* term: after SIGTERM the killed run, if it had started, is marked `interrupted`, and no
  traceback was printed.

Then the same command runs again to completion ("rerun"), which must exit 0, leave no run
`running` (the killed one `interrupted`), pass the checks above, and leave articles equal in
(url, title, sha256 of body, status) to the reference. The table counts trials with each
failure; the exit status is 1 if any check failed. The delays come from `--seed` (per
command), so `--commands crawl --seed S` draws the same delays again; the state a process
is in at a given delay varies from run to run.
"""

from __future__ import annotations

import argparse
import enum
import hashlib
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "scraper")]

from bench_crawl import load_templates, render_site  # noqa: E402
from server import REPRINTS, TestServer  # noqa: E402

import cleaners  # noqa: E402

COMMANDS = ("import", "crawl", "reclean")
CRAWL_OPTIONS = ["--delay", "0", "--timeout", "5", "--retries", "1"]
CRAWL_OPTIONS += ["--per-host", "4", "--concurrency", "4"]
RERUN_TIMEOUT = 120.0
STALE_SQL = (
    "UPDATE articles SET title = 'stale ' || title, body = 'stale ' || body, "
    "content_hash = 'stale-' || id, cleaner_version = 'stale'"
)


class Check(enum.StrEnum):
    """What a trial can fail, one column of the table each."""

    INTEGRITY = "integrity"
    FK = "fk"
    PROVENANCE = "provenance"
    RERUN = "rerun"
    RUNNING = "running"
    TERM = "term"


@dataclass
class Trial:
    """One killed run: when the signal was sent and what the checks found."""

    command: str
    number: int
    signum: signal.Signals
    delay: float
    landed: bool = False  # the process was still running when the signal came
    started: bool = False  # the killed process had recorded its run
    problems: dict[Check, list[str]] = field(default_factory=dict)

    def fail(self, check: Check, found: list[str]) -> None:
        if found:
            self.problems.setdefault(check, []).extend(found)


@dataclass
class Scenario:
    """A command to kill: how to prepare its database and the arguments to run it."""

    command: str
    prepare: Callable[[Path], None]
    arguments: Callable[[Path], list[str]]
    reference: dict[str, tuple] = field(default_factory=dict)
    duration: float = 0.0


# --- the pages ----------------------------------------------------------------------------


def article_templates() -> list[bytes]:
    """bench_crawl's templates whose cleaned copy is an ok article at its own og:url."""
    probe = "https://example.org/probe.html"
    kept = []
    for template in load_templates():
        page = template.replace(b"@@BENCH_URL@@", probe.encode()).replace(b"@@BENCH_NUM@@", b"0")
        article = cleaners.clean(page)
        if article.status == "ok" and article.url == probe:
            kept.append(template)
    if not kept:
        raise SystemExit("no template page cleans to an article at its og:url")
    return kept


def write_pages(site: dict[str, tuple[bytes, bytes]], folder: Path) -> None:
    folder.mkdir(parents=True)
    for path, (_, body) in site.items():
        if path.endswith(".html"):
            (folder / Path(path).name).write_bytes(body)


def serve_site(server: TestServer, site: dict[str, tuple[bytes, bytes]]) -> None:
    for path, (content_type, body) in site.items():
        server.page(path, body, content_type.decode(), validators=path.endswith(".html"))


# --- reading a database -------------------------------------------------------------------


def query(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def articles(db_path: Path) -> dict[str, tuple]:
    """url -> (title, sha256 of body, status)."""
    out = {}
    for url, title, body, status in query(db_path, "SELECT url, title, body, status FROM articles"):
        digest = hashlib.sha256((body or "").encode()).hexdigest()
        out[url] = (title, digest, status)
    return out


def has_schema(db_path: Path) -> bool:
    if not db_path.exists():
        return False
    names = {r[0] for r in query(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"runs", "articles", "fetches", "snapshots", "article_versions"} <= names


PROVENANCE = {
    "article without its fetch": "SELECT url FROM articles WHERE fetch_id IS NULL "
    "OR fetch_id NOT IN (SELECT id FROM fetches)",
    "article without its snapshot": "SELECT url FROM articles WHERE snapshot IS NULL "
    "OR snapshot NOT IN (SELECT sha256 FROM snapshots)",
    "article whose fetch holds another snapshot": "SELECT a.url FROM articles a "
    "JOIN fetches f ON f.id = a.fetch_id WHERE f.sha256 IS NOT a.snapshot",
    "fetch without its snapshot": "SELECT url FROM fetches WHERE sha256 IS NOT NULL "
    "AND sha256 NOT IN (SELECT sha256 FROM snapshots)",
    "version without its article": "SELECT url FROM article_versions "
    "WHERE article_id NOT IN (SELECT id FROM articles)",
    "version without its fetch": "SELECT url FROM article_versions "
    "WHERE fetch_id IS NOT NULL AND fetch_id NOT IN (SELECT id FROM fetches)",
    "version without its snapshot": "SELECT url FROM article_versions "
    "WHERE snapshot IS NOT NULL AND snapshot NOT IN (SELECT sha256 FROM snapshots)",
    "removal without its article": "SELECT id FROM removals "
    "WHERE article_id NOT IN (SELECT id FROM articles)",
    "search index out of step": "SELECT 1 WHERE (SELECT count(*) FROM articles_fts) != "
    "(SELECT count(*) FROM articles WHERE status = 'ok')",
}


def check_database(trial: Trial, db_path: Path, when: str) -> None:
    """Integrity, foreign keys and provenance links of `db_path`, as problems of `trial`."""
    integrity = [r[0] for r in query(db_path, "PRAGMA integrity_check")]
    trial.fail(Check.INTEGRITY, [f"{when}: {r}" for r in integrity if r != "ok"])
    trial.fail(Check.FK, [f"{when}: {r}" for r in query(db_path, "PRAGMA foreign_key_check")])
    for what, sql in PROVENANCE.items():
        found = query(db_path, sql)
        if found:
            trial.fail(Check.PROVENANCE, [f"{when}: {len(found)} {what}, e.g. {found[0][0]}"])


def killed_run(db_path: Path, pid: int) -> tuple[int, str] | None:
    """(id, status) of the run the killed process recorded, if it got that far."""
    found = query(db_path, f"SELECT id, status FROM runs WHERE pid = {pid} ORDER BY id")
    return found[-1] if found else None


def running(db_path: Path, except_pid: int | None = None) -> list[str]:
    sql = "SELECT id, command, pid FROM runs WHERE status = 'running'"
    return [f"run {i} ({c}, pid {p})" for i, c, p in query(db_path, sql) if p != except_pid]


def compare(got: dict[str, tuple], want: dict[str, tuple]) -> list[str]:
    """How the articles differ from the reference, in one line (or none)."""
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    changed = sorted(u for u in set(got) & set(want) if got[u] != want[u])
    if not (missing or extra or changed):
        return []
    sample = (missing or extra or changed)[0]
    return [
        f"articles differ from the uninterrupted run: {len(missing)} missing, {len(extra)} "
        f"extra, {len(changed)} changed (e.g. {sample})"
    ]


# --- running ------------------------------------------------------------------------------


def run_once(scenario: Scenario, db_path: Path) -> tuple[int, float, str]:
    """Run the command to completion: (exit code, seconds, stderr)."""
    start = time.monotonic()
    done = subprocess.run(
        [REPRINTS, *scenario.arguments(db_path)],
        capture_output=True,
        text=True,
        timeout=RERUN_TIMEOUT,
    )
    return done.returncode, time.monotonic() - start, done.stderr


def measure(scenario: Scenario, workdir: Path) -> None:
    """Time one uninterrupted run and keep its articles as the reference."""
    db_path = workdir / f"{scenario.command}-reference.db"
    scenario.prepare(db_path)
    code, seconds, stderr = run_once(scenario, db_path)
    if code != 0:
        raise SystemExit(f"the uninterrupted {scenario.command} exited {code}: {stderr.strip()}")
    scenario.reference = articles(db_path)
    scenario.duration = seconds


def kill_at(argv: list[str], signum: signal.Signals, delay: float, err: Path) -> tuple[int, bool]:
    """Start `argv`, send `signum` after `delay` s; (pid, whether it was still running)."""
    with err.open("wb") as stderr:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            proc.wait(timeout=delay)
            return proc.pid, False
        except subprocess.TimeoutExpired:
            proc.send_signal(signum)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            with err.open("a") as note:
                note.write(f"\nfaults.py: still alive 30 s after {signum.name}\n")
    return proc.pid, True


def run_trial(scenario: Scenario, trial: Trial, workdir: Path) -> None:
    """Kill one run, check the database, run the command again and check once more."""
    db_path = workdir / f"{trial.command}-{trial.number:02d}.db"
    err = db_path.with_suffix(".err")
    scenario.prepare(db_path)
    argv = [REPRINTS, *scenario.arguments(db_path)]
    pid, trial.landed = kill_at(argv, trial.signum, trial.delay, err)
    if has_schema(db_path):
        check_database(trial, db_path, "after the kill")
        trial.fail(Check.PROVENANCE, [f"after the kill: {r}" for r in running(db_path, pid)])
        own = killed_run(db_path, pid)
        trial.started = own is not None
        if trial.signum == signal.SIGTERM and own and own[1] == "running":
            trial.fail(Check.TERM, [f"run {own[0]} left running after SIGTERM"])
    if trial.signum == signal.SIGTERM and "Traceback" in err.read_text("utf-8", "replace"):
        trial.fail(Check.TERM, [f"traceback after SIGTERM, see {err}"])
    code, _, stderr = run_once(scenario, db_path)
    if code != 0:
        last = stderr.strip().splitlines()[-1:] or [""]
        trial.fail(Check.RERUN, [f"rerun exited {code}: {last[0]}"])
    if not has_schema(db_path):
        trial.fail(Check.RERUN, ["rerun left no reprints database"])
        return
    check_database(trial, db_path, "after the rerun")
    trial.fail(Check.RUNNING, running(db_path))
    trial.fail(Check.RERUN, compare(articles(db_path), scenario.reference))


def plan(command: str, kills: int, terms: int, seed: int, duration: float) -> list[Trial]:
    """The trials of one command: delays uniform in [0, duration], SIGTERMs shuffled in."""
    rng = random.Random(f"{seed}:{command}")
    signums = [signal.SIGKILL] * kills + [signal.SIGTERM] * terms
    rng.shuffle(signums)
    return [
        Trial(command, n, signum, round(rng.uniform(0, duration), 3))
        for n, signum in enumerate(signums, 1)
    ]


# --- the scenarios ------------------------------------------------------------------------


def scenarios(pages: Path, sitemap_url: str, workdir: Path) -> dict[str, Scenario]:
    stale = workdir / "stale.db"

    def fresh(db_path: Path) -> None:
        for leftover in db_path.parent.glob(db_path.name + "*"):
            leftover.unlink()

    def copy_stale(db_path: Path) -> None:
        fresh(db_path)
        source, target = sqlite3.connect(stale), sqlite3.connect(db_path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()

    return {
        "import": Scenario("import", fresh, lambda db: ["import", str(db), str(pages)]),
        "crawl": Scenario(
            "crawl", fresh, lambda db: ["crawl", str(db), "--sitemap", sitemap_url, *CRAWL_OPTIONS]
        ),
        "reclean": Scenario("reclean", copy_stale, lambda db: ["reclean", str(db)]),
    }


def make_stale(scenario: Scenario, target: Path) -> None:
    """An imported database whose articles all differ from what the cleaner makes now."""
    scenario.prepare(target)
    code, _, stderr = run_once(scenario, target)
    if code != 0:
        raise SystemExit(f"the import for reclean exited {code}: {stderr.strip()}")
    conn = sqlite3.connect(target)
    try:
        with conn:
            conn.execute(STALE_SQL)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


# --- the report ---------------------------------------------------------------------------

HEADERS = ["command", "signal", "kills", "landed", "in run", *Check, "kill at (s)", "run (s)"]


def table_rows(scenario: Scenario, trials: list[Trial]) -> list[list[str]]:
    rows = []
    for signum in (signal.SIGKILL, signal.SIGTERM):
        group = [t for t in trials if t.signum == signum]
        if not group:
            continue
        landed = [t.delay for t in group if t.landed]
        moments = f"{min(landed):.2f}-{max(landed):.2f}" if landed else "-"
        counts = [str(sum(1 for t in group if check in t.problems)) for check in Check]
        started = sum(t.started for t in group if t.landed)
        rows.append(
            [scenario.command, signum.name, str(len(group)), str(len(landed)), str(started)]
            + counts
            + [moments, f"{scenario.duration:.2f}"]
        )
    return rows


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [HEADERS, *rows]) for i in range(len(HEADERS))]
    for row in [HEADERS, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def print_failures(trials: list[Trial], seed: int) -> None:
    for t in trials:
        for check, found in t.problems.items():
            for problem in found:
                print(
                    f"FAIL {t.command} trial {t.number} {t.signum.name} at {t.delay:.3f} s "
                    f"[{check}] {problem} (reproduce: --commands {t.command} --seed {seed})"
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="SIGKILL trials per command")
    parser.add_argument("--terms", type=int, default=4, help="SIGTERM trials per command")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", type=int, default=100, help="distinct article pages")
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    parser.add_argument("--keep", type=Path, help="keep databases and stderr in this folder")
    args = parser.parse_args(argv)
    if args.kills < 0 or args.terms < 0 or args.pages < 1:
        parser.error("--kills and --terms must be at least 0, --pages at least 1")

    started = time.monotonic()
    server = TestServer().start()
    rows: list[list[str]] = []
    trials: list[Trial] = []
    try:
        with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
            workdir = args.keep or Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            site = render_site(article_templates(), args.pages, server.url(""))
            write_pages(site, workdir / "pages")
            serve_site(server, site)
            known = scenarios(workdir / "pages", server.url("/sitemap.xml"), workdir)
            if "reclean" in args.commands:
                make_stale(known["import"], workdir / "stale.db")
            for command in args.commands:
                scenario = known[command]
                measure(scenario, workdir)
                planned = plan(command, args.kills, args.terms, args.seed, scenario.duration)
                for trial in planned:
                    run_trial(scenario, trial, workdir)
                trials += planned
                rows += table_rows(scenario, planned)
    finally:
        server.stop()
    print(f"{args.pages} pages, seed {args.seed}, {time.monotonic() - started:.0f} s in all")
    print_table(rows)
    print_failures(trials, args.seed)
    return 1 if any(t.problems for t in trials) else 0


if __name__ == "__main__":
    sys.exit(main())
