"""Property tests: `cleaners.clean` on generated HTML never fails and never emits surrogates.

Tag soup (random nesting, text in several scripts, lone surrogates, control characters, odd
attribute quoting, hidden elements), WeChat-like pages with odd script values, and pages that
declare random charsets: each is cleaned as bytes and as str. The only exception allowed is a
`CleanerError`; the record has a known status and encodes as UTF-8 JSON.

Set REPRINTS_FUZZ_EXAMPLES to run more cases than the CI default (about 200 in all).
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import STATUSES, Article, CleanerError, clean

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SURROGATES = ["\ud83d", "\ude00", "\udfff", "\ud800"]
WORDS = st.sampled_from(
    [
        "县城老街的书店开到了第三年。",
        "作者：苏禾",
        "来源：北纬书简",
        "本文转载自公众号，版权归原作者所有。",
        "長く続いた雨がようやく止んだ。",
        "転載元：ある週刊誌",
        "The river rose overnight, and the ferry stopped.",
        "Source: a weekly paper",
        "“引号”「括弧」『二重』",
        "😀👍🏽🇨🇳",
        "\u200b\ufeff\u3000\xa0",
        "\x00\x07\x1b\x7f\x85\u2028\u2029",
        "&#xD83D;&#0;&#x110000;&#99999999999;&amp;&lt;",
        "<!-- a comment -->",
        "<![CDATA[ x ]]>",
        "2019-02-27 10:00",
        "3天前",
        "扫码关注我们",
    ]
)
CLEAN_TEXT = st.one_of(
    WORDS, st.text(max_size=12), st.lists(WORDS, min_size=3, max_size=8).map("".join)
)
TEXT = st.one_of(CLEAN_TEXT, st.sampled_from(SURROGATES))
ATTRIBUTES = st.sampled_from(
    [
        "",
        ' style="display:none"',
        " style='visibility:hidden;opacity:0'",
        ' style="font-size:0"',
        " hidden",
        ' class="content article-body"',
        ' id="js_content"',
        ' class="related"',
        " title='it\"s'",
        ' data-x=a"b',
        " alt=\"a'b",
        ' href="javascript:\'"',
        ' href="https://example.com/a?b=1&c=2"',
        ' src="data:image/png;base64,AAAA"',
        ' data-src="https://example.com/i.png"',
        ' class="\ud83d"',
        ' style="display :  NONE "',
    ]
)
TAGS = st.sampled_from(
    ["div", "p", "section", "a", "span", "table", "ul", "li", "script", "style", "br", "td"]
)


@st.composite
def element(draw, children) -> str:
    """One element around `children`, its end tag sometimes missing."""
    tag = draw(TAGS)
    attrs = draw(st.lists(ATTRIBUTES, max_size=3).map("".join))
    if tag == "br":
        return f"<br{attrs}>"
    inner = "".join(draw(st.lists(children, max_size=5)))
    end = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", f"</{tag}>", "", "</div>"]))
    return f"<{tag}{attrs}>{inner}{end}"


def soup(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(text, element, max_leaves=40)


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


SCRIPT_VALUES = st.one_of(
    st.sampled_from(
        [
            "1551234567",
            "1551234567000",
            "99999999999999999999999999",
            "-1",
            "1e309",
            "0x1F",
            "１５５１２３４５６７",
            "\\u4e2d\\u6587",
            "\\ud83d\\ude00",
            "\\ud83d",
            "\\u{1F600}",
            "\\u{110000}",
            "\\x",
            "\\x4",
            "\\\\",
            "\\'",
            '\\"',
            "&#xD83D;",
            "&lt;p&gt;正文&lt;/p&gt;",
            "<p>正文段落</p>",
        ]
    ),
    CLEAN_TEXT,
)


def js_string(value: str, quote: str) -> str:
    return quote + value.replace(quote, "\\" + quote).replace("\n", "\\n") + quote


@st.composite
def wechat_page(draw, text: st.SearchStrategy[str]) -> str:
    """A page shaped like an mp.weixin.qq.com article, with odd script values."""
    values = st.tuples(SCRIPT_VALUES, st.sampled_from(["'", '"']))
    lines = []
    for name in ("ct", "msg_title", "nickname", "author", "item_show_type", "msg_source_url"):
        if draw(st.booleans()):
            value, quote = draw(values)
            lines.append(f"var {name} = {js_string(value, quote)};")
    if draw(st.booleans()):
        value, _ = draw(values)
        lines.append(
            f"window.cgiDataNew = {{title: JsDecode('{value}'), create_time: '{value}' * 1}};"
        )
    scripts = "".join(f"<script>{line}</script>" for line in lines)
    content = draw(soup(text))
    title = draw(text)
    return page(
        f'<div id="img-content"><h1 class="rich_media_title" id="activity-name">{title}</h1>'
        f'<div id="js_article"><div class="rich_media_content" id="js_content">{content}</div>'
        f"</div></div>{scripts}"
    )


CHARSETS = st.sampled_from(
    ["utf-8", "gbk", "gb18030", "big5", "shift_jis", "euc-jp", "latin-1", "utf-16", "cp1252"]
)
LABELS = st.one_of(
    CHARSETS, st.sampled_from(["", "x-unknown", "utf-7", "utf-32", '"gbk', "gbk;", "ASCII"])
)


def check(source: bytes | str, url: str | None = None) -> Article | None:
    """Clean `source`: a CleanerError or a record that has a status and encodes as UTF-8."""
    try:
        article = clean(source, url)
    except CleanerError:
        return None
    assert article.status in STATUSES
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")
    return article


def as_bytes(text: str, charset: str) -> bytes:
    """`text` in `charset`, lone surrogates passed through as (invalid) UTF-8 bytes."""
    if charset == "utf-8":
        return text.encode("utf-8", "surrogatepass")
    return text.encode(charset, "replace")


@FUZZ
@given(soup(TEXT), CHARSETS)
def test_tag_soup_as_bytes(body: str, charset: str) -> None:
    check(as_bytes(page(body), charset))


@FUZZ
@given(soup(CLEAN_TEXT))
def test_tag_soup_as_str(body: str) -> None:
    check(page(body))


@FUZZ
@given(soup(TEXT))
def test_tag_soup_as_str_with_lone_surrogates(body: str) -> None:
    check(page(body))


@FUZZ
@given(wechat_page(TEXT), CHARSETS, st.sampled_from([None, "https://mp.weixin.qq.com/s/x"]))
def test_wechat_like_page(source: str, charset: str, url: str | None) -> None:
    check(as_bytes(source, charset), url)
    check(source, url)


@FUZZ
@given(soup(TEXT), LABELS, CHARSETS)
def test_declared_charset(body: str, label: str, charset: str) -> None:
    head = f'<meta charset="{label}">'
    head += f'<meta http-equiv="Content-Type" content="text/html; charset={label}">'
    source = page(body, head)
    check(as_bytes(source, charset))


@st.composite
def text_dump(draw) -> str:
    """A plain-text page whose lines each hold a lone surrogate somewhere."""
    lines = []
    for words in draw(st.lists(st.lists(WORDS, min_size=2, max_size=6), min_size=3, max_size=8)):
        line = "".join(words)
        at = draw(st.integers(0, len(line)))
        lines.append(line[:at] + draw(st.sampled_from(SURROGATES)) + line[at:])
    return "\n".join(lines)


@FUZZ
@given(text_dump())
def test_text_dump_as_str_with_lone_surrogates(source: str) -> None:
    check(source)
