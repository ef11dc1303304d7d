"""Read mirror, portal and aggregator pages: the site's rules where the host has them, and
content scoring (cleaners/content.py) everywhere."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .attribution import TOKEN, find_credits
from .blocks import Block, Walk, normalise, walk
from .content import Located, locate
from .decode import Decoded
from .draft import Draft
from .page import first_text, node_value, page_url
from .record import Removal
from .rules import Rules, Site

MIN_CONTENT_CHARS = 80
MIN_TITLE_SHARE = 0.4
HEADER_BLOCKS = 12
FOOTER_BLOCKS = 6
CONTAINER_HEAD_BLOCKS = 3
MAX_ZONE_BLOCK_CHARS = 200
MAX_SITE_NAME_CHARS = 20
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)+$")


def find_site(html: str, url: str | None, rules: Rules) -> Site | None:
    """The site rules that apply to this page: by the URL's host, else by a marker that only
    one site's pages carry."""
    host = (urlsplit(url).hostname or "") if url else ""
    sites = rules.sites
    for site in sites:
        if host and any(host == h or host.endswith("." + h) for h in site.hosts):
            return site
    if host and any(site.hosts for site in sites if site.markers and _marked(site, html)):
        return None
    marked = [site for site in sites if site.markers and _marked(site, html)]
    return marked[0] if len(marked) == 1 else None


def _marked(site: Site, html: str) -> bool:
    return any(marker in html for marker in site.markers)


def read_mirror(
    tree: LexborHTMLParser,
    decoded: Decoded,
    url: str | None,
    rules: Rules,
    base: dt.datetime | None = None,
) -> Draft:
    """A draft of a mirror page: fields from site rules and meta tags, blocks from the content.

    `base` is the fetch time, against which relative dates are resolved."""
    own_url, own_origin = page_url(tree)
    site = find_site(decoded.head, url or own_url, rules)
    draft = Draft(reader=f"mirror:{site.name}" if site else "mirror", rules=rules, base=base)
    draft.url = url or own_url or None
    if draft.url:
        draft.origins["url"] = "given" if url else own_origin
    if site:
        draft.site_rules = site.boilerplate
    _read_fields(draft, tree, site)
    drops = _selectors(rules, site, "drop")
    walked = walk(tree.body, [(s, "chrome", f"html.{s}") for s in drops])
    located = _locate(tree, walked, site, rules)
    if located is None:
        return draft
    draft.origins["body"] = located.rule
    _read_zones(draft, walked.blocks, located)
    draft.blocks = walked.blocks
    draft.images = walked.images
    return draft


def _selectors(rules: Rules, site: Site | None, key: str) -> tuple[str, ...]:
    generic = rules.generic.get(key, ())
    return (site.selectors.get(key, ()) if site else ()) + generic


def _read_fields(draft: Draft, tree: LexborHTMLParser, site: Site | None) -> None:
    rules = draft.rules
    generic = rules.generic
    _offer_selected(draft, tree, "account", _selectors(rules, site, "account"))
    site_authors = (
        site.selectors.get("author", ()) + site.selectors.get("author_links", ()) if site else ()
    )
    _offer_selected(draft, tree, "author", site_authors)
    uploaders = site.selectors.get("uploader", ()) if site else ()
    _offer_selected(draft, tree, "author", uploaders + generic["author"], weak=True)
    _read_meta_credits(draft, tree, _selectors(rules, site, "meta"))
    _offer_selected(draft, tree, "published", _selectors(rules, site, "date"))
    draft.offer("title", *_title(tree, site.selectors.get("title", ()) if site else (), rules))
    if not draft.fields.get("account") and draft.origins.get("source", "").startswith("meta "):
        draft.offer("account", draft.fields["source"], "meta source (no outlet named)")
    draft.fallback("account", *_title_suffix(tree, draft.fields.get("title"), rules))
    if draft.url:
        draft.fallback("account", urlsplit(draft.url).hostname or "", "url:host")


def _locate(
    tree: LexborHTMLParser, walked: Walk, site: Site | None, rules: Rules
) -> Located | None:
    """The article's container: the site's content selector, else a generic selector whose
    element scores close to the best, else the best-scoring element."""
    ids = {element.node_id: index for index, element in enumerate(walked.elements)}
    site_elements = _matched(tree, site.selectors.get("content", ()) if site else (), ids)
    content = rules.content
    if site_elements:
        return locate(walked, content, site_elements, trust_preferred=True)
    generic_elements = _matched(tree, rules.generic["content"], ids)
    return locate(walked, content, generic_elements)


def _matched(tree: LexborHTMLParser, selectors, ids: dict[int, int]) -> list[int]:
    found = []
    for selector in selectors:
        node = tree.css_first(selector)
        if (
            node is not None
            and node.mem_id in ids
            and len(normalise(node.text(separator=" "))) >= MIN_CONTENT_CHARS
        ):
            found.append(ids[node.mem_id])
    return found


