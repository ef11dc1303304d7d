"""The pool that reclean and link share their work with: `ordered_map` keeps the tasks'
order and passes a worker's failure on; the workers die by SIGTERM and leave Ctrl-C to the
run, whatever handler the run installed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from db_helpers import rows

import db
from db.parallel import ordered_map


def slow_square(n: int) -> tuple[int, int]:
    time.sleep(0.02 * (n % 3))  # later tasks may finish first
    return n * n, os.getpid()


def test_ordered_map_keeps_the_order_of_the_tasks():
    results = list(ordered_map(slow_square, range(20), 2))
    assert [task for task, _ in results] == list(range(20))
    assert [square for _, (square, _) in results] == [n * n for n in range(20)]
    pids = {pid for _, (_, pid) in results}
    assert os.getpid() not in pids and len(pids) == 2


def test_ordered_map_with_one_worker_runs_here():
    results = list(ordered_map(slow_square, range(3), 1))
    assert {pid for _, (_, pid) in results} == {os.getpid()}


def fail_on_three(n: int) -> int:
    if n == 3:
        raise sqlite3.DataError(f"task {n}")
    return n


def test_a_failing_task_fails_the_map_with_its_error():
    with pytest.raises(sqlite3.DataError, match="task 3"):
        list(ordered_map(fail_on_three, range(10), 2))


def dispositions(_: int) -> tuple[object, object, object]:
    return tuple(signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT))


def test_workers_die_by_sigterm_whatever_this_process_handles(tmp_path):
    """A recorded run turns SIGTERM into an exception; its workers must not inherit that
    (a pool ends them with SIGTERM), nor take Ctrl-C, which this process handles."""
    store = db.open_database(tmp_path / "signals.db")
    with db.recorded_run(store, "link", []):
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        found = {result for _, result in ordered_map(dispositions, range(4), 2)}
    assert found == {(signal.SIG_DFL, signal.SIG_DFL, signal.SIG_IGN)}


SLOW_MAP = """
import os, sys, time
import db
from db.parallel import ordered_map
from test_parallel import slow_pid

store = db.open_database(sys.argv[1])
with db.recorded_run(store, "link", []):
    for _, pid in ordered_map(slow_pid, range(1000), 2):
        print(pid, flush=True)
"""


def slow_pid(_: int) -> int:
    time.sleep(0.05)
    return os.getpid()


def test_sigterm_ends_a_parallel_run_and_its_workers(tmp_path):
    here = Path(__file__).parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(here), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_MAP, str(tmp_path / "term.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    workers = {int(process.stdout.readline()) for _ in range(6)}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 128 + signal.SIGTERM, process.stderr.read()
    assert len(workers) == 2
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "a worker outlived its run"
    (run,) = rows(tmp_path / "term.db", "SELECT status FROM runs")
    assert run["status"] == "interrupted"


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
