"""Pages that are not articles get a status and no body; articles that mention the markers don't."""

import pytest

from cleaners import clean

ARTICLE_PARAGRAPH = (
    "<p>这是一篇普通的文章，讲的是小城市里一家面馆的故事。老板每天清晨四点起床揉面，"
    "二十年来从没有换过汤底的配方，熟客们说这碗面的味道就是这条街的记忆。</p>"
)


def short_page(body: str, title: str = "提示") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (
            '<div class="weui-msg"><h2 class="weui-msg__title">该内容已被发布者删除</h2></div>',
            "deleted",
        ),
        ('<div class="weui-msg__title">此内容因违规无法查看</div>', "removed"),
        ('<div class="mesg-block">该内容暂时无法查看</div>', "unavailable"),
        ('<div class="weui-msg__title">链接已过期</div>', "expired"),
        ("<p>当前环境异常，完成验证后即可继续访问。</p><button>去验证</button>", "blocked"),
        ("<p>访问过于频繁，请稍后再试。</p>", "blocked"),
        ("<p>请先登录后查看全文</p><form><input name=user></form>", "blocked"),
        ("<h1>404 Not Found</h1><p>nginx</p>", "unavailable"),
        ("<p>您访问的页面不存在，返回首页</p>", "unavailable"),
    ],
)
def test_non_article_pages_get_a_status_and_no_body(body, status):
    article = clean(short_page(body).encode())
    assert article.status == status
    assert article.body == ""
    assert article.title is None
    assert article.removed == ()
    assert article.origins["status"].startswith("rule:")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=abc", "blocked"),
        (
            "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzA5&action=getalbum&album_id=1",
            "not_article",
        ),
        ("https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA5", "not_article"),
    ],
)
def test_urls_that_are_never_articles(url, status):
    page = short_page(ARTICLE_PARAGRAPH * 3).encode()
    assert clean(page, url=url).status == status


@pytest.mark.parametrize(
    "sentence",
    [
        "<p>工程师在排查时发现，服务器的运行环境异常，日志里全是超时记录。</p>",
        "<p>很多网站会在访问过于频繁时要求输入验证码，这是最常见的反爬手段。</p>",
        "<p>作者登录后查看了后台数据，发现阅读量在深夜突然翻倍。</p>",
    ],
)
def test_articles_that_mention_the_markers_stay_articles(sentence):
    page = short_page(f"<article><h1>一碗面</h1>{ARTICLE_PARAGRAPH}{sentence}</article>", "一碗面")
    article = clean(page.encode())
    assert article.status == "ok", article.origins
    assert "一家面馆" in article.body


def test_a_page_with_no_text_is_empty():
    assert clean(b"<html><body><div><img src='a.png'></div></body></html>").status == "empty"


ESCAPED_NOTICE = (
    "\\u5f53\\u524d\\u73af\\u5883\\u5f02\\u5e38\\uff0c"
    "\\u5b8c\\u6210\\u9a8c\\u8bc1\\u540e\\u5373\\u53ef\\u7ee7\\u7eed\\u8bbf\\u95ee\\u3002"
)


@pytest.mark.parametrize(
    ("page", "status"),
    [
        (
            short_page(
                f'<div id="app"></div><script>var s = {{"msg":"{ESCAPED_NOTICE}"}};</script>'
            ),
            "blocked",
        ),
        ('{"base_resp":{"ret":-1,"errmsg":"' + ESCAPED_NOTICE + '"}}', "blocked"),
        (short_page("<p>用户您好，我们的系统检测到您网络中存在异常访问请求。</p>"), "blocked"),
        (
            short_page(
                '<form action="/antispider/thank.php"><img src="/antispider/util/seccode.php">'
                "<a>提交</a></form>"
            ),
            "blocked",
        ),
        (
            short_page(
                "<div>公众号简介</div><div>写写小城的早餐店。</div><div>微信号</div>"
                "<div>zaocan</div><div>认证主体</div><div>某工作室</div>"
            ),
            "not_article",
        ),
    ],
    ids=["escaped-in-script", "escaped-json-body", "sogou-notice", "captcha-form", "aboutbiz"],
)
def test_escaped_antispider_and_profile_pages(page, status):
    article = clean(page.encode())
    assert article.status == status, article.origins
    assert article.body == ""


@pytest.mark.parametrize(
    "before",
    ["// it's a comment with one quote\n", "var a = 'x\\x41'; var b = \"y\";\n", "\n\n"],
    ids=["stray-quote-line", "escaped-line-before", "blank-lines"],
)
def test_an_escaped_notice_on_a_later_line_of_a_script_is_found(before):
    script = f"var w = 1;\n{before}  var s = {{msg: '{ESCAPED_NOTICE}'}};\nvar t = '\\u4e00';"
    article = clean(short_page(f'<div id="app"></div><script>{script}</script>').encode())
    assert article.status == "blocked", article.origins


def test_an_escaped_marker_inside_a_long_string_does_not_count():
    sentence = "\\u6587\\u7ae0" * 60 + ESCAPED_NOTICE
    page = short_page(f"{ARTICLE_PARAGRAPH}<script>var s = '{sentence}';</script>", "一碗面")
    assert clean(page.encode()).status == "ok"


def test_a_hidden_account_card_does_not_make_an_article_a_profile():
    card = (
        '<div id="js_profile_qrcode" style="display:none"><strong class="profile_nickname">'
        "面馆日记</strong><p><label>微信号</label><span>mian</span></p>"
        "<p><label>功能介绍</label><span>写面馆的故事。</span></p></div>"
    )
    article = clean(
        short_page(f"<article><h1>一碗面</h1>{ARTICLE_PARAGRAPH}</article>{card}").encode()
    )
    assert article.status == "ok", article.origins


def wechat_page(content: str, chrome: str = "") -> bytes:
    """A WeChat article page: its post in #js_content, page furniture around it."""
    return (
        "<html><head><title>短文</title>"
        "<script>var msg_title = '一则短讯'; var nickname = '某某公众号';</script></head>"
        f'<body><div id="js_article" class="rich_media"><h1 id="activity-name">一则短讯</h1>'
        f'<div id="js_content">{content}</div></div>{chrome}</body></html>'
    ).encode()


def test_a_short_wechat_post_is_judged_by_its_own_text_not_the_page_furniture():
    toast = '<div class="weui-toast"><p>访问过于频繁，请稍后再试。</p></div>'
    article = clean(wechat_page("<p>本周六上午九点，社区图书馆举办旧书交换活动。</p>", toast))
    assert article.status == "ok"
    assert "旧书交换" in article.body


def test_a_wechat_post_whose_text_is_a_notice_gets_the_status():
    article = clean(wechat_page("<p>当前环境异常，完成验证后即可继续访问。</p>"))
    assert article.status == "blocked"
    assert article.body == ""
