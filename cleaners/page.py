"""Helpers for reading fields out of a parsed HTML page."""

from __future__ import annotations

from collections.abc import Iterable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .blocks import normalise


def first_text(root: LexborHTMLParser | LexborNode, selectors: Iterable[str]) -> tuple[str, str]:
    """(text, selector) of the first selector that matches an element with text or content."""
    for selector in selectors:
        node = root.css_first(selector)
        if node is None:
            continue
        value = node_value(node)
        if value:
            return value, selector
    return "", ""


def node_value(node: LexborNode) -> str:
    """An element's content or datetime attribute (meta, time, microdata), else its text."""
    attrs = node.attributes or {}
    if node.tag == "meta" or attrs.get("content"):
        return normalise(attrs.get("content") or "")
    if attrs.get("datetime"):
        return normalise(attrs["datetime"])
    return normalise(node.text(separator=" "))


def meta(tree: LexborHTMLParser, key: str) -> str:
    """The content of <meta property|name=key>."""
    node = tree.css_first(f'meta[property="{key}"]') or tree.css_first(f'meta[name="{key}"]')
    return normalise(node.attributes.get("content") or "") if node else ""


def page_url(tree: LexborHTMLParser) -> tuple[str, str]:
    """(url, origin) the page gives for itself: og:url, then canonical."""
    value = meta(tree, "og:url")
    if value:
        if not value.startswith(("http://", "https://")):
            value = "https://" + value.lstrip("/")
        return value, "meta:og:url"
    node = tree.css_first('link[rel="canonical"]')
    href = (node.attributes.get("href") or "").strip() if node else ""
    if href.startswith(("http://", "https://")):
        return href, "link:canonical"
    return "", ""
