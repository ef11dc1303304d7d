"""Find the article on a page of an unknown layout: the element whose blocks carry the most
prose and the least furniture.

Each block gets a weight from its own facts (text left after links, sentence punctuation, link
share) and from its place (inside an element whose id or class names furniture, or inside a
run of repeated link cards). Every element's score is the sum of the weights of the blocks it
holds; the best element is the article's container. Sums over an element's blocks are prefix
sums over the block list, so the whole stage is linear in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import Block, Element, Walk
from .record import Removal
from .rules import ContentRules

CONTENT_TAGS = frozenset(
    ["pre", "blockquote", "figure", "figcaption", "table", "h1", "h2", "h3", "h4", "h5", "h6"]
)
_SENTENCE_MARKS = re.compile(r"[。！？；，、.!?;,：:]")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Located:
    """The article's container on a page, and where its blocks start and end."""

    element: int
    start: int
    end: int
    rule: str


def hint_tokens(hint: str) -> list[str]:
    """The words of an id/class string: split at punctuation and camelCase, lower-cased."""
    return [t.lower() for t in _TOKEN_SPLIT.split(_CAMEL.sub(" ", hint)) if t]


def block_weight(block: Block, rules: ContentRules, relaxed: bool = False) -> float:
    """How much a block looks like article prose (positive) or furniture (negative).

    `relaxed` counts every line of plain text as content: for pages with no prose at all (a
    poem, a list, a page of captions), where the element with the most plain text wins.
    """
    if block.removal is not None:
        return 0.0
    size = len(block.text)
    plain = size - block.link_chars
    if block.link_share >= rules.max_link_share:
        return -float(block.link_chars)
    if relaxed:
        return float(plain)
    marks = len(_SENTENCE_MARKS.findall(block.text))
    if plain >= rules.min_prose_chars or (plain >= rules.min_sentence_chars and marks):
        return float(plain)
    return -float(min(plain, rules.short_penalty))


def furniture_ranges(walk: Walk, weights: list[float], rules: ContentRules) -> list[str | None]:
    """For each block, the furniture rule of the element that holds it, if any.

    An element is furniture when its id or class names furniture (comments, related lists,
    navigation, ...) or when it is one of three or more like siblings that each start with a
    link (a list of teaser cards). An element that holds most of the page's prose is the page's
    frame, whatever its class says.
    """
    prose = [0.0]
    for weight in weights:
        prose.append(prose[-1] + max(weight, 0.0))
    limit = rules.frame_share * prose[-1]
    marks: list[tuple[int, int, str]] = []
    for element in walk.elements:
        if element.tag in CONTENT_TAGS:
            continue  # code, quotes, figures and headings are the article's own
        word = _furniture_word(element.hint, rules)
        if word and prose[element.end] - prose[element.start] <= limit:
            marks.append((element.start, element.end, f"content.hint:{word}"))
    marks.extend(_card_lists(walk, prose, limit, rules))
    found: list[str | None] = [None] * len(walk.blocks)
    # Outer elements first, so that the widest furniture names its blocks.
    for start, end, rule in sorted(marks, key=lambda m: (m[0], -m[1])):
        for index in range(start, end):
            if found[index] is None:
                found[index] = rule
    return found


def _furniture_word(hint: str, rules: ContentRules) -> str | None:
    if not hint:
        return None
    for token in hint_tokens(hint):
        if token in rules.negative_words or token.startswith(rules.negative_prefixes):
            return token
    return None


def _card_lists(
    walk: Walk, prose: list[float], limit: float, rules: ContentRules
) -> list[tuple[int, int, str]]:
    groups: dict[tuple[int, str, str], list[Element]] = {}
    for element in walk.elements:
        if element.end > element.start:
            key = (element.parent, element.tag, _DIGITS.sub("", element.hint))
            groups.setdefault(key, []).append(element)
    marks = []
    for members in groups.values():
        if len(members) < rules.min_cards:
            continue
        opened = sum(1 for m in members if _opens_item(walk, m, rules))
        if opened < rules.card_link_share * len(members):
            continue
        if prose[members[-1].end] - prose[members[0].start] > limit:
            continue
        marks.extend((m.start, m.end, "content.item-list") for m in members)
    return marks


def _opens_item(walk: Walk, element: Element, rules: ContentRules) -> bool:
    """Whether an element opens like an item of a list: with a link (a teaser card), or with a
    short dated line followed by more (a comment, a feed entry)."""
    first = walk.blocks[element.start]
    if first.link_share >= 0.5:
        return True
    return (
        element.end - element.start >= 2
        and len(first.text) <= rules.max_dated_line_chars
        and rules.dated_line.search(first.text) is not None
    )


def locate(
    walk: Walk,
    rules: ContentRules,
    preferred: list[int] | None = None,
    trust_preferred: bool = False,
) -> Located | None:
    """The element that holds the article, or None when no element holds enough prose.

    `preferred` are elements that a content selector matched: the first of them wins when it
    scores within `rules.preferred_share` of the best element, or always with `trust_preferred`
    (a site's own selector). When no element holds enough prose, the element with the most
    plain (unlinked) text is the article.
    """
    if not walk.blocks or not walk.elements:
        return None
    found = _best(walk, rules, preferred or [], trust_preferred, relaxed=False)
    return found or _best(walk, rules, preferred or [], trust_preferred, relaxed=True)


def _best(
    walk: Walk, rules: ContentRules, preferred: list[int], trust_preferred: bool, relaxed: bool
) -> Located | None:
    weights = [block_weight(b, rules, relaxed) for b in walk.blocks]
    furniture = furniture_ranges(walk, weights, rules)
    prefix = [0.0]
    for weight, rule in zip(weights, furniture, strict=True):
        prefix.append(prefix[-1] + (-abs(weight) if rule else weight))
    best, best_score = -1, 0.0
    for index, element in enumerate(walk.elements):
        score = prefix[element.end] - prefix[element.start]
        if score >= best_score:
            best, best_score = index, score
    if best < 0 or best_score < (1 if relaxed else rules.min_content_chars):
        return None
    rule = "content.plain-text" if relaxed else "content.score"
    share = 0.0 if trust_preferred else rules.preferred_share
    for index in preferred:
        element = walk.elements[index]
        if prefix[element.end] - prefix[element.start] >= share * best_score:
            best, rule = index, f"content.selector:{element.tag}.{element.hint}".rstrip(".")
            break
    element = walk.elements[best]
    _mark_furniture(walk, furniture, element.start, element.end)
    return Located(best, element.start, element.end, rule)


def _mark_furniture(walk: Walk, furniture: list[str | None], start: int, end: int) -> None:
    for index in range(start, end):
        block = walk.blocks[index]
        rule = furniture[index]
        if rule and block.removal is None:
            kind = "promo" if rule == "content.item-list" else "chrome"
            block.removal = Removal(kind, rule, block.text)
