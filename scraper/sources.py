"""The sources of a regular crawl, from a TOML file, and from the command line."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SourcesError

KINDS = ("urls", "feed", "sitemap", "listing")


@dataclass(frozen=True)
class Source:
    """Where to look for articles, and how to treat what is found there."""

    name: str
    urls: tuple[str, ...] = ()
    feed: str | None = None
    sitemap: str | None = None
    listing: str | None = None
    links: str | None = None
    refresh: bool = False
    limit: int | None = None
    delay: float | None = None
    options: dict[str, Any] = field(default_factory=dict)


def load_sources(path: str | Path) -> list[Source]:
    """Read a sources file; raise `SourcesError` naming the file and the entry at fault."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: no [[source]] entries")
    defaults = data.get("defaults", {})
    return [_source(path, index, {**defaults, **entry}) for index, entry in enumerate(entries, 1)]


def _source(path: Path, index: int, entry: dict[str, Any]) -> Source:
    where = f"{path}: source {index} ({entry.get('name', 'unnamed')})"
    known = {"name", *KINDS, "links", "refresh", "limit", "delay"}
    unknown = set(entry) - known
    if unknown:
        raise SourcesError(f"{where}: unknown option {', '.join(sorted(unknown))}")
    kinds = [k for k in KINDS if entry.get(k)]
    if len(kinds) != 1:
        raise SourcesError(f"{where}: give exactly one of urls, feed, sitemap, listing")
    if entry.get("listing") and not entry.get("links"):
        raise SourcesError(f"{where}: a listing needs `links`, the CSS selector of its links")
    urls = entry.get("urls", [])
    if isinstance(urls, str) or not all(isinstance(u, str) for u in urls):
        raise SourcesError(f"{where}: urls must be a list of strings")
    for url in [*urls, entry.get("feed"), entry.get("sitemap"), entry.get("listing")]:
        if url and not url.startswith(("http://", "https://")):
            raise SourcesError(f"{where}: {url!r} is not an http(s) URL")
    try:
        return Source(
            name=str(entry.get("name") or kinds[0]),
            urls=tuple(urls),
            feed=entry.get("feed"),
            sitemap=entry.get("sitemap"),
            listing=entry.get("listing"),
            links=entry.get("links"),
            refresh=bool(entry.get("refresh", False)),
            limit=int(entry["limit"]) if entry.get("limit") is not None else None,
            delay=float(entry["delay"]) if entry.get("delay") is not None else None,
        )
    except (TypeError, ValueError) as exc:
        raise SourcesError(f"{where}: {exc}") from None
