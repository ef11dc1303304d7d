"""Read WeChat's inline script variables (`var ct = "…"`, `window.cgiDataNew = {…}`)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache

from selectolax.lexbor import LexborHTMLParser

MAX_SCRIPT_CHARS = 60_000
# Scripts that define article variables hold at least one of these.
_MARKERS = (
    "msg_title",
    "item_show_type",
    "copyright_stat",
    "var ct",
    "publish_time",
    "is_user_title",
    "window.desc",
)
_STRING = r"""(?:"(?P<dq>[^"\\\n]*(?:\\.[^"\\\n]*)*)"|'(?P<sq>[^'\\\n]*(?:\\.[^'\\\n]*)*)')"""
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,8}\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)
_SIMPLE = {"n": "\n", "r": "", "t": "\t", "b": "", "f": "", "v": "", "0": "", "\n": ""}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LIST_TOKEN = re.compile(
    r"(?P<key>\w+)\s*:\s*(?:JsDecode\(\s*)?'(?P<value>(?:[^'\\\n]|\\.)*)'"
    r"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[{}\[\]]"""
)


def js_unescape(value: str) -> str:
    """Undo JavaScript string escapes, then HTML entities (as htmlDecode / JsDecode do).

    Escaped surrogate pairs become one character; lone surrogates become U+FFFD, so the
    result can always be printed and stored.
    """

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            point = int(code[1:].strip("{}"), 16)
            return chr(point) if point <= 0x10FFFF else "\ufffd"
        return _SIMPLE.get(code, code)

    text = html.unescape(_ESCAPE.sub(replace, value))
    return no_surrogates(_CONTROL.sub("", text))


_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """The text with surrogate pairs combined and lone surrogates replaced by U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


@cache
def _var_patterns(name: str) -> tuple[re.Pattern[str], ...]:
    tail = (
        r"[ \t]*=[ \t]*(?:window\.\w+[ \t]*=[ \t]*)?(?:[\w.]+[ \t]*\|\|[ \t]*)?"
        rf"(?:htmlDecode\()?[ \t]*{_STRING}"
    )
    return (
        re.compile(rf"var {re.escape(name)}{tail}"),
        re.compile(rf"window\.{re.escape(name)}{tail}"),
    )


@cache
def _cgi_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all the wanted keys of `cgiDataNew` (whole keys only)."""
    keys = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w.])(?P<key>{keys}):\s*(?:JsDecode\(\s*'(?P<js>[^'\\]*(?:\\.[^'\\]*)*)'\s*\)"
        rf"|'(?P<num>[^'\\\n]*)'\s*\*\s*1)"
    )


def script_texts(tree: LexborHTMLParser) -> list[str]:
    """The texts of the page's scripts, read once for every lookup that follows."""
    return [text for text in (node.text() for node in tree.css("script")) if text]


def read_scripts(
    tree: LexborHTMLParser | list[str], names: Iterable[str], max_chars: int = MAX_SCRIPT_CHARS
) -> dict[str, str]:
    """The named script variables; `cgi:<key>` names are read from `window.cgiDataNew`.

    Variables are looked for in scripts up to `max_chars` long: the article's variables sit
    in small scripts, and skipping the large library bundles keeps this fast.
    """
    names = list(dict.fromkeys(names))
    plain = [n for n in names if not n.startswith("cgi:")]
    cgi = [n[4:] for n in names if n.startswith("cgi:")]
    found: dict[str, str] = {}
    for text in tree if isinstance(tree, list) else script_texts(tree):
        start = text.find("cgiDataNew = {")
        if start >= 0 and cgi:
            _read_cgi(text, start, cgi, found)
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


def _read_cgi(text: str, start: int, keys: list[str], found: dict[str, str]) -> None:
    """The first value of each key in the `cgiDataNew` object that starts at `start`."""
    wanted = {key for key in keys if f"cgi:{key}" not in found}
    for match in _cgi_pattern(tuple(keys)).finditer(text, start):
        key = match["key"]
        if key in wanted:
            value = match["js"] if match["js"] is not None else match["num"]
            found[f"cgi:{key}"] = js_unescape(value)
            wanted.discard(key)
            if not wanted:
                return


def read_list_values(tree: LexborHTMLParser | list[str], name: str, key: str) -> list[str]:
    """The `key` string of each item of the script array `name: [ {…}, … ]` (or `name = [`).

    Only keys of the items themselves count, not keys of objects nested in an item.
    """
    opener = re.compile(rf"(?<![\w.]){re.escape(name)}\s*[:=]\s*\[")
    for text in tree if isinstance(tree, list) else script_texts(tree):
        if name not in text:
            continue
        match = opener.search(text)
        if match:
            return [js_unescape(v) for k, v in _item_keys(text, match.end()) if k == key]
    return []


def _item_keys(text: str, start: int) -> list[tuple[str, str]]:
    """(key, string value) pairs at depth one of the array opening at `start`."""
    pairs: list[tuple[str, str]] = []
    depth = 1
    for token in _LIST_TOKEN.finditer(text, start):
        if token["key"] is not None:
            if depth == 2:
                pairs.append((token["key"], token["value"]))
        elif token[0] in "{[":
            depth += 1
        elif token[0] in "}]":
            depth -= 1
            if depth == 0:
                break
    return pairs
