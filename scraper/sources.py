"""The sources of a regular crawl, from a TOML file, and from the command line."""

from __future__ import annotations

import math
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from .errors import SourcesError

MAX_SOURCES_BYTES = 1024 * 1024

KINDS = ("urls", "feed", "sitemap", "listing")
OPTIONS = {"name": str, "links": str, "refresh": bool, "limit": int, "delay": (int, float)}


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

    def named(self) -> list[str]:
        """The URLs the user gave: trusted, and where the source's delay applies."""
        return [u for u in (*self.urls, self.feed, self.sitemap, self.listing) if u]


def load_sources(path: str | Path, max_bytes: int = MAX_SOURCES_BYTES) -> list[Source]:
    """Read a sources file (at most `max_bytes`); raise `SourcesError` naming the file, the
    entry at fault and, where it can be found, its line."""
    path = Path(path)
    text = _read_text(path, max_bytes)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SourcesError(f"{path}: [defaults] must be a table")
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: no [[source]] entries")
    sources = []
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise SourcesError(f"{path}: source {index} must be a [[source]] table")
        sources.append(_source(f"{path}: source {index}", {**defaults, **entry}, text))
    return sources


def _read_text(path: Path, max_bytes: int) -> str:
    """The file's text; a folder, device, FIFO or socket, or a file over `max_bytes`, is
    refused without being read past the limit (a FIFO is never opened)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise SourcesError(f"{path}: not a regular file; give a TOML sources file")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SourcesError(f"{path}: larger than {max_bytes} bytes; is it a sources file?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: not UTF-8 ({exc.reason})") from None


def _line_of(text: str, key: str, value: object) -> str:
    """ "line N" of the first line that sets `key` to `value`, or "" when none is found."""
    shown = str(value).lower() if isinstance(value, float) else str(value)
    for number, line in enumerate(text.splitlines(), 1):
        left, _, right = line.partition("=")
        if left.strip() == key and shown in right.lower():
            return f"line {number}: "
    return ""


def check_selector(where: str, selector: str, text: str = "") -> None:
    """Raise `SourcesError` when `selector` is not a CSS selector (`text`: the file, for the
    line)."""
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError:
        line = _line_of(text, "links", selector)
        raise SourcesError(f"{where}: {line}links {selector!r} is not a CSS selector") from None


def _source(where: str, entry: dict[str, Any], text: str) -> Source:
    name = entry.get("name")
    where = f"{where} ({name if isinstance(name, str) else 'unnamed'})"
    unknown = set(entry) - set(KINDS) - set(OPTIONS)
    if unknown:
        raise SourcesError(f"{where}: unknown option {', '.join(sorted(unknown))}")
    for option, kind in OPTIONS.items():
        value = entry.get(option)
        if value is not None and (not isinstance(value, kind) or _is_bool_number(value, kind)):
            raise SourcesError(f"{where}: {option} has the wrong type ({value!r})")
    if entry.get("limit") is not None and entry["limit"] < 0:
        raise SourcesError(f"{where}: limit must be 0 or more")
    delay = entry.get("delay")
    if delay is not None and (delay < 0 or not math.isfinite(delay)):
        line = _line_of(text, "delay", delay)
        raise SourcesError(f"{where}: {line}delay must be a number of seconds, 0 or more")
    kinds = [k for k in KINDS if entry.get(k)]
    if len(kinds) != 1:
        raise SourcesError(f"{where}: give exactly one of urls, feed, sitemap, listing")
    urls = entry.get("urls") or []
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise SourcesError(f"{where}: urls must be a list of strings")
    for kind in ("feed", "sitemap", "listing"):
        if entry.get(kind) is not None and not isinstance(entry[kind], str):
            raise SourcesError(f"{where}: {kind} must be a URL string")
    if entry.get("listing") and not entry.get("links"):
        raise SourcesError(f"{where}: a listing needs `links`, the CSS selector of its links")
    if entry.get("links"):
        check_selector(where, entry["links"], text)
    for url in [*urls, entry.get("feed"), entry.get("sitemap"), entry.get("listing")]:
        if url and not url.startswith(("http://", "https://")):
            raise SourcesError(f"{where}: {url!r} is not an http(s) URL")
    return Source(
        name=entry.get("name") or kinds[0],
        urls=tuple(urls),
        feed=entry.get("feed"),
        sitemap=entry.get("sitemap"),
        listing=entry.get("listing"),
        links=entry.get("links"),
        refresh=entry.get("refresh", False),
        limit=entry.get("limit"),
        delay=float(entry["delay"]) if entry.get("delay") is not None else None,
    )


def _is_bool_number(value: Any, kind: type | tuple[type, ...]) -> bool:
    """TOML booleans are Python ints: `limit = true` must not pass as a number."""
    return isinstance(value, bool) and kind is not bool
