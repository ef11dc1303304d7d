"""The metadata lines that open and close a text dump: account-and-time line, `> key: value`
lines, capture and contact footers (rules in `rules/textdump.toml`)."""

from __future__ import annotations

import re

from .blocks import Block
from .dates import parse_date
from .draft import Draft
from .markdown import Line
from .record import Removal
from .rules import Rules

MAX_ACCOUNT_CHARS = 40
MAX_ACCOUNT_LINE_CHARS = 140
FOOTER_BLOCKS = 8
_DATE_TIME = (
    r"(?P<date>(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"(?:[ \t\u3000]{0,3}\d{1,2}:\d\d(?::\d\d)?)?)"
)
_ACCOUNT_LINE = re.compile(
    rf"(?P<names>\S.{{0,{MAX_ACCOUNT_LINE_CHARS}}}?)\s+{_DATE_TIME}(?:\s+(?P<place>[^\s\d]{{1,12}}))?"
)
_NAME_GAP = re.compile(r"\s{2,}|\u3000")
_NOT_NAME = re.compile(r"[。，,！？!?：:；;《》“”\"]|https?://|[A-Za-z]{2,}\.[A-Za-z]{2,}/")
_LATIN = re.compile(r"[A-Za-z]")
_META_LINE = re.compile(r"(?P<key>[^:：\s][^:：]{0,15}?)\s*[:：]\s*(?P<value>\S.{0,400})")


def read_account_line(draft: Draft, raw: str) -> bool:
    """Read "<author>  <account>  2023-10-14 09:25" (names, then a date-time); True if it was."""
    text = raw.strip()
    if len(text) > MAX_ACCOUNT_LINE_CHARS:
        return False
    match = _ACCOUNT_LINE.fullmatch(text)
    if not match:
        return False
    names = [n for n in _NAME_GAP.split(match["names"].strip()) if n]
    if len(names) == 1 and " " in names[0] and not _LATIN.search(names[0]):
        names = names[0].split(" ")
    original = bool(names) and names[0] in draft.rules.textdump.original_marks
    if original:
        names = names[1:]
    if not names or any(len(n) > MAX_ACCOUNT_CHARS or _NOT_NAME.search(n) for n in names):
        return False
    origin = "text:header account line"
    draft.offer("account", names[-1], origin)
    if len(names) > 1:
        draft.offer("author", " ".join(names[:-1]), origin)
    draft.offer("published", parse_date(match["date"]), origin)
    if original:
        draft.is_original = True
    return True


def read_meta_line(draft: Draft, line: Line) -> bool:
    """Read a `> 来源: X` / `> 发布时间: 2018-07-11` header line; True if it was one."""
    if line.tag not in ("blockquote", "li"):
        return False
    match = _META_LINE.fullmatch(line.text)
    field = draft.rules.textdump.header_keys.get(match["key"].casefold()) if match else None
    if not match or not field:
        return False
    value = match["value"].strip()
    origin = f"text:header {match['key']}"
    if field == "published":
        draft.offer(field, parse_date(value), origin)
    elif field == "original_url":
        if value.startswith(("http://", "https://")):
            draft.offer(field, value.split()[0], origin)
    else:
        draft.offer(field, value, origin)
    return True


def mark_footer(blocks: list[Block], rules: Rules) -> None:
    """Mark the capture, tool and contact lines among a dump's last blocks as removed."""
    seen = 0
    for block in reversed(blocks):
        if seen >= FOOTER_BLOCKS:
            return
        if block.removal:
            continue
        seen += 1
        for rule in rules.textdump.footers:
            if len(block.text) <= rule.max_chars and rule.pattern.search(block.text):
                block.removal = Removal(rule.kind, rule.name, block.text)
                break
