"""Page bytes in any encoding become text: BOMs, declared charsets, detection, broken files."""

from __future__ import annotations

import codecs
import random

import pytest

import cleaners
from cleaners.decode import MAX_PAGE_BYTES, Decoded, decode

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


# --- the order: BOM, valid UTF-8, HTTP charset, meta/XML declaration, detection ----------------

KO = "밤버스는 큰길을 오가며 퇴근한 간호사와 식당 직원을 태웠다. 똠방각하."
# Bad codec names a page may declare: none of them is a text encoding a browser would use.
BAD_CODECS = [
    "rot13",
    "rot_13",
    "base64",
    "base64_codec",
    "hex",
    "zlib",
    "uu",
    "bz2",
    "quopri",
    "idna",
    "punycode",
    "undefined",
    "raw_unicode_escape",
    "unicode_escape",
    "utf-7",
    "utf7",
    "hz",
    "cp037",
    "mbcs",
    "aliases",
    "x-user-defined",
    "no-such-charset",
]


def header(charset: str) -> str:
    return f"text/html; charset={charset}"


def test_decoded_still_builds_from_head_and_data() -> None:
    decoded = Decoded("<p>head</p>", b"<p>head</p>")
    assert (decoded.encoding, decoded.origin) == ("utf-8", "utf-8")
    assert decoded.text() == "<p>head</p>"


