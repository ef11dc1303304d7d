"""Read plain-text and Markdown dumps, including pages flattened into one long line."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .attribution import find_credits
from .blocks import Block, normalise
from .dates import parse_date
from .draft import Draft
from .dumpmeta import MAX_ACCOUNT_CHARS, mark_footer, read_account_line, read_meta_line
from .markdown import Line, is_fence, read_line
from .record import Removal
from .rules import Rules
from .sweep import heading_rule

MAX_TITLE_CHARS = 100
MAX_HEADING_TITLE_CHARS = 200
MAX_HEADER_WORDS = 6
MAX_HEADER_LINES = 12
MAX_FRONT_MATTER_LINES = 40
MAX_FRONT_MATTER_CHARS = 400
FLAT_LINE_CHARS = 1500
FLAT_SENTENCE_GAPS = 2
_SEPARATOR_TOKEN = re.compile(r"[|｜\-–—*=_#·•]++")
_SENTENCE_END = re.compile(r"(?<=[。！？!?」』”】])\s+|(?<=[.;])\s+(?=[A-Z\"“])")
_SPACED_SENTENCE = re.compile(r"[。！？」』”】] ")
# Front matter keys (Markdown mirrors, feed dumps) and the field each fills.
_FRONT_MATTER = re.compile(r"(?P<key>[A-Za-z_]{1,40})\s*:\s*(?P<value>\S.*)")
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


def read_textdump(text: str, url: str | None, rules: Rules) -> Draft:
    """A draft of a text dump: front matter, header lines, and the text split into blocks."""
    draft = Draft(reader="text", rules=rules, url=url)
    if url:
        draft.origins["url"] = "given"
    raw_lines = text.splitlines()
    start = _front_matter(draft, [normalise(line) for line in raw_lines[:MAX_FRONT_MATTER_LINES]])
    lines = list(_lines(raw_lines[start:]))
    index, images = _header(draft, lines)
    blocks: list[Block] = []
    first = True
    for _, line in lines[index:]:
        draft.images.extend(line.images)
        images.extend(line.images)
        if line.separator:
            blocks.append(_separator(line))
            continue
        if not line.text:
            continue
        if not draft.fields.get("title") and _is_title(line.text, rules):
            draft.offer("title", line.text, "text:title line")
            continue
        if line.tag == "p" and _is_flattened(line.text):
            blocks.extend(_split_line(draft, line, first_header=first))
        else:
            if first:
                _offer_leading_account(draft, line.text)
            blocks.append(_block(line, tuple(images)))
        first = False
        images = []
    mark_footer(blocks, rules)
    draft.blocks = blocks
    return draft


def _lines(raw_lines: list[str]) -> Iterator[tuple[str, Line]]:
    """Each non-empty line read as Markdown; lines inside a code fence are kept as written."""
    in_code = False
    for raw in raw_lines:
        if is_fence(raw):
            in_code = not in_code
            continue
        if in_code:
            text = normalise(raw)
            if text:
                yield raw, Line(text, tag="pre")
            continue
        line = read_line(raw)
        if line.text or line.images:
            yield raw, line


def _header(draft: Draft, lines: list[tuple[str, Line]]) -> tuple[int, list[str]]:
    """Read the title, account-and-time line and `> key: value` lines at the top into fields
    (the lines go straight to `removed`: they are read, not left for the credit rules); return
    where the body starts and the images waiting for the first body block."""
    images: list[str] = []
    account_line = seen_text = False
    index = 0
    for index, (raw, line) in enumerate(lines[:MAX_HEADER_LINES]):
        first, seen_text = not seen_text and bool(line.text), seen_text or bool(line.text)
        title = draft.fields.get("title")
        if line.separator:
            draft.removed.append(Removal("chrome", "text.separator", line.text))
        elif not line.text:
            draft.images.extend(line.images)
            images.extend(line.images)
        elif first and title == line.text:
            draft.removed.append(Removal("chrome", "repeated-title", line.text))
        elif first and not title and _is_title(line.text, draft.rules, line.tag[:1] == "h"):
            draft.offer("title", line.text, "text:title line")
        elif not account_line and read_account_line(draft, raw):
            account_line = True
            draft.removed.append(Removal("attribution", "text.header-account-line", line.text))
        elif read_meta_line(draft, line):
            draft.removed.append(Removal("attribution", "text.header-metadata", line.text))
        else:
            return index, images
    return (index + 1 if lines else 0), images


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
        match = _FRONT_MATTER.fullmatch(line)
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


def _is_title(line: str, rules: Rules, heading: bool = False) -> bool:
    """A title line; a heading that opens the dump may be longer and end in a full stop."""
    if heading:
        return len(line) <= MAX_HEADING_TITLE_CHARS and not find_credits(line, rules=rules)
    return (
        len(line) <= MAX_TITLE_CHARS
        and not line.endswith(("。", "：", ":"))
        and heading_rule(line, rules) is None
        and not find_credits(line, rules=rules)
    )


def _offer_leading_account(draft: Draft, text: str) -> None:
    """The republisher's name that stands before a reprint header on the first body line."""
    for credit in find_credits(text, rules=draft.rules):
        if credit.field == "account":
            draft.offer("account", credit.value, "text:before reprint header")


