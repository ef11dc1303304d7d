"""reprints cleaners: pure functions from a saved page to a clean, attributed article."""

from .attribution import Credit, find_credits, parse_credits
from .clean import clean
from .decode import MAX_PAGE_BYTES
from .errors import CleanerError, NotAPage, PageTooLarge, RuleError
from .learned import LearnedRule, Place, source_key
from .record import FIELDS, STATUSES, Article, Removal
from .rulebuild import cleaner_version, load_rules
from .rules import Rules

__all__ = [
    "FIELDS",
    "MAX_PAGE_BYTES",
    "STATUSES",
    "Article",
    "CleanerError",
    "Credit",
    "NotAPage",
    "PageTooLarge",
    "LearnedRule",
    "Place",
    "Removal",
    "RuleError",
    "Rules",
    "clean",
    "cleaner_version",
    "find_credits",
    "load_rules",
    "parse_credits",
    "source_key",
]
