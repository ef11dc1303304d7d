"""Read plain-text and Markdown dumps, including pages flattened into one long line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .attribution import find_credits
from .blocks import Block, normalise
from .dates import parse_date
from .draft import Draft
from .dumpmeta import MAX_ACCOUNT_CHARS, mark_footer, read_account_line, read_meta_line
from .markdown import (
    Line,
    html_block_depth,
    html_block_tag,
    is_fence,
    read_html_blocks,
    read_line,
)
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
PREAMBLE_LINES = 12
_SEPARATOR_TOKEN = re.compile(r"[|｜\-–—*=_#·•]++")
_SENTENCE_END = re.compile(r"(?<=[。！？!?」』”】])\s+|(?<=[.;])\s+(?=[A-Z\"“])")
_SPACED_SENTENCE = re.compile(r"[。！？」』”】] ")
# What opens an HTML document once comments and XML declarations are passed: a tag or doctype.
_MARKUP_START = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]{0,30}+(?=[\s/>])|!doctype\s)", re.I)
_LEADING = re.compile(r"[\ufeff\s]*+")
_SKIPPED = (("<!--", "-->"), ("<?", "?>"))
# The tags that only a whole HTML document has, opening a line.
_DOCUMENT_TAG = re.compile(r"\s*+<(?:!doctype\s|html|head|body)(?=[\s/>])", re.I)
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


@dataclass(frozen=True)
class _HtmlRun:
    """Raw HTML blocks with only blank lines between: the markup of each."""

    blocks: tuple[str, ...]


def is_html_document(head: str) -> bool:
    """True when `head` (a page's start) is an HTML document, not a text or Markdown dump that
    holds some HTML: its first content is markup (a tag, comment, doctype or XML declaration),
    or a doctype, <html>, <head> or <body> opens one of its first lines outside a code fence
    (an HTML page after a line of server output)."""
    start = _content_start(head)
    if start is None or _MARKUP_START.match(head, start):
        return True
    in_code = False
    seen = 0
    for raw in head.splitlines():
        if is_fence(raw):
            in_code = not in_code
        elif not in_code and _DOCUMENT_TAG.match(raw):
            return True
        seen += bool(raw.strip())
        if seen >= PREAMBLE_LINES:
            break
    return False


def _content_start(head: str) -> int | None:
    """Where `head`'s content starts after a BOM, blanks, comments and XML declarations; None
    inside a comment that does not end (all markup)."""
    start = _LEADING.match(head).end()
    skipping = True
    while skipping:
        skipping = False
        for opener, closer in _SKIPPED:
            if head.startswith(opener, start):
                end = head.find(closer, start + len(opener))
                if end < 0:
                    return None
                start = _LEADING.match(head, end + len(closer)).end()
                skipping = True
    return start


def _lines(raw_lines: list[str]) -> Iterator[tuple[str, Line]]:
    """Each non-empty line read as Markdown; lines inside a code fence are kept as written,
    and raw HTML blocks are read into the lines of their text (all in one parse)."""
    pieces = list(_pieces(raw_lines))
    html = iter(read_html_blocks([p.blocks for p in pieces if isinstance(p, _HtmlRun)]))
    for piece in pieces:
        if isinstance(piece, _HtmlRun):
            for line in next(html):
                yield line.text, line
        else:
            yield piece


def _pieces(raw_lines: list[str]) -> Iterator[tuple[str, Line] | _HtmlRun]:
    """The dump's lines read as Markdown, and its runs of raw HTML blocks; Markdown glued after
    a block's last tag is read as a line."""
    in_code = False
    markup: list[str] = []
    index = 0
    while index < len(raw_lines):
        raw = raw_lines[index]
        tag = None if in_code else html_block_tag(raw)
        if tag:
            start, (index, closed) = index, _html_block_end(raw_lines, index, tag)
            last = raw_lines[index - 1]
            cut = last.rfind(">") + 1 if closed else len(last)
            markup.append("\n".join([*raw_lines[start : index - 1], last[:cut]]))
            tail = read_line(last[cut:])
            if tail.text or tail.images:
                yield _HtmlRun(tuple(markup))
                markup = []
                yield last[cut:], tail
            continue
        index += 1
        if not raw.strip():
            continue
        if markup:
            yield _HtmlRun(tuple(markup))
            markup = []
        if is_fence(raw):
            in_code = not in_code
        elif in_code:
            text = normalise(raw)
            if text:
                yield raw, Line(text, tag="pre")
        else:
            line = read_line(raw)
            if line.text or line.images:
                yield raw, line
    if markup:
        yield _HtmlRun(tuple(markup))


def _html_block_end(raw_lines: list[str], start: int, tag: str) -> tuple[int, bool]:
    """Where the raw HTML block that opens at `start` ends: after the line that closes its
    first element (True), or at a blank line (False)."""
    depth = html_block_depth(raw_lines[start], tag, 0)
    index = start + 1
    while depth > 0 and index < len(raw_lines) and raw_lines[index].strip():
        depth = html_block_depth(raw_lines[index], tag, depth)
        index += 1
    return index, depth <= 0


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
