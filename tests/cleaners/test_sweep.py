"""The sweep over a page's blocks: section lists, blurbs, repeated titles, removal records.

Pages are built here from invented paragraphs, in the shape of a WeChat article page, and run
through `cleaners.clean`, which hands the content's blocks to `cleaners.sweep.sweep`.
"""

from __future__ import annotations

import html

import pytest

import cleaners
from cleaners.blocks import Block
from cleaners.draft import Draft
from cleaners.sweep import sweep

TITLE = "城市里的夜间公交"
ACCOUNT = "慢行笔记"
KINDS = {"blurb", "promo", "prompt", "disclaimer", "chrome", "attribution"}

BODY = [
    "晚上十一点以后，城市里的大多数公交线路都停运了，只剩下几条夜班车在主干道上来回穿行。",
    "我们跟车坐了一整晚，从始发站一直到终点站，记录下每一站上下车的人数和他们要去的地方。",
    "乘客里最多的是刚下班的餐馆服务员和医院护士，其次是赶早班火车的外地人和夜里出摊的小贩。",
    "司机说，这条线路开通十年，车上的面孔换了一批又一批，但凌晨两点那一站总是最热闹的。",
    "有位老人每天都坐这趟车去菜市场进货，他说比起出租车，夜班车便宜，也更让人安心。",
    "城市规划者常常忽视夜间出行的需求，而这些数据提醒我们，夜晚同样有人需要出门和回家。",
    "调查结束时天已经亮了，第一班早班车缓缓进站，夜班车的司机把车开回了停车场休息。",
    "我们把全部记录整理成表格，公开在文末，希望更多研究者能够用上这些一手数据做进一步分析。",
]


def link(text: str, n: int) -> str:
    href = (
        f"https://mp.weixin.qq.com/s?__biz=MzA5&amp;mid={n}&amp;idx=1&amp;scene=21#wechat_redirect"
    )
    return f'<p><a href="{href}" target="_blank">{html.escape(text)}</a></p>'


