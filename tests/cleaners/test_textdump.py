"""Text and Markdown dumps: header and footer metadata, Markdown structure, linear markup
scanning, and one-line credits. All texts and names here are invented."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import CleanerError, clean, load_rules
from cleaners.textdump import is_html_document, read_textdump

# The first two lines as export tools write them: padded, names and time apart by spaces.
ZH_DUMP = (
    "#  社区团购的冷链最后一公里   \n 东岭观察   2023-10-14 09:25  \n"
    + """
![](https://img.example.com/banner.gif "")

**冷链是社区团购最贵的一环。**

## 一、问题出在哪里

去年夏天，一家区域团购平台在三个城市同时试点了前置冷柜，损耗率从百分之九降到了百分之三。

- 冷柜按小区人口密度摆放

- 每天清点两次库存

> **文章来源：北岸周刊**

投稿合作请联系邮箱：tougao@example.com

---

*本文抓取时间: 2026-03-28 15:09:38*
"""
)

QUOTE_META_DUMP = """# 为什么旧书店还开着

> 来源: 河畔读书

> 作者: 苏青禾

> 发布时间: 2019-05-20

> 原文链接: https://mp.weixin.qq.com/s?__biz=MzA5&mid=1&idx=1&sn=abc

---

城南那家旧书店已经开了二十年，老板说房租涨了三次，他还是没打算搬走。

他说来买书的人越来越少，来聊天的人却越来越多。

---

*本文由 归档助手 自动生成*
"""

JA_DUMP = """# 地方の工場がクラウドをためらう理由

原创  佐藤健  工場の窓   2024-02-03 18:40

中小の製造業では、生産管理システムを入れ替える費用が一年分の利益に相当することもある。

担当者は、停電のたびに現場が止まることを最も恐れている。

お問い合わせ・寄稿はメールで受け付けています。

Fetched at 2026-01-05 08:00:00 UTC
"""


def _removed(article, kind: str | None = None) -> dict[str, str]:
    return {r.text: r.rule for r in article.removed if kind is None or r.kind == kind}


def test_header_account_line_gives_account_and_time() -> None:
    article = clean(ZH_DUMP)
    assert article.title == "社区团购的冷链最后一公里"
    assert article.account == "东岭观察"
    assert article.author is None
    assert article.published == "2023-10-14T09:25:00+08:00"
    assert article.origins["published"].startswith("text:header")
    assert "东岭观察" not in article.body
    assert "text.header-account-line" in _removed(article, "attribution").values()


def test_header_account_line_with_original_mark_and_author() -> None:
    article = clean(JA_DUMP)
    assert (article.account, article.author) == ("工場の窓", "佐藤健")
    assert article.is_original is True
    assert article.published.startswith("2024-02-03T18:40")
    assert "佐藤健" not in article.body


def test_header_blockquote_metadata() -> None:
    article = clean(QUOTE_META_DUMP)
    assert article.account == "河畔读书"
    assert article.author == "苏青禾"
    assert article.published == "2019-05-20"
    assert article.original_url.startswith("https://mp.weixin.qq.com/s?__biz=MzA5")
    assert article.origins["account"] == "text:header 来源"
    for line in ("来源: 河畔读书", "发布时间: 2019-05-20", "作者: 苏青禾"):
        assert line not in article.body
        assert _removed(article).get(line) == "text.header-metadata"
    assert "城南那家旧书店已经开了二十年" in article.body


def test_header_lines_only_near_the_top() -> None:
    text = "# 标题\n\n" + "正文第一段。\n\n" * 20 + "西山杂记   2022-01-01 10:00\n"
    article = clean(text)
    assert article.account is None
    assert "西山杂记" in article.body


@pytest.mark.parametrize(
    ("text", "line", "kind", "rule"),
    [
        (ZH_DUMP, "本文抓取时间: 2026-03-28 15:09:38", "chrome", "text.capture-time"),
        (ZH_DUMP, "投稿合作请联系邮箱：tougao@example.com", "prompt", "text.contact-line"),
        (QUOTE_META_DUMP, "本文由 归档助手 自动生成", "chrome", "text.tool-footer"),
        (JA_DUMP, "Fetched at 2026-01-05 08:00:00 UTC", "chrome", "text.capture-time"),
        (JA_DUMP, "お問い合わせ・寄稿はメールで受け付けています。", "prompt", "text.contact-line"),
    ],
)
def test_footer_lines_are_removed_by_name(text: str, line: str, kind: str, rule: str) -> None:
    article = clean(text)
    assert line not in article.body
    assert _removed(article, kind).get(line) == rule


def test_footer_phrases_in_the_body_stay() -> None:
    text = "# 标题\n\n" + "我们抓取时间序列数据做了分析，结论见下文。\n\n" + "正文。\n\n" * 12
    assert "我们抓取时间序列数据" in clean(text).body


def test_markdown_structure_becomes_block_facts() -> None:
    blocks = [b for b in read_textdump(ZH_DUMP, None, load_rules()).blocks if b.removal is None]
    by_text = {b.text: b for b in blocks}
    assert by_text["一、问题出在哪里"].tag == "h2"
    assert by_text["冷柜按小区人口密度摆放"].tag == "li"
    assert by_text["文章来源：北岸周刊"].tag == "blockquote"
    assert by_text["文章来源：北岸周刊"].emphasis
    assert by_text["冷链是社区团购最贵的一环。"].emphasis
    assert by_text["冷链是社区团购最贵的一环。"].images == ("https://img.example.com/banner.gif",)
    separators = [b for b in read_textdump(ZH_DUMP, None, load_rules()).blocks if b.tag == "hr"]
    assert separators and all(b.removal for b in separators)


def test_markdown_links_and_headings_are_separate_blocks() -> None:
    text = (
        "# Reading list\n\n## Related reading\n"
        "- [Why harbours silt up](https://example.com/a) and more\n"
        "Plain paragraph after the list.\n"
    )
    blocks = read_textdump(text, None, load_rules()).blocks
    assert [b.text for b in blocks] == [
        "Related reading",
        "Why harbours silt up and more",
        "Plain paragraph after the list.",
    ]
    item = blocks[1]
    assert item.links == ("https://example.com/a",)
    assert item.link_chars == len("Why harbours silt up")


def test_related_list_and_disclaimer_leave_a_dump() -> None:
    text = (
        "# 河口的泥沙\n\n 北岸周刊   2021-06-01 08:00\n\n"
        + "河口每年淤积的泥沙，足够填满一座小型水库，这是港口疏浚最大的开销。\n\n" * 6
        + "**推荐阅读**\n\n"
        "- [港口为什么要不停地疏浚](https://mp.weixin.qq.com/s?__biz=MzA&mid=2&scene=21)\n\n"
        "- [一条航道的十年](https://mp.weixin.qq.com/s?__biz=MzA&mid=3&scene=21)\n\n"
        "**免责声明：本文仅代表作者个人观点，不代表本平台立场。**\n"
    )
    article = clean(text)
    for gone in ("推荐阅读", "港口为什么要不停地疏浚", "一条航道的十年", "不代表本平台立场"):
        assert gone not in article.body
    assert "河口每年淤积的泥沙" in article.body


PATHOLOGICAL = ["[", "![", "[a](", "(", "](", '[a](b "', "**", "> ", "# "]


def _seconds(fn, text: str) -> float:
    """The best of three runs, so that one slow run on a busy machine does not count."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("unit", PATHOLOGICAL)
def test_markup_scanning_is_linear(unit: str) -> None:
    size = 200_000
    text = unit * (size // len(unit))
    quarter = text[: len(text) // 4]
    read = lambda t: read_textdump(t, None, load_rules())  # noqa: E731
    read(quarter)
    small, large = _seconds(read, quarter), _seconds(read, text)
    assert large < 0.5, f"{unit!r}: reading 200 KB took {large:.2f} s"
    # Four times the text: linear costs about 4x, quadratic 16x; 8x leaves room for noise.
    assert large < 8 * max(small, 0.01), f"{unit!r}: {small:.3f} s -> {large:.3f} s"
    start = time.perf_counter()
    clean(text)
    assert time.perf_counter() - start < 2.0, f"{unit!r}: cleaning 200 KB took too long"


def test_one_line_reprint_header_after_a_name() -> None:
    text = (
        "青石开源社 以下文章来源于码上观潮，作者韦清远\n\n"
        "小团队开源模型，最缺的不是代码，而是反馈。\n\n" * 4
    )
    article = clean(text)
    assert (article.account, article.source, article.author) == ("青石开源社", "码上观潮", "韦清远")
    assert "以下文章来源于" not in article.body


def test_one_line_reprint_header_in_html() -> None:
    page = (
        "<html><head><title>港口的夜班</title></head><body><article>"
        "<h1>港口的夜班</h1>"
        "<p>北岸周刊 以下文章来源于河口观察，作者宋一帆</p>"
        + "<p>凌晨两点，吊机司机换班，码头上只剩下集装箱卡车的灯光和对讲机里的报数声。</p>" * 4
        + "</article></body></html>"
    )
    article = clean(page)
    assert (article.source, article.author) == ("河口观察", "宋一帆")
    assert "以下文章来源于" not in article.body


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("著者: 陳暁舟 出典: 東岸テック観察 編集: 李静怡", ("陳暁舟", "東岸テック観察", "李静怡")),
        ("作者：韦清远 来源：码上观潮 编辑：孔令仪", ("韦清远", "码上观潮", "孔令仪")),
        (
            "Author: Maria Lopez Source: Harbour Weekly Editor: Tom Becker",
            ("Maria Lopez", "Harbour Weekly", "Tom Becker"),
        ),
    ],
)
def test_one_line_credit_in_a_dump(line: str, expected: tuple[str, str, str]) -> None:
    body = "本文の本文はここにあります。工場の話が続きます。\n\n" * 6
    article = clean(f"# 題名\n\n{body}{line}\n")
    assert (article.author, article.source, article.editor) == expected
    assert line not in article.body


# A Markdown dump of a post whose export kept one table as raw HTML (styled cells, a <section>
# and a <p> in each), then went on in Markdown.
TABLE_DUMP = (
    "#  一款整理巡检日志的小工具，按主机和级别汇总告警   \n"
    "Lin-ops  北岸运维   2024-05-18 21:07  \n  \n"
    "运维同学每天要翻几千行巡检日志，这个工具把告警按主机和级别归好类。  \n  \n"
    "## 支持的格式  \n  \n"
    '<table><thead><tr><th style="color: rgb(66, 75, 93);padding: 5px 10px;">'
    '<section><span leaf="">格式</span></section></th>'
    '<th style="color: rgb(66, 75, 93);"><section><span leaf="">说明</span></section></th>'
    "</tr></thead><tbody>"
    '<tr style="background-color: rgb(255, 255, 255);"><td style="min-width: 85px;">'
    '<p><span leaf="">syslog</span></p></td><td><p><span leaf="">按行读取 &amp; 去重</span>'
    "</p></td></tr>"
    '<tr><td><section><span leaf=""><br/></span></section></td><td><p>'
    '<span leaf="">JSON 行 &lt;每行一条&gt;</span></p></td></tr>'
    "</tbody></table>## 使用方法  \n  \n"
    "解压后运行主程序，指定日志目录即可生成汇总表。  \n"
)


def test_dump_with_an_html_table_is_read_as_a_dump() -> None:
    article = clean(TABLE_DUMP)
    assert article.reader == "text"
    assert article.title == "一款整理巡检日志的小工具，按主机和级别汇总告警"
    assert (article.account, article.author) == ("北岸运维", "Lin-ops")
    assert article.published == "2024-05-18T21:07:00+08:00"
    assert "运维同学每天要翻几千行巡检日志" in article.body
    assert "解压后运行主程序" in article.body


def test_html_table_in_a_dump_becomes_lines_of_text() -> None:
    body = clean(TABLE_DUMP).body.split("\n\n")
    assert "格式 | 说明" in body
    assert "syslog | 按行读取 & 去重" in body
    assert "JSON 行 <每行一条>" in body  # the empty cell is dropped
    assert "使用方法" in body  # the heading glued after </table>
    text = "\n".join(body)
    for markup in ("<table", "<td", "<span", "</p>", "style", "rgb(", "leaf=", "&amp;", "##"):
        assert markup not in text


def test_html_block_runs_to_its_closing_tag_or_a_blank_line() -> None:
    text = (
        "# 港口的夜班\n\n 北岸周刊   2021-06-01 08:00\n\n"
        "凌晨两点，吊机司机换班，码头上只剩下集装箱卡车的灯光。\n\n"
        '<section style="font-size: 15px;">\n<p>第一段在区块里。</p>\n'
        "<p>第二段也在。</p>\n</section>\n"
        "```\nkeep <div> as code\n```\n"
        "<div><p>没有闭合的区块\n\n"
        "区块之后的 Markdown **段落**。\n"
    )
    blocks = [b for b in read_textdump(text, None, load_rules()).blocks if b.removal is None]
    assert [(b.text, b.tag) for b in blocks[1:]] == [
        ("第一段在区块里。", "p"),
        ("第二段也在。", "p"),
        ("keep <div> as code", "pre"),
        ("没有闭合的区块", "p"),
        ("区块之后的 Markdown 段落。", "p"),
    ]


def test_html_block_left_open_does_not_swallow_the_next() -> None:
    text = (
        "# 标题\n\n"
        "<table><tr><td>甲</td><td>乙\n\n"
        "中间的 Markdown 段落。\n\n"
        "<p>注释没有结束 <!-- 这里\n\n"
        "<div><script>var a = 1;\n\n"
        "<p>最后一段。</p>\n"
    )
    texts = [b.text for b in read_textdump(text, None, load_rules()).blocks if b.removal is None]
    assert texts == ["甲 | 乙", "中间的 Markdown 段落。", "注释没有结束", "最后一段。"]


def test_images_and_links_in_an_html_block() -> None:
    text = (
        "# 标题\n\n"
        '<p><a href="https://example.com/doc">说明文档</a>见此。</p>'
        '<p><img data-src="https://img.example.com/a.png" src="data:x"></p>\n'
        '<div style="display: none">藏起来的字</div>\n\n'
        "图后的段落。\n"
    )
    draft = read_textdump(text, None, load_rules())
    blocks = [b for b in draft.blocks if b.removal is None]
    assert blocks[0].text == "说明文档见此。"
    assert blocks[0].links == ("https://example.com/doc",)
    assert blocks[0].link_chars == len("说明文档")
    assert blocks[1].text == "图后的段落。"
    assert blocks[1].images == ("https://img.example.com/a.png",)
    assert "藏起来的字" not in clean(text).body


@pytest.mark.parametrize(
    "head",
    [
        "<!DOCTYPE html>\n<html><body><p>x</p></body></html>",
        "\ufeff  \n<html lang='zh'><p>x</p>",
        "<!-- https://example.com/a -->\n<!-- saved -->\n<head><title>t</title></head>",
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">',
        "<div class='post'><p>片段页面</p></div>",
        "<p>一段</p>",
        "<!--headTrap<body></body><head></head><html>-->\n<!DOCTYPE html>",
        "<!-- a comment that never ends <p>",
        "Warning: cache miss on line 3\n<!DOCTYPE html>\n<html><body>x</body></html>",
        "X-Powered-By: PHP\n\n  <html>\n<body><p>x</p>",
    ],
)
def test_html_documents(head: str) -> None:
    assert is_html_document(head)


@pytest.mark.parametrize(
    "head",
    [
        "#  标题   \n 北岸周刊   2021-06-01 08:00\n\n正文。\n\n<table><tr><td>a</td></tr></table>",
        "# 标题\n\n<section><p>正文在区块里</p></section>\n",
        "正文第一段。\n\n<div>后来才有 HTML</div>\n<p>x</p>",
        "---\ntitle: 港口\n---\n<p>x</p>",
        "<!-- saved by a tool -->\n# 标题\n\n<p>x</p>",
        "<https://example.com/autolink> 开头的一行\n<p>x</p>",
        "# HTML 里 <head> 标签的作用\n\n讲 <body> 和 <html>。\n",
        "# 标题\n\n```\n<!DOCTYPE html>\n<html>\n```\n",
        "# 标题\n" + "正文。\n" * 20 + "<html><body>很后面</body></html>",
        "",
        "纯文本。",
    ],
)
def test_text_dumps_that_hold_html(head: str) -> None:
    assert not is_html_document(head)


HTML_UNITS = ["<p>a</p>\n", "<tr><td>a</td><td>b</td></tr>\n", "<p>\n", "</td>\n", "<!--\n"]


@pytest.mark.parametrize("unit", HTML_UNITS)
def test_html_blocks_are_read_in_linear_time(unit: str) -> None:
    text = "# 标题\n" + unit * (200_000 // len(unit))
    quarter = text[: len(text) // 4]
    read = lambda t: read_textdump(t, None, load_rules())  # noqa: E731
    read(quarter)
    small, large = _seconds(read, quarter), _seconds(read, text)
    assert large < 8 * max(small, 0.02), f"{unit!r}: {small:.3f} s -> {large:.3f} s"
    start = time.perf_counter()
    clean(text)
    assert time.perf_counter() - start < 3.0, f"{unit!r}: cleaning 200 KB took too long"


HTML_PIECE = st.one_of(
    st.sampled_from(
        [
            "<table>",
            "</table>",
            "<tr>",
            "<td>",
            "</td>",
            "<th style='a: b'>",
            "<p>",
            "</p>",
            "<section>",
            "</section>",
            "<div>",
            "<br/>",
            "<span leaf=''>",
            "</span>",
            "<!--",
            "-->",
            "<template>",
            "</template>",
            "<script>",
            "<plaintext>",
            "<hr>",
            "&amp;",
            "&lt;",
            "港口",
            "夜班",
            " ",
            "\n",
            "\n\n",
            "# ",
            "```\n",
            "<https://a.b>",
        ]
    ),
    st.text(max_size=8),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HTML_PIECE, max_size=60))
def test_any_dump_with_html_fragments_is_safe_and_quick(pieces: list[str]) -> None:
    text = "# 港口的夜班\n 北岸周刊   2021-06-01 08:00\n\n" + "".join(pieces)
    start = time.perf_counter()
    try:
        article = clean(text)
    except CleanerError:
        return
    assert article.reader == "text"
    assert time.perf_counter() - start < 2.0
