"""What a rule may hold: every kind of named rule, its keys and its kinds, in one place.

Named rules are the entries of the array tables below (`[[boilerplate]]`, `[[site]]`...): each
has a `name`, by which a user's rule replaces a shipped one, and may say `enabled = false`.
Everything else in a rule file is a setting (`[tail]`, `[generic]`, `[wechat.selectors]`...):
a user's file may set any key the shipped files set, with a value of the same type.
`reprints rules schema` prints this module's vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .errors import RuleError
from .record import STATUSES


class Kind(StrEnum):
    """What a removed block was: the kinds a rule may give."""

    BLURB = "blurb"
    PROMO = "promo"
    PROMPT = "prompt"
    DISCLAIMER = "disclaimer"
    CHROME = "chrome"


ADDRESS = "address"
BLOCK_KINDS = frozenset(Kind)
CUE_KINDS = BLOCK_KINDS | {ADDRESS}
CREDIT_FIELDS = frozenset({"author", "source", "editor", "translator", "original", "other"})
STATUS_PLACES = frozenset({"line", "page", "script", "address", "labels"})
NOT_OK = frozenset(STATUSES) - {"ok"}
SITE_SELECTORS = ("content", "title", "account", "author", "author_links", "uploader")
SITE_SELECTORS += ("date", "meta", "drop")


@dataclass(frozen=True)
class Key:
    """One key of a named rule: its type, whether it must be there, and what it means."""

    type: type
    doc: str
    required: bool = False
    regex: bool = False
    choices: frozenset[str] | None = None


@dataclass(frozen=True)
class Section:
    """One kind of named rule (an array table) and its keys."""

    doc: str
    keys: dict[str, Key]
    one_of: tuple[str, ...] = ()


def _pattern(doc: str, required: bool = True) -> Key:
    return Key(str, doc, required=required, regex=True)


def _kind(kinds: frozenset[str]) -> Key:
    return Key(str, "what a removed block was", required=True, choices=kinds)


_MAX_CHARS = Key(int, "longest block the rule removes, in characters")
_HINT = _pattern("a cheap pattern every match contains, tried first", required=False)
_SELECTORS = "CSS selectors, best first"


def _block_keys(what: str) -> dict[str, Key]:
    """The keys of a rule that removes what its pattern matches."""
    return {
        "kind": _kind(BLOCK_KINDS),
        "pattern": _pattern(what),
        "max_chars": _MAX_CHARS,
        "hint": _HINT,
    }


SECTIONS: dict[str, Section] = {
    "boilerplate": Section(
        "a block removed wherever it stands", _block_keys("what the block matches")
    ),
    "cue": Section(
        "weighted evidence of promotion or furniture, never a verdict alone",
        {
            "kind": _kind(CUE_KINDS),
            "weight": Key(float, "how much evidence a match is", required=True),
            "pattern": _pattern("what the cue matches (case-insensitive)"),
        },
    ),
    "section": Section(
        "a heading that opens a removable section (a related list, a blurb)",
        {"kind": _kind(BLOCK_KINDS), "heading": _pattern("what the heading matches")},
    ),
    "credit": Section(
        "labels that open a credit line (作者：X) and the field the value fills",
        {
            "field": Key(str, "the field filled", required=True, choices=CREDIT_FIELDS),
            "labels": Key(list, "the label words", required=True),
            "sep": _pattern("what stands between label and value"),
            "ignore_case": Key(bool, "labels match in any case"),
        },
    ),
    "credit_sentence": Section(
        "a whole credit sentence whose named groups are fields",
        {"pattern": _pattern("the sentence, with (?P<field>...) groups")},
    ),
    "not_credit": Section(
        "a line that looks like a credit but is not one (图片来源：)",
        {"pattern": _pattern("what the line matches (case-insensitive)")},
    ),
    "inline": Section("a fragment cut out of a block (a stock quote)", _block_keys("the fragment")),
    "status": Section(
        "a marker of a page that is not an article, and the status it gives",
        {
            "status": Key(str, "the page's status", required=True, choices=NOT_OK),
            "pattern": _pattern("the marker", required=False),
            "labels": Key(list, "label words, each opening a line"),
            "kinds": Key(list, "where the marker is looked for", choices=STATUS_PLACES),
            "min_count": Key(int, "distinct matches needed"),
        },
        one_of=("pattern", "labels"),
    ),
    "url_status": Section(
        "an address that alone says the page is not an article",
        {
            "status": Key(str, "the page's status", required=True, choices=NOT_OK),
            "pattern": _pattern("what the address matches"),
        },
    ),
    "site": Section(
        "a portal or mirror: how to recognise it and where it puts the article",
        {
            "hosts": Key(list, "host names (subdomains included)"),
            "markers": Key(list, "strings its pages' HTML contains"),
            "boilerplate": Key(list, "patterns of its own chrome lines", regex=True),
        }
        | {key: Key(list, f"{_SELECTORS}: {key}") for key in SITE_SELECTORS},
        one_of=("hosts", "markers"),
    ),
    "textdump.footer": Section(
        "a footer line of a text dump (capture time, tool, contact)",
        {"kind": _kind(BLOCK_KINDS), "pattern": _pattern("the line")} | {"max_chars": _MAX_CHARS},
    ),
    "wechat.drop": Section(
        "elements of a WeChat page dropped before reading",
        {"kind": _kind(BLOCK_KINDS), "selector": Key(str, _SELECTORS, required=True)},
    ),
}
COMMON_KEYS = {
    "name": Key(str, "the rule's name: a user's rule of the same name replaces it", True),
    "enabled": Key(bool, "false turns the rule off"),
}
# Settings tables whose keys are open: any key, with a string value.
OPEN_TABLES = frozenset({"textdump.header_keys"})


def check_entry(section: str, entry: Any, origin: str) -> str:
    """The entry's name, once its keys, types, kinds and patterns are checked; else RuleError."""
    if not isinstance(entry, dict):
        raise RuleError(origin, f"each [[{section}]] entry must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleError(origin, f"a [[{section}]] rule has no name", key="name")
    spec = SECTIONS[section]
    for key, value in entry.items():
        known = COMMON_KEYS.get(key) or spec.keys.get(key)
        if known is None:
            raise RuleError(origin, f"unknown key (known: {_known(spec)})", rule=name, key=key)
        _check_value(known, value, origin, name, key)
    if set(entry) <= set(COMMON_KEYS):
        return name
    for key, known in spec.keys.items():
        if known.required and key not in entry:
            raise RuleError(origin, "missing (a whole rule needs it)", rule=name, key=key)
    if spec.one_of and not any(key in entry for key in spec.one_of):
        raise RuleError(origin, f"needs one of: {', '.join(spec.one_of)}", rule=name)
    return name


def _known(spec: Section) -> str:
    return ", ".join([*COMMON_KEYS, *spec.keys])


def _check_value(key: Key, value: Any, origin: str, name: str, key_name: str) -> None:
    def fail(reason: str) -> RuleError:
        return RuleError(origin, reason, rule=name, key=key_name)

    if not _has_type(value, key.type):
        raise fail(f"must be {_TYPE_NAMES[key.type]}, not {type(value).__name__}")
    if key.type is list and not all(isinstance(item, str) for item in value):
        raise fail("must be a list of strings")
    items = value if isinstance(value, list) else [value]
    if key.choices is not None:
        wrong = [item for item in items if item not in key.choices]
        if wrong:
            raise fail(f"unknown value {wrong[0]!r} (known: {', '.join(sorted(key.choices))})")
    if key.regex:
        for item in items:
            try:
                re.compile(item)
            except re.error as exc:
                raise fail(f"bad pattern {item!r}: {exc}") from None


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
_TYPE_NAMES[list] = "a list"


def _has_type(value: Any, wanted: type) -> bool:
    if isinstance(value, bool):
        return wanted is bool
    if wanted is float:
        return isinstance(value, int | float)
    return isinstance(value, wanted)


def describe() -> list[str]:
    """The vocabulary as lines of text (for `reprints rules schema`)."""
    lines = [f"kinds: {', '.join(Kind)} (cues also: {ADDRESS})"]
    for section, spec in SECTIONS.items():
        lines.append("")
        lines.append(f"[[{section}]]  {spec.doc}")
        for key, known in (COMMON_KEYS | spec.keys).items():
            need = "required" if known.required else "optional"
            choices = f"; one of {', '.join(sorted(known.choices))}" if known.choices else ""
            lines.append(f"  {key} ({_TYPE_NAMES[known.type]}, {need}): {known.doc}{choices}")
        if spec.one_of:
            lines.append(f"  (needs one of: {', '.join(spec.one_of)})")
    lines.append("")
    lines.append("Settings ([tail], [generic], [content], [wechat.*], [textdump]...): any key")
    lines.append("the shipped files set, with a value of the same type; lists extend.")
    return lines
