"""Record each invocation of reprints: command, arguments, versions, times, counts, exit."""

from __future__ import annotations

import json
import os
from collections import Counter
from importlib import metadata

import sqlite_utils

from cleaners import cleaner_version

from .schema import transaction
from .store import now

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


def start_run(db: sqlite_utils.Database, command: str, arguments: list[str]) -> int:
    """Insert a run in state `running`; earlier runs whose process died become `interrupted`."""
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
                    "reprints_version": _version(),
                    "cleaner_version": cleaner_version(),
                    "pid": os.getpid(),
                    "started": now(),
                    "status": "running",
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
) -> None:
    """Close a run with its counts and exit status (`ok`, `partial` or `failed`)."""
    status = {0: "ok", 1: "partial"}.get(exit_code, "failed")
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


def _version() -> str:
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
