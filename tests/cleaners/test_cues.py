"""Cue scores (cleaners.cues): on a text that is not a label and names no account, only a cue
of kind "address" lets the other cues count, and the shortcut that skips them when none fires
gives the same score as running every cue."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import load_rules
from cleaners.cues import NO_CUES, CueScore, _score, is_label, score

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "60"))
RULES = load_rules()
PROSE = "这家面馆开了二十年，老板每天清晨四点起床熬汤，街坊们都说这碗面的味道从来没有变过。"


def every_cue(text: str, counted: bool) -> CueScore:
    """The score with every cue tried: the full score (as on a label), which without
    `counted` only stands when the text addresses the reader."""
    full = _score(text, RULES.cues, True)
    return full if counted or full.addressed else NO_CUES


def test_prose_that_mentions_following_has_no_cues():
    text = PROSE + "后来有人把它写进了公众号，很多人关注了这家店。"
    assert score(text, RULES) == NO_CUES


def test_prose_that_asks_the_reader_to_follow_has_its_cues():
    found = score(PROSE + "欢迎大家关注我们的公众号，扫码加入读者群。", RULES)
    assert found.addressed and len(found.names) >= 2, found


def test_a_publisher_speaking_lets_a_disclaimer_count():
    found = score(PROSE + "本文仅代表作者观点，与本平台无关，如有侵权请联系删除。", RULES)
    assert found.kind == "disclaimer" and found.addressed, found


_PIECES = st.sampled_from(
    [
        PROSE,
        "关注",
        "公众号",
        "扫码",
        "二维码",
        "点击阅读原文",
        "你",
        "我们",
        "please",
        "follow us",
        "Subscribe to our newsletter",
        "“关注我们”",
        "。",
        "，",
        " ",
        "免责声明",
        "本文仅代表作者观点",
        "版权归原作者所有",
        "ください",
        "フォロー",
    ]
)


@settings(max_examples=EXAMPLES * 3, deadline=None, derandomize=True)
@given(st.lists(_PIECES, min_size=1, max_size=8).map("".join), st.booleans())
def test_the_shortcut_scores_as_every_cue_does(text, evident):
    assert score(text, RULES, evident) == every_cue(text, evident or is_label(text, RULES))
