"""The rule files: they load, names are unique, kinds are known, every boilerplate and
section rule has an example it must match, and body sentences that merely share words with
boilerplate ("false friends") survive the whole cleaner.

All example lines and sentences are invented for these tests.
"""

from __future__ import annotations

import html

import pytest

import cleaners
from cleaners import load_rules
from cleaners.sweep import MAX_HEADING_CHARS

KINDS = {"blurb", "promo", "prompt", "disclaimer", "chrome"}

# ---- loading, names, kinds ---------------------------------------------------------------


def test_every_rule_file_loads() -> None:
    rules = load_rules()
    assert rules.blocks, "no boilerplate rules loaded"
    assert rules.sections, "no section rules loaded"
    assert rules.statuses, "no status rules loaded"
    assert rules.credit_sentences, "no credit sentence rules loaded"
    assert rules.credit_labels, "no credit labels loaded"
    assert rules.sites, "no site rules loaded"
    assert rules.wechat.get("selectors"), "wechat.toml has no selectors"


@pytest.mark.parametrize("prefix", ["zh.", "ja.", "en."])
def test_each_language_file_contributes_rules(prefix: str) -> None:
    rules = load_rules()
    names = [r.name for r in (*rules.blocks, *rules.sections)]
    assert any(name.startswith(prefix) for name in names), f"no {prefix}* boilerplate rules"


def test_rule_names_are_unique() -> None:
    rules = load_rules()
    names = [
        *(r.name for r in rules.blocks),
        *(r.name for r in rules.sections),
        *(r.name for r in rules.statuses),
        *(r.name for r in rules.credit_sentences),
    ]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"rule names used more than once: {duplicates}"


def test_rule_names_are_non_empty_and_namespaced() -> None:
    rules = load_rules()
    for rule in (*rules.blocks, *rules.sections, *rules.statuses, *rules.credit_sentences):
        assert rule.name.strip(), rule
        assert "." in rule.name, f"rule name {rule.name!r} has no namespace (zh., wechat., ...)"


@pytest.mark.parametrize("rule", load_rules().blocks.rules, ids=lambda r: r.name)
def test_boilerplate_rule_kind_is_known(rule) -> None:
    assert rule.kind in KINDS, f"{rule.name}: unknown kind {rule.kind!r}"
    assert rule.max_chars > 0, f"{rule.name}: max_chars must be positive"


@pytest.mark.parametrize("rule", load_rules().sections, ids=lambda r: r.name)
def test_section_rule_kind_is_known(rule) -> None:
    assert rule.kind in KINDS, f"{rule.name}: unknown kind {rule.kind!r}"


def test_site_boilerplate_kinds_are_known() -> None:
    for site in load_rules().sites:
        for rule in site.boilerplate:
            assert rule.kind in KINDS, f"site {site.name}: unknown kind {rule.kind!r}"


@pytest.mark.parametrize("rule", load_rules().statuses, ids=lambda r: r.name)
def test_status_rule_gives_a_known_status(rule) -> None:
    assert rule.status in cleaners.STATUSES and rule.status != "ok", rule


# ---- every boilerplate and section rule has an example it must match ---------------------

BLOCK_EXAMPLES: dict[str, list[str]] = {
    "zh.qr-code": ["长按识别二维码，加入读者交流", "微信扫一扫下方二维码，领取资料"],
    "zh.follow": ["点击上方蓝字关注我们", "设为星标，不错过每一次推送"],
    "zh.like-share": ["觉得有用，记得点个在看", "分享到朋友圈，让更多人看到"],
    "zh.contribute-contact": ["投稿｜editor@example.com", "商务合作请添加小助手微信"],
    "zh.licence-plea": ["如需转载，请后台回复“转载”获取授权", "未经授权，禁止转载本文"],
    "zh.disclaimer": [
        "免责声明：本文仅代表作者个人看法，不构成任何投资建议。",
        "部分图片来自网络，如有侵权请联系删除",
    ],
    "zh.reader-widget": ["阅读原文", "继续滑动看下一个"],
    "zh.toolbar": ["【打印本页】【关闭窗口】", "字号：大 中 小", "当前位置：首页 > 要闻"],
    "zh.column-blurb": ["“周末书桌”是本号新推出的读书栏目，每周六与你见面。"],
    "zh.course-advert": [
        "限时优惠：扫码报名，前一百位可获赠讲义",
        "【福利】本周留言抽三位读者送书",
    ],
    "ja.follow-share": [
        "この記事が役に立ったら、ぜひフォローしてください",
        "QRコードを読み取って最新情報を受け取ろう",
    ],
    "ja.newsletter": ["メルマガ登録はこちら", "無料会員登録で全文が読めます"],
    "ja.disclaimer": ["免責事項：本記事は情報提供のみを目的としています。", "無断転載を禁じます"],
    "ja.reader-widget": ["続きを読む", "読了時間 3 分"],
    "en.follow-share": [
        "Scan the QR code to follow us on WeChat",
        "Sign up for our newsletter to get the weekly digest",
    ],
    "en.disclaimer": [
        "Disclaimer: the views expressed here are the author's own.",
        "© 2024 Example Media. All rights reserved.",
    ],
    "en.reader-widget": ["Read more", "5 min read"],
}

