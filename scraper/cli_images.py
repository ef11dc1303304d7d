"""`reprints images` and `crawl --images`: archive the images of stored articles."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

import db

from .cli_common import database_failures, open_store
from .cli_report import Reporter, arguments, fetch_options, log, summary
from .errors import CrawlLocked

if TYPE_CHECKING:  # the fetching stack is imported when used, so that the CLI starts fast
    from .fetch import FetchSettings
    from .images import ImageResult, ImageSettings

MIB = 1024 * 1024

max_image_bytes_option = click.option(
    "--max-image-bytes",
    type=click.IntRange(min=1),
    default=16 * MIB,
    show_default=True,
    help="Refuse an image larger than this (it is recorded as unavailable).",
)
max_total_option = click.option(
    "--max-total-bytes",
    type=click.IntRange(min=1),
    default=2048 * MIB,
    show_default=True,
    help="Start no image fetch once this many image bytes came in this run; the rest wait "
    "for the next run.",
)


def archive_images(
    store, settings: FetchSettings, wanted: ImageSettings, report: Reporter, given: list[str]
) -> ImageResult:
    """Run image archiving as its own recorded run (command `images`)."""
    from .images import ImageArchive

    report.label = "images"
    with db.recorded_run(store, "images", given) as run:
        result = ImageArchive(store, run.run_id, settings, wanted, report).run_sync()
        run.counts.update(result.counts)
        run.errors.extend(result.errors)
        run.exit_code = result.exit_code
    result.run_id = run.run_id
    return result


def say_how_it_went(result: ImageResult, verbose: bool, log_format: str, database: str) -> None:
    """The failures and a summary with -v; else one line when some images failed."""
    if verbose:
        for error in result.errors:
            log(log_format, {"event": "error", "level": "error", "message": error}, error)
        log(log_format, {"event": "summary", **dict(result.counts)}, summary(result.counts))
    elif result.exit_code:
        counts = result.counts
        click.echo(
            f"reprints images: {counts['failed'] + counts['robots']} of "
            f"{counts['discovered']} images not stored; see run {result.run_id} in {database}, "
            "or run with -v",
            err=True,
        )


@click.command()
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@click.option("--retry", is_flag=True, help="Try the images recorded as unavailable again.")
@click.option("--limit", type=click.IntRange(min=1), help="Fetch at most this many images.")
@max_image_bytes_option
@max_total_option
@click.option("--wait", is_flag=True, help="Wait for a crawl on DATABASE to finish.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=0.5,
    show_default=True,
    help="Seconds between requests to one host.",
)
@click.option("--retries", type=click.IntRange(0, 10), default=2, show_default=True)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let images on loopback, private and link-local addresses be fetched.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each image on stderr.")
@fetch_options
def images(
    database: str,
    retry: bool,
    limit: int | None,
    max_image_bytes: int,
    max_total_bytes: int,
    wait: bool,
    concurrency: int,
    per_host: int,
    delay: float,
    timeout: float,
    retries: int,
    allow_private: bool,
    user_agent: str | None,
    ignore_robots: bool,
    verbose: bool,
    log_format: str,
) -> None:
    """Fetch and store the images of the articles in DATABASE.

    Each image is fetched once (by URL), with the referer its host expects, and stored once
    (by SHA-256) with its fetch. Images that fail for a while (timeouts, 5xx) are tried again
    by the next runs; refused, missing, oversized and non-image ones only with --retry.

    Exit codes: 0 all stored, 1 some images failed, 2 usage error, 3 a crawl holds the
    database (or the database could not be used).
    """
    from .fetch import FetchSettings
    from .images import ImageSettings
    from .lock import crawl_lock

    settings = FetchSettings(
        concurrency=concurrency,
        per_host=per_host,
        delay=delay,
        timeout=timeout,
        retries=retries,
        allow_private=allow_private,
        obey_robots=not ignore_robots,
        **({"user_agent": user_agent} if user_agent else {}),
    )
    wanted = ImageSettings(max_image_bytes, max_total_bytes, limit, retry)
    given = arguments(click.get_current_context())
    try:
        with crawl_lock(database, wait=wait):
            store = open_store(database)
            report = Reporter(verbose, log_format)
            with database_failures(database):
                try:
                    result = archive_images(store, settings, wanted, report, given)
                finally:
                    report.close()
    except CrawlLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(3)
    say_how_it_went(result, verbose, log_format, database)
    sys.exit(result.exit_code)
