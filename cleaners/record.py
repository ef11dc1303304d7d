"""The article record that every reader produces and every consumer relies on."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

STATUSES = (
    "ok",
    "deleted",
    "removed",
    "unavailable",
    "expired",
    "blocked",
    "not_article",
    "empty",
)

FIELDS = (
    "title",
    "account",
    "account_id",
    "author",
    "source",
    "source_account_id",
    "editor",
    "translator",
    "published",
    "original_url",
)


@dataclass(frozen=True)
class Removal:
    """One block the cleaner took out of the article, and the rule that took it."""

    kind: str
    rule: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "rule": self.rule, "text": self.text}


@dataclass(frozen=True)
class Article:
    """A cleaned page: the article's fields, its body, and what was removed from it."""

    status: str = "ok"
    url: str | None = None
    title: str | None = None
    account: str | None = None
    account_id: str | None = None
    author: str | None = None
    source: str | None = None
    source_account_id: str | None = None
    editor: str | None = None
    translator: str | None = None
    published: str | None = None
    original_url: str | None = None
    is_original: bool | None = None
    language: str | None = None
    body: str = ""
    body_markdown: str = ""
    images: tuple[str, ...] = ()
    removed: tuple[Removal, ...] = ()
    origins: dict[str, str] = field(default_factory=dict)
    reader: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by `reprints clean --format json`."""
        data = dataclasses.asdict(self)
        data["images"] = list(self.images)
        data["removed"] = [r.to_dict() for r in self.removed]
        return data
