"""`reprints export`: stored articles as JSON lines or as Markdown folders."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from cleaners import STATUSES
from db import export

from .cli_common import OptionError, database_failures, open_store


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise OptionError(
            f"--since {value!r}: give a date or a time, e.g. 2025-03-01 or 2025-03-01T08:00+08:00"
        ) from None
    return value


@click.command(name="export")
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["jsonl", "markdown"]), required=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="jsonl: a file (standard output without it); markdown: the folder to write (required).",
)
@click.option("--account", help="Only this account's articles (its name or gh_ id).")
@click.option("--since", help="Only articles published on or after this date or time.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only articles with this status (repeatable; default ok).",
)
@click.option("--where", help="Only articles matching this SQL condition on the articles table.")
@click.option("-v", "--verbose", is_flag=True, help="Print a summary.")
def export_command(
    database: str,
    output_format: str,
    out: Path | None,
    account: str | None,
    since: str | None,
    statuses: tuple[str, ...],
    where: str | None,
    verbose: bool,
) -> None:
    """Export the articles of DATABASE: one JSON record per line, or one folder per article
    with its Markdown. Running it again changes only what changed."""
    selection = export.Selection(account, _since(since), statuses or ("ok",), where)
    if output_format == "markdown" and out is None:
        raise OptionError("--format markdown writes a folder: give it with --out DIR")
    if out is not None and out.exists() and out.is_dir() != (output_format == "markdown"):
        kind = "a folder" if output_format == "markdown" else "a file"
        raise OptionError(f"--out {out}: {output_format} is written to {kind}")
    store = open_store(database)
    try:
        with database_failures(database):
            result = _run(store, output_format, out, selection)
    except export.BadSelection as exc:
        raise OptionError(f"--where {where!r}: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"{out}: cannot write: {exc.strerror}") from None
    if verbose:
        click.echo(
            f"{result.articles} articles, {result.written} files written, "
            f"{result.unchanged} unchanged, {result.images} images written",
            err=True,
        )


def _run(store, output_format: str, out: Path | None, selection) -> export.ExportResult:
    if output_format == "markdown":
        return export.export_markdown(store, selection, out)
    if out is not None:
        return export.export_jsonl(store, selection, out)
    result = export.ExportResult()
    for line in export.jsonl_lines(store, selection):
        sys.stdout.write(line + "\n")
        result.articles += 1
    return result
