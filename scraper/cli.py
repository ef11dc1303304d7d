"""The `reprints` command line: a thin click layer over the library."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from typing import TYPE_CHECKING

import click

import cleaners
import db
from cleaners import CleanerError, PageTooLarge

from .cli_common import (
    FORMATS,
    OptionError,
    database_failures,
    open_store,
    page_name,
    read_page,
    render,
    workers_option,
)
from .cli_export import export_command
from .cli_images import (
    archive_images,
    images,
    max_image_bytes_option,
    max_total_option,
    say_how_it_went,
)
from .cli_merge import merge
from .cli_report import Reporter, arguments, fetch_options, log, summary
from .cli_rules import learn, resolve_rules, rules_group, rules_option, with_learned
from .cli_works import copies, link, link_new
from .errors import CrawlLocked, SourcesError
from .sources import Source, check_selector, load_sources

if TYPE_CHECKING:
    from .crawl import Crawl, CrawlResult

# The counts a crawl's one-line summary names, and how.
KEPT_OUT = {"failed": "failed", "blocked": "blocked", "robots": "disallowed by robots.txt"}


class Instant(click.ParamType):
    """An ISO 8601 timestamp with an offset or Z, or a date alone (midnight UTC)."""

    name = "ISO8601"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            return db.instant(str(value))
        except ValueError as exc:
            raise OptionError(f"{param.opts[0] if param else 'value'}: {exc}") from None


CLEAN_FETCHED_AT_HELP = (
    "When the page was fetched (ISO 8601 with an offset or Z, or a date for midnight UTC): "
    "relative dates such as 3小时前 are counted from it. Without it they give no date."
)


@click.group()
@click.version_option(package_name="reprints")
def cli() -> None:
    """Scrape, clean and store republished WeChat-style articles."""


cli.add_command(rules_group)
cli.add_command(learn)
cli.add_command(link)
cli.add_command(copies)
cli.add_command(export_command)
cli.add_command(images)
cli.add_command(merge)


@cli.command()
@click.argument("page", type=click.Path(dir_okay=False, allow_dash=True, path_type=str))
@click.option("--url", help="The page's URL, when the file does not say it.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
    help="json: the whole record; text: title and body; markdown: the article as Markdown.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=cleaners.MAX_PAGE_BYTES,
    show_default=True,
    help="Refuse pages larger than this.",
)
@click.option(
    "--content-type",
    metavar="TEXT",
    help="The Content-Type header the page came with; its charset is believed after a BOM "
    "and valid UTF-8.",
)
@click.option("--fetched-at", type=Instant(), help=CLEAN_FETCHED_AT_HELP)
@rules_option
@click.option(
    "--rules-db",
    type=click.Path(exists=True, dir_okay=False),
    help="A database whose learned rules apply (those of the page's own source).",
)
def clean(
    page: str,
    url: str | None,
    output_format: str,
    max_bytes: int,
    content_type: str | None,
    fetched_at: dt.datetime | None,
    rule_files: tuple[str, ...],
    rules_db: str | None,
) -> None:
    """Clean one saved page (HTML in any encoding, or a text dump; - for stdin).

    Prints the article record. Pages that are not articles (deleted, blocked, a profile)
    print a record whose status says so, and exit 0.
    """
    rules = resolve_rules(rule_files)
    if rules_db:
        store = open_store(rules_db)
        with database_failures(rules_db):
            rules = with_learned(rules, store)
    data = read_page(page, max_bytes)
    try:
        article = cleaners.clean(
            data,
            url=url,
            max_bytes=max_bytes,
            content_type=content_type,
            fetched_at=fetched_at,
            rules=rules,
        )
    except PageTooLarge as exc:
        raise click.ClickException(
            f"{page_name(page)}: {exc}; raise it with --max-bytes if the page is genuine."
        ) from None
    except CleanerError as exc:
        raise click.ClickException(f"{page_name(page)}: {exc}") from None
    except Exception as exc:  # a bug: say so in one line rather than a traceback
        raise click.ClickException(
            f"{page_name(page)}: internal error ({type(exc).__name__}: {exc}); please report it "
            "with this page."
        ) from None
    click.echo(render(article, output_format))


@cli.command(name="import")
@click.argument("database", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--suffix",
    "suffixes",
    multiple=True,
    default=db.importer.PAGE_SUFFIXES,
    show_default=True,
    help="File endings to import from folders (repeat; e.g. --suffix .md for Markdown dumps).",
)
@click.option(
    "--fetched-at",
    type=Instant(),
    help="When the pages were fetched (ISO 8601 with an offset or Z, or a date for midnight "
    "UTC): relative dates such as 3小时前 are counted from it, now and by reclean. Without it "
    "they give no date.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=cleaners.MAX_PAGE_BYTES,
    show_default=True,
    help="Fail files larger than this (a device is read only this far).",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Import files that symbolic links lead to outside the folders given.",
)
@rules_option
@click.option("-v", "--verbose", is_flag=True, help="Print one line per file.")
def import_(
    database: str,
    paths: tuple[str, ...],
    suffixes: tuple[str, ...],
    fetched_at: dt.datetime | None,
    max_bytes: int,
    follow_symlinks: bool,
    rule_files: tuple[str, ...],
    verbose: bool,
) -> None:
    """Import saved pages (HTML or text files; folders are walked) and web archives (.warc,
    .warc.gz, .wacz: each response, resource and revisit record) into DATABASE.

    Each file is stored as a fetch from its file:// URL, with its raw bytes and the cleaned
    article; the page's own URL (og:url, canonical, msg_link) is the article's URL when it
    has one, unless that URL was fetched from the web (the web's copy stays current). Files
    that cannot be read or cleaned, FIFOs, devices in folders and links out of the folders
    are reported and skipped; the exit code is then 1. Files named on the command line are
    imported whatever their ending. The rules learned in DATABASE apply to their sources.
    """
    rules = resolve_rules(rule_files)
    store = open_store(database)
    given = ["--fetched-at", fetched_at.isoformat()] if fetched_at else []

    def report(path, outcome: str) -> None:
        if verbose:
            click.echo(f"{outcome:<9} {path}", err=True)

    with (
        database_failures(database),
        db.recorded_run(store, "import", [database, *paths, *given], rules) as run,
    ):
        result = db.import_paths(
            store,
            run.run_id,
            paths,
            progress=report,
            suffixes=suffixes,
            fetched_at=fetched_at,
            follow_symlinks=follow_symlinks,
            max_bytes=max_bytes,
            result=db.ImportResult(run.counts, run.errors),
            rules=with_learned(rules, store),
        )
        link_new(store)
        run.exit_code = 1 if result.problems else 0
    for problem in result.problems:
        click.echo(f"skipped {problem}", err=True)
    if verbose:
        click.echo(summary(result.counts), err=True)
        if result.records:
            read = ", ".join(f"{n} {kind}" for kind, n in sorted(result.records.items()))
            click.echo(f"archive records read: {read}", err=True)
    sys.exit(run.exit_code)


def _shard(context: click.Context, parameter: click.Parameter, value: str | None):
    """`--shard I/N` as a Shard, or a one-line error."""
    if value is None:
        return None
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise OptionError(f"--shard {value!r}: give I/N with 1 <= I <= N, e.g. --shard 1/4")
    return db.Shard(int(index), int(count))


@cli.command()
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@click.option("--outdated", is_flag=True, help="Only articles cleaned by an older cleaner.")
@workers_option
@click.option(
    "--shard",
    callback=_shard,
    metavar="I/N",
    help="Only share I of N of the articles (by URL: the same share in every copy of DATABASE).",
)
@rules_option
@click.option("-v", "--verbose", is_flag=True, help="Print one line per changed article.")
def reclean(
    database: str,
    outdated: bool,
    workers: int,
    shard: db.Shard | None,
    rule_files: tuple[str, ...],
    verbose: bool,
) -> None:
    """Clean the stored snapshots in DATABASE again with the current rules (no network).

    The rules are the shipped ones, the user's, and those learned in DATABASE for each
    article's source. Articles whose result changed get a new version (the previous one is
    kept in article_versions) and new removals; the version of the rules is recorded on every
    article, so that --outdated revisits exactly those whose rules changed.
    """
    rules = resolve_rules(rule_files)
    store = open_store(database)
    given = [database] + (["--outdated"] if outdated else [])
    given += [f"--shard={shard.index}/{shard.count}"] if shard else []

    def report(row: dict, outcome: str) -> None:
        if verbose and outcome != "unchanged":
            click.echo(f"{outcome:<9} {row['url']}", err=True)

    with (
        database_failures(database),
        db.recorded_run(store, "reclean", given, rules) as run,
    ):
        db.reclean(
            store,
            run.run_id,
            only_outdated=outdated,
            progress=report,
            errors=run.errors,
            counts=run.counts,
            rules=with_learned(rules, store),
            workers=workers,
            shard=shard,
        )
        link_new(store, workers)
        run.exit_code = 1 if run.counts.get("failed") else 0
    for error in run.errors:
        click.echo(f"failed {error}", err=True)
    if verbose:
        click.echo(summary(run.counts), err=True)
    sys.exit(run.exit_code)


@cli.command()
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def search(database: str, query: str, limit: int, output_format: str) -> None:
    """Search the articles in DATABASE; Chinese and Japanese queries of any length work.

    Every word of QUERY must match. Results are ranked best first, with a snippet.
    """
    store = open_store(database)
    with database_failures(database):
        results = db.search(store, query, limit=limit)
    if output_format == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for row in results:
        byline = " · ".join(filter(None, (row["account"], row["author"], row["published"])))
        click.echo(f"{row['title']}\n  {byline}\n  {row['url']}\n  {row['snippet']}\n")
    if not results:
        click.echo("no articles found", err=True)


@cli.command()
@click.argument("database", type=click.Path(dir_okay=False))
@click.argument("urls", nargs=-1)
@click.option("--feed", "feeds", multiple=True, help="An RSS or Atom feed (repeat).")
@click.option("--sitemap", "sitemaps", multiple=True, help="A sitemap or sitemap index (repeat).")
@click.option("--listing", "listings", multiple=True, help="A listing page (repeat; with --links).")
@click.option("--links", "links", multiple=True, help="CSS selector of a listing's article links.")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), help="A sources file.")
@click.option("--refresh", is_flag=True, help="Fetch stored URLs again (conditional requests).")
@click.option("--wait", is_flag=True, help="Wait for another crawl on DATABASE to finish.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=1.0,
    show_default=True,
    help="Seconds between requests to one host.",
)
@click.option(
    "--max-delay",
    type=click.FloatRange(0),
    default=60.0,
    show_default=True,
    help="Cap on any delay between requests to one host (robots.txt Crawl-delay, a source's "
    "delay).",
)
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True)
@click.option(
    "--max-wait",
    type=click.FloatRange(0),
    default=120.0,
    show_default=True,
    help="Cap on one wait before a retry (Retry-After or backoff), in seconds.",
)
@click.option(
    "--max-wait-per-url",
    type=click.FloatRange(0),
    default=300.0,
    show_default=True,
    help="Cap on all the waiting before retries of one URL; past it the URL fails.",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let discovered links and redirects reach loopback, private and link-local "
    "addresses (URLs you name are always allowed).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=32 * 1024 * 1024,
    show_default=True,
    help="Refuse responses larger than this.",
)
@click.option(
    "--images", "with_images", is_flag=True, help="Then archive the images of stored articles."
)
@max_image_bytes_option
@max_total_option
@rules_option
@click.option("-v", "--verbose", is_flag=True, help="Log each fetch on stderr.")
@fetch_options
def crawl(
    database: str,
    urls: tuple[str, ...],
    feeds,
    sitemaps,
    listings,
    links,
    sources_file,
    refresh,
    wait,
    concurrency,
    per_host,
    delay,
    max_delay,
    timeout,
    retries,
    max_wait,
    max_wait_per_url,
    allow_private,
    max_bytes,
    user_agent,
    ignore_robots,
    with_images,
    max_image_bytes,
    max_total_bytes,
    rule_files,
    verbose,
    log_format,
) -> None:
    """Find, fetch, clean and store articles: the command for a crontab.

    Sources are URLs, feeds, sitemaps, listing pages and a sources file. URLs already
    stored are not fetched again unless --refresh or their source says they changed; a
    refetch is a conditional request. One crawl runs per database at a time.

    Pages are cleaned with the shipped rules, the user's, and those learned in DATABASE.
    With --images, the images of the stored articles are archived next, as `reprints
    images` does, in a run of their own.

    Exit codes: 0 all archived, 1 some URLs (or images) failed or came back blocked, 2 usage
    or configuration error, 3 another crawl holds the database.
    """
    # The fetching stack (httpx, asyncio) is imported here, so that `reprints clean` starts fast.
    from .crawl import Crawl
    from .fetch import FetchSettings
    from .images import ImageSettings
    from .lock import crawl_lock

    if len(links) not in (0, len(listings)):
        raise click.UsageError("give one --links selector per --listing")
    if listings and not links:
        raise click.UsageError("--listing needs --links, the CSS selector of its article links")
    sources = _crawl_sources(urls, feeds, sitemaps, listings, links, sources_file, max_bytes)
    rules = resolve_rules(rule_files)
    settings = FetchSettings(
        concurrency=concurrency,
        per_host=per_host,
        delay=delay,
        max_delay=max_delay,
        timeout=timeout,
        retries=retries,
        max_wait=max_wait,
        max_wait_per_url=max_wait_per_url,
        allow_private=allow_private,
        max_bytes=max_bytes,
        obey_robots=not ignore_robots,
        **({"user_agent": user_agent} if user_agent else {}),
    )
    given = arguments(click.get_current_context())
    try:
        with crawl_lock(database, wait=wait):
            store = open_store(database)
            report = Reporter(verbose, log_format)
            with (
                database_failures(database),
                db.recorded_run(store, "crawl", given, rules) as run,
            ):
                try:
                    learned = with_learned(rules, store)
                    crawl_run = Crawl(store, run.run_id, settings, refresh, report, learned)
                    result = _crawl_into(run, crawl_run, sources)
                    link_new(store)
                finally:
                    report.close()
            run_id = run.run_id
            if with_images:
                wanted = ImageSettings(max_image_bytes, max_total_bytes)
                pictures = archive_images(store, settings, wanted, report, ["--after-crawl"])
    except CrawlLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(3)
    for error in result.errors if verbose else ():
        log(log_format, {"event": "error", "level": "error", "message": error}, f"failed {error}")
    if verbose:
        log(log_format, {"event": "summary", **dict(result.counts)}, summary(result.counts))
    elif result.exit_code:
        counts = result.counts
        problems = [f"{counts[k]} {KEPT_OUT[k]}" for k in KEPT_OUT if counts.get(k)]
        click.echo(
            f"reprints crawl: {', '.join(problems) or 'nothing fetched'} of "
            f"{counts['discovered']} URLs; see run {run_id} in {database}, or run with -v",
            err=True,
        )
    if with_images:
        say_how_it_went(pictures, verbose, log_format, database)
    sys.exit(max(result.exit_code, pictures.exit_code if with_images else 0))


def _crawl_into(run: db.RecordedRun, crawl: Crawl, sources: list[Source]) -> CrawlResult:
    """Run the crawl, its counts and errors going into the recorded run. A failure that could
    not even be recorded stops the crawl: a database error then ends the run as one."""
    from .crawl import RecordingFailed

    try:
        result = crawl.run_sync(sources)
    except RecordingFailed as exc:
        _into(run, exc.result)
        if isinstance(exc.cause, sqlite3.Error):
            raise exc.cause from None
        raise click.ClickException(str(exc)) from None
    _into(run, result)
    return result


def _into(run: db.RecordedRun, result: CrawlResult) -> None:
    run.counts.update(result.counts)
    run.errors.extend(result.errors)
    run.exit_code = result.exit_code


class ConfigError(click.ClickException):
    """A configuration error: one line on stderr, exit code 2 like a usage error."""

    exit_code = 2


def _crawl_sources(
    urls, feeds, sitemaps, listings, links, sources_file, max_bytes: int
) -> list[Source]:
    """The sources named on the command line and in the sources file (read up to `max_bytes`)."""
    for url in (*urls, *feeds, *sitemaps, *listings):
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http(s) URL")
    for selector in links:
        try:
            check_selector("--links", selector)
        except SourcesError as exc:
            raise ConfigError(str(exc)) from None
    sources: list[Source] = []
    if urls:
        sources.append(Source(name="urls", urls=tuple(urls)))
    sources += [Source(name=f, feed=f) for f in feeds]
    sources += [Source(name=s, sitemap=s) for s in sitemaps]
    sources += [Source(name=u, listing=u, links=c) for u, c in zip(listings, links, strict=True)]
    if sources_file:
        try:
            sources += load_sources(sources_file, max_bytes=max_bytes)
        except SourcesError as exc:
            raise ConfigError(str(exc)) from None
    if not sources:
        raise click.UsageError(
            "nothing to crawl: give URLs, --feed, --sitemap, --listing or --sources"
        )
    return sources
