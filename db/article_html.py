"""An article's Markdown as HTML for Datasette: rendered by markdown-it (raw HTML in the
Markdown is text, never markup), then sanitized by nh3 to the tags an article needs, links and
images only to http(s) (and mailto links), images asking for no referrer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ARTICLE_TAGS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
     "em", "strong", "del", "s", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "br",
     "hr"]
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset(["http", "https", "mailto"])
IMAGE_VALUES = {"img": {"referrerpolicy": "no-referrer", "loading": "lazy"}}
MAX_THUMBNAILS = 12


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ARTICLE_TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values=IMAGE_VALUES,
    )


def article_html(markdown: str, local: Mapping[str, str] | None = None) -> Markup:
    """The sanitized HTML of an article's Markdown, in a `reprints-article` block; images
    whose URL `local` maps are shown from there (the archived copy)."""
    renderer = _renderer()
    tokens = renderer.parse(markdown)
    if local:
        served = {renderer.normalizeLink(url): path for url, path in local.items()}
        for token in tokens:
            for child in token.children or ():
                if child.type == "image" and str(child.attrGet("src")) in served:
                    child.attrSet("src", served[str(child.attrGet("src"))])
    html = _cleaner().clean(renderer.renderer.render(tokens, renderer.options, {}))
    return Markup('<div class="reprints-article">') + Markup(html) + Markup("</div>")


def thumbnails(images_json: str, local: Mapping[str, str] | None = None) -> Markup | None:
    """A row of small images, each a link to the image, from a JSON list of image URLs (those
    `local` maps shown from there); None when the value is not such a list."""
    try:
        images = json.loads(images_json)
    except ValueError:
        return None
    if not isinstance(images, list):
        return None
    local = local or {}
    safe = [
        local.get(url, url)
        for url in images
        if isinstance(url, str) and (url in local or url.startswith(("http://", "https://")))
    ]
    row = Markup("").join(
        Markup(
            '<a href="{0}" rel="noopener noreferrer nofollow"><img class="reprints-thumb" '
            'src="{0}" alt="" loading="lazy" referrerpolicy="no-referrer"></a>'
        ).format(url)
        for url in safe[:MAX_THUMBNAILS]
    )
    more = len(safe) - MAX_THUMBNAILS
    extra = Markup(' <span class="reprints-more">+{}</span>').format(more) if more > 0 else ""
    return Markup('<div class="reprints-thumbs">') + row + extra + Markup("</div>")
