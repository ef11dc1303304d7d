"""Find article URLs in RSS and Atom feeds, sitemaps (and sitemap indexes) and listing pages."""

from __future__ import annotations

import datetime as dt
import email.utils
import io
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from cleaners.dates import parse_date

SITEMAP_BATCH = 1000
_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Link:
    """A URL a source points to, and when the source says it last changed (ISO 8601)."""

    url: str
    updated: str | None = None


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _root(content: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(content.strip(), _XML)
    except (etree.XMLSyntaxError, ValueError):
        return None


def feed_links(content: bytes, base_url: str) -> list[Link]:
    """The item links of an RSS or Atom feed, with their updated or published dates."""
    root = _root(content)
    if root is None:
        return []
    links: list[Link] = []
    for item in root.iter():
        kind = _local(item.tag)
        if kind not in ("item", "entry"):
            continue
        url, updated = "", None
        for child in item:
            name = _local(child.tag)
            if name == "link":
                href = child.get("href")
                rel = child.get("rel", "alternate")
                if href and rel == "alternate":
                    url = url or href
                elif not href and child.text:
                    url = url or child.text.strip()
            elif name == "guid" and not url and child.get("isPermaLink") != "false":
                url = (child.text or "").strip()
            elif name in ("updated", "pubdate", "published", "date", "modified"):
                updated = updated or _date(child.text)
        absolute = _absolute(url, base_url) if url else None
        if absolute:
            links.append(Link(absolute, updated))
    return links


def sitemap_links(content: bytes, base_url: str) -> tuple[list[Link], list[str]]:
    """(page links, nested sitemap URLs) of a sitemap or sitemap index."""
    pages: list[Link] = []
    nested: list[str] = []
    for batch, sitemaps in sitemap_batches(content, base_url):
        pages.extend(batch)
        nested.extend(sitemaps)
    return pages, nested


def sitemap_batches(
    content: bytes, base_url: str, size: int = SITEMAP_BATCH
) -> Iterator[tuple[list[Link], list[str]]]:
    """The links of a sitemap, parsed as a stream and handed out `size` at a time, so that a
    sitemap of 50,000 URLs never sits in memory as a whole tree."""
    pages: list[Link] = []
    nested: list[str] = []
    events = etree.iterparse(
        io.BytesIO(content.strip()),
        events=("end",),
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    try:
        for _, entry in events:
            kind = _local(entry.tag)
            if kind not in ("url", "sitemap"):
                continue
            loc, lastmod = "", None
            for child in entry:
                name = _local(child.tag)
                if name == "loc":
                    loc = (child.text or "").strip()
                elif name == "lastmod":
                    lastmod = _date(child.text)
            entry.clear()
            while entry.getprevious() is not None:
                del entry.getparent()[0]
            absolute = _absolute(loc, base_url) if loc else None
            if absolute and kind == "sitemap":
                nested.append(absolute)
            elif absolute:
                pages.append(Link(absolute, lastmod))
            if len(pages) >= size:
                yield pages, nested
                pages, nested = [], []
    except etree.XMLSyntaxError:
        pass
    if pages or nested:
        yield pages, nested


def listing_links(content: bytes, base_url: str, selector: str) -> list[Link]:
    """The links a CSS selector picks out of a listing page (the elements or their <a>)."""
    tree = LexborHTMLParser(content)
    base = tree.css_first("base[href]")
    if base is not None:
        base_url = urljoin(base_url, base.attributes.get("href") or "")
    links: list[Link] = []
    for node in tree.css(selector):
        anchor = node if node.tag == "a" else node.css_first("a[href]")
        href = (anchor.attributes.get("href") or "").strip() if anchor is not None else ""
        absolute = _absolute(href, base_url) if href else None
        if absolute and not href.startswith(("javascript:", "mailto:", "#")):
            links.append(Link(absolute))
    return links


def _absolute(url: str, base_url: str) -> str | None:
    try:
        return urldefrag(urljoin(base_url, url.strip())).url
    except ValueError:
        return None


def _date(text: str | None) -> str | None:
    """A feed or sitemap date as ISO 8601, keeping its offset (RFC 822 or ISO 8601)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return parse_date(text)
