"""Language of an article body: zh-Hans, zh-Hant, ja, en, or None for no text."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import load_rules
from cleaners.language import _script_counts, detect_language

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "60")) * 3

CASES = [
    ("zh-Hans", "这个问题的关键在于，我们怎样让更多的读者愿意花时间读完一篇长文章。"),
    ("zh-Hans", "开发者们在会上讨论了新版本的发布计划，并决定推迟两周。"),
    ("zh-Hant", "這個問題的關鍵在於，我們怎樣讓更多的讀者願意花時間讀完一篇長文章。"),
    ("zh-Hant", "開發者們在會上討論了新版本的發布計劃，並決定推遲兩週。"),
    ("ja", "この問題の鍵は、より多くの読者に長い記事を最後まで読んでもらう方法にある。"),
    (
        "ja",
        "開発者たちは会議で新しいバージョンの公開計画について話し合い、二週間延期することにした。",
    ),
    ("en", "The key question is how to get more readers to finish a long article."),
    ("en", "Developers discussed the release plan at the meeting and postponed it by two weeks."),
    # A Chinese article quoting English terms is still Chinese.
    ("zh-Hans", "我们用 Python 和 SQLite 搭建了这个工具，它会把文章保存到本地数据库里。"),
    # An English article mentioning a Chinese name is still English.
    ("en", "The magazine 新周刊 was founded in Guangzhou and covers culture and society."),
]


@pytest.mark.parametrize(("expected", "text"), CASES)
def test_detect_language(expected: str, text: str) -> None:
    assert detect_language(text, load_rules()) == expected


@pytest.mark.parametrize("text", ["", "   \n\n", "2024-05-13 06:15", "！？。…——", "12345"])
def test_no_text_gives_none(text: str) -> None:
    assert detect_language(text, load_rules()) is None


_SCRIPTS = st.text(
    st.sampled_from(
        [
            *"azAZ@[`{\u00c0\u00e0\u0130\u0131\u212a\uff21\uff41",
            *"\u303f\u3040\u3041\u30ff\u3100\u4dff\u4e00\u4e01\u9fff\ua000",
            *"\ud800\U00020000 。，、\n",
        ]
    ),
    max_size=60,
)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(_SCRIPTS)
def test_script_counts_are_the_counts_of_each_range(text: str) -> None:
    expected = tuple(
        len(re.findall(pattern, text))
        for pattern in ("[\u3040-\u30ff]", "[\u4e00-\u9fff]", "[A-Za-z]")
    )
    assert _script_counts(text) == expected
