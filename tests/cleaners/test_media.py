"""Which Content-Types may be pages (cleaners.media.is_text)."""

from __future__ import annotations

import pytest

from cleaners.media import is_text


@pytest.mark.parametrize(
    "content_type",
    [None, "", "text/html", "text/html; charset=gbk", "TEXT/PLAIN", "application/xhtml+xml",
     "application/json", "application/atom+xml", "text/markdown"],
)  # fmt: skip
def test_pages(content_type: str | None) -> None:
    assert is_text(content_type)


@pytest.mark.parametrize(
    "content_type",
    ["text/css", "text/css; charset=utf-8", "text/javascript", "application/javascript",
     "image/jpeg", "application/pdf", "text/csv", "text/vtt", "font/woff2"],
)  # fmt: skip
def test_not_pages(content_type: str) -> None:
    assert not is_text(content_type)
