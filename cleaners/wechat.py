"""Read mp.weixin.qq.com article pages: script variables first, then meta tags, then the DOM."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .attribution import find_credits
from .blocks import normalise, text_blocks, walk
from .dates import from_epoch, parse_date
from .draft import Draft
from .page import first_text, meta, page_url
from .record import Removal
from .rules import load_rules
from .scripts import read_scripts

TEXT_SHOW_TYPES = {"8", "10"}
ARTICLE_PARAMETERS = ("__biz", "mid", "idx", "sn")
TEXT_SCRIPT_CHARS = 2_000_000


def is_wechat(html: str) -> bool:
    """True when the page carries the markers of a WeChat article page."""
    return any(marker in html for marker in load_rules().wechat["detect"]["markers"])


def read_wechat(tree: LexborHTMLParser, url: str | None) -> Draft:
    """A draft of a WeChat page: fields with origins and the content's blocks."""
    config = load_rules().wechat
    selectors = config["selectors"]
    names = [name for group in config["script"].values() for name in group]
    found = read_scripts(tree, names)
    draft = Draft(reader="wechat")

    def script(field: str) -> tuple[str, str]:
        for name in config["script"][field]:
            value = normalise(found.get(name, ""))
            if value:
                return value, _script_origin(name)
        return "", ""

    scope = tree.css_first(selectors["scope"]) or tree.root
    _offer_first(
        draft,
        "title",
        [
            script("title"),
            _dom(scope, selectors["title"]),
            (meta(tree, "og:title"), "meta:og:title"),
            (meta(tree, "twitter:title"), "meta:twitter:title"),
        ],
    )
    _offer_first(draft, "account", [script("account"), _dom(scope, selectors["account"])])
    draft.offer("account_id", *script("account_id"))
    _offer_first(
        draft,
        "author",
        [script("author"), (meta(tree, "author"), "meta:author"), _dom_author(scope, draft)],
    )
    _offer_date(draft, scope, script, selectors)
    link, link_origin = script("link")
    own_url, own_origin = page_url(tree)
    if url:
        draft.url = url
    else:
        draft.url = canonical_url(link or own_url) or None
    if draft.url:
        draft.origins["url"] = "given" if url else (link_origin or own_origin)
    draft.offer("original_url", *script("source_url"))
    stat, _ = script("copyright_stat")
    logo, _ = first_text(scope, selectors["original_mark"])
    draft.is_original = stat == "1" or any(word in logo for word in selectors["original_words"])
    _read_reprint(draft, tree, script, selectors)
    show_type, _ = script("show_type")
    if show_type in TEXT_SHOW_TYPES:
        _read_script_text(draft, tree, config)
    else:
        _read_content(draft, tree, selectors, config)
    return draft


def canonical_url(url: str) -> str:
    """A WeChat article URL in one form: https, no fragment, and for long links only the
    parameters that name the article (__biz, mid, idx, sn)."""
    if not url:
        return url
    parts = urlsplit(url.replace("&amp;", "&"))
    if parts.hostname != "mp.weixin.qq.com":
        return url
    query = parts.query
    if parts.path == "/s" and query:
        pairs = [(k, v) for k, v in parse_qsl(query) if k in ARTICLE_PARAMETERS]
        query = urlencode(pairs, safe="=")
    return urlunsplit(("https", parts.netloc, parts.path, query, ""))


def _script_origin(name: str) -> str:
    return f"wechat:cgiDataNew.{name[4:]}" if name.startswith("cgi:") else f"wechat:var {name}"


def _offer_first(draft: Draft, field: str, candidates: list[tuple[str, str]]) -> None:
    for value, origin in candidates:
        if value:
            draft.offer(field, value, origin)
            return


def _dom(scope: LexborNode, selectors: list[str]) -> tuple[str, str]:
    value, selector = first_text(scope, selectors)
    return value, f"dom:{selector}" if value else ""


def _dom_author(scope: LexborNode, draft: Draft) -> tuple[str, str]:
    """The author slot of the page, unless it holds furniture or the account's own name."""
    config = load_rules().wechat
    not_author = re.compile(config["selectors"]["not_author"])
    for selector in config["selectors"]["author"]:
        for node in scope.css(selector)[:2]:
            value = normalise(node.text(separator=" "))
            if value and not not_author.match(value) and value != draft.fields.get("account"):
                return value, f"dom:{selector}"
    return "", ""


def _offer_date(draft: Draft, scope: LexborNode, script, selectors) -> None:
    stamp, origin = script("timestamp")
    if stamp:
        draft.offer(
            "published", from_epoch(stamp) if stamp.isdigit() else parse_date(stamp), origin
        )
    day, origin = script("day")
    if day:
        draft.offer("published", parse_date(day), origin)
    text, origin = _dom(scope, selectors["date"])
    if text:
        draft.offer("published", parse_date(text), origin)


def _read_reprint(draft: Draft, tree: LexborHTMLParser, script, selectors) -> None:
    card = None
    for selector in selectors["reprint_card"]:
        card = tree.css_first(selector)
        if card:
            break
    if card is not None:
        tips, _ = first_text(card, selectors["reprint_card_tips"])
        for credit in find_credits(tips):
            if credit.field in ("source", "author"):
                draft.offer(credit.field, credit.value, "wechat:reprint card")
        name, _ = first_text(card, selectors["reprint_card_source"])
        draft.offer("source", name, "wechat:reprint card")
        text = normalise(card.text(separator=" "))
        if text:
            draft.removed.append(Removal("attribution", "wechat.reprint-card", text))
    draft.offer("source", *script("source_name"))
    share, selector = first_text(tree, selectors["share_source"])
    if share:
        draft.offer("source", share, f"dom:{selector}")
        comment, _ = script("share_comment")
        if comment:
            draft.removed.append(Removal("comment", "wechat.share-comment", comment))
    for selector in selectors["share_source_url"]:
        node = tree.css_first(selector)
        if node is not None and node.attributes.get("data-url"):
            draft.offer("original_url", node.attributes["data-url"], f"dom:{selector}[data-url]")
    if draft.fields.get("source"):
        draft.offer("source_account_id", *script("source_account_id"))


def _read_script_text(draft: Draft, tree: LexborHTMLParser, config) -> None:
    found = read_scripts(tree, config["script_text"]["text"], max_chars=TEXT_SCRIPT_CHARS)
    for name in config["script_text"]["text"]:
        text = found.get(name, "").strip()
        if text:
            if text.startswith("<"):
                _walk_into(draft, LexborHTMLParser(text).body, config)
            else:
                draft.blocks = text_blocks(text)
            draft.origins["body"] = f"wechat:{name}"
            return


def _read_content(draft: Draft, tree: LexborHTMLParser, selectors, config) -> None:
    content = None
    for selector in selectors["content"]:
        content = tree.css_first(selector)
        if content is not None:
            break
    if content is not None and content.text().strip():
        _walk_into(draft, content, config)
        draft.origins["body"] = "dom:" + selector
        return
    template = tree.css_first(selectors["share_template"])
    if template is not None and template.text().strip():
        _walk_into(draft, LexborHTMLParser(template.text()).body, config)
        draft.origins["body"] = "dom:" + selectors["share_template"]
        return
    _read_script_text(draft, tree, config)


def _walk_into(draft: Draft, root: LexborNode | None, config) -> None:
    if root is None:
        return
    drops = [(rule["selector"], rule["kind"], rule["name"]) for rule in config["drop"]]
    walked = walk(root, drops)
    draft.blocks = walked.blocks
    draft.images = walked.images
