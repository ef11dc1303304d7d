"""`reprints link` and `reprints copies`: the republication graph from the command line."""

from __future__ import annotations

import json
import sys

import click

import db

from .cli_common import database_failures, open_store, workers_option


def link_new(store, workers: int = 1) -> None:
    """Link the articles a run stored or changed (or that were never linked) into works."""
    db.link(store, db.outdated_articles(store), workers=workers)


@click.command()
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@workers_option
@click.option("-v", "--verbose", is_flag=True, help="Print progress and a summary.")
def link(database: str, workers: int, verbose: bool) -> None:
    """Rebuild the works of DATABASE: every copy of an article, and which one is the original.

    import, crawl and reclean link what they store; this starts again from scratch.
    """
    store = open_store(database)
    show = verbose or sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            click.echo(f"\rlinked {done} of {total} articles", err=True, nl=done == total)

    with database_failures(database), db.recorded_run(store, "link", [database]) as run:
        result = db.link(store, None, progress, workers)
        run.counts["discovered"] = result.articles
        run.exit_code = 0
    if verbose:
        click.echo(
            f"{result.articles} articles, {result.pairs} copy pairs, {result.works} works", err=True
        )
    sys.exit(run.exit_code)


@click.command()
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@click.argument("url")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def copies(database: str, url: str, output_format: str) -> None:
    """The copies of the work that the article at URL belongs to, the original first."""
    store = open_store(database)
    with database_failures(database):
        found = db.copies(store, url)
    if found is None:
        raise click.ClickException(
            f"{database}: no article with the URL {url}; see `reprints search`"
        )
    if output_format == "json":
        for row in found:
            row["original"] = bool(row["original"])
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for row in found:
        mark = "*" if row["original"] else " "
        click.echo(
            f"{mark} {row['role'] or '-':<11} {row['published'] or '-':<25} "
            f"{row['account'] or '-'}\t{row['url']}"
        )
