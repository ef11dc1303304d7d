"""Run the attribution and boilerplate rules over a draft's blocks.

Four passes, in order:
1. credits are read from every block, removed ones included, so a byline that sits in
   removed furniture still gives its field;
2. named rules decide blocks one by one (repeated title, section headings with the list after
   them, boilerplate lines, credit lines, a republisher's self-introduction);
3. the article's end is found (an end marker, or the first furniture of the trailing run of
   furniture and short lines) and what follows it is tail: removed, except credits, closing
   notes and signatures;
4. weighted cues remove what no rule names: at the head, in the body (with more evidence),
   and blocks of the tail.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .attribution import Credit, find_credits
from .blocks import Block
from .cues import CueScore, Shape, counts, is_label, is_signature, score, shape
from .draft import Draft
from .nfkc import nfkc
from .record import Removal
from .rules import BlockRule, BlockSet, Rules, SectionRule

MAX_HEADING_CHARS = 40
MAX_ITEM_CHARS = 160
MAX_BLURB_BLOCKS = 8
MAX_FRAGMENT_CHARS = 20
DATELINE_BLOCKS = 3
TAIL_SHARE = 0.45
CREDIT_FIELDS = (
    "account",
    "author",
    "source",
    "source_account_id",
    "editor",
    "translator",
    "original_url",
)
OUTSIDE_RULES = ("content.outside-article", "general-extractor")
_CLOSING_NOTE = re.compile(r"[（(][^（）()]{2,60}[）)]$")
_PARENTHESISED = re.compile(r"^[（(].*[）)]$")
_QUOTED = re.compile(r"“[^“”]{2,}”|「[^「」]{2,}」|『[^『』]{2,}』|\"[^\"]{2,}\"")
_SENTENCE_END = re.compile(r"[。！？!?.…]$")
_SENTENCE_MARK = re.compile(r"[。！？!?]")
_WORD = re.compile(r"\w")


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """The text as names are compared: NFKC, without spaces, case-folded (asked of each block
    several times: by the title, account and self-introduction rules)."""
    return "".join(nfkc(text).split()).casefold()


class _Sweep:
    """One pass over a draft's blocks, deciding for each whether it stays in the body."""

    def __init__(self, draft: Draft, account: str | None, title: str | None) -> None:
        self.rules: Rules = draft.rules
        self.draft = draft
        self.blocks = draft.blocks
        self.site_rules = draft.site_rules
        self.self_intro = self.rules.self_intro
        self.decisions: list[Removal | None] = [None] * len(self.blocks)
        self.credits: list[Credit] = []
        self.inline_removed: list[tuple[int, Removal]] = []
        self.cue_scores: dict[int, CueScore] = {}
        sizes = [0 if b.removal else len(b.text) for b in self.blocks]
        total = sum(sizes) or 1
        remaining = total
        self.in_tail: list[bool] = []
        self.after: list[float] = []
        for size in sizes:
            self.in_tail.append(remaining <= total * TAIL_SHARE)
            self.after.append(remaining / total)
            remaining -= size
        self.title_key = _key(title) if title else None
        self.account_key = _key(account) if account and len(account) >= 2 else None

    def run(self) -> list[Block]:
        self._read_removed_credits()
        self._read_dateline()
        self._cut_inline_widgets()
        i = 0
        while i < len(self.blocks):
            i = self._decide(i)
        self._find_tail()
        self._find_head()
        self._weigh_cues()
        self._glue_fragments()
        kept = [b for b, d in zip(self.blocks, self.decisions, strict=True) if d is None]
        for block in kept[-2:]:
            closing = _CLOSING_NOTE.search(block.text)
            if closing:
                self.credits.extend(find_credits(closing.group(0), rules=self.rules))
        for credit in self.credits:
            if credit.field in CREDIT_FIELDS:
                self.draft.offer(credit.field, credit.value, credit.rule)
        cuts = [(index, 0, cut) for index, cut in self.inline_removed]
        whole = [(index, 1, d) for index, d in enumerate(self.decisions) if d is not None]
        self.draft.removed.extend(removal for _, _, removal in sorted(cuts + whole, key=_order))
        return kept

    def _read_removed_credits(self) -> None:
        """Credits in blocks that a reader already set aside (hidden parts, dropped widgets)."""
        for block in self.blocks:
            removal = block.removal
            if removal is not None and removal.rule not in OUTSIDE_RULES:
                self.credits.extend(find_credits(block.text, rules=self.rules))

    def _read_dateline(self) -> None:
        """The author a news dateline names (新华社…电（记者X）), from the first paragraphs."""
        kept = [block for block in self.blocks if block.removal is None][:DATELINE_BLOCKS]
        for block in kept:
            match = self.rules.dateline.search(block.text)
            if match:
                self.credits.append(Credit("author", match["author"].strip(), "credit:dateline"))
                return

    def _cut_inline_widgets(self) -> None:
        """Cut widgets out of sentences (a stock quote after a ticker), recording each cut."""
        for index, block in enumerate(self.blocks):
            if block.removal is not None:
                continue
            for rule in self.rules.inline:
                if rule.pattern.search(block.text):
                    for match in rule.pattern.finditer(block.text):
                        cut = Removal(rule.kind, rule.name, match.group(0))
                        self.inline_removed.append((index, cut))
                    block.text = rule.pattern.sub("", block.text)
                    block.marked, block.tokens = "", ()

    def _remove(self, i: int, kind: str, rule: str) -> int:
        self.decisions[i] = Removal(kind, rule, self.blocks[i].text)
        return i + 1

    def _decide(self, i: int) -> int:
        block = self.blocks[i]
        if block.removal:
            self.decisions[i] = block.removal
            return i + 1
        text = block.text
        if len(text) <= 2 * MAX_HEADING_CHARS and self._names_page(text, i):
            return self._remove(i, "chrome", self._names_page(text, i))
        section = heading_rule(text, self.rules)
        if section and (section.kind != "blurb" or self.in_tail[i]):
            self._remove(i, section.kind, section.name)
            return self._consume_section(i + 1, section)
        rule = self._boilerplate(block)
        if rule:
            return self._remove(i, rule.kind, rule.name)
        found = find_credits(text, rules=self.rules)
        if found:
            self.credits.extend(found)
            if _PARENTHESISED.match(text):
                return i + 1
            return self._remove(i, "attribution", found[0].rule)
        if self.in_tail[i] and self._is_self_intro(text):
            return self._remove(i, "blurb", "account-self-introduction")
        if self.in_tail[i] and _is_same_account_links(block):
            return self._remove(i, "promo", "wechat.same-account-links")
        return i + 1

    def _consume_section(self, i: int, section: SectionRule) -> int:
        """Remove the blocks that belong to a section; return the index after it."""
        heading = self.blocks[i - 1].text
        taken = 0
        while i < len(self.blocks):
            block = self.blocks[i]
            if block.removal:
                self.decisions[i] = block.removal
                i += 1
                continue
            if heading_rule(block.text, self.rules) or find_credits(block.text, rules=self.rules):
                return i
            if section.kind == "blurb":
                if taken >= MAX_BLURB_BLOCKS or (
                    taken == 0 and not self._about(section, heading, block)
                ):
                    return i
            elif not _is_item(block, self.in_tail[i]):
                return i
            rule = self._boilerplate(block)
            if rule:
                self._remove(i, rule.kind, rule.name)
            else:
                self._remove(i, section.kind, section.name)
            taken += 1
            i += 1
        return i

    @staticmethod
    def _about(section: SectionRule, heading: str, block: Block) -> bool:
        """Under "关于X" / "About X", a blurb's first block speaks of X (else the heading was
        the article's own)."""
        match = section.heading.search(heading)
        subject = match.groupdict().get("subject") if match else None
        return not subject or _key(subject) in _key(block.text)

    def _boilerplate(self, block: Block) -> BlockRule | None:
        site_rule = _first_rule(block.text, self.site_rules)
        return site_rule or _language_rule(block.text, self.rules)

    def _names_page(self, text: str, i: int) -> str | None:
        """ "repeated-title" or "account-name" when a short block only repeats one of them."""
        title = self.title_key
        if title and len(text) >= len(title) // 2 and _key(text) == title:
            return "repeated-title"
        at_end = self.in_tail[i] or self.after[i] >= 1 - self.rules.head_share
        if self.account_key and at_end and len(text) < 3 * len(self.account_key):
            return "account-name" if _key(text) == self.account_key else None
        return None

    def _names_account(self, text: str) -> bool:
        return bool(self.account_key and self.account_key in _key(text))

    def _is_self_intro(self, text: str) -> bool:
        return bool(
            self.account_key and self.account_key in _key(text) and self.self_intro.search(text)
        )

    def _cues(self, i: int) -> CueScore:
        """The cues of block `i`, scored once per sweep (the runs and the body pass all ask)."""
        found = self.cue_scores.get(i)
        if found is None:
            text = self.blocks[i].text
            evident = self._names_account(text)
            found = self.cue_scores[i] = score(text, self.rules, evident)
        return found

    def _kept(self) -> list[int]:
        return [i for i, d in enumerate(self.decisions) if d is None]

    def _shape(self, i: int, head: bool = False) -> Shape:
        """The block's shape as the end (or, with `head`, the start) of the article sees it;
        at the head, more cue weight is asked, and a block of several sentences is prose."""
        furniture = self.decisions[i] is not None
        text = self.blocks[i].text
        weak = False
        if not furniture:
            cues = self._cues(i)
            named = self._names_account(text)
            base = self.rules.head_cue_weight if head else self.rules.tail_cue_weight
            several = head and _several_sentences(text)
            furniture = not several and counts(cues, text, self.rules, base, named)
            weak = is_label(text, self.rules) and cues.weight >= self.rules.short_cue_weight
        return shape(self.blocks[i], self.rules, furniture, weak)

    def _find_tail(self) -> None:
        """Find where the article ends and remove the tail after it."""
        start = self._tail_start()
        if start is not None:
            self._remove_run(range(start, len(self.blocks)))

    def _find_head(self) -> None:
        """Remove the leading run of furniture and short lines (follow banners, pleas, a
        standing disclaimer) up to its last piece of furniture."""
        end = self._run_edge(range(len(self.blocks)), 1 - self.rules.head_run_share, at_least=True)
        if end is not None:
            self._remove_run(range(0, end + 1))

    def _remove_run(self, indexes: range) -> None:
        """Remove the kept blocks of a head or tail, except credits, closing notes and
        signatures; each names its cues, or the kind of the furniture before it."""
        previous = None
        for i in indexes:
            if self.decisions[i] is not None:
                previous = self.decisions[i]
                continue
            text = self.blocks[i].text
            if _CLOSING_NOTE.search(text) or is_signature(text, self.rules):
                continue
            cues = self._cues(i)
            if cues.names:
                self._remove(i, cues.kind, cues.rule)
            elif self.rules.end_marker.fullmatch(text):
                self._remove(i, "chrome", "end.marker")
            else:
                kind = previous.kind if previous and previous.kind != "attribution" else "promo"
                self._remove(i, kind, "end.run")
            previous = self.decisions[i]

    def _tail_start(self) -> int | None:
        """The first block of the tail: after an end marker near the end, or at the first
        furniture of the trailing run of furniture and short lines."""
        indexes = range(len(self.blocks) - 1, -1, -1)
        run_start = self._run_edge(indexes, self.rules.tail_run_share, at_least=False)
        for i in self._kept():
            if self.after[i] <= self.rules.end_marker_share and self._is_end_marker(i):
                if run_start is None or i < run_start:
                    run_start = i
                break
        return run_start

    def _run_edge(self, indexes: range, share: float, at_least: bool) -> int | None:
        """Walk `indexes` (from one end of the article) while blocks are furniture or short
        lines; return the furthest furniture reached within `share` of the text (the share
        of text after the block is at most, or with `at_least` at least, `share`)."""
        edge = None
        pending = None  # a weak line waiting for furniture beside it
        beside = False  # the block visited last was furniture
        for i in indexes:
            if self.blocks[i].removal is not None:
                continue
            found = self._shape(i, head=at_least)
            if found is Shape.PROSE:
                break
            inside = self.after[i] >= share if at_least else self.after[i] <= share
            if found is Shape.WEAK and not beside and pending is None:
                pending, beside = (i if inside else None), False
                continue
            furniture = found is not Shape.SHORT
            if furniture and pending is not None:
                edge = pending
            if furniture and inside:
                edge = i
            pending, beside = None, furniture
        return edge

    def _is_end_marker(self, i: int) -> bool:
        return bool(self.rules.end_marker.fullmatch(self.blocks[i].text))

    def _weigh_cues(self) -> None:
        """Remove blocks whose cues outweigh what their place asks for (head or body)."""
        for i in self._kept():
            text = self.blocks[i].text
            if len(text) > self.rules.cue_max_chars:
                continue
            at_head = self.after[i] >= 1 - self.rules.head_share
            if not at_head and _several_sentences(text):
                continue  # several sentences in the body: prose that mentions such things
            cues = self._cues(i)
            if not cues.names:
                continue
            base = self.rules.head_cue_weight if at_head else self.rules.body_cue_weight
            if counts(cues, text, self.rules, base, self._names_account(text)):
                self._remove(i, cues.kind, cues.rule)

    def _glue_fragments(self) -> None:
        """A short kept fragment right before a removed prompt is part of that prompt (one
        fragment: a glued fragment does not glue the one before it)."""
        glued = False
        for i in range(len(self.blocks) - 2, -1, -1):
            after = self.decisions[i + 1]
            text = self.blocks[i].text
            if glued:
                glued = False
                continue
            if (
                self.decisions[i] is None
                and after is not None
                and after.kind == "prompt"
                and self.in_tail[i]
                and len(text) <= MAX_FRAGMENT_CHARS
                and not _SENTENCE_END.search(text)
                and not is_signature(text, self.rules)
            ):
                self._remove(i, after.kind, after.rule)
                glued = True


