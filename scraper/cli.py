"""The `reprints` command line: a thin click layer over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import cleaners
from cleaners import Article, CleanerError, PageTooLarge
from cleaners.decode import too_large_message

FORMATS = ("json", "text", "markdown")


@click.group()
@click.version_option(package_name="reprints")
def cli() -> None:
    """Scrape, clean and store republished WeChat-style articles."""


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
def clean(page: str, url: str | None, output_format: str, max_bytes: int) -> None:
    """Clean one saved page (HTML in any encoding, or a text dump; - for stdin).

    Prints the article record. Pages that are not articles (deleted, blocked, a profile)
    print a record whose status says so, and exit 0.
    """
    data = _read(page, max_bytes)
    try:
        article = cleaners.clean(data, url=url, max_bytes=max_bytes)
    except PageTooLarge as exc:
        raise click.ClickException(
            f"{_name(page)}: {exc}; raise it with --max-bytes if the page is genuine."
        ) from None
    except CleanerError as exc:
        raise click.ClickException(f"{_name(page)}: {exc}") from None
    except Exception as exc:  # a bug: say so in one line rather than a traceback
        raise click.ClickException(
            f"{_name(page)}: internal error ({type(exc).__name__}: {exc}); please report it "
            "with this page."
        ) from None
    click.echo(render(article, output_format))


def _name(page: str) -> str:
    return "stdin" if page == "-" else page


def _read(page: str, max_bytes: int) -> bytes:
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
            data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{_name(page)}: cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise click.ClickException(
            f"{_name(page)}: {too_large_message(len(data), max_bytes)}; "
            "raise it with --max-bytes if the page is genuine."
        )
    return data


def render(article: Article, output_format: str) -> str:
    """The article as JSON, plain text or Markdown."""
    if output_format == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
    if article.status != "ok":
        return f"[{article.status}] {article.url or ''}".rstrip()
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
    if output_format == "markdown":
        parts = [f"# {title}" if title else "", f"*{byline}*" if byline else "", article.body]
    else:
        parts = [title, byline, article.body]
    return "\n\n".join(p for p in parts if p)