def _is_flattened(text: str) -> bool:
    """A page flattened into one line: very long, or sentences joined by spaces."""
    if len(text) > FLAT_LINE_CHARS:
        return True
    for gaps, _ in enumerate(_SPACED_SENTENCE.finditer(text), start=1):
        if gaps >= FLAT_SENTENCE_GAPS:
            return True
    return False


def _block(line: Line, images: tuple[str, ...]) -> Block:
    return Block(
        text=line.text,
        tag=line.tag,
        links=line.links,
        link_chars=line.link_chars,
        images=images,
        emphasis=line.emphasis,
    )


def _separator(line: Line) -> Block:
    return _removed(line.text, "chrome", "text.separator", tag="hr")


def _removed(text: str, kind: str, rule: str, tag: str = "p") -> Block:
    return Block(text=text, tag=tag, removal=Removal(kind, rule, text))


def _split_line(draft: Draft, line: Line, first_header: bool) -> list[Block]:
    """Split a flattened line at sentence ends, section headings and credit openings."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(line.text):
        pieces.extend(_split_at_markers(sentence, draft.rules))
    blocks: list[Block] = []
    opening = draft.rules.credit_opening
    for index, piece in enumerate(pieces):
        if opening.match(piece):
            if index == 1 and first_header and len(pieces[0]) <= MAX_ACCOUNT_CHARS:
                # The republisher's name glued before the reprint header.
                draft.offer("account", pieces[0], "text:before reprint header")
                blocks = [_removed(pieces[0], "chrome", "text.account-line")]
            blocks.extend(_split_header(piece, draft.rules))
            continue
        link_chars = len(piece) if line.links else 0
        blocks.append(Block(text=piece, links=line.links, link_chars=link_chars))
    return blocks


def _split_at_markers(sentence: str, rules: Rules) -> list[str]:
    tokens = sentence.split(" ")
    out: list[list[str]] = [[]]
    for index, token in enumerate(tokens):
        if _SEPARATOR_TOKEN.fullmatch(token):
            out.append([])
            continue
        if index and (rules.credit_opening.match(token) or rules.credit_label_any.match(token)):
            out.append([])
        if heading_rule(token, rules):
            out.append([token])
            out.append([])
            continue
        out[-1].append(token)
    return [" ".join(part).strip() for part in out if " ".join(part).strip()]


def _split_header(text: str, rules: Rules) -> list[Block]:
    """The shortest run of words that makes a whole reprint header, and the text after it."""
    words = text.split(" ")
    for count in range(1, min(len(words), MAX_HEADER_WORDS) + 1):
        head = " ".join(words[:count])
        fields = {c.field for c in find_credits(head, rules=rules)}
        if "author" in fields or ("source" in fields and count == len(words)):
            rest = " ".join(words[count:]).strip()
            return [Block(text=head)] + ([Block(text=rest)] if rest else [])
    return [Block(text=text)]
