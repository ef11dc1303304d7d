"""Run the attribution and boilerplate rules over a draft's blocks."""

from __future__ import annotations

import re
import unicodedata

from .attribution import Credit, find_credits
from .blocks import Block
from .draft import Draft
from .record import Removal
from .rules import BlockRule, SectionRule, load_rules

MAX_HEADING_CHARS = 40
MAX_ITEM_CHARS = 160
TAIL_SHARE = 0.45
SELF_INTRO = re.compile(
    r"成立于|成立於|创立于|創立於|设立于|致力于|致力於|专注于|專注於|旨在|是一(个|家|支|群)|"
    r"設立された|設立し|に献身|を目指して|is an? [\w\s-]{0,40}(community|organi[sz]ation|"
    r"association|platform|media|account)|founded in|dedicated to"
)
_CLOSING_NOTE = re.compile(r"[（(][^（）()]{2,60}[）)]$")
_PARENTHESISED = re.compile(r"^[（(【\[].*[）)】\]]$")
CREDIT_FIELDS = ("author", "source", "source_account_id", "editor", "translator", "original_url")


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def sweep(draft: Draft, account: str | None, title: str | None) -> list[Block]:
    """Remove boilerplate blocks into `draft.removed`, read credits into fields; return the body."""
    rules = load_rules()
    block_rules: tuple[BlockRule, ...] = tuple(draft.site_rules) + rules.blocks
    blocks = draft.blocks
    sizes = [len(b.text) for b in blocks]
    total = sum(sizes) or 1
    after = [0] * (len(blocks) + 1)
    for i in range(len(blocks) - 1, -1, -1):
        after[i] = after[i + 1] + sizes[i]
    title_key = _key(title) if title else None
    account_key = _key(account) if account and len(account) >= 2 else None
    kept: list[Block] = []
    credits: list[Credit] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        text = block.text
        in_tail = after[i] <= total * TAIL_SHARE
        if title_key and abs(len(text) - len(title)) <= 8 and _key(text) == title_key:
            draft.removed.append(Removal("chrome", "repeated-title", text))
            i += 1
            continue
        section = heading_rule(text)
        if section and (section.kind != "blurb" or in_tail):
            draft.removed.append(Removal(section.kind, section.name, text))
            i = _consume_section(draft, blocks, i + 1, section, in_tail, after, total)
            continue
        rule = _block_rule(text, block_rules)
        if rule:
            draft.removed.append(Removal(rule.kind, rule.name, text))
            i += 1
            continue
        found = find_credits(text)
        if found:
            credits.extend(found)
            if _PARENTHESISED.match(text):
                kept.append(block)
            else:
                draft.removed.append(Removal("attribution", found[0].rule, text))
            i += 1
            continue
        if in_tail and account_key and _is_self_intro(text, account_key):
            draft.removed.append(Removal("blurb", "account-self-introduction", text))
            i += 1
            continue
        if in_tail and _is_same_account_links(block):
            draft.removed.append(Removal("promo", "wechat.same-account-links", text))
            i += 1
            continue
        kept.append(block)
        i += 1
    for block in kept[-2:]:
        closing = _CLOSING_NOTE.search(block.text)
        if closing:
            credits.extend(find_credits(closing.group(0)))
    for credit in credits:
        if credit.field in CREDIT_FIELDS:
            draft.offer(credit.field, credit.value, credit.rule)
    return kept


def heading_rule(text: str) -> SectionRule | None:
    """The section rule whose heading `text` is, if any."""
    if len(text) > MAX_HEADING_CHARS:
        return None
    for rule in load_rules().sections:
        if rule.heading.search(text):
            return rule
    return None


def _block_rule(text: str, block_rules: tuple[BlockRule, ...]) -> BlockRule | None:
    for rule in block_rules:
        if len(text) <= rule.max_chars and rule.pattern.search(text):
            return rule
    return None


def _consume_section(draft, blocks, start, section, in_tail, after, total) -> int:
    """Remove the blocks that belong to a section; return the index after it."""
    i = start
    taken = 0
    while i < len(blocks):
        block = blocks[i]
        text = block.text
        if heading_rule(text):
            return i
        if find_credits(text):
            return i
        if section.kind == "blurb":
            if taken >= 8:
                return i
        elif not _is_item(block, in_tail):
            return i
        draft.removed.append(Removal(section.kind, section.name, text))
        taken += 1
        i += 1
    return i


def _is_item(block: Block, in_tail: bool) -> bool:
    if block.link_share >= 0.5:
        return True
    if not block.text.strip("-–—|·•* "):
        return True
    return in_tail and len(block.text) <= MAX_ITEM_CHARS


def _is_self_intro(text: str, account_key: str) -> bool:
    return account_key in _key(text) and bool(SELF_INTRO.search(text))


def _is_same_account_links(block: Block) -> bool:
    return block.link_share >= 0.8 and any(
        "mp.weixin.qq.com" in href and "scene=21" in href for href in block.links
    )
