"""parse_credits: one credit line or phrase in, the credit fields it names out.

Keys are among author, source, source_account_id, editor, translator, original_url, and
account for the republisher's name that stands before a reprint header; text
that is not a credit (a figure caption, a sentence that merely mentions an author or a
source) gives {}. All names here are invented.
"""

from __future__ import annotations

import pytest

CREDITS: list[tuple[str, dict[str, str]]] = [
    # simplified Chinese, one credit
    ("作者：林知夏", {"author": "林知夏"}),
    ("作者 | 李明川", {"author": "李明川"}),
    ("文｜宋一帆", {"author": "宋一帆"}),
    ("文/魏小禾", {"author": "魏小禾"}),
    ("撰文：柯远舟", {"author": "柯远舟"}),
    ("来源：新华社", {"source": "新华社"}),
    ("（来源：东岭日报）", {"source": "东岭日报"}),
    ("本文来源：码上观潮", {"source": "码上观潮"}),
    ("转载自北岸周刊", {"source": "北岸周刊"}),
    ("编辑：许晴", {"editor": "许晴"}),
    ("编辑｜顾晓峰", {"editor": "顾晓峰"}),
    ("责编：张一苇", {"editor": "张一苇"}),
    ("责任编辑：何田田", {"editor": "何田田"}),
    ("译者：陆安然", {"translator": "陆安然"}),
    ("原文链接：https://example.com/posts/42", {"original_url": "https://example.com/posts/42"}),
    # several credits on one line
    (
        "本文来自微信公众号：码上观潮（ID：mashang-guanchao），作者：韦清远",
        {"source": "码上观潮", "source_account_id": "mashang-guanchao", "author": "韦清远"},
    ),
    (
        "本文来自微信公众号“北岸周刊”（ID：beian-weekly），作者：宋一帆，经授权发布。",
        {"source": "北岸周刊", "source_account_id": "beian-weekly", "author": "宋一帆"},
    ),
    (
        "文｜宋一帆 编辑｜许晴 来源｜北岸周刊（ID：beian-weekly）",
        {
            "author": "宋一帆",
            "editor": "许晴",
            "source": "北岸周刊",
            "source_account_id": "beian-weekly",
        },
    ),
    ("文/魏小禾 编辑/叶澄", {"author": "魏小禾", "editor": "叶澄"}),
    ("来源|新华社 编辑|顾晓峰 校对|宋佳", {"source": "新华社", "editor": "顾晓峰"}),
    ("（本文来源：东岭日报 作者：方景行）", {"source": "东岭日报", "author": "方景行"}),
    (
        "作者：韦清远 来源：码上观潮 编辑：孔令仪",
        {"author": "韦清远", "source": "码上观潮", "editor": "孔令仪"},
    ),
    ("原文：alice@github 译文：bob", {"author": "alice@github", "translator": "bob"}),
    # traditional Chinese
    ("作者：鄭以安", {"author": "鄭以安"}),
    ("來源：綠野雙週刊", {"source": "綠野雙週刊"}),
    ("編輯：蘇怡君", {"editor": "蘇怡君"}),
    ("譯者：林語青", {"translator": "林語青"}),
    ("轉載自綠野雙週刊", {"source": "綠野雙週刊"}),
    # Japanese
    ("著者: 陳暁舟", {"author": "陳暁舟"}),
    ("転載元:東岸テック観察", {"source": "東岸テック観察"}),
    ("編集者:李静怡", {"editor": "李静怡"}),
    (
        "著者:陳暁舟 転載元:東岸テック観察 編集者:李静怡",
        {"author": "陳暁舟", "source": "東岸テック観察", "editor": "李静怡"},
    ),
    ("翻訳：佐藤健", {"translator": "佐藤健"}),
    ("翻訳者 中村真子", {"translator": "中村真子"}),
    # English
    ("Author: Maria Lopez", {"author": "Maria Lopez"}),
    ("By Chen Yu", {"author": "Chen Yu"}),
    ("Source: Harbour Weekly", {"source": "Harbour Weekly"}),
    ("Editor: Wang Jiahui", {"editor": "Wang Jiahui"}),
    ("Edited by Tom Becker", {"editor": "Tom Becker"}),
    ("Translated by Emily Carter", {"translator": "Emily Carter"}),
    ("Translator: Emily Carter", {"translator": "Emily Carter"}),
    # one-line credits whose labels follow each other (出典 as a source label after another)
    (
        "著者: 陳暁舟 出典: 東岸テック観察 編集: 李静怡",
        {"author": "陳暁舟", "source": "東岸テック観察", "editor": "李静怡"},
    ),
    (
        "Author: Maria Lopez Source: Harbour Weekly Editor: Tom Becker",
        {"author": "Maria Lopez", "source": "Harbour Weekly", "editor": "Tom Becker"},
    ),
    # a reprint header after the republisher's name, on one line
    (
        "東岸ノート 以下の記事は東岸テック観察からのもので、陳暁舟氏が執筆したものです。",
        {"account": "東岸ノート", "source": "東岸テック観察", "author": "陳暁舟"},
    ),
    (
        "青石开源社 以下文章来源于码上观潮，作者韦清远",
        {"account": "青石开源社", "source": "码上观潮", "author": "韦清远"},
    ),
    (
        "Harbour Notes The following article is from Harbour Weekly, written by Zhou Lan",
        {"account": "Harbour Notes", "source": "Harbour Weekly", "author": "Zhou Lan"},
    ),
    # reprint headers
    ("以下文章来源于北岸周刊 ，作者宋一帆", {"source": "北岸周刊", "author": "宋一帆"}),
    ("以下文章来源于码上观潮，作者韦清远", {"source": "码上观潮", "author": "韦清远"}),
    ("以下文章來源於北岸週刊，作者宋一帆", {"source": "北岸週刊", "author": "宋一帆"}),
    (
        "以下の記事は東岸テック観察からのもので、陳暁舟氏が執筆したものです。",
        {"source": "東岸テック観察", "author": "陳暁舟"},
    ),
    (
        "The following article is from Harbour Weekly, written by Zhou Lan",
        {"source": "Harbour Weekly", "author": "Zhou Lan"},
    ),
    (
        "The following article is from 小河科技 Author 周岚",
        {"source": "小河科技", "author": "周岚"},
    ),
]

