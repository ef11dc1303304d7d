"""Helpers for the database tests: the golden pages, the CLI as a subprocess, plain sqlite3
queries and small hand-made pages."""

from __future__ import annotations

import html
import sqlite3
import subprocess
import sys
from pathlib import Path

PAGES = Path(__file__).resolve().parent.parent / "cleaners" / "pages"
BIN = Path(sys.executable).parent
REPRINTS = BIN / "reprints"
SQLITE_UTILS = BIN / "sqlite-utils"

# What importing tests/cleaners/pages produces (checked against the golden .json files).
BLOCKED_PAGES = {"error_antibot.html", "error_ratelimit.html"}
PAGE_FILES = sorted(p for p in PAGES.iterdir() if p.suffix in {".html", ".txt"} and p.is_file())


def run(*args: object, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    """Run a command (the real console scripts) and capture its text output."""
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def reprints(*args: object, **kwargs) -> subprocess.CompletedProcess:
    return run(REPRINTS, *args, **kwargs)


def rows(path: Path, sql: str, params: tuple = ()) -> list[dict]:
    """Rows of a query on a fresh, plain sqlite3 connection (not the code under test)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def scalar(path: Path, sql: str, params: tuple = ()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def page_html(title: str, paragraphs: list[str], url: str | None = None) -> str:
    """A minimal article page the cleaner reads: a title, an <article> of paragraphs."""
    og_url = f'<meta property="og:url" content="{html.escape(url)}">' if url else ""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f'<meta property="og:title" content="{html.escape(title)}">{og_url}</head>'
        f"<body><article><h1>{html.escape(title)}</h1>\n{body}\n</article></body></html>"
    )


def import_pages(db_path: Path, *paths: object) -> subprocess.CompletedProcess:
    result = reprints("import", db_path, *paths)
    assert result.returncode == 0, result.stderr
    return result
