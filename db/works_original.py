"""Which copy of a work is the original, and what every other copy is."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

EXCERPT_SHARE = 0.8


class Role(StrEnum):
    """What one copy is to its work."""

    ORIGINAL = "original"
    REPRINT = "reprint"
    MIRROR = "mirror"
    EXCERPT = "excerpt"
    DUMP = "dump"
    TRANSLATION = "translation"


class OriginalRule(StrEnum):
    """Which evidence chose a work's original."""

    SINGLE = "single"
    CREDIT = "credit"
    ORIGINAL_MARK = "original_mark"
    EARLIEST_PUBLISHED = "earliest_published"
    FIRST_SEEN = "first_seen"


def choose_original(members: list[dict[str, Any]]) -> tuple[int, OriginalRule]:
    """The original of a work's copies, in this order: the account that a credit or reprint
    card of a copy names, when its copy is stored; a copy marked 原创; the earliest published;
    the earliest seen."""
    if len(members) == 1:
        return members[0]["id"], OriginalRule.SINGLE
    named = {m[key] for m in members for key in ("source", "source_account_id") if m[key]}
    credited = [m for m in members if m["account"] in named or m["account_id"] in named]
    if credited:
        return _earliest(credited)["id"], OriginalRule.CREDIT
    marked = [m for m in members if m["is_original"]]
    if marked:
        return _earliest(marked)["id"], OriginalRule.ORIGINAL_MARK
    dated = [m for m in members if m["published"]]
    if dated:
        return _earliest(dated)["id"], OriginalRule.EARLIEST_PUBLISHED
    return min(members, key=lambda m: (m["first_seen"] or "", m["id"]))[
        "id"
    ], OriginalRule.FIRST_SEEN


def _earliest(members: list[dict[str, Any]]) -> dict[str, Any]:
    """The earliest published; of copies published together, a page before a saved dump of
    it, and one marked 原创 before one that is not."""
    return min(
        members,
        key=lambda m: (
            m["published"] or "9999",
            m["reader"] == "text",
            not m["is_original"],
            m["first_seen"] or "",
            m["id"],
        ),
    )


def role_of(member: dict[str, Any], original: dict[str, Any]) -> Role:
    """The copy's role beside the work's original."""
    if member["id"] == original["id"]:
        return Role.ORIGINAL
    if _language(member) and _language(original) and _language(member) != _language(original):
        return Role.TRANSLATION
    if member["reader"] == "text":
        return Role.DUMP
    if member["shingles"] < EXCERPT_SHARE * original["shingles"]:
        return Role.EXCERPT
    if (member["reader"] or "").startswith("mirror"):
        return Role.MIRROR
    return Role.REPRINT


def _language(member: dict[str, Any]) -> str:
    return (member["language"] or "").split("-")[0]
