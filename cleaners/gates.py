"""A cheap first test for rule patterns: the literal strings that every match contains.

`\\b(like|share)\\b` can only match a text that holds "like" or "share", and most blocks hold
none of a rule set's words. The literals are read from the pattern's parse tree: in a sequence,
the most telling of its mandatory parts (a run of literal characters, a group, a class of a few
characters); in an alternation, one set per alternative. When some alternative has no such part
(`\\w+元`), the pattern has no literals and is always tried.

`LiteralIndex` holds the literals of a list of patterns and answers, for one text, which of
the patterns may match it: one set intersection with the text's characters, then a substring
test for each literal whose key (its least common character) the text holds. Texts and
literals are compared folded (`fold`), so a case-insensitive pattern is gated correctly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# A class of more characters than this gives no literals.
MAX_CLASS = 16
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
# The characters outside ASCII that a case-insensitive pattern matches to an ASCII letter.
_TWINS = "İıſK"
_ASCII_TWINS = str.maketrans(dict(zip(_TWINS, "iisk", strict=True)))
_HAS_TWIN = re.compile(f"[{_TWINS}]")
# ASCII by how common it is in English text, most common first; other characters are keys
# before any of these (see `_key`).
_COMMON_ASCII = " etaoinsrhldcumfpgwybvkxjqz"
# Never part of a literal: quotation marks and the ellipsis, so that what a text's literals
# admit holds as well for the text with its quotations elided ("“…”"), which rules test.
_QUOTATION = frozenset('“”「」『』"…')

Literals = frozenset[str]


def fold(text: str) -> str:
    """`text` as literals are compared with it: lower case, with the ASCII twins mapped."""
    if not text.isascii() and _HAS_TWIN.search(text):
        text = text.translate(_ASCII_TWINS)
    return text.lower()


def literals(pattern: re.Pattern[str]) -> Literals | None:
    """Folded strings of which every match of `pattern` contains one, or None when unknown."""
    try:
        return _sequence(_parser.parse(pattern.pattern, pattern.flags))
    except (re.error, TypeError, ValueError, AttributeError, RecursionError):
        return None


@lru_cache(maxsize=8192)
def characters(text: str) -> tuple[str, frozenset[str]]:
    """`text` folded, and the characters it holds (computed once per text for every index)."""
    folded = fold(text)
    return folded, frozenset(folded)


def _usable(char: str) -> bool:
    """Whether a character can be part of a literal: ASCII, or without case (a text holds it
    in one form only), and not a quotation mark."""
    if char in _QUOTATION:
        return False
    return char.isascii() or char.lower() == char == char.upper()


def _sequence(items: Any) -> Literals | None:
    """The most telling set among the mandatory parts of a sequence."""
    found: list[Literals] = []
    run: list[str] = []
    for op, value in items:
        if op is sre.LITERAL and _usable(chr(value)):
            run.append(chr(value).lower())
            continue
        if run:
            found.append(frozenset(["".join(run)]))
            run = []
        part = _item(op, value)
        if part:
            found.append(part)
    if run:
        found.append(frozenset(["".join(run)]))
    return telling(*found)


def telling(*choices: Literals | None) -> Literals | None:
    """The most telling of several literal sets, each of which every match holds one of: the
    one whose shortest literal is longest, then the one with the fewest literals."""
    known = [found for found in choices if found]
    if not known:
        return None
    return max(known, key=lambda lits: (min(map(len, lits)), -len(lits)))


def _item(op: Any, value: Any) -> Literals | None:
    if op is sre.IN:
        return _class(value)
    if op is sre.SUBPATTERN:
        return _sequence(value[-1])
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _sequence(value)
    if op is sre.BRANCH:
        alternatives = [_sequence(branch) for branch in value[1]]
        if any(not found for found in alternatives):
            return None
        return frozenset().union(*alternatives)
    if op in _REPEATS:
        low, _, body = value
        return _sequence(body) if low >= 1 else None
    return None  # zero-width, any character, categories, references: nothing known


def _class(members: Any) -> Literals | None:
    """The characters of `[…]` when it lists a few usable ones (no negation or category)."""
    chars: set[str] = set()
    for op, value in members:
        if op is sre.LITERAL:
            chars.add(chr(value))
        elif op is sre.RANGE and value[1] - value[0] < MAX_CLASS:
            chars.update(map(chr, range(value[0], value[1] + 1)))
        else:
            return None
    if not chars or len(chars) > MAX_CLASS or not all(map(_usable, chars)):
        return None
    return frozenset(char.lower() for char in chars)


class LiteralIndex:
    """Which of a list of patterns may match a text, by their literals."""

    def __init__(self, patterns: Iterable[Literals | None]) -> None:
        sets = list(patterns)
        uses: dict[str, int] = {}
        for found in sets:
            for literal in found or ():
                for char in set(literal):
                    uses[char] = uses.get(char, 0) + 1
        self._always = tuple(i for i, found in enumerate(sets) if found is None)
        by_literal: dict[str, list[int]] = {}
        for index, found in enumerate(sets):
            for literal in found or ():
                by_literal.setdefault(literal, []).append(index)
        self._by_key: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        for literal, indexes in by_literal.items():
            key = min(literal, key=lambda char: _key(char, uses))
            self._by_key.setdefault(key, []).append((literal, tuple(indexes)))
        self._keys = frozenset(self._by_key)

    def candidates(self, text: str) -> tuple[int, ...]:
        """The indexes, in order, of the patterns that may match `text`, or `text` with its
        quotations elided."""
        if not self._keys:
            return self._always
        folded, chars = characters(text)
        present = self._keys.intersection(chars)
        if not present:
            return self._always
        found = set(self._always)
        by_key = self._by_key
        for key in present:
            for literal, indexes in by_key[key]:
                if literal in folded:
                    found.update(indexes)
        return tuple(sorted(found))


def _key(char: str, uses: dict[str, int]) -> tuple[int, int]:
    """How common a character is likely to be in text (lower is rarer): any character before
    ASCII letters and spaces, those from the least common, then the fewer literals it is in."""
    common = _COMMON_ASCII.find(char)
    return (len(_COMMON_ASCII) - common if common >= 0 else 0), uses[char]
