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
    """A rule file cannot be read or holds an invalid rule."""
