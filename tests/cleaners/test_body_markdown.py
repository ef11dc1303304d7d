"""The body as Markdown (`Article.body_markdown`): built from the same blocks as the plain
body, it keeps headings (tagged or styled), lists, links, images in place, quotes, tables, code
and emphasis; what the sweep removes is absent from both; hostile markup stays inert.

The pages are invented here, in the shapes of a WeChat article and of a portal mirror.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import cleaners

REPRINTS = Path(sys.executable).parent / "reprints"
TITLE = "社区菜园的第三年"
ACCOUNT = "城南小记"
IMAGE = "https://mmbiz.qpic.cn/mmbiz_jpg/Qx7bT2kLm9Vn4RcA8sYw/640?wx_fmt=jpeg"
QR_IMAGE = "https://mmbiz.qpic.cn/mmbiz_png/Zq1cR5tHn8Wm3KpL0vXe/640?wx_fmt=png"
INTRO = "菜园开在两栋楼之间的空地上，三年前还是一片堆满旧家具的杂草地，如今每周都有人来浇水。"
MIDDLE = "第一年的收成并不好，西红柿被虫子吃掉了一半，黄瓜也因为浇水太多烂了根，大家很沮丧。"
CLOSING = "到了第三年，菜园已经能给楼里的二十户人家分菜，剩下的送到街道的老年食堂去。"


def wechat_page(content: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{TITLE}</title>
<script>var msg_title = '{TITLE}'; var nickname = "{ACCOUNT}"; var ct = "1718000000";</script>
</head><body><div id="js_article">
<h1 class="rich_media_title" id="activity-name">{TITLE}</h1>
<a id="js_name">{ACCOUNT}</a>
<div class="rich_media_content" id="js_content" style="visibility: hidden; opacity: 0;">
{content}
</div></div></body></html>"""


STRUCTURED = f"""
<p>{INTRO}</p>
<h2>一、从杂草地开始</h2>
<p>{MIDDLE}<strong>后来请教了农技站的老师</strong>，才知道要先改良土壤，详见<a
 href="https://example.org/soil-guide">土壤改良手册</a>。</p>
<p style="text-align:center"><img data-src="{IMAGE}" alt="菜园全景"
 src="data:image/gif;base64,R0lGOD"></p>
<section style="font-size: 18px; font-weight: bold"><span>二、分工与轮值</span></section>
<ul><li><section><span>周一、周三：浇水和除草</span></section></li>
<li>周六上午：集体翻地<ul><li>工具放在一号楼的储藏室</li></ul></li></ul>
<ol><li>先报名</li><li>再领一块地</li></ol>
<blockquote><p>种菜让邻居们第一次记住了彼此的名字，这是我们没有想到的收获。</p></blockquote>
<table><tr><th>作物</th><th>产量（斤）</th></tr><tr><td>西红柿</td><td>120</td></tr>
<tr><td>黄瓜</td><td>86</td></tr></table>
<pre><code>浇水表 = {{"周一": "三号楼", "周三": "五号楼"}}
print(浇水表["周一"])</code></pre>
<p>{CLOSING}</p>
"""


def markdown_of(content: str) -> tuple[cleaners.Article, str]:
    article = cleaners.clean(wechat_page(content), "https://mp.weixin.qq.com/s/garden")
    assert article.status == "ok", article
    return article, article.body_markdown


def test_headings_tagged_and_styled():
    _, markdown = markdown_of(STRUCTURED)
    lines = markdown.splitlines()
    assert "## 一、从杂草地开始" in lines
    assert "## 二、分工与轮值" in lines


def test_links_emphasis_and_images_in_place():
    _, markdown = markdown_of(STRUCTURED)
    assert "[土壤改良手册](https://example.org/soil-guide)" in markdown
    assert "**后来请教了农技站的老师**" in markdown
    image = f"![菜园全景]({IMAGE})"
    assert image in markdown.splitlines()
    assert markdown.index(MIDDLE) < markdown.index(image) < markdown.index("二、分工与轮值")


