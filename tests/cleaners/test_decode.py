"""Page bytes in any encoding become text: BOMs, declared charsets, detection, broken files."""

from __future__ import annotations

import codecs
import random

import pytest

import cleaners
from cleaners.decode import MAX_PAGE_BYTES, decode

ZH_HANS = "夜班车在主干道上来回穿行，乘客里最多的是刚下班的护士和餐馆服务员。"
ZH_HANT = "夜班車在主幹道上來回穿行，乘客裡最多的是剛下班的護士和餐館服務員。"
JA = "夜行バスは大通りを行き来し、乗客の多くは仕事を終えたばかりの看護師や店員だった。"
# Characters outside GB2312 but inside GBK: pages declared gb2312 use them all the time.
GBK_ONLY = "朱镕基、陶喆、王堃与李珺在会上发言。"


def html_page(text: str, charset: str | None = None, repeat: int = 1) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{text}</p>\n" for _ in range(repeat))
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>Test</title></head>"
        f"<body><article>{paragraphs}</article></body></html>"
    )


def assert_decoded(page: bytes, text: str) -> None:
    decoded = decode(page)
    assert text in decoded.head, decoded.head[:300]
    full = decoded.text()
    assert isinstance(full, str)
    assert text in full
    assert "\ufffd" not in full, "replacement characters in the decoded text"
    assert "\ufeff" not in full[:10], "BOM left at the start of the text"


def test_utf8() -> None:
    assert_decoded(html_page(ZH_HANS, "utf-8").encode("utf-8"), ZH_HANS)


def test_utf8_without_declaration() -> None:
    assert_decoded(html_page(JA).encode("utf-8"), JA)


def test_utf8_with_bom() -> None:
    assert_decoded(codecs.BOM_UTF8 + html_page(ZH_HANS).encode("utf-8"), ZH_HANS)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(encoding: str) -> None:
    data = html_page(ZH_HANT).encode(encoding)
    if encoding != "utf-16":
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        data = bom + data
    assert_decoded(data, ZH_HANT)


@pytest.mark.parametrize("charset", ["gbk", "GBK", "gb18030", "GB2312"])
def test_gbk_with_meta_charset(charset: str) -> None:
    assert_decoded(html_page(ZH_HANS, charset).encode("gbk"), ZH_HANS)


def test_gb2312_declared_but_gbk_characters_present() -> None:
    with pytest.raises(UnicodeEncodeError):
        GBK_ONLY.encode("gb2312")
    data = html_page(ZH_HANS + GBK_ONLY, "gb2312").encode("gbk")
    assert_decoded(data, GBK_ONLY)


def test_big5_with_meta_charset() -> None:
    assert_decoded(html_page(ZH_HANT, "big5", repeat=3).encode("big5"), ZH_HANT)


def test_shift_jis_without_declaration_is_detected() -> None:
    data = html_page(JA, repeat=8).encode("shift_jis")
    assert_decoded(data, JA)


def test_shift_jis_with_meta_charset() -> None:
    assert_decoded(html_page(JA, "shift_jis").encode("shift_jis"), JA)


def test_utf8_cut_in_the_middle_of_a_character() -> None:
    data = html_page(ZH_HANS * 5).encode("utf-8")
    # The page is cut two bytes into the last character of the closing paragraph.
    end = data.rindex("。".encode()) + 2
    cut = data[:end]
    decoded = decode(cut)
    text = decoded.text()
    assert ZH_HANS in decoded.head
    assert ZH_HANS * 4 in text
    assert text.count("\ufffd") <= 1
    # The whole cleaner copes with the truncated page too.
    article = cleaners.clean(cut)
    assert article.status in cleaners.STATUSES


def test_str_input_is_passed_through() -> None:
    decoded = decode(html_page(ZH_HANS))
    assert decoded.text() == html_page(ZH_HANS)
    assert ZH_HANS in decoded.head


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
        b"PK\x03\x04" + random.Random(7).randbytes(20000),
        b"\x1f\x8b\x08\x00" + random.Random(8).randbytes(20000),
    ],
    ids=["png", "zip", "gzip"],
)
def test_binary_data_is_not_a_page(data: bytes) -> None:
    with pytest.raises(cleaners.NotAPage):
        decode(data)
    with pytest.raises(cleaners.NotAPage):
        cleaners.clean(data)


def test_over_the_limit_is_page_too_large() -> None:
    data = html_page(ZH_HANS, "utf-8", repeat=50).encode("utf-8")
    with pytest.raises(cleaners.PageTooLarge, match="too large"):
        decode(data, max_bytes=len(data) - 1)
    with pytest.raises(cleaners.PageTooLarge, match="too large"):
        cleaners.clean(data, max_bytes=1000)
    with pytest.raises(cleaners.PageTooLarge, match="too large"):
        cleaners.clean(data.decode("utf-8"), max_bytes=1000)
    # Exactly at the limit is fine.
    assert ZH_HANS in decode(data, max_bytes=len(data)).text()


def test_default_limit_is_generous() -> None:
    assert MAX_PAGE_BYTES >= 8 * 1024 * 1024
    assert cleaners.MAX_PAGE_BYTES == MAX_PAGE_BYTES
