"""Guess the language of an article body: zh-Hans, zh-Hant, ja or en."""

from __future__ import annotations

import re

from .rules import Rules

_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, rules: Rules) -> str | None:
    """BCP 47 tag for the dominant script of `text`, or None when there is no text."""
    sample = text[:20000]
    kana = len(_KANA.findall(sample))
    han = len(_HAN.findall(sample))
    latin = len(_LATIN.findall(sample))
    if kana + han + latin == 0:
        return None
    if kana > 0.05 * (kana + han) and kana >= 10:
        return "ja"
    if han >= latin / 4 and han > 0:
        simplified = len(rules.simplified_chars.findall(sample))
        traditional = len(rules.traditional_chars.findall(sample))
        return "zh-Hant" if traditional > simplified else "zh-Hans"
    return "en"
