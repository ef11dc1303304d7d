"""Recognise credit lines (作者：X, 来源｜Y, 著者: Z, Translated by W) in one block of text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .rulebuild import default_rules
from .rules import Rules

MAX_CREDIT_CHARS = 320
MAX_VALUE_CHARS = 60
MAX_LEADING_NAME_CHARS = 40
_LEAD = re.compile(r"^[\s（(【\[「『“\"·•▍■●▌◆◇▶►|｜\-—–]*")
TOKEN = "\u241e"
_BOUNDARY = set(TOKEN + ' \t\n\u3000，,。;；、|｜（(【[「『“"·•▍■●▌:：-—–/／)）】]」』”')
_URL = re.compile(r"https?://\S+")
_TRIM = TOKEN + " \t\n\u3000:：|｜/／丨,，。.;；、()（）【】[]「」『』“”\"'‘’《》<>-—–·•"
_CUT = re.compile(r"[，,。;；（(\u241e]")
_NOT_NAME = re.compile(r"[。！？!?，,；;:：]")
# A file name or path ("编辑 db.php" is an instruction to edit a file, not an editor).
_FILE_NAME = re.compile(r"[\w./\\-]*\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,5}", re.A)
PERSON_FIELDS = ("author", "editor", "translator")


@dataclass(frozen=True)
class Credit:
    """One credited field: the value and the rule or label that gave it."""

    field: str
    value: str
    rule: str


def find_credits(text: str, anywhere: bool = False, *, rules: Rules | None = None) -> list[Credit]:
    """All credits in one line of text; empty when the line is not a credit line.

    With `anywhere`, labels count wherever they stand (metadata areas around an article,
    whose text nodes are joined by `TOKEN`); otherwise the line must open with a credit.
    `rules` default to the shipped ones.
    """
    return list(_find_credits(text, anywhere, rules or default_rules()))


@lru_cache(maxsize=4096)
def _find_credits(text: str, anywhere: bool, rules: Rules) -> tuple[Credit, ...]:
    return tuple(_scan_credits(text, anywhere, rules))


def _scan_credits(text: str, anywhere: bool, rules: Rules) -> list[Credit]:
    text = text.strip()
    if not text or (len(text) > MAX_CREDIT_CHARS and not anywhere):
        return []
    refusals = len(rules.not_credit)
    candidates = rules.credit_index.candidates(text)
    if any(rules.not_credit[i].search(text) for i in candidates if i < refusals):
        return []
    credits: list[Credit] = []
    for rule in (rules.credit_sentences[i - refusals] for i in candidates if i >= refusals):
        match = rule.pattern.search(text)
        if match:
            for name, value in match.groupdict().items():
                cleaned = _clean_value(value or "", parenthesised=False)
                if cleaned:
                    credits.append(Credit(name, cleaned, rule.name))
    if credits:
        return credits + _label_credits(text, True, rules)
    return _label_credits(text, anywhere, rules) or _after_leading_name(text, anywhere, rules)


def _after_leading_name(text: str, anywhere: bool, rules: Rules) -> list[Credit]:
    """A reprint header after a short name ("<republisher> 以下の記事は…"): the header's
    credits, and the name as the account that republished the article."""
    opening = rules.credit_opening.search(text, 1)
    if not opening:
        return []
    lead = text[: opening.start()].strip()
    name = lead.strip(_TRIM)
    if not name or len(lead) > MAX_LEADING_NAME_CHARS or _NOT_NAME.search(lead):
        return []
    credits = list(_find_credits(text[opening.start() :], anywhere, rules))
    if not credits:
        return []
    return [Credit("account", name, "credit:name before reprint header"), *credits]


def parse_credits(text: str, *, rules: Rules | None = None) -> dict[str, str]:
    """The credit fields of one line, first value per field (other roles left out)."""
    fields: dict[str, str] = {}
    for credit in find_credits(text, rules=rules):
        if credit.field != "other":
            fields.setdefault(credit.field, credit.value)
    return fields


def _label_credits(text: str, anywhere: bool, rules: Rules) -> list[Credit]:
    lead = _LEAD.match(text).end()
    if not anywhere and not rules.credit_label_any.match(text, lead):
        return []
    starts: list[tuple[int, int, str, str]] = []
    for match in rules.credit_label_any.finditer(text):
        start = match.start()
        if start > 0 and text[start - 1] not in _BOUNDARY:
            continue
        label = next(c for c in rules.credit_labels if c.pattern.match(text, start))
        starts.append((start, match.end(), label.field, label.label))
    if not starts:
        return []
    if not anywhere and starts[0][0] != lead:
        return []
    parenthesised = text[:lead].rstrip().endswith(("（", "(")) or (
        anywhere and text.rstrip().endswith(("）", ")"))
    )
    credits: list[Credit] = []
    for index, (_, end, field, label) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        raw = text[end:stop]
        if field in ("original", "translator", "source", "author"):
            url = _URL.search(raw)
            if url:
                credits.append(
                    Credit("original_url", url.group(0).rstrip(_TRIM), f"credit:{label}")
                )
                raw = raw[: url.start()] + raw[url.end() :]
        account_id = rules.account_id.search(raw)
        if account_id and field == "source":
            credits.append(Credit("source_account_id", account_id.group(1), f"credit:{label}"))
            raw = raw[: account_id.start()] + raw[account_id.end() :]
        value = _clean_value(raw, parenthesised)
        if not value:
            continue
        if len(value) > MAX_VALUE_CHARS:
            if index == 0 and not anywhere:
                return []
            continue
        if field == "original":
            if not _looks_like_name(value):
                continue
            field = "author"
        if field in PERSON_FIELDS and _FILE_NAME.fullmatch(value):
            continue
        credits.append(Credit(field, value, f"credit:{label}"))
    return credits


def _clean_value(raw: str, parenthesised: bool) -> str:
    value = raw.strip(_TRIM)
    if not parenthesised:
        cut = _CUT.search(value)
        if cut:
            value = value[: cut.start()]
    else:
        value = value.split("）")[0].split(")")[0]
    return value.strip(_TRIM)


def _looks_like_name(value: str) -> bool:
    return len(value) <= 30 and not any(ch in value for ch in "()（）:：/")
