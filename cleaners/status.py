"""Recognise pages that are not articles: deleted, removed, expired, blocked, profiles."""

from __future__ import annotations

import re
from functools import cached_property

from selectolax.lexbor import LexborHTMLParser

from .blocks import normalise
from .rules import Rules, StatusRule
from .scripts import js_unescape

_LEAD = re.compile(r"^[\W_]+")
# A JS string literal (its body in group 1 or 2), and a JS escape (\uXXXX, \u{…}, \xXX): the
# strings with an escape are the ones a script-written message hides in.
_STRING_LITERAL = re.compile(r"""'([^'\\\n]*(?:\\.[^'\\\n]*)*)'|"([^"\\\n]*(?:\\.[^"\\\n]*)*)\"""")
_ESCAPE = re.compile(r"\\[ux]")
_UTF8_RUN = re.compile(r"[\xc2-\xf4][\x80-\xbf]+")
_TEXT_KINDS = {"line", "page", "script"}
_ADDRESS_ATTRS = ("href", "src", "action", "data-src")
# Scripts longer than this are library bundles, not a saved message; past the second figure
# in all, the page is an application page (a WeChat article), not an interstitial.
MAX_SCRIPT_CHARS = 50_000
MAX_SCRIPTS_CHARS = 200_000


class _Page:
    """The places of one page where markers are looked for, each built when first needed."""

    def __init__(self, tree: LexborHTMLParser | None, lines: list[str], short: int) -> None:
        self.tree = tree
        self.lines = lines
        self.short = short

    @cached_property
    def text(self) -> str:
        return " ".join(self.lines)

    @cached_property
    def short_lines(self) -> list[str]:
        return [_LEAD.sub("", line) for line in self.lines if len(line) <= self.short]

    @cached_property
    def script_lines(self) -> list[str]:
        """Short lines of the escaped strings in the page's scripts (or of a JSON body)."""
        sources = list(self.lines)
        if self.tree is not None:
            sources.extend(node.text() or "" for node in self.tree.css("script"))
        found: list[str] = []
        budget = MAX_SCRIPTS_CHARS
        for source in sources:
            escape = _ESCAPE.search(source) if len(source) <= MAX_SCRIPT_CHARS else None
            if escape is None:
                continue
            budget -= len(source)
            if budget < 0:
                break  # a page with this much script is an application, not a saved message
            for line in _escaped_lines(source, escape):
                found.extend(_escaped_literal_lines(line))
        return [_LEAD.sub("", line) for line in found if len(line) <= self.short]

    @cached_property
    def addresses(self) -> list[str]:
        if self.tree is None:
            return []
        return [
            node.attributes.get(attr) or ""
            for node in self.tree.css("a, img, form, iframe, frame")
            for attr in _ADDRESS_ATTRS
            if node.attributes.get(attr)
        ]


def _escaped_lines(source: str, escape: re.Match[str] | None) -> list[str]:
    """The lines of `source` that hold an escape, from the first one (`escape`) on."""
    lines = []
    while escape is not None:
        start = source.rfind("\n", 0, escape.start()) + 1
        end = source.find("\n", escape.end())
        end = len(source) if end < 0 else end
        lines.append(source[start:end])
        escape = _ESCAPE.search(source, end)
    return lines


def _escaped_literal_lines(line: str) -> list[str]:
    """The lines of the string literals with an escape on one line of script (a literal never
    spans lines, so reading line by line finds the literals a whole-source scan finds)."""
    found: list[str] = []
    for match in _STRING_LITERAL.finditer(line):
        literal = match[1] if match[1] is not None else match[2]
        if _ESCAPE.search(literal):
            found.extend(_string_lines(literal))
    return found


def _string_lines(literal: str) -> list[str]:
    """The lines of a decoded string literal; HTML in it is parsed for its text."""
    text = _UTF8_RUN.sub(_utf8, js_unescape(literal))
    if "<" in text:
        body = LexborHTMLParser(text).body
        text = body.text(separator="\n") if body is not None else ""
    return [line for line in (normalise(raw) for raw in text.splitlines()) if line]


def _utf8(match: re.Match[str]) -> str:
    """A run of Latin-1 characters that spells UTF-8 bytes, decoded."""
    try:
        return match[0].encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return match[0]


def _matches(rule: StatusRule, kind: str, page: _Page) -> bool:
    if kind == "line":
        return any(rule.pattern.match(line) for line in page.short_lines)
    if kind == "page":
        return bool(rule.pattern.search(page.text))
    if kind == "script":
        return any(rule.pattern.match(line) for line in page.script_lines)
    if kind == "address":
        return any(rule.pattern.search(address) for address in page.addresses)
    if kind == "labels":
        labels = {m[0] for line in page.short_lines if (m := rule.pattern.match(line))}
        return len(labels) >= rule.min_count
    return False


def page_status(
    tree: LexborHTMLParser | None, lines: list[str], rules: Rules
) -> tuple[str, str] | None:
    """(status, rule name) when the page is an error, block or non-article page, else None.

    `lines` are the page's visible lines. Each rule is looked for in the kinds of place it
    names (status.toml): an error message stands on a short line of its own, so that an
    article sentence that merely mentions 环境异常 does not count.
    """
    if tree is not None:
        for selector in rules.status_selectors:
            for node in tree.css(selector):
                text = normalise(node.text(separator=" "))
                for rule in rules.statuses:
                    if text and _TEXT_KINDS & set(rule.kinds) and rule.pattern.search(text):
                        return rule.status, rule.name
    page = _Page(tree, lines, rules.message_chars)
    for rule in rules.statuses:
        if any(_matches(rule, kind, page) for kind in rule.kinds):
            return rule.status, rule.name
    return None


def url_status(url: str | None, rules: Rules) -> tuple[str, str] | None:
    """(status, rule name) when the URL alone says the page is not an article."""
    if not url:
        return None
    for rule in rules.url_statuses:
        if rule.pattern.search(url):
            return rule.status, rule.name
    return None
