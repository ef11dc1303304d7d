"""Helpers for the database tests: the golden pages, the CLI as a subprocess, plain sqlite3
queries and small hand-made pages."""

from __future__ import annotations

import html
import json
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

PAGES = Path(__file__).resolve().parent.parent / "cleaners" / "pages"
BIN = Path(sys.executable).parent
REPRINTS = BIN / "reprints"
SQLITE_UTILS = BIN / "sqlite-utils"

PAGE_FILES = sorted(p for p in PAGES.iterdir() if p.suffix in {".html", ".txt"} and p.is_file())


def expectation(page: Path) -> dict:
    """The golden .json beside a page: what the cleaner must make of it."""
    path = page.with_suffix(".json")
    assert path.is_file(), f"{page.name}: no expectation {path.name} beside it"
    return json.loads(path.read_text(encoding="utf-8"))


# What importing tests/cleaners/pages must produce, read from the golden .json files (not
# from the database or the cleaner), so the counts follow the page set as it grows.
EXPECTED = {page.name: expectation(page) for page in PAGE_FILES}
STATUS_OF = {name: expect["status"] for name, expect in EXPECTED.items()}
BLOCKED_PAGES = {name for name, status in STATUS_OF.items() if status == "blocked"}
OK_PAGES = sorted(name for name, status in STATUS_OF.items() if status == "ok")
ARTICLE_PAGES = len(PAGE_FILES) - len(BLOCKED_PAGES)  # every page but a blocked one


def asserted(field: str) -> tuple[Counter, int]:
    """Among the ok pages: how many assert each value of `field` (None for empty), and how
    many do not assert the field at all (they may come out with any value)."""
    values = Counter()
    free = 0
    for name in OK_PAGES:
        fields = EXPECTED[name].get("fields", {})
        if field in fields:
            values[fields[field]] += 1
        else:
            free += 1
    return values, free


def check_per_value(counts: dict, field: str, empty: object = None, extra: int = 0) -> None:
    """`counts` (articles per value of `field`, empty values under `empty`) agrees with the
    expectations: each asserted value at least as often as asserted, at most as often plus
    the pages that leave the field free; `extra` articles not from the golden pages."""
    values, free = asserted(field)
    assert sum(counts.values()) == len(OK_PAGES) + extra
    for value, n in values.items():
        key = empty if value is None else value
        assert n <= counts.get(key, 0) <= n + free + extra, (field, value, counts.get(key))


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


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The single `Error:` line a failed command printed (no traceback, nothing else)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]


# A rule of the user's that changes many articles when they are cleaned again: short lines
# with 的 are boilerplate.
CHANGING_RULE = """[[boilerplate]]
name = "test.short-lines-with-de"
kind = "promo"
max_chars = 40
pattern = '的'
"""
