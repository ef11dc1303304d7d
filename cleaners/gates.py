"""A cheap first test for a rule's pattern: a set of characters that every match contains.

`\\byou\\b|^\\W*(please|follow)` can only match a text holding a y, p or f (in either case).
Looking for one of those characters costs a fraction of running the pattern at every
position, and most blocks hold none of a foreign language's letters. The set is read from the
pattern's parse tree: the literals of the first part of each alternative that every match
must pass through. When no such part is known (a pattern that opens with `\\w+`), there is no
gate and the pattern is always run.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# A class range wider than this is not spelled out into single characters.
MAX_RANGE = 64
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}


def gate(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A class of characters every match of `pattern` contains one of, or None.

    The class ignores case (a superset of what a case-sensitive pattern needs), so a text the
    gate does not match can never match the pattern.
    """
    try:
        chars = _sequence(_parser.parse(pattern.pattern, pattern.flags))
    except (re.error, TypeError, ValueError, AttributeError):
        return None
    if not chars:
        return None
    members = "".join(re.escape(chr(code)) for code in sorted(chars))
    return re.compile(f"[{members}]", re.IGNORECASE)


def _sequence(items: Any) -> frozenset[int] | None:
    """The characters of the first mandatory item of a sequence whose characters are known."""
    for op, value in items:
        found = _item(op, value)
        if found:
            return found
    return None


def _item(op: Any, value: Any) -> frozenset[int] | None:
    if op is sre.LITERAL:
        return frozenset((value,))
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


def _class(members: Any) -> frozenset[int] | None:
    """The characters of `[…]` when it lists them (no negation, category or wide range)."""
    chars: set[int] = set()
    for op, value in members:
        if op is sre.LITERAL:
            chars.add(value)
        elif op is sre.RANGE and value[1] - value[0] < MAX_RANGE:
            chars.update(range(value[0], value[1] + 1))
        else:
            return None
    return frozenset(chars) or None
