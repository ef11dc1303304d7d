"""Read plain-text and Markdown dumps, including pages flattened into one long line."""

from __future__ import annotations

import re

from .attribution import find_credits
from .blocks import Block, normalise
from .dates import parse_date
from .draft import Draft
from .record import Removal
from .rules import load_rules
from .sweep import heading_rule

MAX_TITLE_CHARS = 100
MAX_ACCOUNT_CHARS = 40
MAX_HEADER_WORDS = 6
MAX_FRONT_MATTER_CHARS = 400
_SEPARATOR_LINE = re.compile(r"^[\s|｜\-–—*=_#·•]*$")
_SENTENCE_END = re.compile(r"(?<=[。！？!?」』”】])\s+|(?<=[.;])\s+(?=[A-Z\"“])")
# Front matter keys (Markdown mirrors, feed dumps) and the field each fills.
_FRONT_MATTER = re.compile(r"^(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>\S.*)$")
FRONT_MATTER_FIELDS = {
    "title": "title",
    "author": "author",
    "source": "account",
    "account": "account",
    "date": "published",
    "published": "published",
    "url": "url",
    "link": "url",
}
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)[^)]*\)")
_MD_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<href>[^)\s]+)[^)]*\)")


def read_textdump(text: str, url: str | None) -> Draft:
    """A draft of a text dump: front matter, the title line, and the text split into blocks."""
    draft = Draft(reader="text", url=url)
    if url:
        draft.origins["url"] = "given"
    lines = [normalise(line) for line in text.splitlines()]
    start = _front_matter(draft, lines)
    blocks: list[Block] = []
    for line in lines[start:]:
        line = _MD_HEADING.sub("", line)
        for image in _MD_IMAGE.finditer(line):
            draft.images.append(image["src"])
        line = _MD_IMAGE.sub("", line).strip()
        if not line or _SEPARATOR_LINE.match(line):
            continue
        if not draft.fields.get("title") and _is_title(line):
            draft.offer("title", line, "text:title line")
            continue
        blocks.extend(_split_line(draft, line, first_header=not blocks))
    draft.blocks = blocks
    return draft


def _front_matter(draft: Draft, lines: list[str]) -> int:
    """Read `key: value` lines at the top (inside --- fences or bare); return where text starts."""
    index = 0
    fenced = bool(lines) and lines[0] == "---"
    if fenced:
        index = 1
    while index < len(lines):
        line = lines[index]
        if fenced and line == "---":
            return index + 1
        match = _FRONT_MATTER.match(line)
        if not match or len(line) > MAX_FRONT_MATTER_CHARS:
            break
        field = FRONT_MATTER_FIELDS.get(match["key"].lower())
        if not field and not fenced:
            break
        value = match["value"].strip()
        if field == "url":
            draft.url = draft.url or value
            draft.origins.setdefault("url", "text:front matter")
        elif field == "published":
            draft.offer(field, parse_date(value), f"text:front matter {match['key']}")
        elif field:
            draft.offer(field, value, f"text:front matter {match['key']}")
        index += 1
    return index if not fenced else 0


def _is_title(line: str) -> bool:
    return (
        len(line) <= MAX_TITLE_CHARS
        and not line.endswith(("。", "：", ":"))
        and heading_rule(line) is None
        and not find_credits(line)
    )


def _split_line(draft: Draft, line: str, first_header: bool) -> list[Block]:
    """Split a flattened line at sentence ends, section headings and credit openings."""
    links = tuple(m["href"] for m in _MD_LINK.finditer(line))
    line = _MD_LINK.sub(lambda m: m["text"], line)
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(line):
        pieces.extend(_split_at_markers(sentence))
    blocks: list[Block] = []
    opening = load_rules().credit_opening
    for index, piece in enumerate(pieces):
        if opening.match(piece):
            if index == 1 and first_header and len(pieces[0]) <= MAX_ACCOUNT_CHARS:
                # The republisher's name glued before the reprint header.
                draft.offer("account", pieces[0], "text:before reprint header")
                draft.removed.append(Removal("chrome", "text.account-line", pieces[0]))
                blocks.clear()
            blocks.extend(_split_header(piece))
            continue
        blocks.append(Block(piece, links=links, link_chars=len(piece) if links else 0))
    return blocks


def _split_at_markers(sentence: str) -> list[str]:
    tokens = sentence.split(" ")
    rules = load_rules()
    out: list[list[str]] = [[]]
    for index, token in enumerate(tokens):
        if _SEPARATOR_LINE.match(token):
            out.append([])
            continue
        if index and (rules.credit_opening.match(token) or rules.credit_label_any.match(token)):
            out.append([])
        if heading_rule(token):
            out.append([token])
            out.append([])
            continue
        out[-1].append(token)
    return [" ".join(part).strip() for part in out if " ".join(part).strip()]


def _split_header(text: str) -> list[Block]:
    """The shortest run of words that makes a whole reprint header, and the text after it."""
    words = text.split(" ")
    for count in range(1, min(len(words), MAX_HEADER_WORDS) + 1):
        head = " ".join(words[:count])
        fields = {c.field for c in find_credits(head)}
        if "author" in fields or ("source" in fields and count == len(words)):
            rest = " ".join(words[count:]).strip()
            return [Block(head)] + ([Block(rest)] if rest else [])
    return [Block(text)]
