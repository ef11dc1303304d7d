"""Turn page bytes in any encoding into text.

The first of these steps that gives an encoding decides it; `Decoded.origin` records which:

1. ``bom``: a UTF-8, UTF-16 or UTF-32 byte order mark.
2. ``utf-8``: the whole page is valid UTF-8 (a character cut at the very end is tolerated),
   whatever it declares: legacy CJK bytes are practically never valid UTF-8 by chance, while
   pages re-saved as UTF-8 keep their old ``<meta charset=gb2312>``.
3. ``http``: the charset of the HTTP ``Content-Type`` header (``content_type=``).
4. ``meta``: ``<meta charset>`` (or http-equiv) and then ``<?xml encoding?>``, in the first 4 KiB.
5. ``detected``: charset_normalizer, among the encodings of Chinese, Japanese, Korean and
   Western pages.

A declaration counts only if it names a text codec that reads ASCII as ASCII, so rot13, base64,
idna, punycode, utf-7, the unicode escapes and EBCDIC are ignored; a UTF-16/32 declaration counts
only where the bytes show that encoding's NUL-byte pattern. Declared names map to the supersets
browsers use (WHATWG): gb2312 and gbk to gb18030, big5 to big5hkscs, shift_jis to cp932, euc-kr to
cp949, latin-1 and ascii to cp1252. Binary data (NUL or many control bytes in the first 8 KiB) is
`NotAPage` unless a BOM or a believable UTF-16/32 declaration explains it. A str passes through
with origin ``text``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from charset_normalizer import from_bytes

from .errors import NotAPage, PageTooLarge

MAX_PAGE_BYTES = 32 * 1024 * 1024
HEAD_CHARS = 600_000
_HEAD_BYTES = HEAD_CHARS * 2
_CHUNK = 65536

Origin = Literal["bom", "utf-8", "http", "meta", "detected", "text"]
ORIGINS: tuple[Origin, ...] = ("bom", "utf-8", "http", "meta", "detected", "text")

_LABEL = rb"""\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
_META_CHARSET = re.compile(rb"<meta[^>]+charset" + _LABEL, re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]+encoding" + _LABEL, re.I)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG labels that Python does not know, as Python codec names.
_LABELS = {
    "x-gbk": "gbk",
    "gb_2312-80": "gb2312",
    "csgb2312": "gb2312",
    "x-sjis": "shift_jis",
    "windows-31j": "cp932",
    "x-euc-jp": "euc_jp",
    "cseuckr": "euc_kr",
    "windows-949": "euc_kr",
    "ks_c_5601-1989": "euc_kr",
    "cn-big5": "big5",
    "x-x-big5": "big5",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso8859-8",
    "x-mac-roman": "mac_roman",
    "x-mac-cyrillic": "mac_cyrillic",
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "unicode": "utf-16-le",
    "unicodefeff": "utf-16-le",
    "csunicode": "utf-16-le",
    "ucs-2": "utf-16-le",
    "iso-10646-ucs-2": "utf-16-le",
    "unicodefffe": "utf-16-be",
}
# Python codec names that browsers read as a wider superset.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "utf-8-sig": "utf-8",
}
_WIDE = ("utf-16", "utf-32")
# Printable ASCII (less the backslash, which alone makes unicode-escape warn) and the escapes of
# utf-7, hz, idna and the unicode-escape codecs: a codec fit for a declared charset keeps it as is.
_PROBE = bytes([*range(0x20, 0x5C), *range(0x5D, 0x7F)]) + rb"\x41\u0041+AGEA-~{.xn--mnchen-3ya."
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])
_DETECTABLE = ["gb18030", "big5hkscs", "cp932", "euc_jp", "euc_kr", "utf_8", "cp1252"]


@dataclass(frozen=True)
class Decoded:
    """A page ready to read: its head as text for sniffing, and the whole for the parser.

    UTF-8 pages stay bytes (the HTML parser reads them directly, without a round trip through
    str); pages in other encodings are decoded once. `encoding` is the Python codec name (empty
    for str input) and `origin` the step that chose it (see the module docstring).
    """

    head: str
    data: bytes | str
    encoding: str = "utf-8"
    origin: Origin = "utf-8"

    def text(self) -> str:
        """The whole page as text."""
        if isinstance(self.data, str):
            return self.data
        return _utf8(self.data) or self.data.decode("utf-8", "replace")