SECTION_EXAMPLES: dict[str, list[str]] = {
    "zh.related-list": ["往期推荐", "▼ 推荐阅读 ▼", "相關閱讀"],
    "zh.about-us": ["关于我们", "【作者简介】", "關於我們"],
    "zh.comments": ["网友评论 (3)", "精选留言", "全部评论"],
    "ja.related-list": ["関連記事", "あわせて読みたい"],
    "ja.about-us": ["私たちについて", "編集部について"],
    "en.related-list": ["Related articles", "You may also like"],
    "en.about-us": ["About us", "About Example Weekly"],
}


def test_every_boilerplate_rule_has_an_example() -> None:
    names = {r.name for r in load_rules().blocks}
    missing = sorted(names - set(BLOCK_EXAMPLES))
    stale = sorted(set(BLOCK_EXAMPLES) - names)
    assert not missing, f"boilerplate rules without an example in BLOCK_EXAMPLES: {missing}"
    assert not stale, f"BLOCK_EXAMPLES names rules that no longer exist: {stale}"


def test_every_section_rule_has_an_example() -> None:
    names = {r.name for r in load_rules().sections}
    missing = sorted(names - set(SECTION_EXAMPLES))
    stale = sorted(set(SECTION_EXAMPLES) - names)
    assert not missing, f"section rules without an example in SECTION_EXAMPLES: {missing}"
    assert not stale, f"SECTION_EXAMPLES names rules that no longer exist: {stale}"


def _by_name(rules, name):
    found = [r for r in rules if r.name == name]
    assert found, f"no rule named {name!r}"
    return found[0]


@pytest.mark.parametrize(
    ("name", "line"),
    [(name, line) for name, lines in BLOCK_EXAMPLES.items() for line in lines],
)
def test_boilerplate_rule_matches_its_example(name: str, line: str) -> None:
    rule = _by_name(load_rules().blocks, name)
    assert rule.pattern.search(line), f"{name} does not match {line!r}"
    assert len(line) <= rule.max_chars, f"{line!r} is longer than {name}.max_chars"


@pytest.mark.parametrize(
    ("name", "line"),
    [(name, line) for name, lines in SECTION_EXAMPLES.items() for line in lines],
)
def test_section_rule_matches_its_example(name: str, line: str) -> None:
    rule = _by_name(load_rules().sections, name)
    assert rule.heading.search(line), f"{name} does not match heading {line!r}"
    assert len(line) <= MAX_HEADING_CHARS


# ---- false friends: body sentences that share words with boilerplate ---------------------

FILLER = {
    "zh-Hans": [
        "去年秋天，我们在三个城市的社区图书馆做了一次小规模调查，想弄清楚年轻读者如何挑选下一本书。",
        "结果比预想的复杂：有人依赖书店店员的口头建议，有人只看朋友的书单，还有人几乎完全凭封面做决定。",
        "为了让数据更可靠，调查员在每个馆连续待了两周，记录下每一次借阅之前的犹豫、翻看和放回。",
        "这些记录后来被整理成一份二十页的报告，其中最有意思的部分，是关于书架摆放位置的对比实验。",
        "实验显示，放在入口处的新书借阅率高出三成，但读者归还时填写的满意度并没有因此明显提高。",
    ],
    "zh-Hant": [
        "去年秋天，我們在三個城市的社區圖書館做了一次小規模調查，想弄清楚年輕讀者如何挑選下一本書。",
        "結果比預想的複雜：有人依賴書店店員的口頭建議，有人只看朋友的書單，還有人幾乎完全憑封面做決定。",
        "為了讓數據更可靠，調查員在每個館連續待了兩週，記錄下每一次借閱之前的猶豫、翻看和放回。",
        "這些記錄後來被整理成一份二十頁的報告，其中最有意思的部分，是關於書架擺放位置的對比實驗。",
        "實驗顯示，放在入口處的新書借閱率高出三成，但讀者歸還時填寫的滿意度並沒有因此明顯提高。",
    ],
    "ja": [
        "昨年の秋、私たちは三つの都市の地域図書館で小さな調査を行い、若い読者が次の一冊をどう選ぶのかを調べた。",
        "結果は予想より複雑だった。書店員の一言に頼る人もいれば、友人のリストしか見ない人、表紙だけで決める人もいた。",
        "データの信頼性を高めるため、調査員は各館に二週間通い、貸し出し前の迷いや立ち読みの様子を記録した。",
        "記録は二十ページの報告書にまとめられたが、最も興味深いのは本棚の配置を比べた実験の部分である。",
        "入口近くに置いた新刊は貸出率が三割高かったものの、返却時の満足度はほとんど変わらなかった。",
    ],
    "en": [
        "Last autumn we ran a small survey in the community libraries of three cities, asking how "
        "young readers choose the next book they borrow.",
        "The answers were messier than we expected: some trusted a bookseller's word, some only "
        "read their friends' lists, and a few chose almost entirely by the cover.",
        "To make the numbers more reliable, the survey team spent two weeks in each library and "
        "noted every hesitation, every flip through the pages and every book put back.",
        "The notes became a twenty-page report whose most interesting part compares shelves "
        "placed near the entrance with shelves hidden at the back.",
        "Books near the door were borrowed a third more often, yet the satisfaction readers "
        "reported on return did not change in any measurable way.",
    ],
}