def para(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def page(*parts: str, title: str = TITLE, account: str = ACCOUNT) -> str:
    """A WeChat article page whose #js_content holds the given HTML parts."""
    content = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>var msg_title = '{title}'; var nickname = "{account}"; var ct = "1715552100";</script>
</head><body>
<div id="js_article"><div id="img-content">
<h1 class="rich_media_title" id="activity-name">{html.escape(title)}</h1>
<a id="js_name">{html.escape(account)}</a>
<div class="rich_media_content" id="js_content" style="visibility: hidden; opacity: 0;">
{content}
</div></div></div></body></html>"""


def removed_with(article: cleaners.Article, text: str) -> list[cleaners.Removal]:
    return [r for r in article.removed if text in r.text]


RELATED = ["夜班车司机的一天", "地铁末班车之后的城市", "凌晨四点的菜市场"]


@pytest.mark.parametrize("heading", ["往期推荐", "— 往期推荐 —", "推荐阅读", "相关阅读"])
def test_trailing_related_list_is_removed_as_promo(heading: str) -> None:
    parts = [para(p) for p in BODY] + [para(heading)]
    parts += [link(t, i) for i, t in enumerate(RELATED)]
    article = cleaners.clean(page(*parts))
    assert article.status == "ok"
    for paragraph in BODY:
        assert paragraph in article.body
    assert heading not in article.body
    for text in [heading, *RELATED]:
        assert text not in article.body, f"{text!r} left in the body"
        found = removed_with(article, text)
        assert found, f"{text!r} not recorded in removed"
        assert found[0].kind == "promo"
        assert found[0].rule == "zh.related-list"


def test_related_list_in_the_middle_keeps_the_paragraphs_after_it() -> None:
    parts = [para(p) for p in BODY[:3]] + [para("推荐阅读")]
    parts += [link(t, i) for i, t in enumerate(RELATED)]
    parts += [para(p) for p in BODY[3:]]
    article = cleaners.clean(page(*parts))
    for text in RELATED:
        assert text not in article.body
    for paragraph in BODY:
        assert paragraph in article.body, f"paragraph after the list lost: {paragraph!r}"
    rules = {r.rule for r in article.removed}
    assert rules == {"zh.related-list"}, article.removed


BLURB = [
    "慢行笔记由几位城市研究者和摄影师共同维护，记录普通人在城市中的出行方式。",
    "我们每周更新一篇长文，话题包括公共交通、步行街区、自行车道和城市夜生活。",
]


@pytest.mark.parametrize("heading", ["关于我们", "慢行笔记简介", "【编辑部简介】"])
def test_blurb_heading_in_the_tail_removes_the_blurb(heading: str) -> None:
    parts = [para(p) for p in BODY] + [para(heading)] + [para(p) for p in BLURB]
    article = cleaners.clean(page(*parts))
    for paragraph in BODY:
        assert paragraph in article.body
    for text in [heading, *BLURB]:
        assert text not in article.body, f"{text!r} left in the body"
        found = removed_with(article, text)
        assert found and found[0].kind == "blurb", article.removed
        assert found[0].rule == "zh.about-us"


@pytest.mark.parametrize("heading", ["关于我们", "项目简介"])
def test_blurb_heading_near_the_start_removes_nothing_after_it(heading: str) -> None:
    parts = [para(BODY[0]), para(heading)] + [para(p) for p in BODY[1:]]
    parts += [para(p) for p in BODY]  # a long article: the heading is well before the tail
    article = cleaners.clean(page(*parts))
    for paragraph in BODY:
        assert paragraph in article.body
    assert article.body.count(BODY[2]) == 2
    assert not [r for r in article.removed if r.kind == "blurb"], article.removed


def test_repeated_title_at_top_of_body_is_removed() -> None:
    parts = [para(TITLE)] + [para(p) for p in BODY]
    article = cleaners.clean(page(*parts))
    assert article.title == TITLE
    assert not article.body.startswith(TITLE)
    assert TITLE not in article.body
    found = removed_with(article, TITLE)
    assert found and found[0].rule == "repeated-title", article.removed
    assert found[0].kind == "chrome"


def test_title_words_inside_a_paragraph_are_kept() -> None:
    sentence = f"{TITLE}，是我们这一期想讨论的话题。"
    article = cleaners.clean(page(para(sentence), *[para(p) for p in BODY]))
    assert sentence in article.body


FOLLOW = "点击上方蓝字关注我们"
DISCLAIMER = "免责声明：本文仅代表作者个人看法，不代表本号立场。"
LIKE = "觉得有用，记得点个在看"


def test_removed_entries_keep_document_order() -> None:
    parts = [para(FOLLOW)] + [para(p) for p in BODY[:4]] + [para(DISCLAIMER)]
    parts += [para(p) for p in BODY[4:]] + [para(LIKE), para("往期推荐")]
    parts += [link(t, i) for i, t in enumerate(RELATED)]
    article = cleaners.clean(page(*parts))
    order = [FOLLOW, DISCLAIMER, LIKE, "往期推荐", *RELATED]
    texts = [r.text for r in article.removed]
    assert texts == order, texts


def test_removed_entries_keep_document_order_across_readers_and_rules() -> None:
    """Hidden elements and dropped widgets are removals too, in the same document order."""
    hidden = '<p style="display:none">隐藏的排版占位文字</p>'
    parts = [para(FOLLOW)] + [para(p) for p in BODY] + [hidden, para(LIKE)]
    article = cleaners.clean(page(*parts))
    texts = [r.text for r in article.removed]
    assert texts == [FOLLOW, "隐藏的排版占位文字", LIKE], texts


def test_every_removed_entry_has_kind_rule_and_text() -> None:
    parts = [para(TITLE), para(FOLLOW)] + [para(p) for p in BODY] + [para(DISCLAIMER)]
    parts += [para("关于我们")] + [para(p) for p in BLURB] + [para("往期推荐")]
    parts += [link(t, i) for i, t in enumerate(RELATED)]
    article = cleaners.clean(page(*parts))
    assert len(article.removed) >= 9, article.removed
    for removal in article.removed:
        assert removal.kind in KINDS, removal
        assert removal.rule and isinstance(removal.rule, str), removal
        assert removal.text and removal.text.strip() == removal.text, removal
    for entry in article.to_dict()["removed"]:
        assert set(entry) == {"kind", "rule", "text"}


def test_sweep_returns_kept_blocks_and_records_removals() -> None:
    """The sweep called directly on a draft, without a page reader."""
    draft = Draft(reader="test", rules=cleaners.load_rules())
    draft.blocks = [Block(TITLE), *(Block(p) for p in BODY), Block(FOLLOW)]
    kept = sweep(draft, ACCOUNT, TITLE)
    assert [b.text for b in kept] == BODY
    assert [(r.kind, r.rule, r.text) for r in draft.removed] == [
        ("chrome", "repeated-title", TITLE),
        ("prompt", "zh.follow", FOLLOW),
    ]
