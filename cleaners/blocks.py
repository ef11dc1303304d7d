"""Turn an HTML subtree into text blocks (paragraphs) with the facts the later stages weigh.

The walk is iterative (no recursion, whatever the nesting depth) and linear in the number of
nodes. Besides the blocks it records the block-level elements that hold them, as a tree of
parent indexes, so that content scoring can sum facts over subtrees in one pass.
"""

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
        "td",
        "th",
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
# Table cells hold blocks of their own but do not break a row's text into lines.
_INLINE_BLOCKS = frozenset(["td", "th"])
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
        "select",
        "textarea",
        "button",
        "input",
        "option",
    ]
)
_EMPHASIS_TAGS = frozenset(["strong", "b"])
# Inline elements whose texts are kept apart in `Block.segments` (for short blocks only).
_SEGMENT_TAGS = frozenset(["span", "a", "em", "i", "time", "font", "label", "small", "cite"])
_SEGMENT = "\u241f"
MAX_SEGMENTED_CHARS = 300
# Inline styles that hide an element, each tested only when its property is named at all
# (WeChat styles every element, and one search per style is most of a walk's time).
_HIDING = (
    ("display", re.compile(r"display\s*:\s*none", re.I)),
    ("visibility", re.compile(r"visibility\s*:\s*hidden", re.I)),
    ("opacity", re.compile(r"opacity\s*:\s*0(?![.\d])", re.I)),
    ("255", re.compile(r"rgba\(\s*255\s*,\s*255\s*,\s*255\s*,\s*0\s*\)", re.I)),
    ("font-size", re.compile(r"font-size\s*:\s*0(?:px)?\s*(?:;|$)", re.I)),
)
MAX_HINT_CHARS = 120


@dataclass
class Block:
    """One paragraph-like run of text, with the facts about it that rules weigh."""

    text: str
    tag: str = "p"
    links: tuple[str, ...] = ()
    link_chars: int = 0
    removal: Removal | None = None
    element: int = -1
    images: tuple[str, ...] = ()
    emphasis: bool = False
    segments: tuple[str, ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        """The texts of the inline elements the block is made of (a byline's "By X", "Translated
        by Y", date), or the whole text when it is one piece or long."""
        return self.segments or (self.text,)

    @property
    def link_share(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass
class Element:
    """A block-level element: its nearest recorded ancestor, tag, id/class words, the
    parser's id of its node, and the range of blocks it holds (`start` to `end`)."""

    parent: int
    tag: str
    hint: str
    node_id: int
    start: int
    end: int = -1


@dataclass
class Walk:
    """What walking a subtree produced."""

    blocks: list[Block] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)


def normalise(text: str) -> str:
    """Collapse whitespace runs (including non-breaking spaces) to one space."""
    # str.split() splits at the characters that `\s` matches, several times faster.
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


def _style_hides(style: str) -> bool:
    """True when an inline style hides its element."""
    lowered = style.lower()
    return any(name in lowered and pattern.search(style) for name, pattern in _HIDING)


_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)
MIN_REVEALED_CHARS = 200


def _revealed_by_script(node: LexborNode, attrs: dict[str, str | None]) -> bool:
    """A long text hidden only by visibility or opacity is an article a script fades in (as
    WeChat's #js_content is), not a hidden widget."""
    style = attrs.get("style") or ""
    if "hidden" in attrs or _DISPLAY_NONE.search(style) or "255" in style:
        return False
    return len(node.text(separator=" ")) >= MIN_REVEALED_CHARS


def image_source(attrs: dict[str, str | None]) -> str | None:
    """An image's URL, lazy-loading attributes first; None for inline data."""
    src = attrs.get("data-src") or attrs.get("data-original") or attrs.get("src")
    if src and not src.startswith("data:"):
        return src
    return None


