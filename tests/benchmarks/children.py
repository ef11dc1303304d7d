"""What the benchmarks that run `reprints` as a child process share."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path


def reprints_command() -> list[str]:
    """The `reprints` command of this interpreter's environment."""
    script = Path(sys.executable).parent / "reprints"
    if script.is_file():
        return [str(script)]
    found = shutil.which("reprints")
    return [found] if found else [sys.executable, "-c", "from scraper.cli import cli; cli()"]


def count_rows(db_path: Path, table: str) -> int:
    """The rows of `table` in the database at `db_path` (0 when there is none)."""
    if not db_path.exists():
        return 0
    with sqlite3.connect(db_path) as con:
        try:
            return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except sqlite3.Error:
            return 0
