"""Read one line of a Markdown or plain-text dump: its structure, links and images.

Every pattern here runs in time linear in the line: quantifiers are bounded or possessive, and
the classes inside a link or image exclude the brackets that open the next one, so a match
attempt never scans past the next `[`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import normalise

MAX_LINK_TEXT = 500
MAX_HREF = 2000
MAX_LINK_TITLE = 300
_HEADING = re.compile(r"(#{1,6})(?:\s++|$)")
_QUOTE = re.compile(r"(?:>\s?+)++")
_LIST_ITEM = re.compile(r"(?:[-*+•]|\d{1,9}[.)、])\s++")
_FENCE = re.compile(r"(?:```|~~~)")
_TARGET = (
    rf"\(\s*+(?P<href>[^()\[\]\s]{{0,{MAX_HREF}}}+)"
    rf"(?:\s++[\"'][^\"'\[\]\n]{{0,{MAX_LINK_TITLE}}}+[\"'])?+\s*+\)"
)
_IMAGE = re.compile(rf"!\[[^\[\]\n]{{0,{MAX_LINK_TEXT}}}+\]{_TARGET}")
_LINK = re.compile(rf"\[(?P<text>[^\[\]\n]{{0,{MAX_LINK_TEXT}}}+)\]{_TARGET}")
_SEPARATOR = re.compile(r"[\s|｜\-–—*=_·•]*+")
_EMPHASIS_MARK = re.compile(r"\*\*|__")


@dataclass(frozen=True)
class Line:
    """One dump line with its Markdown markup read: text, tag, links, images, emphasis."""

    text: str
    tag: str = "p"
    links: tuple[str, ...] = ()
    link_chars: int = 0
    images: tuple[str, ...] = ()
    emphasis: bool = False

    @property
    def separator(self) -> bool:
        return self.tag == "hr"


def is_fence(raw: str) -> bool:
    """True for a line that opens or closes a fenced code block."""
    return bool(_FENCE.match(raw.strip()))


def read_line(raw: str) -> Line:
    """The structure and inline markup of one line (the line as written, not normalised)."""
    text = normalise(raw)
    if text and _SEPARATOR.fullmatch(text):
        return Line(text, tag="hr")
    tag = "p"
    heading = _HEADING.match(text)
    if heading:
        tag = f"h{len(heading.group(1))}"
        text = text[heading.end() :].rstrip("# ").strip()
    else:
        quote = _QUOTE.match(text)
        item = _LIST_ITEM.match(text)
        if quote:
            tag, text = "blockquote", text[quote.end() :]
        elif item:
            tag, text = "li", text[item.end() :]
    images = tuple(m["href"] for m in _IMAGE.finditer(text))
    if images:
        text = _IMAGE.sub("", text).strip()
    links: list[str] = []
    link_chars = 0

    def _unlink(match: re.Match[str]) -> str:
        nonlocal link_chars
        links.append(match["href"])
        link_chars += len(match["text"].strip())
        return match["text"]

    text = _LINK.sub(_unlink, text).strip()
    bold = _is_bold(text)
    if bold:
        text = text[2:-2].strip()
    elif _is_italic(text):
        text = text[1:-1].strip()
    if text.count("**") >= 2 and text.count("**") % 2 == 0:
        text = _EMPHASIS_MARK.sub("", text)
    return Line(
        normalise(text),
        tag=tag,
        links=tuple(links),
        link_chars=min(link_chars, len(text)),
        images=images,
        emphasis=bold,
    )


def _is_bold(text: str) -> bool:
    """A line that is all one bold run: `**...**` or `__...__`."""
    for mark in ("**", "__"):
        if len(text) > 4 and text.startswith(mark) and text.endswith(mark):
            return mark not in text[2:-2]
    return False


def _is_italic(text: str) -> bool:
    """A line that is all one italic run: `*...*`."""
    return len(text) > 2 and text[0] == text[-1] == "*" and "*" not in text[1:-1]