NOT_CREDITS: list[str] = [
    # An instruction to edit a file, in a how-to's numbered steps: not an editor.
    "编辑 settings.py",
    "编辑：conf/nginx.conf",
    "Edited by: build/output.log",
    "数据来源：国家统计局",
    "资料来源：山岚数据实验室 2023 年新用户调研",
    "資料來源：農業部 2023 年家庭園藝調查",
    "图片来源：网络",
    "封面来源｜《夏日的河》剧照",
    "作者认为，与其追求一开始就精准，不如先保证多样性。",
    "来源于生活的灵感，往往比闭门苦想更可靠。",
    "The author argues that repair is a form of memory.",
    "Sources say the deal could be announced as early as next week.",
    "By the end of the year, prices had almost doubled.",
    "曾经做过杂志编辑的阿梅说，她喜欢夜市的原因很简单，每个来买东西的人都愿意多聊两句。",
    "著者は、採算を左右するのは立地よりもバッテリーの寿命管理だと考えている。",
    "出典: 総務省統計局「家計調査」2023年",
    "出典：東岸テック観察の調査をもとに編集部作成",
    "去年我读到一篇长文，以下文章来源于码上观潮，作者韦清远",
]


def _id(text: str) -> str:
    return text[:24]


@pytest.mark.parametrize(("text", "expected"), CREDITS, ids=[_id(t) for t, _ in CREDITS])
def test_parse_credits(text: str, expected: dict[str, str]) -> None:
    from cleaners.attribution import parse_credits

    got = parse_credits(text)
    assert got == expected, f"parse_credits({text!r}) gave {got!r}, expected {expected!r}"


@pytest.mark.parametrize("text", NOT_CREDITS, ids=[_id(t) for t in NOT_CREDITS])
def test_not_a_credit(text: str) -> None:
    from cleaners.attribution import parse_credits

    got = parse_credits(text)
    assert got == {}, f"parse_credits({text!r}) should find no credit, gave {got!r}"


def test_find_credits_is_linear_and_cached() -> None:
    import time

    from cleaners.attribution import _find_credits, find_credits

    labels = "作者：林知夏 来源：新华社 " * 4000
    start = time.perf_counter()
    find_credits(labels, anywhere=True)
    assert time.perf_counter() - start < 1.0
    line = "北岸周刊 以下文章来源于河口观察，作者宋一帆"
    find_credits(line)
    hits = _find_credits.cache_info().hits
    assert find_credits(line) == find_credits(line)
    assert _find_credits.cache_info().hits >= hits + 2
