"""Turn an HTML subtree into text blocks (paragraphs), noting links and hidden parts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from .record import Removal

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "figure",
        "figcaption",
        "center",
        "hr",
        "address",
        "details",
        "summary",
        "form",
        "fieldset",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "head",
        "title",
        "iframe",
        "video",
        "audio",
        "canvas",
    ]
)
_HIDDEN = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?![.\d])|"
    r"rgba\(\s*255\s*,\s*255\s*,\s*255\s*,\s*0\s*\)|font-size\s*:\s*0(?:px)?\s*(?:;|$)",
    re.I,
)
_SPACE = re.compile(r"\s+")


@dataclass
class Block:
    """One paragraph-like run of text."""

    text: str
    tag: str = "p"
    links: tuple[str, ...] = ()
    link_chars: int = 0
    removal: Removal | None = None

    @property
    def link_share(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass
class Walk:
    """What walking a subtree produced."""

    blocks: list[Block] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """Collapse whitespace runs (including non-breaking spaces) to one space."""
    return _SPACE.sub(" ", text.replace("\u200b", "").replace("\ufeff", "")).strip()


_HIDDEN_HINTS = ("none", "hidden", "opacity", "255, 0", "255,0", "font-size")


def is_hidden(node: LexborNode) -> bool:
    """True when the element's inline style hides it."""
    attrs = node.attributes
    if not attrs:
        return False
    style = attrs.get("style")
    if style and any(hint in style for hint in _HIDDEN_HINTS) and _HIDDEN.search(style):
        return True
    return "hidden" in attrs


def walk(root: LexborNode, drops: Iterable[tuple[str, str, str]] = ()) -> Walk:
    """Split `root` into blocks at block-level tags and <br>; skip scripts.

    Elements that `drops` selects (selector, kind, rule) and hidden elements become blocks
    already marked as removed, in their place in the document.
    """
    marked: dict[int, tuple[str, str]] = {}
    for selector, kind, rule in drops:
        for node in root.css(selector):
            marked.setdefault(node.mem_id, (kind, rule))
    result = Walk()
    parts: list[str] = []
    links: list[str] = []
    link_chars = [0]
    tags = ["p"]

    def flush() -> None:
        text = normalise("".join(parts))
        if text:
            result.blocks.append(Block(text, tags[-1], tuple(links), min(link_chars[0], len(text))))
        parts.clear()
        links.clear()
        link_chars[0] = 0

    def set_aside(node: LexborNode, kind: str, rule: str) -> None:
        text = normalise(node.text(separator=" "))
        if text:
            flush()
            result.blocks.append(Block(text, node.tag, removal=Removal(kind, rule, text)))

    def visit(node: LexborNode, in_link: bool) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                text = child.text_content or ""
                parts.append(text)
                if in_link:
                    link_chars[0] += len(text.strip())
                continue
            if tag in SKIP_TAGS or tag == "-comment" or tag is None:
                continue
            if tag == "br":
                flush()
                continue
            attrs = child.attributes
            if tag == "img":
                src = attrs.get("data-src") or attrs.get("data-original") or attrs.get("src")
                if src and not src.startswith("data:"):
                    result.images.append(src)
                continue
            if marked and child.mem_id in marked:
                set_aside(child, *marked[child.mem_id])
                continue
            if is_hidden(child):
                set_aside(child, "chrome", "html.hidden")
                continue
            block = tag in BLOCK_TAGS
            if block:
                flush()
                tags.append(tag)
            if tag == "a":
                href = attrs.get("href")
                if href:
                    links.append(href)
            elif tag in ("td", "th"):
                parts.append(" ")
            visit(child, in_link or tag == "a")
            if block:
                flush()
                tags.pop()

    visit(root, False)
    flush()
    return result


def text_blocks(text: str) -> list[Block]:
    """Blocks from plain text: one per non-empty line."""
    return [Block(line) for line in (normalise(raw) for raw in text.splitlines()) if line]
