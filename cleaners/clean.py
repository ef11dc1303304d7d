"""`clean()`: from page bytes or text to one Article."""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager

from selectolax.lexbor import LexborHTMLParser

from .blocks import Block, walk
from .dates import localise
from .decode import MAX_PAGE_BYTES, Decoded, decode
from .draft import Draft
from .language import detect_language
from .learned import removable, source_key
from .mirror import read_mirror
from .record import Article, Removal
from .render import body_markdown
from .rulebuild import default_rules
from .rules import Rules
from .status import page_status, url_status
from .sweep import sweep
from .textdump import is_html_document, read_textdump
from .wechat import is_wechat, read_wechat

_CONTENT = re.compile(r"\S")


def clean(
    page: bytes | str,
    url: str | None = None,
    *,
    max_bytes: int = MAX_PAGE_BYTES,
    content_type: str | None = None,
    fetched_at: dt.datetime | None = None,
    rules: Rules | None = None,
) -> Article:
    """Clean one page (HTML in any encoding, or a text dump) into an Article.

    `content_type` is the HTTP Content-Type header the page came with (its charset is
    believed after a BOM and valid UTF-8); `fetched_at`, an aware datetime, is the time
    that relative dates ("3天前") are counted from: without it they give no date. `rules`
    (from `load_rules()`, perhaps `.with_learned(...)`) default to the shipped ones.

    Raises `PageTooLarge` over `max_bytes` and `NotAPage` for binary data; a page that is not
    an article (deleted, blocked, a profile) is an Article with that status and no body.
    """
    if fetched_at is not None and fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be an aware datetime")
    with collector_paused():
        return _clean(page, url, max_bytes, content_type, fetched_at, rules or default_rules())


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off Python's cycle collector for one page, then let it run again if it was on.

    Cleaning a page makes tens of thousands of small objects and no reference cycles (their
    memory is freed as they go), but each of them counts towards the collector's next pass,
    and a pass during a call walks every object of the process (in a crawl, its HTTP client,
    database and rules too): beside trafilatura's, a fifth of the time of a small page.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _clean(
    page: bytes | str,
    url: str | None,
    max_bytes: int,
    content_type: str | None,
    fetched_at: dt.datetime | None,
    rules: Rules,
) -> Article:
    decoded = decode(page, max_bytes, content_type=content_type)
    if not _CONTENT.search(decoded.head):
        return Article(status="empty", url=url, reader="none")
    by_url = url_status(url, rules)
    if by_url:
        return Article(status=by_url[0], url=url, origins={"status": f"rule:{by_url[1]}"})
    if is_html_document(decoded.head[:65536]):
        draft = _read_html(decoded, url, fetched_at, rules)
    else:
        text = decoded.text()
        draft = read_textdump(text, url, rules)
        if sum(len(b.text) for b in draft.blocks) <= rules.short_page_chars:
            _apply_status(draft, page_status(None, [b.text for b in draft.blocks], rules))
    if decoded.origin not in ("text", "utf-8"):
        draft.origins["encoding"] = f"{decoded.encoding} ({decoded.origin})"
    if draft.status != "ok":
        return _article(draft, "", "", None)
    fields = draft.fields
    body_blocks = sweep(draft, fields.get("account"), fields.get("title"))
    draft.settle(frozenset(rules.generic["not_names"]))
    body_blocks = _apply_learned(draft, body_blocks)
    body = "\n\n".join(block.text for block in body_blocks)
    if not body:
        draft.status = "empty"
    language = detect_language(body or fields.get("title", ""), rules)
    if fields.get("published"):
        fields["published"] = localise(fields["published"], language)
    return _article(draft, body, body_markdown(body_blocks) if body else "", language)


def _read_html(
    decoded: Decoded, url: str | None, fetched_at: dt.datetime | None, rules: Rules
) -> Draft:
    tree = LexborHTMLParser(decoded.data)
    if is_wechat(decoded.head, rules):
        draft = read_wechat(tree, decoded.data, url, rules)
    else:
        draft = read_mirror(tree, decoded, url, rules, base=fetched_at)
    chars = sum(len(b.text) for b in draft.blocks if b.removal is None)
    if chars <= rules.short_page_chars:
        _apply_status(draft, page_status(tree, _status_lines(tree, draft, chars), rules))
    return draft


def _apply_learned(draft: Draft, blocks: list[Block]) -> list[Block]:
    """The body less the blocks its source's learned rules remove (each recorded)."""
    fields = draft.fields
    source = source_key(fields.get("account_id"), fields.get("account"), draft.url)
    learned = draft.rules.learned.get(source) if source else None
    if not learned:
        return blocks
    found = dict(removable([b.text for b in blocks], learned, draft.rules.learning.max_body_share))
    for index, rule in found.items():
        draft.removed.append(Removal(rule.kind, rule.name, blocks[index].text))
    return [block for index, block in enumerate(blocks) if index not in found]


def _status_lines(tree: LexborHTMLParser, draft: Draft, chars: int) -> list[str]:
    """The lines a short page's status is read from: a WeChat post's own text when it has
    some (WeChat's notices stand where the post would, in elements the status rules select),
    else every line of the page."""
    if draft.reader == "wechat" and chars:
        return [b.text for b in draft.blocks]
    return [b.text for b in walk(tree.body).blocks] if tree.body is not None else []


def _apply_status(draft: Draft, found: tuple[str, str] | None) -> None:
    if found:
        draft.status, rule = found
        draft.origins["status"] = f"rule:{rule}"
        draft.blocks = []


def _images(draft: Draft) -> tuple[str, ...]:
    """The page's images, less those that stood in a removed block (a QR code before its
    prompt, the thumbnails of a related list)."""
    removed = {src for block in draft.blocks if block.removal for src in block.images}
    return tuple(src for src in dict.fromkeys(draft.images) if src not in removed)


def _article(draft: Draft, body: str, markdown: str, language: str | None) -> Article:
    fields = draft.fields if draft.status == "ok" else {}
    return Article(
        status=draft.status,
        url=draft.url,
        title=fields.get("title"),
        account=fields.get("account"),
        account_id=fields.get("account_id"),
        author=fields.get("author"),
        source=fields.get("source"),
        source_account_id=fields.get("source_account_id"),
        editor=fields.get("editor"),
        translator=fields.get("translator"),
        published=fields.get("published"),
        original_url=fields.get("original_url"),
        is_original=draft.is_original if draft.status == "ok" else None,
        language=language,
        body=body,
        body_markdown=markdown,
        images=_images(draft) if draft.status == "ok" else (),
        removed=tuple(draft.removed) if draft.status == "ok" else (),
        origins=dict(draft.origins)
        if draft.status == "ok"
        else {k: v for k, v in draft.origins.items() if k in ("status", "url")},
        reader=draft.reader,
    )
