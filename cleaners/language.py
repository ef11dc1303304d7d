"""Guess the language of an article body: zh-Hans, zh-Hant, ja or en."""

from __future__ import annotations

import re

from .rules import Rules

SAMPLE_CHARS = 20000
KANA = (0x3040, 0x30FF)
HAN = (0x4E00, 0x9FFF)


def detect_language(text: str, rules: Rules) -> str | None:
    """BCP 47 tag for the dominant script of `text`, or None when there is no text."""
    sample = text[:SAMPLE_CHARS]
    kana, han, latin = _script_counts(sample)
    if kana + han + latin == 0:
        return None
    if kana > 0.05 * (kana + han) and kana >= 10:
        return "ja"
    if han >= latin / 4 and han > 0:
        simplified = _count(rules.simplified_chars, sample)
        traditional = _count(rules.traditional_chars, sample)
        return "zh-Hant" if traditional > simplified else "zh-Hans"
    return "en"


def _script_counts(text: str) -> tuple[int, int, int]:
    """How many kana, Han (the CJK Unified Ideographs block) and ASCII letters `text` holds,
    counted over its code points at once (a regex steps through them one by one)."""
    import numpy as np  # imported here: `import cleaners` stays light

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kana = np.count_nonzero((codes >= KANA[0]) & (codes <= KANA[1]))
    han = np.count_nonzero((codes >= HAN[0]) & (codes <= HAN[1]))
    folded = codes | 0x20  # A-Z onto a-z, and nothing else onto a-z
    latin = np.count_nonzero((folded >= ord("a")) & (folded <= ord("z")))
    return int(kana), int(han), int(latin)


def _count(runs: re.Pattern[str], text: str) -> int:
    """How many characters of `text` the runs that `runs` matches hold."""
    return sum(map(len, runs.findall(text)))
