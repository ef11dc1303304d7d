"""Guess the language of an article body: zh-Hans, zh-Hant, ja or en."""

from __future__ import annotations

import re

_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
SIMPLIFIED = frozenset(
    "这们说时来为会国对学发经过还进动实现开关问题个后样们从种么没见长门间让给当业务产应车东话书认识读语"
)
TRADITIONAL = frozenset(
    "這們說時來為會國對學發經過還進動實現開關問題個後樣們從種麼沒見長門間讓給當業務產應車東話書認識讀語"
)


def detect_language(text: str) -> str | None:
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
        simplified = sum(1 for ch in sample if ch in SIMPLIFIED)
        traditional = sum(1 for ch in sample if ch in TRADITIONAL)
        return "zh-Hant" if traditional > simplified else "zh-Hans"
    return "en"
