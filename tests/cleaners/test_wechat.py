"""The WeChat reader on invented pages: post types, untitled shares, emoji escapes, odd input."""

from __future__ import annotations

import json

import pytest

from cleaners import clean
from cleaners.wechat import canonical_url


def share_page(show_type: str, text_js: str, title: str = "", extra: str = "") -> bytes:
    """A share-layout page whose text is only in TextContentNoEncode (JS-escaped)."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title" content="{title}"></head>
<body><div id="js_article" class="rich_media share_content_page">
<p id="js_text_desc" class="share_notice_inner"></p></div>
<script>
    window.item_show_type = '{show_type}' || '';
    window.msg_title = '{title}' || '';
    var nickname = htmlDecode("小河边");
    var TextContentNoEncode = window.a_value_which_never_exists || '{text_js}';
    {extra}
</script></body></html>""".encode()


TEXT = (
    "河边的柳树发芽了，早上跑步的人也多了起来。\\x0a\\x0a"
    "我在桥头遇见一位遛鸟的老人，他说这只画眉已经跟了他八年。"
)


@pytest.mark.parametrize("show_type", ["0", "5", "6", "7", "8", "10", "17", "99", ""])
def test_every_post_type_finds_the_text(show_type):
    article = clean(share_page(show_type, TEXT, "春天的河边"))
    assert article.status == "ok", article.origins
    assert "这只画眉已经跟了他八年" in article.body
    assert article.title == "春天的河边"


def test_normal_article_content_wins_over_the_digest():
    page = share_page("0", "摘要一句话。", "标题").replace(
        b'<p id="js_text_desc" class="share_notice_inner"></p>',
        '<div id="js_content"><p>正文第一段，讲的是一家开了三十年的书店。</p></div>'.encode(),
    )
    article = clean(page)
    assert "开了三十年的书店" in article.body
    assert "摘要一句话" not in article.body


@pytest.mark.parametrize(
    ("title", "extra"),
    [
        ("河边的柳树发芽了，早上跑步的人", ""),
        ("河边的柳树发芽了，早上跑步的人也多了起来。我在桥头遇见一位遛鸟的老人", ""),
        ("河边的柳树发芽了，早上跑步的人也多了起来。", "window.is_user_title = '0' * 1 || 0;"),
    ],
    ids=["cut-of-first-line", "more-than-first-line", "is-user-title-0"],
)
def test_untitled_share_has_no_title(title, extra):
    article = clean(share_page("10", TEXT, title, extra))
    assert article.status == "ok"
    assert article.title is None
    assert "河边的柳树发芽了" in article.body


def test_a_title_that_is_the_whole_first_line_of_a_longer_text_stays():
    article = clean(share_page("8", TEXT, "河边的柳树发芽了，早上跑步的人也多了起来。"))
    assert article.title == "河边的柳树发芽了，早上跑步的人也多了起来。"


def test_user_title_1_keeps_even_a_prefix_title():
    extra = "window.is_user_title = '1' * 1 || 0;"
    article = clean(share_page("10", TEXT, "河边的柳树", extra))
    assert article.title == "河边的柳树"


def test_emoji_escapes_become_real_emoji():
    text = (
        "今天的晚饭\\ud83c\\udf5c很好吃\\u{1F600}，坏掉的\\ud83d字符\\ude00不要。"
        "\\x0a\\x0a还有一杯茶\\ud83c\\udf75。"
    )
    article = clean(share_page("10", text, "晚饭"))
    assert "晚饭🍜很好吃😀" in article.body
    assert "一杯茶🍵" in article.body
    for value in json.dumps(article.to_dict(), ensure_ascii=False):
        assert not "\ud800" <= value <= "\udfff"
    article.body.encode("utf-8")


@pytest.mark.parametrize(
    "script",
    [
        "var ct = '99999999999999999999999';",
        "var ct = '-5'; var create_time = '1e400' * 1;",
        "var publish_time = '\\x' || '';",
        "var msg_title = 'open \\u12 \\u{ZZ} \\u{110000} \\",
        "window.cgiDataNew = { title: JsDecode('never closed \\x",
        "window.cgiDataNew = { picture_page_info_list: [ { cdn_url: JsDecode('x'), [[[ ",
        "var msg_link = 'http://[::1/s?__biz=1';",
    ],
)
def test_odd_script_values_do_not_raise(script):
    page = (
        "<html><body><div id='js_article'><div id='js_content'><p>一段正文。</p></div></div>"
        f"<script>var item_show_type = '0'; {script}</script></body></html>"
    )
    article = clean(page.encode())
    assert article.status == "ok"
    assert "一段正文" in article.body


def test_canonical_url_keeps_an_unparseable_url():
    assert canonical_url("http://[::1/s?__biz=1") == "http://[::1/s?__biz=1"
