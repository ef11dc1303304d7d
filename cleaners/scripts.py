"""Read WeChat's inline script variables (`var ct = "…"`, `window.cgiDataNew = {…}`)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache

from selectolax.lexbor import LexborHTMLParser

MAX_SCRIPT_CHARS = 60_000
# Scripts that define article variables hold at least one of these.
_MARKERS = ("msg_title", "item_show_type", "copyright_stat", "var ct", "publish_time")
_STRING = r"""(?:"(?P<dq>[^"\\\n]*(?:\\.[^"\\\n]*)*)"|'(?P<sq>[^'\\\n]*(?:\\.[^'\\\n]*)*)')"""
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)
_SIMPLE = {"n": "\n", "r": "", "t": "\t", "/": "/", "\\": "\\", "'": "'", '"': '"'}


def js_unescape(value: str) -> str:
    """Undo JavaScript string escapes, then HTML entities (as htmlDecode / JsDecode do)."""

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE.get(code, code)

    return html.unescape(_ESCAPE.sub(replace, value))


@cache
def _var_patterns(name: str) -> tuple[re.Pattern[str], ...]:
    tail = rf"[ \t]*=[ \t]*(?:[\w.]+[ \t]*\|\|[ \t]*)?(?:htmlDecode\()?[ \t]*{_STRING}"
    return (
        re.compile(rf"var {re.escape(name)}{tail}"),
        re.compile(rf"window\.{re.escape(name)}{tail}"),
    )


@cache
def _cgi_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"{re.escape(name)}:\s*(?:JsDecode\(\s*'(?P<js>[^'\\]*(?:\\.[^'\\]*)*)'\s*\)"
        rf"|'(?P<num>[^'\\\n]*)'\s*\*\s*1)"
    )


def _first_key(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match that is a whole key (not the tail of a longer name)."""
    for match in pattern.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        if not (before.isalnum() or before in "_."):
            return match
    return None


def read_scripts(
    tree: LexborHTMLParser, names: Iterable[str], max_chars: int = MAX_SCRIPT_CHARS
) -> dict[str, str]:
    """The named script variables; `cgi:<key>` names are read from `window.cgiDataNew`.

    Variables are looked for in scripts up to `max_chars` long: the article's variables sit
    in small scripts, and skipping the large library bundles keeps this fast.
    """
    names = list(dict.fromkeys(names))
    plain = [n for n in names if not n.startswith("cgi:")]
    cgi = [n[4:] for n in names if n.startswith("cgi:")]
    found: dict[str, str] = {}
    for node in tree.css("script"):
        text = node.text()
        if not text:
            continue
        start = text.find("cgiDataNew = {")
        if start >= 0 and cgi:
            region = text[start:]
            for key in cgi:
                match = _first_key(_cgi_pattern(key), region)
                if match and f"cgi:{key}" not in found:
                    value = match.group("js") if match.group("js") is not None else match["num"]
                    found[f"cgi:{key}"] = js_unescape(value)
        if len(text) > max_chars or not any(m in text for m in _MARKERS):
            continue
        for name in plain:
            if name in found or name not in text:
                continue
            for pattern in _var_patterns(name):
                match = pattern.search(text)
                if match and (match.group("dq") or match.group("sq")):
                    found[name] = js_unescape(match.group("dq") or match.group("sq"))
                    break
    return found
