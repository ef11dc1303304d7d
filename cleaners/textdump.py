"""Read plain-text dumps, including pages flattened into one long line."""

from __future__ import annotations

import re

from .attribution import find_credits
from .blocks import Block, normalise
from .draft import Draft
from .record import Removal
from .rules import load_rules
from .sweep import heading_rule

MAX_TITLE_CHARS = 100
MAX_ACCOUNT_CHARS = 40
MAX_HEADER_WORDS = 6
_SEPARATOR_LINE = re.compile(r"^[\s|｜\-–—*=_#·•]*$")
_SENTENCE_END = re.compile(r"(?<=[。！？!?」』”】])\s+|(?<=[.;])\s+(?=[A-Z\"“])")
_FRONT_MATTER = re.compile(
    r"^(?P<key>url|source|author|title|date|account)\s*:\s*(?P<value>.+)$", re.I
)


def read_textdump(text: str, url: str | None) -> Draft:
    """A draft of a text dump: the title line, front matter, and the text split into blocks."""
    draft = Draft(reader="text", url=url)
    if url:
        draft.origins["url"] = "given"
    lines = [normalise(line) for line in text.splitlines()]
    blocks: list[Block] = []
    for line in lines:
        if not line or _SEPARATOR_LINE.match(line):
            continue
        front = _FRONT_MATTER.match(line)
        if front and len(line) <= 200 and not blocks:
            _front_matter(draft, front["key"].lower(), front["value"].strip())
            continue
        if not draft.fields.get("title") and _is_title(line):
            draft.offer("title", line, "text:title line")
            continue
        blocks.extend(_split_line(line))
    draft.blocks = _take_account_line(draft, blocks)
    return draft


def _front_matter(draft: Draft, key: str, value: str) -> None:
    if key == "url":
        draft.url = draft.url or value
        draft.origins.setdefault("url", "text:front matter")
    elif key == "date":
        from .dates import parse_date

        draft.offer("published", parse_date(value), "text:front matter")
    else:
        draft.offer(key, value, "text:front matter")


def _is_title(line: str) -> bool:
    return (
        len(line) <= MAX_TITLE_CHARS
        and not line.endswith(("。", "：", ":"))
        and heading_rule(line) is None
        and not find_credits(line)
    )


def _split_line(line: str) -> list[Block]:
    """Split a flattened line at sentence ends, section headings and credit openings."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(line):
        pieces.extend(_split_at_markers(sentence))
    return [Block(p) for p in pieces if p]


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


def _take_account_line(draft: Draft, blocks: list[Block]) -> list[Block]:
    """Split the reprint header from the text glued to it: the republisher's name before it
    and the article after it."""
    opening = load_rules().credit_opening
    for index, block in enumerate(blocks[:3]):
        if not opening.match(block.text):
            continue
        blocks[index : index + 1] = _split_header(block.text)
        name = blocks[index - 1].text if index else ""
        if name and len(name) <= MAX_ACCOUNT_CHARS:
            draft.offer("account", name, "text:before reprint header")
            draft.removed.append(Removal("chrome", "text.account-line", name))
            del blocks[index - 1]
        break
    return blocks


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
