"""Read WeChat's inline script variables (`var ct = "…"`, `window.cgiDataNew = {…}`)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from functools import cache

MAX_SCRIPT_SIZE = 60_000
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
_CGI_OPENER = "cgiDataNew = {"
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


_ASSIGNMENT_TAIL = (
    r"[ \t]*=[ \t]*(?:window\.\w+[ \t]*=[ \t]*)?(?:[\w.]+[ \t]*\|\|[ \t]*)?"
    rf"(?:htmlDecode\()?[ \t]*{_STRING}"
)
_WORD_OR_DOT = re.compile(r"[\w.]")
_LIST_OPENER = re.compile(r"\s*[:=]\s*\[")
_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>", re.I)
_SCRIPT_CLOSE = re.compile(r"</script[\s/>]", re.I)
_SCRIPT_OPEN_BYTES = re.compile(rb"<script\b[^>]*>", re.I)
_SCRIPT_CLOSE_BYTES = re.compile(rb"</script[\s/>]", re.I)


class PageScripts:
    """A page's inline scripts, cut from its source (UTF-8 bytes or text) and decoded only
    when a lookup needs one: a large WeChat page carries megabytes of library code that no
    lookup reads, and copying it all out of the parser cost more than the lookups."""

    def __init__(self, source: bytes | str) -> None:
        self._source = source
        self._spans = _script_spans(source)
        self._texts: dict[int, str] = {}
        self._holding: dict[tuple[str, int | None], frozenset[int]] = {}

    def having(self, needles: Iterable[str], max_size: int | None = None) -> Iterator[str]:
        """In page order, the texts of the scripts that contain one of `needles` and are at
        most `max_size` long in the source (bytes of a UTF-8 page, else characters)."""
        held: set[int] = set()
        for needle in needles:
            held.update(self._scripts_holding(needle, max_size))
        for i in sorted(held):
            yield self._text(i)

    def _scripts_holding(self, needle: str, max_size: int | None) -> frozenset[int]:
        """The scripts (at most `max_size` long) that contain `needle` (looked for once per
        page: lookups of several names ask for the same markers)."""
        key = (needle, max_size)
        found = self._holding.get(key)
        if found is None:
            source = self._source
            probe = needle.encode("utf-8") if isinstance(source, bytes) else needle
            limit = len(source) if max_size is None else max_size
            found = self._holding[key] = frozenset(
                i
                for i, (start, end) in enumerate(self._spans)
                if end - start <= limit and source.find(probe, start, end) >= 0
            )
        return found

    def _text(self, i: int) -> str:
        text = self._texts.get(i)
        if text is None:
            start, end = self._spans[i]
            chunk = self._source[start:end]
            text = chunk.decode("utf-8", "replace") if isinstance(chunk, bytes) else chunk
            self._texts[i] = text
        return text


def _script_spans(source: bytes | str) -> list[tuple[int, int]]:
    """Where each script's text starts and ends: after `<script …>`, up to `</script`."""
    if isinstance(source, bytes):
        opener, closer = _SCRIPT_OPEN_BYTES, _SCRIPT_CLOSE_BYTES
    else:
        opener, closer = _SCRIPT_OPEN, _SCRIPT_CLOSE
    spans = []
    position = 0
    while (opened := opener.search(source, position)) is not None:
        closed = closer.search(source, opened.end())
        end = closed.start() if closed else len(source)
        if end > opened.end():
            spans.append((opened.end(), end))
        position = end
    return spans


@cache
def _assignment_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """`var NAME = "…"` and `window.NAME = '…'` for any of `names` (two patterns: each keeps
    a literal prefix that the search can skip to)."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return tuple(
        re.compile(rf"{prefix}(?P<name>{alternatives}){_ASSIGNMENT_TAIL}")
        for prefix in ("var ", r"window\.")
    )


_CGI_VALUE = re.compile(
    r"\s*(?:JsDecode\(\s*'(?P<js>[^'\\]*(?:\\.[^'\\]*)*)'\s*\)|'(?P<num>[^'\\\n]*)'\s*\*\s*1)"
)


def _whole_word_ends(text: str, word: str, start: int = 0) -> Iterator[int]:
    """Where each occurrence of `word` in `text` not preceded by a word character or a dot
    ends (found with `str.find`, far faster on long scripts than a regex lookbehind)."""
    position = text.find(word, start)
    while position >= 0:
        if not (position and _WORD_OR_DOT.match(text, position - 1)):
            yield position + len(word)
        position = text.find(word, position + 1)


def read_scripts(
    scripts: PageScripts, names: Iterable[str], max_size: int = MAX_SCRIPT_SIZE
) -> dict[str, str]:
    """The named script variables; `cgi:<key>` names are read from `window.cgiDataNew`.

    Variables are looked for in scripts up to `max_size` long (see `PageScripts.having`):
    the article's variables sit in small scripts, and skipping the large library bundles
    keeps this fast.
    """
    names = list(dict.fromkeys(names))
    plain = tuple(n for n in names if not n.startswith("cgi:"))
    cgi = [n[4:] for n in names if n.startswith("cgi:")]
    found: dict[str, str] = {}
    if cgi:
        for text in scripts.having([_CGI_OPENER]):
            _read_cgi(text, text.find(_CGI_OPENER), cgi, found)
    if plain:
        patterns = _assignment_patterns(plain)
        for text in scripts.having(_MARKERS, max_size):
            _read_assignments(text, patterns, found)
    return found


def read_first(
    scripts: PageScripts, names: Iterable[str], max_size: int = MAX_SCRIPT_SIZE
) -> tuple[str, str] | None:
    """The first of `names`, in their order, whose value is more than blanks, with that
    value; the names after it are not looked for."""
    for name in names:
        value = read_scripts(scripts, [name], max_size).get(name, "").strip()
        if value:
            return name, value
    return None


def _read_assignments(
    text: str, patterns: tuple[re.Pattern[str], ...], found: dict[str, str]
) -> None:
    """The first non-empty value of each variable assigned in `text` and not yet found."""
    matches = sorted((m for p in patterns for m in p.finditer(text)), key=re.Match.start)
    for match in matches:
        name = match["name"]
        value = match["dq"] or match["sq"]
        if value and name not in found:
            found[name] = js_unescape(value)


def _read_cgi(text: str, start: int, keys: list[str], found: dict[str, str]) -> None:
    """The first value of each key in the `cgiDataNew` object that starts at `start`."""
    for key in keys:
        if f"cgi:{key}" in found:
            continue
        for end in _whole_word_ends(text, key + ":", start):
            match = _CGI_VALUE.match(text, end)
            if match:
                value = match["js"] if match["js"] is not None else match["num"]
                found[f"cgi:{key}"] = js_unescape(value)
                break


def read_list_values(scripts: PageScripts, name: str, key: str) -> list[str]:
    """The `key` string of each item of the script array `name: [ {…}, … ]` (or `name = [`).

    Only keys of the items themselves count, not keys of objects nested in an item.
    """
    for text in scripts.having([name]):
        for end in _whole_word_ends(text, name):
            match = _LIST_OPENER.match(text, end)
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
