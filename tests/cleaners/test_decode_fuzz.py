"""Property tests: any bytes with any declared charset decode or fail with a CleanerError."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cleaners
from cleaners.decode import ORIGINS, decode

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ODD_NAMES = [
    "rot13",
    "base64",
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
    "utf-16",
    "utf-16le",
    "utf-16be",
    "utf-32",
    "utf-32-be",
    "hz",
    "iso-2022-jp",
    "cp037",
    "charmap",
    "mbcs",
    "aliases",
    "__init__",
    "encodings",
    "x-user-defined",
    "gb2312",
    "gbk",
    "big5",
    "shift_jis",
    "euc-kr",
    "latin1",
    "utf-8",
]
# Text a page can hold: no surrogates, no control characters (those make it binary data).
page_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\t\n\r"),
    max_size=300,
)
label_like = st.from_regex(r"[A-Za-z0-9_.:-]{1,24}", fullmatch=True)
# Any name at all, for the HTTP header and for pages that may be binary anyway.
charset_names = st.one_of(st.sampled_from(ODD_NAMES), label_like, st.text(max_size=20))
# Names that keep a text page text: no control characters.
text_names = st.one_of(st.sampled_from(ODD_NAMES), label_like, page_text.map(lambda t: t[:20]))
page_bytes = st.one_of(
    st.binary(max_size=2000),
    page_text.map(lambda text: text.encode("gbk", "replace")),
    page_text.map(lambda text: text.encode("utf-16-le")),
)


def meta(name: str) -> bytes:
    return f'<html><head><meta charset="{name}"></head><body>'.encode("utf-8", "replace")


@FUZZ
@given(body=page_bytes, in_meta=charset_names, in_header=charset_names)
def test_any_bytes_and_declaration_decode_or_raise_a_cleaner_error(
    body: bytes, in_meta: str, in_header: str
) -> None:
    for page in (body, meta(in_meta) + body):
        try:
            decoded = decode(page, content_type=f"text/html; charset={in_header}")
        except cleaners.CleanerError:
            continue
        assert decoded.origin in ORIGINS
        assert isinstance(decoded.text(), str)
        assert decoded.text().startswith(decoded.head)


@FUZZ
@given(body=page_bytes, in_meta=charset_names)
def test_clean_raises_only_cleaner_errors(body: bytes, in_meta: str) -> None:
    try:
        article = cleaners.clean(meta(in_meta) + body)
    except cleaners.CleanerError:
        return
    assert article.status in cleaners.STATUSES


@FUZZ
@given(text=page_text, in_meta=text_names, in_header=charset_names)
def test_valid_utf8_round_trips_whatever_is_declared(
    text: str, in_meta: str, in_header: str
) -> None:
    page = f'<meta charset="{in_meta}"><p>{text}</p>'
    decoded = decode(page.encode("utf-8"), content_type=f"text/html; charset={in_header}")
    assert (decoded.origin, decoded.encoding) == ("utf-8", "utf-8")
    assert decoded.text() == page
