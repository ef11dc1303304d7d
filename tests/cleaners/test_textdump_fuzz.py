"""Generated Markdown and text dumps: `clean()` raises nothing but CleanerError, and is quick.

Set REPRINTS_FUZZ_EXAMPLES to run more cases than the CI default.
"""

from __future__ import annotations

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import CleanerError, clean

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "120"))
MAX_SECONDS = 2.0

WORDS = st.sampled_from(
    [
        "港口",
        "夜班",
        "以下文章来源于",
        "作者：",
        "来源｜",
        "出典:",
        "著者:",
        "Author:",
        "Source:",
        "以下の記事は",
        "推荐阅读",
        "本文抓取时间:",
        "投稿邮箱：",
        "2023-10-14 09:25",
        "原创",
        "。",
        "，",
        "！",
        " ",
        "  ",
        "https://example.com/a?b=1",
        "harbour",
        "Weekly",
    ]
)
MARKUP = st.sampled_from(["[", "]", "(", ")", "![", "](", "**", "*", "_", "#", ">", "-", "|", "`"])
PIECE = st.one_of(WORDS, MARKUP, st.text(max_size=12))


@st.composite
def inline(draw: st.DrawFn) -> str:
    """A run of words, brackets and links, sometimes repeated into a long line."""
    parts = draw(st.lists(PIECE, max_size=24))
    if draw(st.booleans()):
        parts.append(f"[{draw(WORDS)}]({draw(WORDS)})")
    if draw(st.booleans()):
        parts.append(f"![{draw(WORDS)}](https://img.example.com/{draw(st.integers(0, 99))}.png)")
    text = "".join(parts)
    return text * draw(st.sampled_from([1, 1, 1, 20, 200]))


@st.composite
def line(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["", "", "# ", "## ", "> ", "- ", "1. ", "**", "  "]))
    suffix = "**" if prefix == "**" else draw(st.sampled_from(["", "", "  ", "**"]))
    return prefix + draw(inline()) + suffix


@st.composite
def dump(draw: st.DrawFn) -> str:
    """A dump: maybe front matter, then lines, separators, fences and blank lines."""
    lines = draw(
        st.lists(st.one_of(line(), st.sampled_from(["", "---", "```", "|", "-"])), max_size=30)
    )
    head = draw(
        st.sampled_from(
            [
                "",
                "---\ntitle: 港口\nsource: 北岸\n---\n",
                "# 港口的夜班\n 北岸周刊   2021-06-01 08:00\n",
            ]
        )
    )
    return head + "\n".join(lines)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(dump())
def test_clean_of_any_dump_is_safe_and_quick(text: str) -> None:
    start = time.perf_counter()
    try:
        article = clean(text)
    except CleanerError:
        return
    assert time.perf_counter() - start < MAX_SECONDS
    assert isinstance(article.body, str)
    for removal in article.removed:
        assert removal.kind and removal.rule
