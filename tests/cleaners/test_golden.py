"""Golden pages: each ``pages/NAME.html`` (or ``.txt``) beside ``pages/NAME.json``.

The expectation file says what ``clean()`` must make of the page:

- ``url``: passed to ``clean(page, url=...)``;
- ``status``: the expected status; pages that are not ``ok`` must have an empty body;
- ``fields``: only the fields asserted; a value is compared exactly after stripping
  whitespace, and ``null`` means the field must come out empty;
- ``keep``: snippets that must be in the body;
- ``drop``: snippets that must not be in the body. A plain string is boilerplate inside the
  article content, so it must also be found in the text of some ``removed`` entry. An object
  ``{"text": ..., "in_content": false}`` is page furniture outside the article content (as
  in the corpus labels): it only has to stay out of the body.

Snippets are compared after NFKC normalisation, casefolding and removing all whitespace,
as the corpus grader does. Credit lines (作者：, 来源：, Editor: ...) are in neither list: a
cleaner may keep them in the body or move them to ``removed``.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import pytest

PAGES = Path(__file__).parent / "pages"
CASES = sorted(PAGES.glob("*.json"))
STATUSES = {"ok", "deleted", "removed", "unavailable", "expired", "blocked", "not_article", "empty"}
FIELDS = {"title", "account", "author", "source", "editor", "translator", "published", "language"}


def norm(text: str) -> str:
    """NFKC, casefold, and drop all whitespace, so layout never decides a match."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def page_for(expect_path: Path) -> Path:
    for suffix in (".html", ".txt"):
        candidate = expect_path.with_suffix(suffix)
        if candidate.exists():
            return candidate
    raise AssertionError(f"{expect_path.name}: no .html or .txt page beside it")


def load(expect_path: Path) -> tuple[Path, dict]:
    return page_for(expect_path), json.loads(expect_path.read_text(encoding="utf-8"))


def drop_items(expect: dict) -> list[tuple[str, bool]]:
    """(text, in_content) for every drop entry."""
    items = []
    for entry in expect.get("drop", []):
        if isinstance(entry, str):
            items.append((entry, True))
        else:
            items.append((entry["text"], entry.get("in_content", True)))
    return items


def visible_source(page: Path, encoding: str = "utf-8") -> str:
    """The page's text with tags removed and JS escapes decoded (for self-checks only)."""
    raw = page.read_text(encoding=encoding)
    raw = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), raw)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


ids = [p.stem for p in CASES]


@pytest.mark.parametrize("expect_path", CASES, ids=ids)
def test_expectation_is_well_formed(expect_path: Path) -> None:
    """Checks the golden data itself; runs without the cleaner."""
    page, expect = load(expect_path)
    name = expect_path.stem
    assert expect["status"] in STATUSES, f"{name}: unknown status {expect['status']!r}"
    unknown = set(expect.get("fields", {})) - FIELDS
    assert not unknown, f"{name}: unknown fields {sorted(unknown)}"
    assert expect.get("notes"), f"{name}: say in 'notes' what the page models"
    if expect["status"] != "ok":
        assert not expect.get("keep"), f"{name}: a non-ok page has no body to keep"
    source = norm(visible_source(page, expect.get("encoding", "utf-8")))
    for snippet in expect.get("keep", []):
        assert norm(snippet) in source, f"{name}: keep snippet not in the page: {snippet!r}"
    for snippet, _ in drop_items(expect):
        assert norm(snippet) in source, f"{name}: drop snippet not in the page: {snippet!r}"
    for snippet in expect.get("keep", []):
        for other, _ in drop_items(expect):
            assert norm(other) not in norm(snippet), (
                f"{name}: drop snippet {other!r} is inside keep snippet {snippet!r}"
            )


@pytest.mark.parametrize("expect_path", CASES, ids=ids)
def test_golden_page(expect_path: Path) -> None:
    from cleaners import clean

    page, expect = load(expect_path)
    name = expect_path.stem
    result = clean(page.read_bytes(), url=expect["url"]).to_dict()

    assert result["status"] == expect["status"], (
        f"{name}: status {result['status']!r}, expected {expect['status']!r}"
    )

    body = result.get("body") or ""
    if expect["status"] != "ok":
        assert not body.strip(), f"{name}: status {result['status']!r} but body is not empty"

    for field, expected in expect.get("fields", {}).items():
        actual = result.get(field)
        if expected is None:
            assert not actual, f"{name}: {field} should be empty, got {actual!r}"
        else:
            assert (actual or "").strip() == expected.strip(), (
                f"{name}: {field} is {actual!r}, expected {expected!r}"
            )

    body_n = norm(body)
    removed = result.get("removed") or []
    removed_n = norm("\n".join(entry.get("text", "") for entry in removed))

    missing = [s for s in expect.get("keep", []) if norm(s) not in body_n]
    assert not missing, f"{name}: body lost {missing!r}\n--- body ---\n{body}"

    left = [s for s, _ in drop_items(expect) if norm(s) in body_n]
    assert not left, f"{name}: boilerplate left in body {left!r}\n--- body ---\n{body}"

    unaudited = [s for s, inside in drop_items(expect) if inside and norm(s) not in removed_n]
    assert not unaudited, (
        f"{name}: dropped without a removed[] entry {unaudited!r}\n"
        f"--- removed ---\n{json.dumps(removed, ensure_ascii=False, indent=1)}"
    )
