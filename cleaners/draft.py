"""The working state a reader hands to the sweep: fields with origins, blocks, removals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .blocks import Block
from .dates import RELATIVE, parse_date_with_kind
from .record import Removal
from .rules import BlockSet, Rules

NAME_FIELDS = ("account", "author", "source", "editor", "translator")

NO_BLOCK_RULES = BlockSet()


@dataclass
class Draft:
    """A page as read, before the boilerplate and attribution rules run over its blocks."""

    reader: str
    rules: Rules
    status: str = "ok"
    url: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    is_original: bool | None = None
    site_rules: BlockSet = NO_BLOCK_RULES
    base: dt.datetime | None = None

    fallbacks: dict[str, tuple[str, str]] = field(default_factory=dict)

    def offer(self, name: str, value: str | None, origin: str) -> None:
        """Set a field unless it already has a value (readers offer the best source first).

        A date without a time gives way to a full timestamp of the same day.
        """
        value = (value or "").strip()
        if not value:
            return
        current = self.fields.get(name)
        if not current or (
            name == "published" and len(current) == 10 and value.startswith(current)
        ):
            self.fields[name] = value
            self.origins[name] = origin

    def offer_date(self, text: str | None, origin: str, language: str | None = None) -> None:
        """Offer `published` from a written date; a relative one ("3天前") only against the
        fetch time, and its origin then says so."""
        if self.fields.get("published") and len(self.fields["published"]) > 10:
            return
        value, kind = parse_date_with_kind(text, language, base=self.base)
        if value and kind == RELATIVE:
            origin = f"{origin} (relative to the fetch time)"
        self.offer("published", value, origin)

    def fallback(self, name: str, value: str | None, origin: str) -> None:
        """Offer a weak value, used only if nothing better turns up by the end."""
        value = (value or "").strip()
        if value and name not in self.fallbacks:
            self.fallbacks[name] = (value, origin)

    def settle(self, not_names: frozenset[str] = frozenset()) -> None:
        """Fill the fields still empty from the fallbacks. A name field that holds a
        placeholder (`not_names`: 未知, 本站原创, a number) is empty, and an author that only
        repeats the outlet's name (a portal's meta author) is no author."""
        for name, (value, origin) in self.fallbacks.items():
            self.offer(name, value, origin)
        for name in NAME_FIELDS:
            value = self.fields.get(name, "")
            if value and (value in not_names or value.isdigit()):
                del self.fields[name]
                self.origins.pop(name, None)
        author = _key(self.fields.get("author"))
        outlets = {_key(self.fields.get(name)) for name in ("account", "source")}
        if author and author in outlets and self.origins.get("author", "").startswith("dom:meta"):
            del self.fields["author"]
            del self.origins["author"]


def _key(value: str | None) -> str:
    return "".join((value or "").split()).casefold()
