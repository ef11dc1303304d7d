"""The working state a reader hands to the sweep: fields with origins, blocks, removals."""

from __future__ import annotations

from dataclasses import dataclass, field

from .blocks import Block
from .record import Removal


@dataclass
class Draft:
    """A page as read, before the boilerplate and attribution rules run over its blocks."""

    reader: str
    status: str = "ok"
    url: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    is_original: bool | None = None
    site_rules: tuple = ()

    def offer(self, name: str, value: str | None, origin: str) -> None:
        """Set a field unless it already has a value (readers offer the best source first)."""
        value = (value or "").strip()
        if value and not self.fields.get(name):
            self.fields[name] = value
            self.origins[name] = origin