@pytest.mark.parametrize(
    "bom, encoding",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom_wins_over_header_and_meta(bom: bytes, encoding: str) -> None:
    data = bom + html_page(JA, "gbk").encode(encoding)
    decoded = decode(data, content_type=header("big5"))
    assert (decoded.origin, decoded.encoding) == ("bom", encoding)
    assert_decoded(data, JA)


@pytest.mark.parametrize("charset", ["gb2312", "GBK", "euc-jp", "shift_jis", "big5", "latin1"])
def test_valid_utf8_wins_over_a_legacy_meta_charset(charset: str) -> None:
    data = html_page(ZH_HANS + JA, charset).encode("utf-8")
    decoded = decode(data)
    assert (decoded.origin, decoded.encoding) == ("utf-8", "utf-8")
    assert isinstance(decoded.data, bytes), "UTF-8 pages stay bytes"
    assert_decoded(data, ZH_HANS + JA)


@pytest.mark.parametrize("charset", ["gb2312", "GBK", "euc-jp", "Shift_JIS", "big5"])
def test_valid_utf8_wins_over_a_legacy_header_charset(charset: str) -> None:
    data = html_page(JA + ZH_HANT).encode("utf-8")
    decoded = decode(data, content_type=header(charset))
    assert decoded.origin == "utf-8"
    assert JA + ZH_HANT in decoded.text()


def test_utf8_is_checked_on_the_whole_page_not_only_the_head() -> None:
    """A GBK page whose first megabytes are ASCII script is not taken for UTF-8."""
    script = "<script>var x = 1;</script>\n" * 60_000
    page = html_page(ZH_HANS, "gbk").replace("<title>", script + "<title>")
    data = page.encode("gbk")
    assert data.index(ZH_HANS.encode("gbk")) > 1_500_000
    decoded = decode(data)
    assert (decoded.origin, decoded.encoding) == ("meta", "gb18030")
    assert ZH_HANS in decoded.text()


def test_utf8_characters_across_chunk_boundaries_stay_utf8() -> None:
    data = html_page(ZH_HANS + "😀" + JA, repeat=20_000).encode("utf-8")
    assert len(data) > 3_000_000
    decoded = decode(data, content_type=header("gbk"))
    assert decoded.origin == "utf-8"
    assert decoded.text() == data.decode("utf-8")


def test_a_lone_lead_byte_before_an_ascii_stretch_is_not_utf8() -> None:
    """A cut character followed by ASCII, far past the head, makes the page not UTF-8."""
    page = html_page("A night bus", "gbk").encode("ascii")
    filler = b" " * (2 * 1024 * 1024 - 1 - len(page))
    data = page + filler + "夜".encode()[:1] + b" " * 200_000
    decoded = decode(data)
    assert (decoded.origin, decoded.encoding) == ("meta", "gb18030")


def test_http_charset_decides_when_bytes_are_not_utf8() -> None:
    data = html_page(ZH_HANS + GBK_ONLY).encode("gbk")
    decoded = decode(data, content_type="text/html; charset=GBK")
    assert (decoded.origin, decoded.encoding) == ("http", "gb18030")
    assert ZH_HANS + GBK_ONLY in decoded.text()


@pytest.mark.parametrize("value", ['text/html;charset="gbk"', "text/html; Charset = 'GB2312'"])
def test_http_charset_quoted_or_spaced(value: str) -> None:
    decoded = decode(html_page(ZH_HANS).encode("gbk"), content_type=value)
    assert (decoded.origin, decoded.encoding) == ("http", "gb18030")


def test_http_charset_wins_over_meta() -> None:
    data = html_page(ZH_HANT, "gbk", repeat=3).encode("big5")
    decoded = decode(data, content_type=header("big5"))
    assert (decoded.origin, decoded.encoding) == ("http", "big5hkscs")
    assert ZH_HANT in decoded.text()


def test_an_unusable_http_charset_falls_back_to_meta() -> None:
    data = html_page(JA, "shift_jis").encode("shift_jis")
    decoded = decode(data, content_type=header("rot13"))
    assert (decoded.origin, decoded.encoding) == ("meta", "cp932")
    assert JA in decoded.text()


def test_http_equiv_meta_charset() -> None:
    page = html_page(ZH_HANS).replace(
        "<title>", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>'
    )
    decoded = decode(page.encode("gbk"))
    assert (decoded.origin, decoded.encoding) == ("meta", "gb18030")
    assert ZH_HANS in decoded.text()


def test_xml_encoding_declaration() -> None:
    page = '<?xml version="1.0" encoding="euc-jp"?>\n' + html_page(JA)
    decoded = decode(page.encode("euc-jp"))
    assert (decoded.origin, decoded.encoding) == ("meta", "euc_jp")
    assert JA in decoded.text()


def test_an_unusable_first_meta_charset_falls_back_to_the_next() -> None:
    page = html_page(ZH_HANS, "base64").replace("<title>", '<meta charset="gbk"><title>')
    decoded = decode(page.encode("gbk"))
    assert (decoded.origin, decoded.encoding) == ("meta", "gb18030")


def test_undeclared_legacy_page_is_detected() -> None:
    decoded = decode(html_page(JA, repeat=8).encode("shift_jis"))
    assert decoded.origin == "detected"
    assert JA in decoded.text()


@pytest.mark.parametrize(
    "declared, encoding, text",
    [
        ("euc-kr", "cp949", KO),
        ("ks_c_5601-1987", "cp949", KO),
        ("iso-8859-1", "cp1252", "Caf\u00e9 \u201cnight bus\u201d \u2014 \u20ac5"),
        ("us-ascii", "cp1252", "\u201cquoted\u201d \u2026 \u20ac"),
        ("x-gbk", "gb18030", GBK_ONLY),
        ("windows-31j", "cp932", JA),
    ],
)
def test_declared_names_read_as_browser_supersets(declared: str, encoding: str, text: str) -> None:
    data = html_page(text, declared).encode(encoding)
    for decoded in (
        decode(data),
        decode(html_page(text).encode(encoding), content_type=header(declared)),
    ):
        assert decoded.encoding == encoding
        assert text in decoded.text()
        assert "\ufffd" not in decoded.text()


@pytest.mark.parametrize("name", BAD_CODECS)
def test_bad_codec_names_are_ignored(name: str) -> None:
    legacy = html_page(ZH_HANS, name, repeat=3).encode("gbk")
    utf8 = html_page(ZH_HANS, name).encode("utf-8")
    for decoded in (decode(legacy), decode(legacy, content_type=header(name))):
        assert (decoded.origin, decoded.encoding) == ("detected", "gb18030")
        assert ZH_HANS in decoded.text()
    assert decode(utf8, content_type=header(name)).origin == "utf-8"
    for page in (legacy, utf8):
        assert cleaners.clean(page).status in cleaners.STATUSES


@pytest.mark.parametrize("charset", ["utf-16", "UTF-16LE", "utf-16be", "utf-32", "utf-7"])
def test_wide_or_utf7_declaration_on_utf8_bytes_is_ignored(charset: str) -> None:
    data = html_page(ZH_HANS, charset).encode("utf-8")
    for decoded in (decode(data), decode(data, content_type=header(charset))):
        assert decoded.origin == "utf-8"
        assert ZH_HANS in decoded.text()
    ascii_page = html_page("A night bus", charset).encode("ascii")
    assert "A night bus" in decode(ascii_page, content_type=header(charset)).text()


def test_wide_declaration_on_legacy_bytes_is_ignored() -> None:
    data = html_page(ZH_HANS, "gbk").encode("gbk")
    decoded = decode(data, content_type=header("utf-16"))
    assert (decoded.origin, decoded.encoding) == ("meta", "gb18030")


@pytest.mark.parametrize(
    "declared, encoding",
    [
        ("utf-16", "utf-16-le"),
        ("utf-16", "utf-16-be"),
        ("utf-16le", "utf-16-le"),
        ("utf-32", "utf-32-le"),
        ("utf-32be", "utf-32-be"),
    ],
)
def test_wide_declaration_with_its_nul_pattern_is_believed(declared: str, encoding: str) -> None:
    data = html_page(ZH_HANT + JA).encode(encoding)
    decoded = decode(data, content_type=header(declared))
    assert (decoded.origin, decoded.encoding) == ("http", encoding)
    assert ZH_HANT + JA in decoded.text()
    with pytest.raises(cleaners.NotAPage):
        decode(data)


def test_a_wide_declaration_of_the_wrong_byte_order_is_not_believed() -> None:
    data = html_page(ZH_HANT).encode("utf-16-be")
    with pytest.raises(cleaners.NotAPage):
        decode(data, content_type=header("utf-16le"))


def test_binary_data_with_a_declared_charset_is_not_a_page() -> None:
    data = b"\x89PNG\r\n\x1a\n" + random.Random(9).randbytes(20000)
    with pytest.raises(cleaners.NotAPage):
        decode(data, content_type=header("gbk"))
    with pytest.raises(cleaners.NotAPage):
        decode(b'<meta charset="gbk">' + data)


def test_str_input_has_origin_text() -> None:
    decoded = decode(html_page(ZH_HANS), content_type=header("gbk"))
    assert (decoded.origin, decoded.encoding) == ("text", "")
