"""Exceptions raised by the scraper.

ScraperError
├── FetchError         a URL could not be fetched (after retries)
│   ├── RobotsDisallowed   robots.txt forbids the URL
│   ├── RobotsUnavailable  robots.txt could not be read (no answer or 5xx): nothing may be fetched
│   ├── AddressRefused     a discovered link or redirect leads to a private or local address
│   └── ResponseTooLarge   the response is over the size limit
├── SourcesError       the sources file is missing or malformed
└── CrawlLocked        another crawl holds the database
"""


class ScraperError(Exception):
    """Base class for every error the scraper raises."""


class FetchError(ScraperError):
    """A URL could not be fetched, after retries."""


class RobotsDisallowed(FetchError):
    """robots.txt does not allow this URL for our user agent."""


class RobotsUnavailable(FetchError):
    """robots.txt did not answer, or answered 5xx: RFC 9309 says to fetch nothing there."""

    def __init__(self, message: str, host: str) -> None:
        super().__init__(message)
        self.host = host


class AddressRefused(FetchError):
    """A URL the user did not name resolves to a loopback, private, link-local or multicast
    address (see `FetchSettings.allow_private`)."""


class ResponseTooLarge(FetchError):
    """The response body is larger than the size limit."""


class SourcesError(ScraperError):
    """The sources file cannot be read or holds an invalid source."""


class CrawlLocked(ScraperError):
    """Another crawl is running on the same database."""
