"""Which responses may be pages, by their Content-Type."""

from __future__ import annotations

# Media types, besides text/*, that are read as pages; a missing Content-Type is read too.
TEXT_TYPES = frozenset({"application/xhtml+xml", "application/xml", "application/json"})
TEXT_SUFFIXES = ("+xml", "+json")
# Text that is never an article: style sheets, scripts, tables, calendars, subtitles (an
# archive of a browser's crawl holds many of them beside each page).
NOT_PAGES = frozenset(
    {
        "text/css",
        "text/javascript",
        "text/ecmascript",
        "text/x-javascript",
        "text/jscript",
        "text/csv",
        "text/tab-separated-values",
        "text/calendar",
        "text/vtt",
    }
)
# The page status of a response that is not a page (a PDF, an image): kept, never cleaned.
NOT_HTML = "not_html"


def is_text(content_type: str | None) -> bool:
    """Whether a response with this Content-Type may be a page (a missing one may)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in NOT_PAGES:
        return False
    return (
        not media
        or media.startswith("text/")
        or media in TEXT_TYPES
        or media.endswith(TEXT_SUFFIXES)
    )
