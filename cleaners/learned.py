"""Boilerplate learned from one source's own pages: the blocks that recur at the head or the
tail of its articles, and how they are found again and removed.

A learned rule is the normalised text of one block. It only ever removes a block that stands
in an edge run: the blocks from the body's first (or last) one inward, each known, with at most
a short unknown block between two known ones. A sentence that recurs inside the text (a motto
quoted, a section heading) is never at an edge, so it is never learned nor removed. The same
`edge_runs` decides what learning counts and what cleaning removes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from .nfkc import nfkc

LEARNED_KIND = "learned"
MAX_GAP_CHARS = 30
MAX_HEADING_CHARS = 30
_DIGITS = re.compile(r"\d+")
_IGNORED = re.compile(r"[\s*_~`>#|｜]+")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[。！？!?.…：:；;）)」』”]$")


class Place(StrEnum):
    """Where a learned block stands."""

    HEAD = "head"
    TAIL = "tail"


@dataclass(frozen=True)
class LearnedRule:
    """A block learned as boilerplate of one source."""

    name: str
    source: str
    kind: str
    text: str
    place: Place = Place.TAIL


@dataclass(frozen=True, eq=False)
class LearnedSet:
    """One source's learned rules, by normalised text."""

    rules: tuple[LearnedRule, ...]
    by_text: dict[str, LearnedRule] = field(repr=False)

    @classmethod
    def of(cls, rules: Iterable[LearnedRule]) -> LearnedSet:
        ordered = tuple(sorted(rules, key=lambda r: r.name))
        return cls(ordered, {rule.text: rule for rule in ordered})


def block_key(text: str) -> str:
    """A block's text as learning compares it: NFKC, any case, no spaces or Markdown marks,
    and every run of digits the same (dates and issue numbers change from post to post)."""
    folded = nfkc(text).casefold()
    return _DIGITS.sub("0", _IGNORED.sub("", folded))


def is_trivial(key: str) -> bool:
    """A block without a letter (a number, a rule, an emoji): neither evidence nor a gap."""
    return not _LETTER.search(key)


def source_key(account_id: str | None, account: str | None, url: str | None) -> str | None:
    """The source an article's boilerplate belongs to: its WeChat account id, else its account
    name, else its page's host."""
    for value in (account_id, account):
        if value and value.strip():
            return value.strip()
    if url and url.startswith(("http://", "https://")):
        host = (urlsplit(url).hostname or "").lower()
        return host.removeprefix("www.") or None
    return None


def rule_name(source: str, key: str) -> str:
    short = hashlib.sha1(f"{source}\0{key}".encode()).hexdigest()[:8]
    return f"learned:{source}:{short}"


def learned_digest(rules: Iterable[LearnedRule]) -> str:
    """A digest of the rules that changes when one is added, dropped or changed."""
    digest = hashlib.sha256()
    for rule in sorted(rules, key=lambda r: r.name):
        digest.update(f"{rule.name}\0{rule.kind}\0{rule.place}\0{rule.text}\n".encode())
    return digest.hexdigest()[:10]


def edge_runs(
    texts: Sequence[str], keys: Sequence[str], known: Callable[[str], bool]
) -> tuple[list[int], list[int]]:
    """The indexes of the known blocks in the head run and in the tail run of a body."""
    head = _run(texts, keys, known, range(len(keys)))
    while head and _is_heading(texts[head[-1]]):
        head.pop()
    taken = set(head)
    tail = [i for i in _run(texts, keys, known, range(len(keys) - 1, -1, -1)) if i not in taken]
    return head, tail


def _run(
    texts: Sequence[str], keys: Sequence[str], known: Callable[[str], bool], order: range
) -> list[int]:
    run: list[int] = []
    gap = False
    for index in order:
        key = keys[index]
        if is_trivial(key):
            continue
        if known(key):
            run.append(index)
            gap = False
        elif run and not gap and len(texts[index]) <= MAX_GAP_CHARS:
            gap = True
        else:
            break
    return run


def _is_heading(text: str) -> bool:
    """A short line without a sentence's end: it introduces what follows it."""
    stripped = text.strip()
    return len(stripped) <= MAX_HEADING_CHARS and not _SENTENCE_END.search(stripped)


def removable(
    texts: Sequence[str], learned: LearnedSet, max_share: float
) -> list[tuple[int, LearnedRule]]:
    """The blocks of a body that its source's learned rules remove, with the rule of each:
    none when they would take more than `max_share` of the body's characters."""
    keys = [block_key(text) for text in texts]
    head, tail = edge_runs(texts, keys, learned.by_text.__contains__)
    found = [(i, learned.by_text[keys[i]]) for i in sorted(head + tail)]
    total = sum(len(text) for text in texts) or 1
    if sum(len(texts[i]) for i, _ in found) > max_share * total:
        return []
    return found