NEUTRAL = {
    "zh-Hans": "报告的最后一章建议图书馆定期轮换书架，让不同类型的书都有机会被看见。",
    "zh-Hant": "報告的最後一章建議圖書館定期輪換書架，讓不同類型的書都有機會被看見。",
    "ja": "報告書の最終章は、棚を定期的に入れ替えて、さまざまな本が目に留まるようにすることを"
    "勧めている。",
    "en": "The last chapter of the report suggests rotating shelves so that every kind of book "
    "gets its turn near the door.",
}

TITLES = {
    "zh-Hans": "年轻读者怎样挑选下一本书",
    "zh-Hant": "年輕讀者怎樣挑選下一本書",
    "ja": "若い読者は次の一冊をどう選ぶのか",
    "en": "How young readers pick their next book",
}

FALSE_FRIENDS: list[tuple[str, str]] = [
    # zh-Hans
    ("zh-Hans", "推荐系统的核心在于理解用户的长期兴趣，而不仅仅是追逐最近一次点击。"),
    ("zh-Hans", "推荐算法会放大用户原有的偏好，研究者把这种现象称为信息茧房。"),
    ("zh-Hans", "我们需要关注数据质量，因为再好的模型也无法弥补脏数据带来的偏差。"),
    ("zh-Hans", "用户点赞行为的研究表明，点赞与转发之间的相关性远低于人们的直觉。"),
    ("zh-Hans", "研究表明，点赞与转发之间的相关性远低于预期。"),
    ("zh-Hans", "研究发现，用户更愿意分享到朋友圈的是带有强烈情绪的内容。"),
    ("zh-Hans", "扫码支付的普及改变了街头小贩的经营方式，现金交易越来越少见。"),
    ("zh-Hans", "新版系统能够自动识别二维码中的恶意链接，并在打开之前提醒用户。"),
    ("zh-Hans", "端口扫描结束以后，工具会在输出目录下生成一份完整的扫描报告，包含："),
    ("zh-Hans", "这次漏洞扫描覆盖了全部的内网主机，扫描结果按照风险等级排序。"),
    ("zh-Hans", "免责声明在法律上的效力，取决于它是否以合理的方式提请对方注意。"),
    ("zh-Hans", "法院认为，如有侵权行为发生，平台应当在合理期限内采取必要措施。"),
    ("zh-Hans", "一次投票的结果并不代表全体选民的真实立场，样本偏差必须校正。"),
    ("zh-Hans", "作者认为，开源社区的治理结构比许可证本身更能决定一个项目的寿命。"),
    ("zh-Hans", "这是一篇关于转载授权的法律分析，讨论了平台与原作者之间的权利边界。"),
    ("zh-Hans", "在社区的交流群里，开发者们为这个问题争论了整整一个星期。"),
    ("zh-Hans", "投资者希望第一时间获取财报数据，高频交易因此应运而生。"),
    ("zh-Hans", "这款手机是小米去年推出的旗舰系列中价格最低的一款。"),
    ("zh-Hans", "消费者在购买前会反复点击商品详情页，这种行为被称为比价。"),
    ("zh-Hans", "点击率预测模型需要处理大量稀疏特征，这对工程实现提出了很高要求。"),
    ("zh-Hans", "关于我们这一代人的阅读习惯，已经有不少调查给出了相互矛盾的结论。"),
    # zh-Hant
    ("zh-Hant", "推薦系統的演算法會放大使用者既有的偏好，形成所謂的資訊繭房。"),
    ("zh-Hant", "我們需要關注數據品質，因為再好的模型也無法彌補髒數據帶來的偏差。"),
    ("zh-Hant", "掃碼支付的普及，讓街頭攤販也能輕鬆接受電子付款。"),
    ("zh-Hant", "免責聲明在法律上的效力，取決於是否以合理方式提醒對方注意。"),
    ("zh-Hant", "這份報告並不代表所有受訪者的觀點，只反映了城市樣本的情況。"),
    ("zh-Hant", "作者認為，社群的治理結構比授權條款本身更能決定專案的壽命。"),
    # Japanese
    (
        "ja",
        "この研究では関連する先行研究を丁寧に整理したうえで、推薦アルゴリズムが利用者の"
        "好みをどのように偏らせるのかを、三年分の閲覧記録を使って詳しく検討している。",
    ),
    (
        "ja",
        "多くの企業アカウントをフォローする若者は、広告に対して意外なほど寛容であることが分かった。",
    ),
    ("ja", "いいねを押す動機について、研究者は承認欲求だけでは説明できないと指摘している。"),
    (
        "ja",
        "十九世紀のニュースレターは、商人たちが遠く離れた市場の価格を知るための重要な手段だった。",
    ),
    ("ja", "著作権の保護期間をめぐる議論は、図書館の電子化計画にも大きな影響を与えている。"),
    # English
    (
        "en",
        "Related work on recommender systems has focused on accuracy, while fairness received "
        "little attention until a few years ago.",
    ),
    (
        "en",
        "The study asked participants to follow the account of a fictional bakery for two weeks.",
    ),
    (
        "en",
        "The court noted that printing 'all rights reserved' in a book has had no legal effect in "
        "most countries for decades.",
    ),
    (
        "en",
        "The survey results do not necessarily reflect the views of the wider population, the "
        "authors caution.",
    ),
    ("en", "Source code for the model is available under an open licence."),
    ("en", "About Time, the novel she finished last spring, sold poorly at first."),
]


