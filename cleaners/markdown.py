"""Read one line of a Markdown or plain-text dump: its structure, links and images.

Every pattern here runs in time linear in the line: quantifiers are bounded or possessive, and
the classes inside a link or image exclude the brackets that open the next one, so a match
attempt never scans past the next `[`. Raw HTML blocks (a `<table>` or `<section>` an export
tool left in the dump) are parsed as HTML and read into lines of their text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .blocks import BLOCK_TAGS, normalise, walk

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
# The start of a raw HTML block, as CommonMark reads one (its kind 6): a block-level tag, open
# or closing, at the start of a line. The block runs to the next blank line.
_HTML_BLOCK = re.compile(r" {0,3}+</?+(?P<tag>[A-Za-z][A-Za-z0-9]{0,15}+)(?:[\s/>]|$)")
_TABLE_TAGS = frozenset(["table", "thead", "tbody", "tfoot", "tr", "td", "th"])
# Inside a table cell these are unwrapped, so that a row is read as one line.
_CELL_BREAKS = (BLOCK_TAGS - _TABLE_TAGS) | {"br"}
CELL_SEPARATOR = " | "
MAX_ROW_DEPTH = 64
_ROW = re.compile(r"<tr[\s>]", re.I)
# Tags that would undo a block's isolation, read as divs: a template, and plaintext (which
# runs to the end of the page).
_ISOLATION_BREAKERS = re.compile(r"<(/?+)(?:template|plaintext)(?=[\s/>])", re.I)
# Elements whose content the parser reads as text up to their end tag.
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")


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


def html_block_tag(raw: str) -> str | None:
    """The tag of the element whose start or end opens a raw HTML block on this line
    (`<table ...>`, `<section>`, `</p>`), lowercased; None for any other line."""
    match = _HTML_BLOCK.match(raw)
    tag = match["tag"].lower() if match else None
    return tag if tag in BLOCK_TAGS else None


def html_block_depth(raw: str, tag: str, depth: int) -> int:
    """How many `tag` elements stay open after this line of an HTML block, `depth` open before:
    the block ends at the line where none do (or at a blank line)."""
    if tag == "hr":
        return 0
    opened = len(re.findall(rf"<{tag}(?=[\s/>])", raw, re.I))
    return depth + opened - len(re.findall(rf"</{tag}\s*+>", raw, re.I))


def read_html_blocks(runs: list[tuple[str, ...]]) -> list[list[Line]]:
    """The lines of text in each run of raw HTML blocks, in one parse: one line per paragraph,
    and per row of several cells (cells apart by CELL_SEPARATOR); tags stripped, entities
    decoded, hidden elements left out, images on the line after them.

    Each run is parsed inside a <template> of its own, so that what it leaves open ends with
    it; a comment or raw-text element (<script>, <style>) ends with its block."""
    if not runs:
        return []
    markups = ["\n".join(_closed(block) for block in run) for run in runs]
    isolated = "".join(f"<template>{markup}</template>" for markup in markups)
    fragments = LexborHTMLParser(f"<body>{isolated}").root.template_fragments()
    blocks: list[list[Line]] = []
    for index, markup in enumerate(markups):
        fragment = fragments[index] if index < len(fragments) else None
        if fragment is not None and _ROW.search(markup):
            for row in _leaf_rows(fragment.css("tr")):
                _join_cells(row)
        blocks.append(_walk_lines(fragment))
    return blocks


def _closed(markup: str) -> str:
    """`markup` with its templates made divs and a comment or raw-text element it leaves open
    closed, so that it cannot swallow the blocks after it."""
    markup = _ISOLATION_BREAKERS.sub(r"<\1div", markup)
    lowered = markup.lower()
    if lowered.count("<!--") > lowered.count("-->"):
        markup += "-->"
    for tag in _RAW_TEXT:
        if lowered.count(f"<{tag}") > lowered.count(f"</{tag}"):
            markup += f"</{tag}>"
    return markup


def _walk_lines(fragment: LexborNode | None) -> list[Line]:
    found = walk(fragment)
    lines: list[Line] = []
    placed = 0
    for block in found.blocks:
        placed += len(block.images)
        if block.removal is None:
            lines.append(
                Line(
                    block.text,
                    tag=block.tag,
                    links=block.links,
                    link_chars=block.link_chars,
                    images=block.images,
                    emphasis=block.emphasis,
                )
            )
    if placed < len(found.images):
        lines.append(Line("", images=tuple(found.images[placed:])))
    return lines


def _leaf_rows(rows: list[LexborNode]) -> Iterator[LexborNode]:
    """The rows (in document order) that hold no other row: the next row is not inside them
    (looked for up to MAX_ROW_DEPTH elements up)."""
    for index, row in enumerate(rows):
        node = rows[index + 1].parent if index + 1 < len(rows) else None
        for _ in range(MAX_ROW_DEPTH):
            if node is None or node.tag == "tr":
                break
            node = node.parent
        if node is None or node.mem_id != row.mem_id:
            yield row


def _join_cells(row: LexborNode) -> None:
    """Make a table row of several cells one paragraph, its cells' texts apart by
    CELL_SEPARATOR: the blocks and line breaks inside a cell become spaces; empty cells are
    dropped."""
    cells = [node for node in row.iter() if node.tag in ("td", "th")]
    if len(cells) < 2:
        return
    first = True
    for cell in cells:
        if not cell.text(strip=True):
            cell.decompose()
            continue
        inner = [node for node in cell.traverse() if node.tag in _CELL_BREAKS]
        for node in inner:
            if node.mem_id == cell.mem_id:
                continue
            node.insert_after(" ")
            if node.tag == "br":
                node.decompose()
            else:
                node.unwrap()
        if not first:
            cell.insert_before(CELL_SEPARATOR)
        first = False