def test_marks_open_across_a_line_break_are_closed_and_opened_again():
    content = f"<p>{INTRO}</p><p><strong>先翻地，<br>再播种</strong>，最后浇水。</p>"
    _, markdown = markdown_of(content)
    lines = markdown.splitlines()
    assert "**先翻地，**" in lines and "**再播种**，最后浇水。" in lines


def test_lists_nested_and_ordered():
    _, markdown = markdown_of(STRUCTURED)
    lines = markdown.splitlines()
    assert "- 周一、周三：浇水和除草" in lines
    assert "- 周六上午：集体翻地" in lines
    assert "  - 工具放在一号楼的储藏室" in lines
    ordered = lines.index("1. 先报名")
    assert lines[ordered + 1] == "2. 再领一块地"


def test_quotes_tables_and_code():
    _, markdown = markdown_of(STRUCTURED)
    lines = markdown.splitlines()
    assert "> 种菜让邻居们第一次记住了彼此的名字，这是我们没有想到的收获。" in lines
    header = lines.index("| 作物 | 产量（斤） |")
    assert lines[header + 1 : header + 4] == ["| --- | --- |", "| 西红柿 | 120 |", "| 黄瓜 | 86 |"]
    fence = lines.index("```")
    assert lines[fence + 1 : fence + 4] == [
        '浇水表 = {"周一": "三号楼", "周三": "五号楼"}',
        'print(浇水表["周一"])',
        "```",
    ]


def test_the_plain_body_is_the_same_text():
    article, markdown = markdown_of(STRUCTURED)
    for paragraph in (INTRO, MIDDLE, CLOSING):
        assert paragraph in article.body
        assert paragraph in markdown
    assert "**" not in article.body and "](" not in article.body


TAIL = f"""
<p>长按识别下方二维码，关注{ACCOUNT}</p>
<p><img data-src="{QR_IMAGE}"></p>
<p><strong>往期推荐</strong></p>
<p><a href="https://mp.weixin.qq.com/s?__biz=MzA5&amp;mid=11&amp;idx=1">阳台上也能种出好番茄</a></p>
<p><a href="https://mp.weixin.qq.com/s?__biz=MzA5&amp;mid=12&amp;idx=1">一张地图带你逛遍城南菜市场</a></p>
<p><a href="https://mp.weixin.qq.com/s?__biz=MzA5&amp;mid=13&amp;idx=1">老小区加装电梯的第五个月</a></p>
"""


def test_what_the_sweep_removes_is_absent_from_both_forms():
    article, markdown = markdown_of(STRUCTURED + TAIL)
    removed = " ".join(r.text for r in article.removed)
    for gone in ("往期推荐", "阳台上也能种出好番茄", "长按识别下方二维码"):
        assert gone in removed
        assert gone not in article.body
        assert gone not in markdown
    assert QR_IMAGE not in markdown
    assert CLOSING in markdown


HOSTILE = f"""
<p>{INTRO}</p>
<p onclick="steal()">点这里<a href="javascript:alert(document.cookie)">领取奖品</a>，或者<a
 href=" JaVaScRiPt:void(0)">这里</a>和<a href="data:text/html,x">那里</a>。</p>
<script>document.write("<p>脚本写出的段落</p>")</script>
<svg><text>矢量图里的字</text><script>alert(2)</script></svg>
<p>{MIDDLE}有人写了 &lt;b&gt;标签&lt;/b&gt; 和 *星号* 以及 [方括号](x)。</p>
"""


def test_hostile_markup_stays_inert():
    _, markdown = markdown_of(HOSTILE)
    assert "javascript" not in markdown.lower() and "data:" not in markdown
    assert "领取奖品" in markdown
    for absent in ("脚本写出的段落", "矢量图里的字", "alert", "steal"):
        assert absent not in markdown
    assert r"\<b\>标签\</b\>" in markdown
    assert r"\*星号\*" in markdown and r"\[方括号\](x)" in markdown


