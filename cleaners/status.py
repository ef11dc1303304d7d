"""Recognise pages that are not articles: deleted, removed, expired, blocked, profiles."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from .blocks import normalise
from .rules import load_rules


def page_status(tree: LexborHTMLParser | None, text: str) -> tuple[str, str] | None:
    """(status, rule name) when the page is an error, block or non-article page, else None.

    `text` is the page's visible text; it is only tested when it is short, so that an
    article that merely mentions 环境异常 stays an article.
    """
    rules = load_rules()
    if tree is not None:
        for selector in rules.status_selectors:
            for node in tree.css(selector):
                found = _match(normalise(node.text(separator=" ")))
                if found:
                    return found
    if len(text) <= rules.short_page_chars:
        return _match(text)
    return None


def _match(text: str) -> tuple[str, str] | None:
    if not text:
        return None
    for rule in load_rules().statuses:
        if rule.pattern.search(text):
            return rule.status, rule.name
    return None


def url_status(url: str | None) -> tuple[str, str] | None:
    """(status, rule name) when the URL alone says the page is not an article."""
    if not url:
        return None
    for rule in load_rules().url_statuses:
        if rule.pattern.search(url):
            return rule.status, rule.name
    return None
