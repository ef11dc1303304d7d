"""Record each invocation of reprints: command, arguments, versions, times, counts, exit."""

from __future__ import annotations

import contextlib
import enum
import json
import os
import signal
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from types import FrameType

import sqlite_utils

from cleaners import Rules, load_rules

from .errors import database_failure, is_operational
from .schema import transaction
from .store import database_file, now, rollback

COUNTS = (
    "discovered",
    "fetched",
    "new",
    "updated",
    "unchanged",
    "blocked",
    "failed",
    "skipped",
    "robots",
)


class RunStatus(enum.StrEnum):
    """The states of a run in `runs.status`."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


def start_run(
    db: sqlite_utils.Database, command: str, arguments: list[str], rules: Rules | None = None
) -> int:
    """Insert a run in state `running`, with the version of the rule files it uses; earlier
    runs whose process died become `interrupted`."""
    with transaction(db):
        for run_id, pid in db.execute("SELECT id, pid FROM runs WHERE status = 'running'"):
            if not _alive(pid):
                db.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", [run_id])
        return (
            db["runs"]
            .insert(
                {
                    "command": command,
                    "arguments": json.dumps(arguments, ensure_ascii=False),
                    "reprints_version": reprints_version(),
                    "cleaner_version": (rules or load_rules()).version,
                    "pid": os.getpid(),
                    "started": now(),
                    "status": RunStatus.RUNNING,
                    **{name: 0 for name in COUNTS},
                }
            )
            .last_pk
        )


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    counts: Counter[str],
    exit_code: int,
    errors: list[str] | None = None,
    status: RunStatus | None = None,
) -> None:
    """Close a run with its counts and exit status (by default `ok` for exit code 0,
    `partial` for 1, else `failed`)."""
    if status is None:
        status = {0: RunStatus.OK, 1: RunStatus.PARTIAL}.get(exit_code, RunStatus.FAILED)
    with transaction(db):
        db["runs"].update(
            run_id,
            {
                "ended": now(),
                "status": status,
                "exit_code": exit_code,
                "errors": json.dumps(errors, ensure_ascii=False) if errors else None,
                **{name: counts.get(name, 0) for name in COUNTS},
            },
        )


@dataclass
class RecordedRun:
    """A run being recorded: set `exit_code` and add to `counts` and `errors` as it goes."""

    run_id: int
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    exit_code: int = 0


class Terminated(SystemExit):
    """SIGTERM (or SIGHUP) arrived during a recorded run; exits 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


@contextlib.contextmanager
def recorded_run(
    db: sqlite_utils.Database, command: str, arguments: list[str], rules: Rules | None = None
) -> Iterator[RecordedRun]:
    """Record a run from start to end, whatever ends it.

    A normal end (or `sys.exit(code)`) finishes the run with its counts and exit code. An
    exception marks it `failed` with the error, and a KeyboardInterrupt or a SIGTERM or SIGHUP
    (raised as `Terminated`) marks it `interrupted`; then the exception goes on unchanged,
    with a note if the run could not be marked. A SQLite failure of the database itself
    becomes a `DatabaseFailure`.
    """
    try:
        run = RecordedRun(start_run(db, command, arguments, rules))
    except sqlite3.Error as exc:
        raise database_failure(exc, database_file(db)) from exc
    try:
        with _signals_raise():
            yield run
    except (KeyboardInterrupt, Terminated) as exc:
        signum = exc.signum if isinstance(exc, Terminated) else signal.SIGINT
        why = f"interrupted by {signal.Signals(signum).name}"
        _mark(db, run, exc, 128 + signum, RunStatus.INTERRUPTED, why)
        raise
    except SystemExit as exc:
        run.exit_code = _exit_code(exc.code)
        _finish(db, run)
        raise
    except sqlite3.Error as exc:
        if not is_operational(exc):
            _mark(db, run, exc, 1, RunStatus.FAILED, _describe(exc))
            raise
        failure = database_failure(exc, database_file(db))
        _mark(db, run, failure, failure.exit_code, RunStatus.FAILED, str(failure))
        raise failure from exc
    except Exception as exc:
        code = getattr(exc, "exit_code", 1)
        _mark(db, run, exc, code if code else 1, RunStatus.FAILED, _describe(exc))
        raise
    _finish(db, run)


def _finish(db: sqlite_utils.Database, run: RecordedRun) -> None:
    try:
        finish_run(db, run.run_id, run.counts, run.exit_code, run.errors)
    except sqlite3.Error as exc:
        raise database_failure(exc, database_file(db)) from exc


def _mark(
    db: sqlite_utils.Database,
    run: RecordedRun,
    exc: BaseException,
    exit_code: int,
    status: RunStatus,
    error: str,
) -> None:
    """Close the run after `exc`; if even that fails, say so on `exc` and raise nothing."""
    try:
        rollback(db)
        errors = [*run.errors, error]
        finish_run(db, run.run_id, run.counts, exit_code, errors, status=status)
    except Exception as second:  # the first exception is the one to report
        exc.add_note(f"the run {run.run_id} could not be marked {status}: {second}")


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _exit_code(code: object) -> int:
    """The exit status `sys.exit(code)` gives."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into `Terminated` while inside, where they would otherwise kill
    the process without a word; left alone outside the main thread or if already handled."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, _terminate)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def reprints_version() -> str:
    """The installed version of reprints ("0" when it runs from an uninstalled tree)."""
    try:
        return metadata.version("reprints")
    except metadata.PackageNotFoundError:
        return "0"


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
