"""Recognise pages that are not articles: deleted, removed, expired, blocked, profiles."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from .blocks import normalise
from .rules import load_rules

_LEAD = re.compile(r"^[\W_]+")


def page_status(tree: LexborHTMLParser | None, lines: list[str]) -> tuple[str, str] | None:
    """(status, rule name) when the page is an error, block or non-article page, else None.

    `lines` are the page's visible lines. An error message stands on a short line of its
    own, so that an article sentence that merely mentions 环境异常 does not count.
    """
    rules = load_rules()
    if tree is not None:
        for selector in rules.status_selectors:
            for node in tree.css(selector):
                text = normalise(node.text(separator=" "))
                for rule in rules.statuses:
                    if text and rule.pattern.search(text):
                        return rule.status, rule.name
    page = " ".join(lines)
    for rule in rules.statuses:
        if rule.page_scope:
            if rule.pattern.search(page):
                return rule.status, rule.name
            continue
        for line in lines:
            if len(line) <= rules.message_chars and rule.pattern.match(_LEAD.sub("", line)):
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