def _several_sentences(text: str) -> bool:
    """Whether a sentence mark has more words after it (linear: only the first mark counts)."""
    mark = _SENTENCE_MARK.search(text)
    return mark is not None and _WORD.search(text, mark.end()) is not None


def _order(entry: tuple[int, int, Removal]) -> tuple[int, int]:
    return entry[0], entry[1]


def sweep(draft: Draft, account: str | None, title: str | None) -> list[Block]:
    """Remove boilerplate blocks into `draft.removed`, read credits into fields; return the body."""
    return _Sweep(draft, account, title).run()


@lru_cache(maxsize=4096)
def heading_rule(text: str, rules: Rules) -> SectionRule | None:
    """The section rule whose heading `text` is, if any."""
    if len(text) > MAX_HEADING_CHARS:
        return None
    for index in rules.section_index.candidates(text):
        if rules.sections[index].heading.search(text):
            return rules.sections[index]
    return None


@lru_cache(maxsize=4096)
def _language_rule(text: str, rules: Rules) -> BlockRule | None:
    return _first_rule(text, rules.blocks)


def _first_rule(text: str, block_rules: BlockSet) -> BlockRule | None:
    """The first rule that matches; words inside quotation marks are quoted, not said."""
    candidates = block_rules.candidates(text)
    probe = _QUOTED.sub(_elide, text) if candidates else text
    for rule in candidates:
        if len(text) > rule.max_chars or (rule.hint and not rule.hint.search(probe)):
            continue
        if rule.pattern.search(probe):
            return rule
    return None


def _elide(match: re.Match[str]) -> str:
    quoted = match.group(0)
    return quoted[0] + "…" + quoted[-1]


def _is_item(block: Block, in_tail: bool) -> bool:
    if block.link_share >= 0.5:
        return True
    if not block.text.strip("-–—|·•* "):
        return True
    return in_tail and len(block.text) <= MAX_ITEM_CHARS


def _is_same_account_links(block: Block) -> bool:
    return block.link_share >= 0.8 and any(
        "mp.weixin.qq.com" in href and "scene=21" in href for href in block.links
    )
