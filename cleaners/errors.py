"""Exceptions raised by the cleaner.

CleanerError
├── NotAPage       the input is binary data, not HTML or text
├── PageTooLarge   the input is over the size limit
└── RuleError      a rule file is malformed
"""


class CleanerError(Exception):
    """Base class for every error the cleaner raises."""


class NotAPage(CleanerError):
    """The input is binary data, not an HTML page or a text dump."""


class PageTooLarge(CleanerError):
    """The input is larger than the size limit."""


class RuleError(CleanerError):
    """A rule file cannot be read or holds an invalid rule: which file, rule and key, and why."""

    def __init__(
        self, origin: str, reason: str, rule: str | None = None, key: str | None = None
    ) -> None:
        self.origin = origin
        self.rule = rule
        self.key = key
        self.reason = reason
        where = origin + (f": rule {rule!r}" if rule else "") + (f": key {key!r}" if key else "")
        super().__init__(f"{where}: {reason}")
