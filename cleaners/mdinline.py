"""Markdown for the inline parts of a block: escaped text, safe link and image targets, and
the tokens that stand for markup in a block's gathered text (the text is escaped once, then
the tokens are written)."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"[\\`*_\[\]<>|]")
_SCHEME = re.compile(r"\s*+([A-Za-z][A-Za-z0-9+.-]{0,30}+):")
SAFE_SCHEMES = frozenset(["http", "https", "mailto"])
# A token is U+E000, its number, U+E001; a table cell starts at CELL.
TOKEN = re.compile("\ue000(\\d+)\ue001")
CELL = "\u241e"
_TARGET_ESCAPES = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}
_TARGET_ENDS = re.compile(r"[ ()<>]")


def escape(text: str) -> str:
    """Text with the characters Markdown would read as markup (or raw HTML) escaped."""
    return _SPECIAL.sub(r"\\\g<0>", text) if _SPECIAL.search(text) else text


def safe_target(url: str | None) -> str | None:
    """A link or image target that is safe to write: http(s), mailto or relative, with the
    characters that would end it escaped; None for `javascript:`, `data:` and the like."""
    if not url:
        return None
    url = url.strip()
    scheme = _SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        return None
    if _TARGET_ENDS.search(url):
        url = _TARGET_ENDS.sub(lambda found: _TARGET_ESCAPES[found.group(0)], url)
    return url or None


def image(src: str, alt: str | None) -> str:
    target = safe_target(src)
    return f"![{escape(' '.join((alt or '').split()))}]({target})" if target else ""


def token(number: int) -> str:
    return f"\ue000{number}\ue001"


def written(text: str, tokens: tuple[str, ...]) -> str:
    """`text` with its tokens replaced by their markup."""
    if not tokens:
        return text
    return TOKEN.sub(lambda found: tokens[int(found.group(1))], text)
