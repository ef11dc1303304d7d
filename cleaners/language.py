"""Guess the language of an article body: zh-Hans, zh-Hant, ja or en."""

from __future__ import annotations

import re

from .rules import Rules

# Runs of each script: counting the characters of runs is several times faster than
# matching the characters one by one.
_KANA = re.compile(r"[\u3040-\u30ff]+")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[A-Za-z]+")


def detect_language(text: str, rules: Rules) -> str | None:
    """BCP 47 tag for the dominant script of `text`, or None when there is no text."""
    sample = text[:20000]
    kana = _count(_KANA, sample)
    han = _count(_HAN, sample)
    latin = _count(_LATIN, sample)
    if kana + han + latin == 0:
        return None
    if kana > 0.05 * (kana + han) and kana >= 10:
        return "ja"
    if han >= latin / 4 and han > 0:
        simplified = _count(rules.simplified_chars, sample)
        traditional = _count(rules.traditional_chars, sample)
        return "zh-Hant" if traditional > simplified else "zh-Hans"
    return "en"


def _count(runs: re.Pattern[str], text: str) -> int:
    """How many characters of `text` the runs that `runs` matches hold."""
    return sum(map(len, runs.findall(text)))
