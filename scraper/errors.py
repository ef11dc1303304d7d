"""Exceptions raised by the scraper.

ScraperError
├── FetchError         a URL could not be fetched (after retries)
│   ├── RobotsDisallowed   robots.txt forbids the URL
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


class ResponseTooLarge(FetchError):
    """The response body is larger than the size limit."""


class SourcesError(ScraperError):
    """The sources file cannot be read or holds an invalid source."""


class CrawlLocked(ScraperError):
    """Another crawl is running on the same database."""
