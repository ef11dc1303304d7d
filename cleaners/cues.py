"""Weighted cues of promotion and furniture, and the shape of the article's end.

A cue is a named pattern with a kind and a weight (`[[cue]]` in the language rule files):
"follow", "scan a QR code", "join a group", "get the materials", "a paid course", "the platform
is not responsible". No single cue removes a block; their sum does, against a threshold that
depends on where the block stands (in the tail after the article's end, at its head, or in the
body), and the removal names every cue that fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from .blocks import Block
from .rules import CueSet, Rules

# A cue that fires on several different words weighs more, up to this many words.
MAX_WORDS = 3
_QUOTED = re.compile(r"“[^“”]{2,}”|「[^「」]{2,}」|『[^『』]{2,}』|\"[^\"]{2,}\"")
_ANY_PUNCTUATION = re.compile(r"[，。、；！？;!?]|,(?!\d)|[.](?:\s|$)")
_STATEMENT_END = re.compile(r"[。.？?]\W*$")
_SENTENCE_END = re.compile(r"[。！？!?…；;]|[.](?:\s|$)")


class Shape(Enum):
    """What a block looks like to the end detector."""

    END = "end"  # an end marker: END, 完, —THE END—
    FURNITURE = "furniture"  # promotion, prompt, link line, widget: evidence of a tail
    WEAK = "weak"  # a short line with a cue or two: furniture only beside other furniture
    SHORT = "short"  # a short line with no evidence either way
    PROSE = "prose"  # a sentence or paragraph of the article


ADDRESS = "address"


@dataclass(frozen=True)
class CueScore:
    """The cues that fired on a text, their summed weight, the kind they point to, and whether
    the text addresses the reader or speaks for the publisher (cues of kind "address")."""

    names: tuple[str, ...]
    weight: float
    kind: str
    addressed: bool = False

    @property
    def rule(self) -> str:
        return "cues:" + "+".join(self.names)


NO_CUES = CueScore((), 0.0, "")


def counts(cues: CueScore, text: str, rules: Rules, base: float, named: bool = False) -> bool:
    """Whether the cues are enough to remove `text` where `base` is asked for. Beyond a short
    line, the text must also address the reader, speak for the publisher, or name the account
    (`named`): a sentence that only talks about following or sharing is prose."""
    if not cues.names or cues.weight < threshold(text, base, rules):
        return False
    return is_label(text, rules) or cues.addressed or named


def is_label(text: str, rules: Rules) -> bool:
    """A short line that is not a statement (a label, a slogan, an exclamation), or a longer
    one with no punctuation at all (a contact line, a button)."""
    if len(text) <= rules.short_line_chars:
        return not _STATEMENT_END.search(text)
    return len(text) <= 3 * rules.short_line_chars and not _ANY_PUNCTUATION.search(text)


def score(text: str, rules: Rules, evident: bool = False) -> CueScore:
    """The cues that fire on `text` (words inside quotation marks are quoted, not said).

    Cues only ever count on a label, on a text that names the account (`evident` says so),
    or on one that addresses the reader (see `counts`). So on any other text, unless a cue of
    kind "address" fires, the score is NO_CUES: "nothing that can count" as much as "nothing".
    """
    return _score(text, rules.cues, evident or is_label(text, rules))


@lru_cache(maxsize=8192)
def _score(text: str, cues: CueSet, counted: bool) -> CueScore:
    probe = _QUOTED.sub("“…”", text)
    candidates = [cues.cues[index] for index in cues.index.candidates(text)]
    if not counted and not any(
        cue.pattern.search(probe) for cue in candidates if cue.kind == ADDRESS
    ):
        return NO_CUES  # what the loop below would find, without running the other cues
    names: list[str] = []
    kinds: dict[str, float] = {}
    total = 0.0
    for cue in candidates:
        words = {match.group(0) for match in cue.pattern.finditer(probe)}
        if words:
            weight = cue.weight * (1 + 0.5 * (min(len(words), MAX_WORDS) - 1))
            names.append(cue.name)
            total += weight
            kinds[cue.kind] = kinds.get(cue.kind, 0.0) + weight
    addressed = kinds.pop(ADDRESS, None) is not None
    if not kinds or not (counted or addressed):
        return NO_CUES
    kind = max(kinds, key=lambda k: (kinds[k], k != "prompt"))
    return CueScore(tuple(names), total, kind, addressed)


def threshold(text: str, base: float, rules: Rules) -> float:
    """The weight a block needs to go: `base`, more for longer blocks (prose carries words
    like 关注 or share in passing), and beyond reach for long paragraphs."""
    size = len(text)
    if size > rules.cue_max_chars:
        return float("inf")
    return base + size / rules.cue_chars_per_weight


def shape(block: Block, rules: Rules, furniture: bool, weak: bool = False) -> Shape:
    """The block's shape; `furniture` says a rule or enough cues already mark it, `weak` that
    some cues do."""
    text = block.text
    if rules.end_marker.fullmatch(text):
        return Shape.END
    if furniture or (block.links and block.link_share >= 0.5):
        return Shape.FURNITURE
    if weak:
        return Shape.WEAK
    if is_label(text, rules):
        return Shape.SHORT
    if len(text) <= rules.short_line_chars // 2:
        return Shape.SHORT
    return Shape.PROSE


def is_signature(text: str, rules: Rules) -> bool:
    """A signed statement's closing line: a date, or a short name with a title."""
    return len(text) <= rules.short_line_chars and bool(rules.signature.search(text))