def decode(
    page: bytes | str, max_bytes: int = MAX_PAGE_BYTES, *, content_type: str | None = None
) -> Decoded:
    """Find the page's encoding: BOM, valid UTF-8, HTTP charset, meta charset, then detection.

    `content_type` is the raw HTTP header value, such as ``text/html; charset=GBK``.
    """
    size = len(page.encode("utf-8", "surrogatepass") if isinstance(page, str) else page)
    if size > max_bytes:
        raise PageTooLarge(too_large_message(size, max_bytes))
    if isinstance(page, str):
        page = _without_lone_surrogates(page)
        return Decoded(page[:HEAD_CHARS], page, "", "text")
    for bom, encoding in _BOMS:
        if page.startswith(bom):
            return _as(page[len(bom) :], encoding, "bom")
    binary = _looks_binary(page[:8192])
    head = None if binary else _valid_utf8_head(page)
    if head is not None:
        return Decoded(head, page, "utf-8", "utf-8")
    sample = page[:4096]
    for origin, labels in (("http", _http_labels(content_type)), ("meta", _meta_labels(sample))):
        for label in labels:
            encoding = _believable(label, sample, binary)
            if encoding:
                return _as(page, encoding, origin)
    if binary:
        raise NotAPage("the file holds binary data, not an HTML page or text")
    return _as(page, _detected(page), "detected")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(text: str) -> str:
    """Text as given, with surrogate pairs joined and lone surrogates as U+FFFD (they cannot
    be printed, stored in SQLite or encoded as UTF-8)."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def too_large_message(size: int, limit: int) -> str:
    """The message for a page over the size limit, with both sizes readable."""
    return f"page too large: {_size(size)}, over the {_size(limit)} limit"


def _size(count: int) -> str:
    if count >= 1048576:
        return f"{count / 1048576:.1f} MiB"
    return f"{count:,} bytes"


def _as(page: bytes, encoding: str, origin: Origin) -> Decoded:
    """The page read as `encoding`: UTF-8 stays bytes, anything else is decoded once."""
    if encoding == "utf-8":
        head = codecs.getincrementaldecoder("utf-8")("replace").decode(page[:_HEAD_BYTES])
        return Decoded(head, page, encoding, origin)
    text = page.decode(encoding, "replace")
    return Decoded(text[:HEAD_CHARS], text, encoding, origin)


def _valid_utf8_head(page: bytes) -> str | None:
    """The head as text if the whole page is valid UTF-8 (a character cut at the end is fine).

    Checked chunk by chunk, skipping ASCII chunks after the head, so a large page costs little
    more than its head and never builds one large str.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    parts = []
    try:
        for start in range(0, len(page), _CHUNK):
            chunk = page[start : start + _CHUNK]
            if start < _HEAD_BYTES:
                parts.append(decoder.decode(chunk))
            elif not chunk.isascii() or decoder.getstate()[0]:
                decoder.decode(chunk)
    except UnicodeDecodeError:
        return None
    return "".join(parts)


def _utf8(page: bytes) -> str | None:
    """UTF-8 text, tolerating a character cut off at the end of a truncated file."""
    try:
        return page.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(page) - 3 and exc.reason == "unexpected end of data":
            return page[: exc.start].decode("utf-8", "replace")
        return None


def _http_labels(content_type: str | None) -> list[str]:
    if not content_type:
        return []
    return _HTTP_CHARSET.findall(content_type)


def _meta_labels(head: bytes) -> list[str]:
    matches = [*_META_CHARSET.findall(head), *_XML_ENCODING.findall(head)]
    return [label.decode("ascii") for label in matches]


def _believable(label: str, sample: bytes, binary: bool) -> str | None:
    """The codec a declared label stands for, if the page's bytes can be in it."""
    encoding = _codec(label.lower())
    if encoding is None:
        return None
    if encoding.startswith(_WIDE):
        return _wide_variant(encoding, sample)
    return None if binary else encoding


@lru_cache(maxsize=512)
def _codec(label: str) -> str | None:
    """The Python codec for a charset label, or None when it is not a usable text codec."""
    try:
        info = codecs.lookup(_LABELS.get(label, label))
    except LookupError:
        return None
    name = _SUPERSETS.get(info.name, info.name)
    if not getattr(info, "_is_text_encoding", True):
        return None
    if name.startswith(_WIDE) or _reads_ascii(name):
        return name
    return None


def _reads_ascii(name: str) -> bool:
    try:
        return _PROBE.decode(name) == _PROBE.decode("ascii")
    except Exception:  # a codec is arbitrary code: any failure means it is unfit
        return False


def _wide_variant(encoding: str, sample: bytes) -> str | None:
    """The UTF-16/32 variant whose NUL-byte pattern the sample shows, if any."""
    family, _, order = encoding.partition("-")[2].partition("-")
    width = 2 if family == "16" else 4
    for endian in [order] if order else ["le", "be"]:
        if _nul_pattern(sample, width, little=endian == "le"):
            return f"utf-{family}-{endian}"
    return None


def _nul_pattern(sample: bytes, width: int, little: bool) -> bool:
    """True if the high bytes of the code units are often NUL and the low bytes hardly ever."""
    units = len(sample) // width
    if units < 8:
        return False
    sample = sample[: units * width]
    high = sample[width - 1 :: width] if little else sample[::width]
    low = sample[::width] if little else sample[width - 1 :: width]
    nuls = high.count(0)
    return nuls * 4 >= units and low.count(0) * 16 <= nuls


def _detected(page: bytes) -> str:
    best = from_bytes(page[:262144], cp_isolation=_DETECTABLE).best()
    encoding = _codec(best.encoding) if best else None
    if encoding is None:
        raise NotAPage("the file's encoding cannot be recognised as text")
    return encoding


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control > len(sample) * 0.02
