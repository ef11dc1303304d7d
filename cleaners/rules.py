"""The compiled rules the cleaner applies (built by rulebuild.py from the rule files)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .gates import LiteralIndex, Literals, literals, telling
from .learned import LearnedRule, LearnedSet, learned_digest, source_key
from .record import Article


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
    when given, is a cheap pattern that every match contains, tried first; `literals`, read
    from the pattern or the hint, are strings every match contains (see gates.py)."""

    name: str
    kind: str
    pattern: re.Pattern[str]
    max_chars: int
    hint: re.Pattern[str] | None = None
    literals: Literals | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        found = literals(self.pattern)
        if self.hint is not None:
            found = telling(found, literals(self.hint))
        object.__setattr__(self, "literals", found)


@dataclass(frozen=True)
class CueRule:
    """A weighted cue of promotion or furniture: evidence, never a verdict on its own.
    `literals` as for BlockRule."""

    name: str
    kind: str
    weight: float
    pattern: re.Pattern[str]
    literals: Literals | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "literals", literals(self.pattern))


@dataclass(frozen=True, eq=False)
class CueSet:
    """The cues in force, with the index of their literals; compared and hashed by identity
    (cheap as a cache key)."""

    cues: tuple[CueRule, ...]
    index: LiteralIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", LiteralIndex(cue.literals for cue in self.cues))


@dataclass(frozen=True, eq=False)
class BlockSet:
    """Boilerplate block rules in order, with the index of their literals."""

    rules: tuple[BlockRule, ...] = ()
    index: LiteralIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", LiteralIndex(rule.literals for rule in self.rules))

    def __iter__(self) -> Iterator[BlockRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, position: int) -> BlockRule:
        return self.rules[position]

    def candidates(self, text: str) -> list[BlockRule]:
        """The rules that may match `text`, in order."""
        return [self.rules[i] for i in self.index.candidates(text)]


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
    boilerplate: BlockSet


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
class DumpRules:
    """Header keys, original-post marks and footer rules of text dumps."""

    original_marks: frozenset[str]
    header_keys: dict[str, str]
    footers: tuple[BlockRule, ...]


@dataclass(frozen=True)
class LearningSettings:
    """How much evidence learns a block, and how much of a body learned rules may take."""

    min_works: int = 3
    min_share: float = 0.1
    max_chars: int = 300
    max_body_share: float = 0.5


@dataclass(frozen=True)
class RuleInfo:
    """One named rule as `reprints rules list` shows it."""

    section: str
    name: str
    kind: str
    origin: str
    enabled: bool


@dataclass(frozen=True, eq=False)
class Rules:
    """Every rule the cleaner applies: the shipped ones, the user's, and those learned from a
    database (by source). Compared and hashed by identity, so that caches can key on it."""

    credit_labels: tuple[CreditLabel, ...]
    credit_label_any: re.Pattern[str]
    credit_sentences: tuple[SentenceRule, ...]
    credit_opening: re.Pattern[str]
    not_credit: tuple[re.Pattern[str], ...]
    blocks: BlockSet
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
    textdump: DumpRules
    learning: LearningSettings
    version: str
    catalogue: tuple[RuleInfo, ...]
    learned: Mapping[str, LearnedSet] = field(default_factory=dict)
    # The literals of `not_credit` then of `credit_sentences`, in one index; of `sections`.
    credit_index: LiteralIndex = field(init=False, repr=False)
    section_index: LiteralIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        patterns = [*self.not_credit, *(rule.pattern for rule in self.credit_sentences)]
        object.__setattr__(self, "credit_index", LiteralIndex(map(literals, patterns)))
        headings = (literals(rule.heading) for rule in self.sections)
        object.__setattr__(self, "section_index", LiteralIndex(headings))

    def with_learned(self, learned: Iterable[LearnedRule]) -> Rules:
        """These rules plus `learned` (rules learned from one database, of any sources)."""
        by_source: dict[str, list[LearnedRule]] = {}
        for rule in learned:
            by_source.setdefault(rule.source, []).append(rule)
        sets = {source: LearnedSet.of(rules) for source, rules in by_source.items()}
        return dataclasses.replace(self, learned=sets)

    def version_for(self, source: str | None) -> str:
        """The version of the rules an article of `source` is cleaned with: the rule files'
        digest, and the digest of the rules learned for that source, if any."""
        learned = self.learned.get(source) if source else None
        if not learned:
            return self.version
        return f"{self.version}+learned.{learned_digest(learned.rules)}"

    def version_of(self, article: Article) -> str:
        """`version_for` the article's source."""
        return self.version_for(source_key(article.account_id, article.account, article.url))
