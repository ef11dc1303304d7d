"""The body as Markdown, from the same blocks as the plain body: headings, paragraphs, lists,
block quotes, tables, code blocks, and the inline links, emphasis and images each block keeps."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from . import mdinline
from .blocks import Block, normalise
from .record import Article

MAX_STYLED_HEADING_CHARS = 40
STYLED_HEADING_LEVEL = 2
_SENTENCE_END = re.compile(r"[。！？!?；;，,：:、]$")
_WRAPPED = re.compile(r"^(\*\*|\*)(.+)\1$")
_HEADING_TAG = re.compile(r"h([1-6])$")
FRONT_MATTER_FIELDS = (
    "title", "url", "account", "account_id", "author", "source", "source_account_id", "editor",
    "translator", "published", "original_url", "is_original", "language",
)  # fmt: skip


def markdown_document(article: Article) -> str:
    """The article as a Markdown document: YAML front matter with its fields and the number of
    blocks removed (each value a JSON scalar, which YAML reads as it is), the title, the body."""
    values = {name: getattr(article, name) for name in FRONT_MATTER_FIELDS}
    lines = [
        f"{name}: {json.dumps(value, ensure_ascii=False)}"
        for name, value in values.items()
        if value is not None
    ]
    lines.append(f"removed: {len(article.removed)}")
    title = f"# {article.title}" if article.title else ""
    parts = ["---\n" + "\n".join(lines) + "\n---", title, article.body_markdown or article.body]
    return "\n\n".join(p for p in parts if p) + "\n"


def body_markdown(blocks: Iterable[Block]) -> str:
    """The Markdown of the article these body blocks make."""
    pending = list(blocks)
    pieces: list[str] = []
    tight = False
    index = 0
    while index < len(pending):
        block, group = pending[index], _group(pending[index])
        end = index + 1
        while group and end < len(pending) and _group(pending[end]) == group:
            end += 1
        if group and group[0] == "code":
            piece, in_list = _fence([_code(b) for b in pending[index:end]]), False
        elif group:
            piece, in_list = _table([_row(b) for b in pending[index:end]]), False
        else:
            piece, in_list = _line(block), _in_list(block)
        if block.lead:
            pieces.append("\n\n" + _quoted(block.lead, block.quote))
            tight = False
        pieces.append(("\n" if tight and in_list else "\n\n") + _quoted(piece, block.quote))
        tight, index = in_list, end
    return "".join(pieces).strip("\n")


def _group(block: Block) -> tuple[str, int] | None:
    """What a run of blocks written as one shares: the lines of one code block, the rows of
    a table."""
    if block.code:
        return ("code", block.element)
    if block.tag == "tr" and block.marked:
        return ("table", 0)
    return None


def _in_list(block: Block) -> bool:
    return bool(block.marker or block.depth or block.tag == "li")


def _inline(block: Block) -> str:
    """The block's text with its inline markup; a block read with none (a line of a text
    dump) is its text, after its images."""
    if block.marked:
        escaped = mdinline.escape(block.marked).replace(mdinline.CELL, " ")
        return mdinline.written(normalise(escaped), block.tokens)
    text = mdinline.escape(block.text)
    if block.lead or not block.images:
        return text
    return "\n\n".join([*filter(None, (mdinline.image(src, None) for src in block.images)), text])


def _code(block: Block) -> str:
    if not block.marked:
        return block.text
    return mdinline.written(block.marked, block.tokens).strip("\n")


def _row(block: Block) -> str:
    cells = mdinline.written(mdinline.escape(block.marked), block.tokens).split(mdinline.CELL)
    cells = [normalise(cell) for cell in cells]
    return "| " + " | ".join(cells[1:] if not cells[0] else cells) + " |"


def _line(block: Block) -> str:
    text = _inline(block)
    heading = _HEADING_TAG.match(block.tag)
    if heading:
        return f"{'#' * int(heading.group(1))} {_unwrapped(text)}"
    if _in_list(block):
        indent = "  " * max(block.depth - 1, 0)
        if block.marker or block.tag == "li":
            return f"{indent}{block.marker or '-'} {text}"
        return f"{indent}  {text}"
    if (block.styled or block.emphasis) and _reads_as_heading(block.text):
        return f"{'#' * STYLED_HEADING_LEVEL} {_unwrapped(text)}"
    return text


def _reads_as_heading(text: str) -> bool:
    return len(text) <= MAX_STYLED_HEADING_CHARS and not _SENTENCE_END.search(text)


def _unwrapped(text: str) -> str:
    """A heading's text without the emphasis that wraps all of it."""
    found = _WRAPPED.match(text)
    return found.group(2).strip() if found else text


def _fence(lines: list[str]) -> str:
    body = "\n".join(lines)
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}\n{body}\n{fence}"


def _table(rows: list[str]) -> str:
    columns = max(row.count(" | ") + 1 for row in rows)
    rows = [row + " |" * (columns - row.count(" | ") - 1) for row in rows]
    separator = "|" + " --- |" * columns
    return "\n".join([rows[0], separator, *rows[1:]])


def _quoted(piece: str, depth: int) -> str:
    if not depth:
        return piece
    prefix = "> " * depth
    return "\n".join(prefix + line if line else prefix.rstrip() for line in piece.split("\n"))
