"""Read one line of a Markdown or plain-text dump: its structure, links and images.

Every pattern here runs in time linear in the line: quantifiers are bounded or possessive, and
the classes inside a link or image exclude the brackets that open the next one, so a match
attempt never scans past the next `[`. Raw HTML blocks (a `<table>` or `<section>` an export
tool left in the dump) are parsed as HTML and read into lines of their text.
"""

from __future__ import annotations

import re
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
_CELL_BLOCKS = sorted(BLOCK_TAGS - _TABLE_TAGS)
CELL_SEPARATOR = " | "


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


def html_block_ends(raw: str, tag: str, depth: int) -> int:
    """How many `tag` elements stay open after this line of an HTML block, `depth` open before:
    the block ends at the line where none do (or at a blank line)."""
    if tag == "hr":
        return 0
    opened = len(re.findall(rf"<{tag}(?=[\s/>])", raw, re.I))
    return depth + opened - len(re.findall(rf"</{tag}\s*+>", raw, re.I))


def read_html_block(markup: str) -> list[Line]:
    """The lines of text in a raw HTML block: one per paragraph, cell or row, tags stripped,
    entities decoded; hidden elements are left out, images go to the line after them."""
    tree = LexborHTMLParser(markup)
    for row in tree.css("tr"):
        _join_cells(row)
    found = walk(tree.body)
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


def _join_cells(row: LexborNode) -> None:
    """Make a table row of several cells one paragraph, its cells' texts apart by
    CELL_SEPARATOR; empty cells are dropped."""
    cells = [node for node in row.iter() if node.tag in ("td", "th")]
    if len(cells) < 2:
        return
    first = True
    for cell in cells:
        if not cell.text(strip=True):
            cell.decompose()
            continue
        cell.unwrap_tags(_CELL_BLOCKS)
        for line_break in cell.css("br"):
            line_break.replace_with(" ")
        if not first:
            cell.insert_before(CELL_SEPARATOR)
        first = False
