"""A cheap first test for rule patterns: the literal strings that every match contains.

`\\b(like|share)\\b` can only match a text that holds "like" or "share", and most blocks hold
none of a rule set's words. The literals are read from the pattern's parse tree: in a sequence,
the most telling of its mandatory parts (a run of literal characters, a group, a class of a few
characters); in an alternation, one set per alternative. When some alternative has no such part
(`\\w+元`), the pattern has no literals and is always tried.

`LiteralIndex` holds the literals of a list of patterns and answers, for one text, which of
the patterns may match it: one regex scan for the keys the text holds (a key is a literal's
least common character), then a substring test for each literal whose key was found. Texts and
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
# The commonest characters of Chinese and Japanese text, most common first (by general
# frequency lists, not by any page): full-width punctuation, kana particles, then hanzi.
_COMMON_CJK = (
    "，。、：；！？“”（）のにはをたがでてとしれさいる"
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下"
    "自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部"
    "其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又"
    "关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯"
    "月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入"
    "几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管"
    "期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像"
    "难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今"
    "切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令"
    "准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚"
    "请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早"
)
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
def folded_text(text: str) -> str:
    """`text` folded, once per text for every index."""
    return fold(text)


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
        # One scan finds the keys a text holds (a set of the text's characters costs more).
        keys = "".join(sorted(re.escape(key) for key in self._by_key))
        self._find_keys = re.compile(f"[{keys}]").findall if keys else None

    def candidates(self, text: str) -> tuple[int, ...]:
        """The indexes, in order, of the patterns that may match `text`, or `text` with its
        quotations elided."""
        if self._find_keys is None:
            return self._always
        folded = folded_text(text)
        present = set(self._find_keys(folded))
        if not present:
            return self._always
        found = set(self._always)
        by_key = self._by_key
        for key in present:
            for literal, indexes in by_key[key]:
                if literal in folded:
                    found.update(indexes)
        return tuple(sorted(found))


def _key(char: str, uses: dict[str, int]) -> tuple[float, int]:
    """How common a character is likely to be in text (lower is rarer): any other character
    before the common ones of `_COMMON_ASCII` and `_COMMON_CJK`, those from the least common,
    then the fewer literals it is in."""
    return _COMMONNESS.get(char, 0.0), uses[char]


def _commonness(*lists: str) -> dict[str, float]:
    """Each listed character's place in its list, from 1.0 (the commonest) down towards 0."""
    found: dict[str, float] = {}
    for chars in lists:
        for rank, char in enumerate(chars):
            found.setdefault(char, 1.0 - rank / len(chars))
    return found


_COMMONNESS = _commonness(_COMMON_ASCII, _COMMON_CJK)
