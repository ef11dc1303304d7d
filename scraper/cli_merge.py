"""`reprints merge`: shard databases, filled by several workers or machines, made one."""

from __future__ import annotations

import sys

import click

import db
from db.merge import BATCH as MERGE_BATCH

from .cli_common import database_failures, open_store, workers_option
from .cli_works import link_new


@click.command()
@click.argument("database", type=click.Path(dir_okay=False))
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--batch",
    type=click.IntRange(1, 100_000),
    default=MERGE_BATCH,
    show_default=True,
    help="Rows to a transaction (a kill loses at most one batch of work).",
)
@workers_option
@click.option("-v", "--verbose", is_flag=True, help="Print progress and what each shard added.")
def merge(database: str, shards: tuple[str, ...], batch: int, workers: int, verbose: bool) -> None:
    """Merge the SHARDS (reprints databases other workers filled) into DATABASE.

    Rows are matched on what they are (snapshots by SHA-256, fetches by URL, time and
    response, articles by URL, runs by when and where they ran), so a shard merged again, or
    after a kill, adds only what is missing. The merged articles are then linked into works.
    A shard that cannot be read, or is damaged, is reported and the others are merged
    (exit code 1).
    """
    store = open_store(database)
    show = verbose and sys.stderr.isatty()

    def progress(table: str, done: int) -> None:
        click.echo(f"\r{table}: {done} rows read", err=True, nl=False)

    with database_failures(database), db.recorded_run(store, "merge", [database, *shards]) as run:
        for shard in shards:
            try:
                added = db.merge(store, shard, progress if show else None, batch)
            except db.DbError as exc:
                run.errors.append(f"{shard}: {exc}")
                continue
            run.counts.update(fetched=added.fetches, new=added.articles, updated=added.updated)
            if verbose:
                click.echo(f"\r{shard}: {describe(added)}", err=True)
        link_new(store, workers)
        run.exit_code = 1 if run.errors else 0
    for error in run.errors:
        click.echo(f"failed {error}", err=True)
    sys.exit(run.exit_code)


def describe(added: db.MergeResult) -> str:
    return ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in vars(added).items())