def _read_zones(draft: Draft, blocks: list[Block], located: Located) -> None:
    """Mark what lies outside the article as removed, after reading credits and the date from
    the blocks just before it (title, byline, date line), its first blocks, and the blocks
    just after it (editor and source lines)."""
    before = range(max(0, located.start - HEADER_BLOCKS), located.start)
    first = range(located.start, min(located.end, located.start + CONTAINER_HEAD_BLOCKS))
    after = range(located.end, min(len(blocks), located.end + FOOTER_BLOCKS))
    title = _title_block(blocks, draft.fields.get("title"), located)
    rules = draft.rules
    skip = rules.generic["date_skip"]
    # Nearest the title first: a byline sits next to it, sidebars and archives further away.
    for index in sorted((*before, *first, *after), key=lambda i: (abs(i - title), i < title)):
        block = blocks[index]
        if len(block.text) > MAX_ZONE_BLOCK_CHARS:
            continue
        credits = find_credits(f" {TOKEN} ".join(block.parts), anywhere=True, rules=rules)
        for part in block.segments:
            credits.extend(find_credits(part, rules=rules))
        # Credits next to the title outrank the page's meta tags; those below the article
        # (a portal's own 责任编辑) give way to the article's own credits.
        offer = draft.fallback if index >= located.end else draft.offer
        for credit in credits:
            if credit.field != "other":
                offer(credit.field, credit.value, f"page {credit.rule}")
        for part in (block.text, *block.segments):
            if index <= located.start + CONTAINER_HEAD_BLOCKS:
                _read_byline(draft, part)
            if not any(word in part.lower() for word in skip):
                draft.offer_date(part, "page:date line")
    for index, block in enumerate(blocks):
        if (index < located.start or index >= located.end) and block.removal is None:
            block.removal = Removal("chrome", "content.outside-article", block.text)


def _title_block(blocks: list[Block], title: str | None, located: Located) -> int:
    """The index of the block that shows the title, else of the article's first block."""
    key = _key(title) if title else ""
    start = max(0, located.start - HEADER_BLOCKS)
    for index in range(start, min(len(blocks), located.start + CONTAINER_HEAD_BLOCKS)):
        if key and _key(blocks[index].text) == key:
            return index
    for index in range(start, min(len(blocks), located.start + CONTAINER_HEAD_BLOCKS)):
        if blocks[index].tag == "h1":
            return index
    return located.start


def _read_byline(draft: Draft, text: str) -> None:
    """An unlabelled byline: "<date> <outlet>" names the source, "<name> <date>" the account
    that posted the page."""
    content = draft.rules.content
    match = content.date_then_source.match(text)
    if match:
        draft.offer("source", match["name"], "page:date then source")
        return
    match = content.name_then_date.match(text)
    if match:
        draft.offer("account", match["name"], "page:name then date")


def _offer_selected(
    draft: Draft, tree: LexborHTMLParser, field: str, selectors, weak=False
) -> None:
    generic = draft.rules.generic
    not_names = set(generic["not_names"])
    for selector in selectors:
        for node in tree.css(selector)[:3]:
            value = node_value(node)
            if field == "published":
                if any(word in value.lower() for word in generic["date_skip"]):
                    continue
                draft.offer_date(value, f"dom:{selector}")
                if draft.fields.get("published"):
                    return
                continue
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
            for credit in find_credits(text, anywhere=True, rules=draft.rules):
                if credit.field not in ("other",):
                    draft.offer(credit.field, credit.value, f"meta {credit.rule}")
            draft.offer_date(text.replace(TOKEN, " "), f"dom:{selector}")


def _text_nodes(node: LexborNode):
    for child in node.traverse(include_text=True):
        if child.tag == "-text":
            yield child


def _title(tree: LexborHTMLParser, site_selectors, rules: Rules) -> tuple[str, str]:
    """The title: the site's title element, else the heading that the page's <title> (or
    og:title) starts with, else the longest part of that title (site names and keywords cut)."""
    value, selector = first_text(tree, site_selectors)
    if value:
        return value, f"dom:{selector}"
    full, selector = first_text(tree, rules.generic["title"])
    headings = [normalise(h.text(separator=" ")) for h in tree.css("h1, h2")[:12]]
    if full:
        key = _key(full)
        matching = [h for h in headings if h and key.startswith(_key(h))]
        best = max(matching, key=len, default="")
        if len(best) >= MIN_TITLE_SHARE * len(full):
            return best, "dom:h1"
        segments = _title_parts(full, rules) or [full]
        return max(segments, key=len), f"meta:{selector}"
    return (headings[0], "dom:h1") if headings and headings[0] else ("", "")


def _title_suffix(tree: LexborHTMLParser, title: str | None, rules: Rules) -> tuple[str, str]:
    """The site's name as the page's <title> ends with it: "Headline_Site" or "Headline - Site"."""
    node = tree.css_first("title")
    segments = _title_parts(normalise(node.text()) if node is not None else "", rules)
    while len(segments) >= 2 and _DOMAIN.match(segments[-1]):
        segments.pop()
    if len(segments) < 2:
        return "", ""
    last = segments[-1]
    if len(last) > MAX_SITE_NAME_CHARS or (title and _key(last) in _key(title)):
        return "", ""
    return last, "meta:title suffix"


def _title_parts(full: str, rules: Rules) -> list[str]:
    return [p for p in rules.content.title_separators.split(full) if p]


def _key(text: str) -> str:
    return "".join(text.split()).casefold()