MIRROR = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}_城南网</title>
<meta property="og:title" content="{TITLE}"></head><body>
<div class="nav"><a href="/">首页</a> <a href="/news">新闻</a> <a href="/life">生活</a></div>
<article class="article-content">
<h1>{TITLE}</h1>
<p>{INTRO}</p>
<h3>种什么</h3>
<ul><li>西红柿和黄瓜</li><li>小葱和香菜</li></ul>
<p>{MIDDLE}</p>
<p>{CLOSING}</p>
</article>
<div class="footer">版权所有 城南网</div></body></html>"""


def test_a_mirror_page_keeps_its_structure():
    article = cleaners.clean(MIRROR, "https://news.chengnan.example/life/2024/0612/garden.html")
    assert article.status == "ok"
    lines = article.body_markdown.splitlines()
    assert "### 种什么" in lines
    assert lines[lines.index("- 西红柿和黄瓜") + 1] == "- 小葱和香菜"
    assert "版权所有" not in article.body_markdown


def test_a_markdown_dump_keeps_its_headings_and_lists():
    dump = (
        f"# {TITLE}\n\n{INTRO}\n\n## 第一年\n\n{MIDDLE}\n\n- 浇水\n- 除草\n\n"
        f"![菜园]({IMAGE})\n\n{CLOSING}\n"
    )
    article = cleaners.clean(dump)
    lines = article.body_markdown.splitlines()
    assert "## 第一年" in lines
    first = lines.index("- 浇水")
    assert lines[first + 1] == "- 除草"
    assert f"![]({IMAGE})" in lines


def test_markdown_format_has_front_matter(tmp_path):
    page = tmp_path / "garden.html"
    page.write_text(wechat_page(STRUCTURED + TAIL), encoding="utf-8")
    run = [str(REPRINTS), "clean", str(page)]
    markdown = subprocess.run([*run, "--format", "markdown"], capture_output=True, text=True)
    record = json.loads(subprocess.run([*run, "--format", "json"], capture_output=True).stdout)
    assert markdown.returncode == 0, markdown.stderr
    head, separator, body = markdown.stdout.partition("\n---\n")
    assert head.startswith("---\n") and separator
    front = dict(line.split(": ", 1) for line in head.splitlines()[1:])
    assert json.loads(front["title"]) == TITLE
    assert json.loads(front["account"]) == ACCOUNT
    assert int(front["removed"]) == len(record["removed"]) > 0
    assert body.lstrip().startswith(f"# {TITLE}\n\n{INTRO}")
    assert record["body_markdown"] in body


TAGS = st.sampled_from(
    ["p", "div", "section", "ul", "ol", "li", "blockquote", "pre", "code", "strong", "em",
     "a", "table", "tr", "td", "th", "h2", "span", "br", "img"]
)  # fmt: skip
WORDS = st.text(alphabet="菜园浇水*_[]()<>#|`\\ 甲乙丙", min_size=0, max_size=30)


@st.composite
def fragments(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 4 and draw(st.booleans()):
            tag = draw(TAGS)
            attrs = ' href="javascript:x()"' if tag == "a" else ""
            attrs += f' data-src="{IMAGE}"' if tag == "img" else ""
            parts.append(f"<{tag}{attrs}>{draw(fragments(depth + 1))}</{tag}>")
        else:
            parts.append(html.escape(draw(WORDS)))
    return "".join(parts)


@settings(max_examples=200, deadline=None)
@given(fragments())
def test_any_markup_gives_markdown_with_the_same_text(content):
    article = cleaners.clean(wechat_page(f"<p>{INTRO}</p>{content}<p>{CLOSING}</p>"))
    if article.status != "ok":
        return
    assert bool(article.body) == bool(article.body_markdown)
    assert "javascript" not in article.body_markdown
    assert INTRO in article.body and INTRO in article.body_markdown
    # What follows a malformed table can be moved out of the article by the HTML parser's
    # table rules (as a browser moves it): then it is in neither form.
    assert (CLOSING in article.body) == (CLOSING in article.body_markdown)
