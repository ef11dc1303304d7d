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

from . import mdinline
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
# Inline markup kept in `Block.marked`: the opening and closing marks of each tag.
_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`", "del": "~~", "s": "~~"}
_LISTS = {"ul": "-", "ol": "1."}
_STRUCTURE_TAGS = frozenset(["ul", "ol", "li", "blockquote", "pre"])
_CELL = mdinline.CELL
_TOKEN = mdinline.TOKEN
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
# A style that makes an element read as a heading: bold, or a font of 17px and more.
_HEADING_STYLE = re.compile(
    r"font-weight\s*:\s*(?:bold|[6-9]00)|font-size\s*:\s*(?:1[7-9]|[2-9]\d)(?:\.\d+)?px", re.I
)


@dataclass(slots=True)
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
    # The block's text with its inline markup (links, emphasis, images in place) as tokens
    # (`mdinline.TOKEN`), and the tokens' Markdown; empty when it has none, and then `text` is
    # written as it is (`render.body_markdown` writes it).
    marked: str = ""
    tokens: tuple[str, ...] = ()
    # Its structure: list marker ("-", "3.") when it opens a list item, list depth, block
    # quote depth, whether it is a line of code (of a <pre>), and heading styling.
    marker: str = ""
    depth: int = 0
    quote: int = 0
    code: bool = False
    styled: bool = False
    # Images that stood alone (with no text of their own) just before the block, as Markdown.
    lead: str = ""

    @property
    def parts(self) -> tuple[str, ...]:
        """The texts of the inline elements the block is made of (a byline's "By X", "Translated
        by Y", date), or the whole text when it is one piece or long."""
        return self.segments or (self.text,)

    @property
    def link_share(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass(slots=True)
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
        self.styled_chars = 0
        self.tags = ["p"]
        self.elements = [-1]
        self.in_link = 0
        self.in_emphasis = 0
        self.in_styled = 0
        self.styles: dict[str, tuple[bool, bool]] = {}  # a page repeats its styles many times
        self.markdown = _Markdown(self.parts)

    def flush(self) -> None:
        parts = self.parts
        if not parts:
            return
        marked = "".join(parts)
        parts.clear()
        markdown = self.markdown
        if marked.isspace():  # the space between block elements: no text, no open marks
            if markdown.tokens:
                markdown.carry_images(marked)
            self._forget_links()
            return
        joined = _TOKEN.sub("", marked) if markdown.tokens else marked
        if _CELL in joined:
            joined = joined.replace(_CELL, " ")
        segments: tuple[str, ...] = ()
        if _SEGMENT in joined:
            if len(joined) <= MAX_SEGMENTED_CHARS:
                pieces = [normalise(piece) for piece in joined.split(_SEGMENT)]
                segments = tuple(filter(None, pieces))
            joined = joined.replace(_SEGMENT, "")
        text = normalise(joined)
        if text:
            length = len(text.replace(" ", ""))
            block = Block(
                text,
                self.tags[-1],
                tuple(self.links),
                min(self.link_chars, len(text)),
                element=self.elements[-1],
                images=tuple(self.images),
                emphasis=self.emphasis_chars >= length > 0,
                segments=segments if len(segments) > 1 else (),
                styled=self.styled_chars >= length > 0,
            )
            markdown.finish(block, marked)
            self.result.blocks.append(block)
            self.images = []
        else:
            markdown.carry_images(marked)
        self._forget_links()

    def _forget_links(self) -> None:
        """Start the next block's facts afresh."""
        if self.links:
            self.links.clear()
        self.link_chars = self.emphasis_chars = self.styled_chars = 0

    def set_aside(self, node: LexborNode, kind: str, rule: str) -> None:
        text = normalise(node.text(separator=" "))
        if text:
            self.flush()
            block = Block(text, node.tag, removal=Removal(kind, rule, text))
            block.element = self.elements[-1]
            self.result.blocks.append(block)

    def text(self, value: str) -> None:
        if not self.parts and value.isspace() and not self.markdown.in_pre:
            return  # space before a block's first text: normalised away
        self.parts.append(value)
        if not (self.in_link or self.in_emphasis or self.in_styled):
            return
        if self.in_link:
            self.link_chars += len(value.strip())
        if self.in_emphasis:
            self.emphasis_chars += len(value.replace(" ", "").strip())
        if self.in_styled:
            self.styled_chars += len(value.replace(" ", "").strip())

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
                self.markdown.image(src, attrs.get("alt"))
            return None
        if self.marked and node.mem_id in self.marked:
            self.set_aside(node, *self.marked[node.mem_id])
            return None
        hides, styled = self._style(attrs)
        if hides and not _revealed_by_script(node, attrs):
            self.set_aside(node, "chrome", "html.hidden")
            return None
        undo: list[str] = []
        if tag in BLOCK_TAGS:
            self._enter_block(node, tag, attrs, undo)
        if styled:
            self.in_styled += 1
            undo.append("styled")
        if tag in _SEGMENT_TAGS:
            self.parts.append(_SEGMENT)
            undo.append("segment")
        if tag == "a":
            href = attrs.get("href")
            if href:
                self.links.append(href)
            self.in_link += 1
            self.markdown.open_link(href)
            undo += ("link", "mark")
        elif tag in _MARKS and not self.markdown.in_pre:
            if tag in _EMPHASIS_TAGS:
                self.in_emphasis += 1
                undo.append("emphasis")
            self.markdown.open_mark(_MARKS[tag], _MARKS[tag])
            undo.append("mark")
        return tuple(undo)

    def _enter_block(
        self, node: LexborNode, tag: str, attrs: dict[str, str | None], undo: list[str]
    ) -> None:
        if tag in _INLINE_BLOCKS:
            self.parts.append(" ")
            self.parts.append(_CELL)
        else:
            self.flush()
            self.tags.append(tag)
            undo.append("block")
            if tag in _STRUCTURE_TAGS:
                undo.extend(self.markdown.open_block(tag))
        ids, classes = attrs.get("id"), attrs.get("class")
        hint = f"{ids or ''} {classes or ''}".strip() if ids or classes else ""
        element = Element(
            self.elements[-1], tag, hint[:MAX_HINT_CHARS], node.mem_id, len(self.result.blocks)
        )
        self.result.elements.append(element)
        self.elements.append(len(self.result.elements) - 1)
        undo.append("element")

    def _style(self, attrs: dict[str, str | None]) -> tuple[bool, bool]:
        """Whether the element's inline style (or `hidden` attribute) hides it, and whether
        its style makes it a heading."""
        if not attrs:
            return False, False
        style = attrs.get("style")
        facts = (False, False)
        if style:
            facts = self.styles.get(style) or self.styles.setdefault(
                style, (_style_hides(style), bool(_HEADING_STYLE.search(style)))
            )
        return facts[0] or "hidden" in attrs, facts[1]

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
            elif action == "emphasis":
                self.in_emphasis -= 1
            elif action == "styled":
                self.in_styled -= 1
            else:
                self.markdown.leave(action)


class _Markdown:
    """The Markdown side of a walk: the marks in the text being gathered (`parts`, shared
    with the walker) as tokens, and the lists, quotes and code blocks that are open."""

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts
        self.tokens: list[str] = []
        self.images: set[int] = set()
        self.marks: list[tuple[int, str, str]] = []  # (where it opened, opening, closing)
        self.carried: list[str] = []
        self.lists: list[list] = []  # [marker kind, items so far]
        self.item = ""
        self.quote = 0
        self.in_pre = 0

    def _token(self, markup: str) -> str:
        self.tokens.append(markup)
        return mdinline.token(len(self.tokens) - 1)

    def image(self, src: str, alt: str | None) -> None:
        markup = mdinline.image(src, alt)
        if markup:
            self.images.add(len(self.tokens))
            self.parts.append(self._token(markup))

    def open_link(self, href: str | None) -> None:
        target = mdinline.safe_target(href)
        if target:
            self.open_mark("[", f"]({target})")
        else:
            self.open_mark("", "")

    def open_mark(self, opening: str, closing: str) -> None:
        self.marks.append((len(self.parts), opening, closing))
        self.parts.append(self._token(opening))

    def open_block(self, tag: str) -> tuple[str, ...]:
        """Start a block element; what its end must undo."""
        if tag in _LISTS:
            self.lists.append([_LISTS[tag], 0])
            return ("list",)
        if tag == "li":
            if self.lists:
                self.lists[-1][1] += 1
                kind, count = self.lists[-1]
                self.item = f"{count}." if kind == "1." else "-"
            else:
                self.item = "-"
            return ()
        if tag == "blockquote":
            self.quote += 1
            return ("quote",)
        if tag == "pre":
            self.in_pre += 1
            return ("pre",)
        return ()

    def leave(self, action: str) -> None:
        if action == "mark":
            where, _, closing = self.marks.pop()
            if where == len(self.parts) - 1:
                self.parts.pop()
            else:
                self.parts.append(self._token(closing))
        elif action == "list":
            self.lists.pop()
        elif action == "quote":
            self.quote -= 1
        elif action == "pre":
            self.in_pre -= 1

    def carry_images(self, marked: str) -> None:
        """A block with no text: its images go before the next block's text."""
        if self.images:
            found = (int(number) for number in _TOKEN.findall(marked))
            self.carried += [self.tokens[n] for n in found if n in self.images]
        if self.tokens:
            self._restart()

    def finish(self, block: Block, marked: str) -> None:
        """Give `block` its marked text (the marks still open closed there, and opened again
        after it) and its place in lists, quotes and code blocks."""
        if self.tokens or self.in_pre or block.tag == "tr":
            closings = "".join(self._token(closing) for _, _, closing in reversed(self.marks))
            block.marked = (marked + closings).replace(_SEGMENT, "")
            block.tokens = tuple(self.tokens)
            block.code = bool(self.in_pre)
        block.lead, self.carried = "\n\n".join(self.carried), []
        block.marker, self.item = self.item, ""
        block.depth = len(self.lists)
        block.quote = self.quote
        if self.tokens:
            self._restart()

    def _restart(self) -> None:
        """Forget the tokens of the text gathered, and open again the marks still open."""
        self.tokens.clear()
        self.images.clear()
        marks, self.marks = self.marks, []
        for _, opening, closing in marks:
            self.open_mark(opening, closing)


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
    enter, leave, text = walker.enter, walker.leave, walker.text
    stack: list[tuple[LexborNode, tuple[str, ...]]] = []
    node = root.child
    while node is not None:
        undo: tuple[str, ...] | None = None
        tag = node.tag
        if tag == "-text":
            text(node.text_content or "")
        else:
            undo = enter(node, tag)
        if undo is not None:
            child = node.child
            if child is not None:
                stack.append((node, undo))
                node = child
                continue
            if undo:
                leave(undo)
        while node.next is None:
            if not stack:
                node = None
                break
            node, undo = stack.pop()
            if undo:
                leave(undo)
        if node is not None:
            node = node.next
    walker.flush()
    return walker.result


def text_blocks(text: str) -> list[Block]:
    """Blocks from plain text: one per non-empty line."""
    return [Block(line) for line in (normalise(raw) for raw in text.splitlines()) if line]