class _Walker:
    """State of one walk: the text being gathered and the open elements."""

    def __init__(self, marked: dict[int, tuple[str, str]]) -> None:
        self.marked = marked
        self.result = Walk()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.link_chars = 0
        self.images: list[str] = []
        self.emphasis_chars = 0
        self.tags = ["p"]
        self.elements = [-1]
        self.in_link = 0
        self.in_emphasis = 0
        self.hiding_styles: dict[str, bool] = {}  # a page repeats its styles many times

    def flush(self) -> None:
        if not self.parts:
            return
        joined = "".join(self.parts)
        segments: tuple[str, ...] = ()
        if _SEGMENT in joined:
            if len(joined) <= MAX_SEGMENTED_CHARS:
                pieces = (normalise(p) for p in joined.split(_SEGMENT))
                segments = tuple(p for p in pieces if p)
            joined = joined.replace(_SEGMENT, "")
        text = normalise(joined)
        if text:
            self.result.blocks.append(
                Block(
                    text,
                    self.tags[-1],
                    tuple(self.links),
                    min(self.link_chars, len(text)),
                    element=self.elements[-1],
                    images=tuple(self.images),
                    emphasis=self.emphasis_chars >= len(text.replace(" ", "")) > 0,
                    segments=segments if len(segments) > 1 else (),
                )
            )
            self.images = []
        self.parts.clear()
        self.links.clear()
        self.link_chars = 0
        self.emphasis_chars = 0

    def set_aside(self, node: LexborNode, kind: str, rule: str) -> None:
        text = normalise(node.text(separator=" "))
        if text:
            self.flush()
            block = Block(text, node.tag, removal=Removal(kind, rule, text))
            block.element = self.elements[-1]
            self.result.blocks.append(block)

    def text(self, value: str) -> None:
        self.parts.append(value)
        if self.in_link:
            self.link_chars += len(value.strip())
        if self.in_emphasis:
            self.emphasis_chars += len(value.replace(" ", "").strip())

    def enter(self, node: LexborNode, tag: str | None) -> tuple[str, ...] | None:
        """Handle the start of element `node` (tag `tag`); return what to undo at its end, or
        None to skip it."""
        if tag in SKIP_TAGS or tag is None or tag.startswith("-"):
            return None
        if tag == "br":
            self.flush()
            return None
        attrs = node.attributes
        if tag == "img":
            src = image_source(attrs)
            if src:
                self.result.images.append(src)
                self.images.append(src)
            return None
        if self.marked and node.mem_id in self.marked:
            self.set_aside(node, *self.marked[node.mem_id])
            return None
        if self._hides(attrs) and not _revealed_by_script(node, attrs):
            self.set_aside(node, "chrome", "html.hidden")
            return None
        undo: list[str] = []
        if tag in BLOCK_TAGS:
            if tag in _INLINE_BLOCKS:
                self.parts.append(" ")
            else:
                self.flush()
                self.tags.append(tag)
                undo.append("block")
            hint = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".strip()
            element = Element(
                self.elements[-1], tag, hint[:MAX_HINT_CHARS], node.mem_id, len(self.result.blocks)
            )
            self.result.elements.append(element)
            self.elements.append(len(self.result.elements) - 1)
            undo.append("element")
        if tag in _SEGMENT_TAGS:
            self.parts.append(_SEGMENT)
            undo.append("segment")
        if tag == "a":
            href = attrs.get("href")
            if href:
                self.links.append(href)
            self.in_link += 1
            undo.append("link")
        elif tag in _EMPHASIS_TAGS:
            self.in_emphasis += 1
            undo.append("emphasis")
        return tuple(undo)

    def _hides(self, attrs: dict[str, str | None]) -> bool:
        """True when the element's inline style (or `hidden` attribute) hides it."""
        if not attrs:
            return False
        style = attrs.get("style")
        if style:
            hides = self.hiding_styles.get(style)
            if hides is None:
                hides = self.hiding_styles[style] = _style_hides(style)
            if hides:
                return True
        return "hidden" in attrs

    def leave(self, undo: tuple[str, ...]) -> None:
        for action in undo:
            if action == "block":
                self.flush()
                self.tags.pop()
            elif action == "element":
                self.result.elements[self.elements.pop()].end = len(self.result.blocks)
            elif action == "segment":
                self.parts.append(_SEGMENT)
            elif action == "link":
                self.in_link -= 1
            else:
                self.in_emphasis -= 1


def walk(root: LexborNode | None, drops: Iterable[tuple[str, str, str]] = ()) -> Walk:
    """Split `root` into blocks at block-level tags and <br>; skip scripts and forms.

    Elements that `drops` selects (selector, kind, rule) and hidden elements become blocks
    already marked as removed, in their place in the document.
    """
    if root is None:
        return Walk()
    marked: dict[int, tuple[str, str]] = {}
    for selector, kind, rule in drops:
        for node in root.css(selector):
            marked.setdefault(node.mem_id, (kind, rule))
    walker = _Walker(marked)
    stack: list[tuple[LexborNode, tuple[str, ...]]] = []
    node = root.child
    while node is not None:
        undo: tuple[str, ...] | None = None
        tag = node.tag
        if tag == "-text":
            walker.text(node.text_content or "")
        else:
            undo = walker.enter(node, tag)
        if undo is not None:
            child = node.child
            if child is not None:
                stack.append((node, undo))
                node = child
                continue
            walker.leave(undo)
        while node.next is None:
            if not stack:
                node = None
                break
            node, undo = stack.pop()
            walker.leave(undo)
        if node is not None:
            node = node.next
    walker.flush()
    return walker.result


def text_blocks(text: str) -> list[Block]:
    """Blocks from plain text: one per non-empty line."""
    return [Block(line) for line in (normalise(raw) for raw in text.splitlines()) if line]