def wechat_page(title: str, paragraphs: list[str], account: str = "书架观察") -> str:
    """A minimal WeChat article page in the shape of the 2020s template."""
    body = "\n".join(f'<p style="margin: 0 8px;">{html.escape(p)}</p>' for p in paragraphs)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>var msg_title = '{title}'; var nickname = "{account}"; var ct = "1715552100";</script>
</head><body>
<div id="js_article" class="rich_media"><div class="rich_media_inner"><div id="img-content">
<h1 class="rich_media_title" id="activity-name">{html.escape(title)}</h1>
<div id="meta_content"><a id="js_name">{html.escape(account)}</a></div>
<div class="rich_media_content js_underline_content" id="js_content"
     style="visibility: hidden; opacity: 0;">
<section>{body}</section>
</div></div></div></div></body></html>"""


def mirror_page(title: str, paragraphs: list[str], outlet: str = "Example Review") -> str:
    """A minimal article page of a mirror site (og tags, one <article>)."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)} | {outlet}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="2024-05-13T06:15:00+08:00">
</head><body>
<nav><a href="/">Home</a> <a href="/books">Books</a></nav>
<article><h1>{html.escape(title)}</h1>
{body}
</article>
<footer>Example Review, 2024</footer>
</body></html>"""


def page_with(language: str, sentence: str, position: str) -> str:
    paragraphs = list(FILLER[language])
    if position == "third":
        paragraphs.insert(2, sentence)
    else:
        paragraphs.append(sentence)
    assert len(paragraphs) == 6
    if language.startswith("zh"):
        return wechat_page(TITLES[language], paragraphs)
    return mirror_page(TITLES[language], paragraphs)


@pytest.mark.parametrize("language", sorted(FILLER))
def test_filler_page_is_kept_whole(language: str) -> None:
    """The page the false friends go into loses nothing on its own."""
    article = cleaners.clean(page_with(language, NEUTRAL[language], "last"))
    assert article.status == "ok"
    # The mirror page's navigation and footer stand outside its <article>.
    outside = {"html.nav", "html.footer"}
    assert {r.rule for r in article.removed} <= {"repeated-title", *outside}, article.removed
    assert article.language == language
    for paragraph in [*FILLER[language], NEUTRAL[language]]:
        assert paragraph in article.body, f"filler paragraph lost: {paragraph!r}"
    assert article.title == TITLES[language]


@pytest.mark.parametrize("position", ["third", "last"])
@pytest.mark.parametrize(
    ("language", "sentence"),
    FALSE_FRIENDS,
    ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(FALSE_FRIENDS)],
)
def test_false_friend_stays_in_body(language: str, sentence: str, position: str) -> None:
    article = cleaners.clean(page_with(language, sentence, position))
    assert article.status == "ok"
    removed_by = [r.rule for r in article.removed if sentence in r.text]
    assert sentence in article.body, f"body sentence removed by {removed_by}: {sentence!r}"
    for paragraph in FILLER[language]:
        assert paragraph in article.body
