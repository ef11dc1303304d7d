"""Load the rule files in `cleaners/rules/` (TOML) into compiled, named rules."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from typing import Any

from .errors import RuleError
from .gates import gate

LANGUAGE_FILES = ("zh.toml", "ja.toml", "en.toml")


@dataclass(frozen=True)
class CreditLabel:
    """A label that opens a credit ("作者：X") and the field its value fills."""

    field: str
    label: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class SentenceRule:
    """A whole-sentence credit pattern whose named groups are fields."""

    name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class BlockRule:
    """A boilerplate block: removed when it matches and is at most `max_chars` long. `hint`,
    when given, is a cheap pattern that every match contains, tried first; `gate`, read from
    the pattern, is a class of characters every match contains (see gates.py)."""

    name: str
    kind: str
    pattern: re.Pattern[str]
    max_chars: int
    hint: re.Pattern[str] | None = None
    gate: re.Pattern[str] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "gate", gate(self.pattern))

    def may_match(self, text: str) -> bool:
        """False when `text` cannot match: it lacks the hint or every character of the gate."""
        if self.gate is not None and not self.gate.search(text):
            return False
        return self.hint is None or bool(self.hint.search(text))


@dataclass(frozen=True)
class CueRule:
    """A weighted cue of promotion or furniture: evidence, never a verdict on its own.
    `gate` as for BlockRule."""

    name: str
    kind: str
    weight: float
    pattern: re.Pattern[str]
    gate: re.Pattern[str] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "gate", gate(self.pattern))

    def fires(self, text: str) -> bool:
        return (self.gate is None or bool(self.gate.search(text))) and bool(
            self.pattern.search(text)
        )


@dataclass(frozen=True, eq=False)
class CueSet:
    """The cues in force, compared and hashed by identity (cheap as a cache key)."""

    cues: tuple[CueRule, ...]


@dataclass(frozen=True)
class SectionRule:
    """A heading that opens a removable section (a related list, a blurb)."""

    name: str
    kind: str
    heading: re.Pattern[str]


@dataclass(frozen=True)
class StatusRule:
    """A marker of a page that is not an article, the status it gives, and the kinds of place
    it is looked for (see status.toml); `min_count` distinct matches are needed."""

    name: str
    status: str
    pattern: re.Pattern[str]
    kinds: tuple[str, ...] = ("line",)
    min_count: int = 1


@dataclass(frozen=True)
class Site:
    """Where one site puts its article, metadata and chrome."""

    name: str
    hosts: tuple[str, ...]
    markers: tuple[str, ...]
    selectors: dict[str, tuple[str, ...]]
    boilerplate: tuple[BlockRule, ...]


@dataclass(frozen=True)
class ContentRules:
    """How the general reader weighs blocks to find the article on an unknown layout."""

    negative_words: frozenset[str]
    negative_prefixes: tuple[str, ...]
    max_link_share: float
    min_prose_chars: int
    min_sentence_chars: int
    short_penalty: int
    frame_share: float
    min_cards: int
    card_link_share: float
    dated_line: re.Pattern[str]
    max_dated_line_chars: int
    min_content_chars: int
    preferred_share: float
    date_then_source: re.Pattern[str]
    name_then_date: re.Pattern[str]
    title_separators: re.Pattern[str]


@dataclass(frozen=True)
class Rules:
    """Every rule the cleaner applies, loaded once."""

    credit_labels: tuple[CreditLabel, ...]
    credit_label_any: re.Pattern[str]
    credit_sentences: tuple[SentenceRule, ...]
    credit_opening: re.Pattern[str]
    not_credit: tuple[re.Pattern[str], ...]
    blocks: tuple[BlockRule, ...]
    sections: tuple[SectionRule, ...]
    self_intro: re.Pattern[str]
    simplified_chars: re.Pattern[str]
    account_id: re.Pattern[str]
    traditional_chars: re.Pattern[str]
    statuses: tuple[StatusRule, ...]
    url_statuses: tuple[StatusRule, ...]
    status_selectors: tuple[str, ...]
    short_page_chars: int
    message_chars: int
    wechat: dict[str, Any]
    sites: tuple[Site, ...]
    generic: dict[str, tuple[str, ...]]
    content: ContentRules
    cues: CueSet
    inline: tuple[BlockRule, ...]
    end_marker: re.Pattern[str]
    dateline: re.Pattern[str]
    signature: re.Pattern[str]
    short_line_chars: int
    cue_max_chars: int
    cue_chars_per_weight: float
    tail_cue_weight: float
    short_cue_weight: float
    head_cue_weight: float
    body_cue_weight: float
    end_marker_share: float
    tail_run_share: float
    head_run_share: float
    head_share: float


def _load(name: str) -> dict[str, Any]:
    try:
        text = resources.files("cleaners").joinpath("rules", name).read_text("utf-8")
        return tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"rule file {name}: {exc}") from exc


def _compile(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern {pattern!r}: {exc}") from exc


def _block_rule(entry: dict[str, Any], where: str) -> BlockRule:
    hint = entry.get("hint")
    return BlockRule(
        name=entry["name"],
        kind=entry["kind"],
        pattern=_compile(entry["pattern"], f"{where} {entry['name']}"),
        max_chars=int(entry.get("max_chars", 200)),
        hint=_compile(hint, f"{where} {entry['name']} hint", re.I) if hint else None,
    )


@cache
def cleaner_version() -> str:
    """The package version plus a digest of the rule files: changes whenever a rule does."""
    digest = hashlib.sha256()
    folder = resources.files("cleaners").joinpath("rules")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    try:
        release = metadata.version("reprints")
    except metadata.PackageNotFoundError:
        release = "0"
    return f"{release}+rules.{digest.hexdigest()[:10]}"


@cache
def load_rules() -> Rules:
    """Read and compile every rule file (cached: rules are loaded once per process)."""
    labels: list[CreditLabel] = []
    sentences: list[SentenceRule] = []
    openings: list[str] = []
    self_intro: list[str] = []
    not_credit: list[re.Pattern[str]] = []
    blocks: list[BlockRule] = []
    sections: list[SectionRule] = []
    cues: list[CueRule] = []
    end_markers: list[str] = []
    signatures: list[str] = []
    datelines: list[str] = []
    for filename in LANGUAGE_FILES:
        data = _load(filename)
        for group in data.get("credit", []):
            flags = re.I if group.get("ignore_case") else 0
            for label in group["labels"]:
                pattern = _compile(
                    rf"(?:{re.escape(label)})(?:{group['sep']})", f"{filename} credit", flags
                )
                labels.append(CreditLabel(group["field"], label, pattern))
        for entry in data.get("credit_sentence", []):
            pattern = _compile(entry["pattern"], f"{filename} {entry['name']}")
            sentences.append(SentenceRule(entry["name"], pattern))
        openings.extend(re.escape(o) for o in data.get("credit_openings", []))
        self_intro.extend(data.get("self_introduction", []))
        for entry in data.get("not_credit", []):
            not_credit.append(_compile(entry["pattern"], f"{filename} not_credit", re.I))
        blocks.extend(_block_rule(entry, filename) for entry in data.get("boilerplate", []))
        cues.extend(_cue_rule(entry, filename) for entry in data.get("cue", []))
        if "dateline" in data:
            datelines.append(data["dateline"]["pattern"])
        ending = data.get("ending", {})
        end_markers.extend(ending.get("markers", []))
        signatures.extend(ending.get("signatures", []))
        for entry in data.get("section", []):
            heading = _compile(entry["heading"], f"{filename} {entry['name']}")
            sections.append(SectionRule(entry["name"], entry["kind"], heading))
    # Longest labels first, so that 责任编辑 wins over 编辑.
    labels.sort(key=lambda c: -len(c.label))
    alternatives = "|".join(
        f"(?:{c.pattern.pattern})" if not c.pattern.flags & re.I else f"(?i:{c.pattern.pattern})"
        for c in labels
    )
    chinese = _load("zh.toml")
    status = _load("status.toml")
    statuses = tuple(_status_rule(e) for e in status["status"])
    url_statuses = tuple(
        StatusRule(e["name"], e["status"], _compile(e["pattern"], f"status.toml {e['name']}"))
        for e in status.get("url_status", [])
    )
    sites_data = _load("sites.toml")
    return Rules(
        credit_labels=tuple(labels),
        credit_label_any=_compile(alternatives, "credit labels"),
        credit_sentences=tuple(sentences),
        credit_opening=_compile("|".join(openings) or "(?!)", "credit_openings"),
        not_credit=tuple(not_credit),
        blocks=tuple(blocks),
        sections=tuple(sections),
        account_id=_compile(chinese["account_id"], "zh.toml account_id"),
        simplified_chars=_compile(f"[{chinese['simplified_chars']}]", "zh.toml"),
        traditional_chars=_compile(f"[{chinese['traditional_chars']}]", "zh.toml"),
        self_intro=_compile("|".join(self_intro) or "(?!)", "self_introduction", re.I),
        statuses=statuses,
        url_statuses=url_statuses,
        status_selectors=tuple(status["status_selectors"]["selectors"]),
        short_page_chars=int(status["status_selectors"]["short_page_chars"]),
        message_chars=int(status["status_selectors"]["message_chars"]),
        wechat=_load("wechat.toml"),
        sites=tuple(_site(entry) for entry in sites_data["site"]),
        generic={k: tuple(v) for k, v in sites_data["generic"].items()},
        content=_content_rules(sites_data["content"]),
        cues=_cue_set(cues),
        inline=tuple(_block_rule(entry, "sites.toml") for entry in sites_data.get("inline", [])),
        end_marker=_compile("|".join(end_markers) or "(?!)", "end_markers", re.I),
        dateline=_compile("|".join(datelines) or "(?!)", "dateline"),
        signature=_compile("|".join(signatures) or "(?!)", "signatures"),
        **_tail_numbers(_load("tail.toml")),
    )


def _cue_set(cues: list[CueRule]) -> CueSet:
    return CueSet(tuple(cues))


def _cue_rule(entry: dict[str, Any], where: str) -> CueRule:
    try:
        return CueRule(
            name=entry["name"],
            kind=entry["kind"],
            weight=float(entry["weight"]),
            pattern=_compile(entry["pattern"], f"{where} {entry['name']}", re.I),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"{where} cue {entry.get('name', '?')}: {exc}") from exc


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
    try:
        return {key: kind(data[key]) for key, kind in TAIL_NUMBERS.items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"tail.toml: {exc}") from exc


def _content_rules(entry: dict[str, Any]) -> ContentRules:
    try:
        return ContentRules(
            negative_words=frozenset(entry["negative_words"]),
            negative_prefixes=tuple(entry["negative_prefixes"]),
            max_link_share=float(entry["max_link_share"]),
            min_prose_chars=int(entry["min_prose_chars"]),
            min_sentence_chars=int(entry["min_sentence_chars"]),
            short_penalty=int(entry["short_penalty"]),
            frame_share=float(entry["frame_share"]),
            min_cards=int(entry["min_cards"]),
            card_link_share=float(entry["card_link_share"]),
            dated_line=_compile(entry["dated_line"], "sites.toml dated_line"),
            max_dated_line_chars=int(entry["max_dated_line_chars"]),
            min_content_chars=int(entry["min_content_chars"]),
            preferred_share=float(entry["preferred_share"]),
            date_then_source=_compile(entry["date_then_source"], "sites.toml date_then_source"),
            name_then_date=_compile(entry["name_then_date"], "sites.toml name_then_date"),
            title_separators=_compile(entry["title_separators"], "sites.toml title_separators"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"sites.toml [content]: {exc}") from exc


def _status_rule(entry: dict[str, Any]) -> StatusRule:
    """A status rule; a `labels` list becomes a pattern for a line that opens with a label."""
    pattern = entry.get("pattern")
    if pattern is None:
        labels = "|".join(re.escape(label) for label in entry["labels"])
        pattern = rf"(?:{labels})(?=$|\s|[:：])"
    return StatusRule(
        entry["name"],
        entry["status"],
        _compile(pattern, f"status.toml {entry['name']}"),
        tuple(entry.get("kinds", ["line"])),
        int(entry.get("min_count", 1)),
    )


def _site(entry: dict[str, Any]) -> Site:
    selectors = {
        key: tuple(value)
        for key, value in entry.items()
        if key not in {"name", "hosts", "markers", "boilerplate"}
    }
    boilerplate = tuple(
        BlockRule(
            f"site.{entry['name']}", "chrome", _compile(p, f"sites.toml {entry['name']}"), 300
        )
        for p in entry.get("boilerplate", [])
    )
    return Site(
        name=entry["name"],
        hosts=tuple(entry.get("hosts", ())),
        markers=tuple(entry.get("markers", ())),
        selectors=selectors,
        boilerplate=boilerplate,
    )
