"""reprints cleaners: pure functions from a saved page to a clean, attributed article."""

from .attribution import Credit, find_credits, parse_credits
from .clean import clean
from .decode import MAX_PAGE_BYTES
from .errors import CleanerError, NotAPage, PageTooLarge, RuleError
from .record import FIELDS, STATUSES, Article, Removal
from .rules import cleaner_version

__all__ = [
    "FIELDS",
    "MAX_PAGE_BYTES",
    "STATUSES",
    "Article",
    "CleanerError",
    "Credit",
    "NotAPage",
    "PageTooLarge",
    "Removal",
    "RuleError",
    "clean",
    "cleaner_version",
    "find_credits",
    "parse_credits",
]
