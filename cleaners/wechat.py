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
from .rules import Rules
from .scripts import PageScripts, read_first, read_list_values, read_scripts

ARTICLE_PARAMETERS = ("__biz", "mid", "idx", "sn")
TEXT_SCRIPT_SIZE = 8_000_000
# Unix seconds or milliseconds; longer digit strings are not timestamps.
EPOCH_DIGITS = 13
MAX_DATE_CHARS = 64


def is_wechat(html: str, rules: Rules) -> bool:
    """True when the page carries the markers of a WeChat article page."""
    return any(marker in html for marker in rules.wechat["detect"]["markers"])


def read_wechat(
    tree: LexborHTMLParser, source: bytes | str, url: str | None, rules: Rules
) -> Draft:
    """A draft of a WeChat page (`source`, the page as parsed into `tree`): fields with
    origins and the content's blocks."""
    config = rules.wechat
    selectors = config["selectors"]
    names = [name for group in config["script"].values() for name in group]
    scripts = PageScripts(source)
    found = read_scripts(scripts, names)
    draft = Draft(reader="wechat", rules=rules)

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
    _read_body(draft, tree, scripts, config, show_type)
    _drop_untitled(draft, script("user_title")[0], show_type in config["show_types"]["share"])
    return draft


def canonical_url(url: str) -> str:
    """A WeChat article URL in one form: https, no fragment, and for long links only the
    parameters that name the article (__biz, mid, idx, sn)."""
    if not url:
        return url
    try:
        parts = urlsplit(url.replace("&amp;", "&"))
        host = parts.hostname
    except ValueError:
        return url
    if host != "mp.weixin.qq.com":
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
    config = draft.rules.wechat
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
        if stamp.isdigit():
            draft.offer(
                "published", from_epoch(stamp) if len(stamp) <= EPOCH_DIGITS else "", origin
            )
        else:
            draft.offer("published", parse_date(stamp[:MAX_DATE_CHARS]), origin)
    day, origin = script("day")
    if day:
        draft.offer("published", parse_date(day[:MAX_DATE_CHARS]), origin)
    text, origin = _dom(scope, selectors["date"])
    if text:
        draft.offer("published", parse_date(text[:MAX_DATE_CHARS]), origin)


def _read_reprint(draft: Draft, tree: LexborHTMLParser, script, selectors) -> None:
    card = None
    for selector in selectors["reprint_card"]:
        card = tree.css_first(selector)
        if card:
            break
    if card is not None:
        tips, _ = first_text(card, selectors["reprint_card_tips"])
        for credit in find_credits(tips, rules=draft.rules):
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


def _read_body(
    draft: Draft, tree: LexborHTMLParser, scripts: PageScripts, config, show_type: str
) -> None:
    """The body from the first source that has text, in the order the post type calls for.

    Shares (image, text, short posts) keep their text in scripts or a share area; other
    posts in #js_content. Unknown types go through every source before giving up.
    """
    selectors = config["selectors"]
    dom = [("content", selectors["content"]), ("template", [selectors["share_template"]])]
    text = config["script_text"]
    shared = [("script", text["text"]), ("area", selectors["text_areas"])]
    sources = shared + dom if show_type in config["show_types"]["share"] else dom + shared
    for kind, names in [*sources, ("script", text["digest"])]:
        if _read_source(draft, tree, scripts, config, kind, names):
            break
    if show_type in config["show_types"]["share"] or not draft.images:
        for name, key in config["script_images"].items():
            draft.images.extend(read_list_values(scripts, name, key))


def _read_source(
    draft: Draft, tree: LexborHTMLParser, scripts: PageScripts, config, kind: str, names
) -> bool:
    """Read the body from one kind of source; True when it gave text."""
    if kind == "script":
        first = read_first(scripts, names, max_size=TEXT_SCRIPT_SIZE)
        if first is None:
            return False
        name, value = first
        if value.startswith("<"):
            _walk_into(draft, LexborHTMLParser(value).body, config)
        else:
            draft.blocks = text_blocks(value)
        draft.origins["body"] = f"wechat:{name}"
        return bool(draft.blocks)
    for selector in names:
        node = tree.css_first(selector)
        if node is None or not node.text().strip():
            continue
        root = LexborHTMLParser(node.text()).body if kind == "template" else node
        _walk_into(draft, root, config)
        if any(block.removal is None for block in draft.blocks):
            draft.origins["body"] = "dom:" + selector
            return True
    return False


def _drop_untitled(draft: Draft, user_title: str, share: bool) -> None:
    """Take the title away when it is only the start of the post's own text.

    WeChat titles an untitled share with its text: all of it, its first lines, or a cut
    of the first line. A title that is exactly the first line of a longer text stays.
    """
    title = draft.fields.get("title")
    if not title or user_title == "1":
        return
    lines = [_key(block.text) for block in draft.blocks if block.removal is None]
    key = _key(title)
    from_text = share or draft.origins.get("body", "").startswith("wechat:")
    starts_text = bool(lines) and "".join(lines).startswith(key)
    whole_first_line = bool(lines) and key == lines[0] and len(lines) > 1
    if user_title == "0" or (from_text and starts_text and not whole_first_line):
        del draft.fields["title"]
        draft.origins.pop("title", None)


def _key(text: str) -> str:
    return "".join(text.split())


def _walk_into(draft: Draft, root: LexborNode | None, config) -> None:
    if root is None:
        return
    drops = [(rule["selector"], rule["kind"], rule["name"]) for rule in config["drop"]]
    walked = walk(root, drops)
    draft.blocks = walked.blocks
    draft.images = walked.images
