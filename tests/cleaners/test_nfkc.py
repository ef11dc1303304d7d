"""cleaners.nfkc: the fast NFKC gives what unicodedata's NFKC gives, for every text."""

from __future__ import annotations

import os
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.nfkc import nfkc

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "60"))
# Letters that compose (Latin, Greek, Hangul jamo and syllables, Indic and Tibetan marks),
# combining marks, compatibility forms (full-width, ligatures, circled), Han and kana.
_MIXED = st.sampled_from(
    [
        *map(chr, range(0x20, 0x250)),
        *map(chr, range(0x300, 0x370)),
        *map(chr, range(0x1100, 0x1200)),
        *map(chr, range(0xAC00, 0xAC40)),
        *map(chr, range(0x3000, 0x3100)),
        *map(chr, range(0xFF00, 0xFF70)),
        *map(chr, range(0x4E00, 0x4E40)),
        *map(chr, range(0x1E00, 0x1F00)),
        *map(chr, range(0x2000, 0x2500)),
        *"\u0958\u0f73\u0f75\u0f81\u0344\u0345\u2126\u212b\ufb01\u3300\U0001d15e",
    ]
)


def test_every_character_alone():
    for code in range(sys.maxunicode + 1):
        if not 0xD800 <= code < 0xE000:
            assert nfkc(chr(code)) == unicodedata.normalize("NFKC", chr(code)), hex(code)


@settings(max_examples=EXAMPLES * 5, deadline=None, derandomize=True)
@given(st.lists(_MIXED, max_size=12).map("".join))
def test_mixed_texts(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_any_text(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_chinese_punctuation_is_folded():
    assert nfkc("作者：张三（编辑）！") == "作者:张三(编辑)!"
