"""Read mirror, portal and aggregator pages: site selectors first, trafilatura for the rest."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .attribution import TOKEN, find_credits
from .blocks import Block, normalise, text_blocks, walk
from .dates import parse_date
from .decode import Decoded
from .draft import Draft
from .page import first_text, node_value, page_url
from .record import Removal
from .rules import Site, load_rules

MIN_CONTENT_CHARS = 80
MIN_TITLE_SHARE = 0.4
MIN_EXTRACTED_SHARE = 0.8
_TITLE_SPLIT = re.compile(r"\s*[_|｜–—]\s*|\s+-\s+")


def find_site(html: str, url: str | None) -> Site | None:
    """The site rules that apply to this page, by URL host or by a marker in the page."""
    host = (urlsplit(url).hostname or "") if url else ""
    sites = load_rules().sites
    for site in sites:
        if host and any(host == h or host.endswith("." + h) for h in site.hosts):
            return site
    for site in sites:
        if any(marker in html for marker in site.markers):
            return site
    return None


def read_mirror(tree: LexborHTMLParser, decoded: Decoded, url: str | None) -> Draft:
    """A draft of a mirror page: fields from site rules and meta tags, blocks from the content."""
    generic = load_rules().generic
    own_url, own_origin = page_url(tree)
    site = find_site(decoded.head, url or own_url)
    pick = (lambda key: site.selectors.get(key, ()) + generic.get(key, ())) if site else generic.get
    draft = Draft(reader=f"mirror:{site.name}" if site else "mirror")
    draft.url = url or own_url or None
    if draft.url:
        draft.origins["url"] = "given" if url else own_origin
    if site:
        draft.site_rules = site.boilerplate
    _offer_selected(draft, tree, "account", pick("account") or ())
    site_authors = (
        site.selectors.get("author", ()) + site.selectors.get("author_links", ()) if site else ()
    )
    _offer_selected(draft, tree, "author", site_authors)
    uploaders = site.selectors.get("uploader", ()) if site else ()
    _offer_selected(draft, tree, "author", uploaders + generic["author"], weak=True)
    _read_meta_credits(draft, tree, pick("meta") or ())
    _offer_selected(draft, tree, "published", pick("date") or ())
    draft.offer("title", *_title(tree, site.selectors.get("title", ()) if site else ()))
    if not draft.fields.get("account") and draft.origins.get("source", "").startswith("meta "):
        draft.offer("account", draft.fields["source"], "meta source (no outlet named)")
    if not draft.fields.get("account") and draft.url:
        draft.offer("account", urlsplit(draft.url).hostname or "", "url:host")
    content = _content(
        tree, (site.selectors.get("content", ()) if site else ()) + generic["content"]
    )
    if content is None:
        draft.blocks = _extracted_blocks(tree, decoded.data, draft.url)
        draft.origins["body"] = "trafilatura"
        return draft
    node, selector = content
    draft.origins["body"] = f"dom:{selector}"
    selectors = (site.selectors.get("drop", ()) if site else ()) + generic["drop"]
    walked = walk(node, [(selector, "chrome", f"html.{selector}") for selector in selectors])
    draft.blocks, draft.images = walked.blocks, walked.images
    return draft


def _offer_selected(
    draft: Draft, tree: LexborHTMLParser, field: str, selectors, weak=False
) -> None:
    generic = load_rules().generic
    not_names = set(generic["not_names"])
    for selector in selectors:
        for node in tree.css(selector)[:3]:
            value = node_value(node)
            if field == "published":
                if any(word in value.lower() for word in generic["date_skip"]):
                    continue
                value = parse_date(value) or ""
            elif len(value) > 60 or value in not_names:
                continue
            if value:
                (draft.fallback if weak else draft.offer)(field, value, f"dom:{selector}")
                return


def _read_meta_credits(draft: Draft, tree: LexborHTMLParser, selectors) -> None:
    for selector in selectors:
        for node in tree.css(selector)[:2]:
            text = f" {TOKEN} ".join(
                t for t in (normalise(n.text_content or "") for n in _text_nodes(node)) if t
            )
            for credit in find_credits(text, anywhere=True):
                if credit.field not in ("other",):
                    draft.offer(credit.field, credit.value, f"meta {credit.rule}")
            draft.offer("published", parse_date(text.replace(TOKEN, " ")), f"dom:{selector}")


def _text_nodes(node: LexborNode):
    for child in node.traverse(include_text=True):
        if child.tag == "-text":
            yield child


def _title(tree: LexborHTMLParser, site_selectors) -> tuple[str, str]:
    """The title: the site's title element, else the heading that the page's <title> (or
    og:title) starts with, else the longest part of that title (site names and keywords cut)."""
    value, selector = first_text(tree, site_selectors)
    if value:
        return value, f"dom:{selector}"
    full, selector = first_text(tree, load_rules().generic["title"])
    headings = [normalise(h.text(separator=" ")) for h in tree.css("h1, h2")[:12]]
    if full:
        key = _key(full)
        matching = [h for h in headings if h and key.startswith(_key(h))]
        best = max(matching, key=len, default="")
        if len(best) >= MIN_TITLE_SHARE * len(full):
            return best, "dom:h1"
        segments = [p for p in _TITLE_SPLIT.split(full) if p] or [full]
        return max(segments, key=len), f"meta:{selector}"
    return (headings[0], "dom:h1") if headings and headings[0] else ("", "")


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def _content(tree: LexborHTMLParser, selectors) -> tuple[LexborNode, str] | None:
    for selector in selectors:
        node = tree.css_first(selector)
        if node is not None and len(normalise(node.text(separator=" "))) >= MIN_CONTENT_CHARS:
            return node, selector
    return None


def _extracted_blocks(tree: LexborHTMLParser, html: bytes | str, url: str | None) -> list[Block]:
    """The page's own blocks, kept where trafilatura found the article and marked removed
    (rule `general-extractor`) where it did not, so that nothing is dropped unrecorded."""
    import trafilatura

    text = trafilatura.extract(
        html,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        fast=True,
        deduplicate=False,
    )
    extracted = text_blocks(text or "")
    if tree.body is None or not extracted:
        return extracted
    found = _key(text or "")
    selectors = load_rules().generic["drop"]
    blocks = walk(tree.body, [(s, "chrome", f"html.{s}") for s in selectors]).blocks
    kept = 0
    for index, block in enumerate(blocks):
        if block.removal:
            continue
        if _key(block.text) in found:
            kept += len(block.text)
        else:
            removal = Removal("chrome", "general-extractor", block.text)
            blocks[index] = Block(block.text, block.tag, removal=removal)
    if kept < MIN_EXTRACTED_SHARE * len(text or ""):
        return extracted
    return blocks
