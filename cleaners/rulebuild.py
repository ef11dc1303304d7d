"""Build the Rules from rule files: the shipped set (cached), or it with the user's layered on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import RuleError
from .rulefiles import Merged, merge, read_rule_file, rule_paths, shipped_files
from .rules import (
    BlockRule,
    BlockSet,
    ContentRules,
    CreditLabel,
    CueRule,
    CueSet,
    DumpRules,
    LearningSettings,
    RuleInfo,
    Rules,
    SectionRule,
    SentenceRule,
    Site,
    StatusRule,
)

SETTINGS = "rule settings"


def load_rules(*paths: str | Path) -> Rules:
    """The shipped rules with the rule files at `paths` (files, or folders of *.toml) layered
    on, in order. Without paths, the shipped rules (built once per process).

    Raises RuleError, naming the file, rule and key, for anything invalid.
    """
    if not paths:
        return default_rules()
    files = [read_rule_file(path) for path in rule_paths(paths)]
    return build(merge([*shipped_files(), *files]))


@cache
def default_rules() -> Rules:
    return build(merge(shipped_files()))


def cleaner_version(rules: Rules | None = None) -> str:
    """The package version plus a digest of the rule files in use: changes with any rule."""
    return (rules or default_rules()).version


def build(merged: Merged) -> Rules:
    """Compile merged rule files into Rules."""
    try:
        return _build(merged)
    except KeyError as exc:
        raise RuleError(
            SETTINGS, "missing (a shipped rule file is gone?)", key=exc.args[0]
        ) from None


def _build(merged: Merged) -> Rules:
    settings = merged.settings
    labels = [label for entry in merged.enabled("credit") for label in _labels(entry)]
    # Longest labels first, so that 责任编辑 wins over 编辑.
    labels.sort(key=lambda c: -len(c.label))
    ending = settings.get("ending", {})
    return Rules(
        credit_labels=tuple(labels),
        credit_label_any=_compile(_alternatives(labels), "credit labels"),
        credit_sentences=tuple(
            SentenceRule(e["name"], _compile(e["pattern"], e["name"]))
            for e in merged.enabled("credit_sentence")
        ),
        credit_opening=_either([re.escape(o) for o in settings.get("credit_openings", [])]),
        not_credit=tuple(
            _compile(e["pattern"], e["name"], re.I) for e in merged.enabled("not_credit")
        ),
        blocks=BlockSet(tuple(_block_rule(e) for e in merged.enabled("boilerplate"))),
        sections=tuple(
            SectionRule(e["name"], e["kind"], _compile(e["heading"], e["name"]))
            for e in merged.enabled("section")
        ),
        account_id=_compile(settings["account_id"], "account_id"),
        simplified_chars=_compile(f"[{settings['simplified_chars']}]+", "simplified_chars"),
        traditional_chars=_compile(f"[{settings['traditional_chars']}]+", "traditional_chars"),
        self_intro=_either(settings.get("self_introduction", []), re.I),
        statuses=tuple(_status_rule(e) for e in merged.enabled("status")),
        url_statuses=tuple(
            StatusRule(e["name"], e["status"], _compile(e["pattern"], e["name"]))
            for e in merged.enabled("url_status")
        ),
        status_selectors=tuple(settings["status_selectors"]["selectors"]),
        short_page_chars=int(settings["status_selectors"]["short_page_chars"]),
        message_chars=int(settings["status_selectors"]["message_chars"]),
        wechat={**settings["wechat"], "drop": merged.enabled("wechat.drop")},
        sites=tuple(_site(entry) for entry in merged.enabled("site")),
        generic={k: tuple(v) for k, v in settings["generic"].items()},
        content=_content_rules(settings["content"]),
        cues=CueSet(tuple(_cue_rule(e) for e in merged.enabled("cue"))),
        inline=tuple(_block_rule(e) for e in merged.enabled("inline")),
        end_marker=_either(ending.get("markers", []), re.I),
        dateline=_either([settings["dateline"]["pattern"]] if "dateline" in settings else []),
        signature=_either(ending.get("signatures", [])),
        **_tail_numbers(settings["tail"]),
        textdump=_dump_rules(merged),
        learning=LearningSettings(**settings.get("learning", {})),
        version=_version(merged),
        catalogue=_catalogue(merged),
    )


def _version(merged: Merged) -> str:
    try:
        release = metadata.version("reprints")
    except metadata.PackageNotFoundError:
        release = "0"
    return f"{release}+rules.{merged.digest()}"


def _catalogue(merged: Merged) -> tuple[RuleInfo, ...]:
    return tuple(
        RuleInfo(e.section, e.name, e.data.get("kind", e.section), e.origin, e.enabled)
        for section in merged.entries.values()
        for e in section.values()
    )


def _compile(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RuleError(SETTINGS, f"bad pattern {pattern!r}: {exc}", rule=where) from None


def _either(alternatives: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    """One pattern matching any of `alternatives`; one that never matches when none."""
    return _compile("|".join(alternatives) or "(?!)", "alternatives", flags)


def _labels(entry: dict[str, Any]) -> list[CreditLabel]:
    flags = re.I if entry.get("ignore_case") else 0
    return [
        CreditLabel(
            entry["field"],
            label,
            _compile(rf"(?:{re.escape(label)})(?:{entry['sep']})", entry["name"], flags),
        )
        for label in entry["labels"]
    ]


def _alternatives(labels: list[CreditLabel]) -> str:
    return "|".join(
        f"(?:{c.pattern.pattern})" if not c.pattern.flags & re.I else f"(?i:{c.pattern.pattern})"
        for c in labels
    )


def _block_rule(entry: dict[str, Any], default_max: int = 200) -> BlockRule:
    hint = entry.get("hint")
    return BlockRule(
        name=entry["name"],
        kind=entry["kind"],
        pattern=_compile(entry["pattern"], entry["name"]),
        max_chars=int(entry.get("max_chars", default_max)),
        hint=_compile(hint, entry["name"], re.I) if hint else None,
    )


def _cue_rule(entry: dict[str, Any]) -> CueRule:
    return CueRule(
        name=entry["name"],
        kind=entry["kind"],
        weight=float(entry["weight"]),
        pattern=_compile(entry["pattern"], entry["name"], re.I),
    )


TAIL_NUMBERS = {
    "short_line_chars": int,
    "cue_max_chars": int,
    "cue_chars_per_weight": float,
    "tail_cue_weight": float,
    "short_cue_weight": float,
    "head_cue_weight": float,
    "body_cue_weight": float,
    "end_marker_share": float,
    "tail_run_share": float,
    "head_run_share": float,
    "head_share": float,
}


def _tail_numbers(data: dict[str, Any]) -> dict[str, Any]:
    return {key: kind(data[key]) for key, kind in TAIL_NUMBERS.items()}


def _content_rules(entry: dict[str, Any]) -> ContentRules:
    patterns = ("dated_line", "date_then_source", "name_then_date", "title_separators")
    numbers = {
        key: value for key, value in entry.items() if key not in patterns and key[:9] != "negative_"
    }
    return ContentRules(
        negative_words=frozenset(entry["negative_words"]),
        negative_prefixes=tuple(entry["negative_prefixes"]),
        **{key: _compile(entry[key], key) for key in patterns},
        **numbers,
    )


def _status_rule(entry: dict[str, Any]) -> StatusRule:
    """A status rule; a `labels` list becomes a pattern for a line that opens with a label."""
    pattern = entry.get("pattern")
    if pattern is None:
        labels = "|".join(re.escape(label) for label in entry["labels"])
        pattern = rf"(?:{labels})(?=$|\s|[:：])"
    return StatusRule(
        entry["name"],
        entry["status"],
        _compile(pattern, entry["name"]),
        tuple(entry.get("kinds", ["line"])),
        int(entry.get("min_count", 1)),
    )


def _site(entry: dict[str, Any]) -> Site:
    selectors = {
        key: tuple(value)
        for key, value in entry.items()
        if key not in {"name", "hosts", "markers", "boilerplate", "enabled"}
    }
    name = entry["name"]
    boilerplate = BlockSet(
        tuple(
            BlockRule(f"site.{name}", "chrome", _compile(p, name), 300)
            for p in entry.get("boilerplate", [])
        )
    )
    return Site(
        name=name,
        hosts=tuple(entry.get("hosts", ())),
        markers=tuple(entry.get("markers", ())),
        selectors=selectors,
        boilerplate=boilerplate,
    )


def _dump_rules(merged: Merged) -> DumpRules:
    data = merged.settings["textdump"]
    return DumpRules(
        original_marks=frozenset(data.get("original_marks", ())),
        header_keys={key.casefold(): field for key, field in data["header_keys"].items()},
        footers=tuple(_block_rule(e) for e in merged.enabled("textdump.footer")),
    )
