"""What the `reprints` commands share: their errors, reading a page, opening a database,
and printing an article."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import click

import db
from cleaners import Article
from cleaners.decode import too_large_message
from cleaners.render import markdown_document

FORMATS = ("json", "text", "markdown")
BUSY_TIMEOUT_ENV = "REPRINTS_BUSY_TIMEOUT"
MAX_BUSY_TIMEOUT = 86_400.0


workers_option = click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes that share the cleaning and linking (the result is the same as with one).",
)


class OptionError(click.ClickException):
    """A bad option value: one line on stderr, exit code 2 like a usage error."""

    exit_code = 2


def page_name(page: str) -> str:
    return "stdin" if page == "-" else page


def read_page(page: str, max_bytes: int) -> bytes:
    try:
        if page == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            path = Path(page)
            if not path.exists():
                raise click.BadParameter(f"file {page!r} does not exist.", param_hint="'PAGE'")
            if path.is_dir():
                raise click.BadParameter(
                    f"{page!r} is a directory; give one page file (or use 'reprints import' for "
                    "folders).",
                    param_hint="'PAGE'",
                )
            if path.stat().st_size > max_bytes:
                raise click.ClickException(
                    f"{page}: {too_large_message(path.stat().st_size, max_bytes)}; "
                    "raise it with --max-bytes if the page is genuine."
                )
            with path.open("rb") as handle:  # a device or pipe has no size: read to the limit
                data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise click.ClickException(f"{page_name(page)}: cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise click.ClickException(
            f"{page_name(page)}: {too_large_message(len(data), max_bytes)}; "
            "raise it with --max-bytes if the page is genuine."
        )
    return data


def render(article: Article, output_format: str) -> str:
    """The article as JSON, plain text or Markdown."""
    if output_format == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
    if article.status != "ok":
        return f"[{article.status}] {article.url or ''}".rstrip()
    if output_format == "markdown":
        return markdown_document(article).rstrip("\n")
    title = article.title or ""
    byline = " · ".join(
        f"{label}: {value}"
        for label, value in (
            ("Account", article.account),
            ("Author", article.author),
            ("Source", article.source),
            ("Editor", article.editor),
            ("Translator", article.translator),
            ("Published", article.published),
        )
        if value
    )
    return "\n\n".join(p for p in (title, byline, article.body) if p)


def busy_timeout() -> float:
    """Seconds a write waits for another process's lock: REPRINTS_BUSY_TIMEOUT, else 30."""
    given = os.environ.get(BUSY_TIMEOUT_ENV)
    if given is None:
        return db.schema.BUSY_TIMEOUT_SECONDS
    try:
        seconds = float(given)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_BUSY_TIMEOUT:
        raise OptionError(
            f"{BUSY_TIMEOUT_ENV}={given!r}: give the seconds to wait for a locked database, "
            f"from 0 to {MAX_BUSY_TIMEOUT:g}"
        )
    return seconds


def open_store(path: str):
    timeout = busy_timeout()
    try:
        return db.open_database(path, busy_timeout=timeout)
    except db.DatabaseFailure as exc:
        raise DatabaseProblem(str(exc)) from None
    except (db.DbError, sqlite3.DatabaseError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


class DatabaseProblem(click.ClickException):
    """The database could not be used (locked, read-only, full, damaged): exit code 3."""

    exit_code = 3


@contextlib.contextmanager
def database_failures(path: str) -> Iterator[None]:
    """Turn a failure of the database after it opened into one line and exit code 3."""
    try:
        yield
    except db.DatabaseFailure as exc:
        raise DatabaseProblem(str(exc)) from None
    except sqlite3.Error as exc:
        raise DatabaseProblem(str(db.errors.database_failure(exc, path))) from None
