"""`reprints export`: stored articles as JSON lines or as Markdown folders."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from cleaners import STATUSES
from db import archive_export, archive_wacz, export

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
@click.option("--format", "output_format", type=click.Choice(["jsonl", "markdown"]))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="jsonl: a file (standard output without it); markdown: the folder to write (required).",
)
@click.option(
    "--warc",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the captures as a gzipped WARC file here (for pywb and CDX tools).",
)
@click.option(
    "--wacz",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the captures as a WACZ file here (a WARC with its index and pages).",
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
    output_format: str | None,
    out: Path | None,
    warc: Path | None,
    wacz: Path | None,
    account: str | None,
    since: str | None,
    statuses: tuple[str, ...],
    where: str | None,
    verbose: bool,
) -> None:
    """Export the articles of DATABASE: one JSON record per line, or one folder per article
    with its Markdown; or its captures as a WARC or WACZ file (every capture, or with a
    filter, those of the articles selected). Running it again changes only what changed."""
    chosen = [name for name, value in (("--format", output_format), ("--warc", warc),
              ("--wacz", wacz)) if value]  # fmt: skip
    if len(chosen) != 1:
        raise OptionError("give one of --format, --warc and --wacz")
    selection = export.Selection(account, _since(since), statuses or ("ok",), where)
    if output_format is None:
        filtered = account or since or statuses or where
        _archive(database, warc or wacz, selection if filtered else None, bool(wacz), verbose)
        return
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


def _archive(
    database: str, path: Path, selection: export.Selection | None, wacz: bool, verbose: bool
) -> None:
    if path.is_dir():
        raise OptionError(f"{path} is a folder: give the file to write")
    store = open_store(database)
    try:
        with database_failures(database):
            write = archive_wacz.write_wacz if wacz else archive_export.write_warc
            result = write(store, selection, path)
    except export.BadSelection as exc:
        raise OptionError(f"--where: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write: {exc.strerror or exc}") from None
    if verbose:
        click.echo(
            f"{result.responses} responses, {result.revisits} revisits, {result.resources} "
            f"resources, {result.metadata} metadata and {result.conversions} conversion "
            f"records written to {path}",
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
