"""Turn page bytes in any encoding into text."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from .errors import NotAPage, PageTooLarge

MAX_PAGE_BYTES = 32 * 1024 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Declared names that browsers read as a wider superset.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
}


HEAD_CHARS = 600_000
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


@dataclass(frozen=True)
class Decoded:
    """A page ready to read: its head as text for sniffing, and the whole for the parser.

    UTF-8 pages stay bytes (the HTML parser reads them directly, without a round trip through
    str); pages in other encodings are decoded once.
    """

    head: str
    data: bytes | str

    def text(self) -> str:
        """The whole page as text."""
        if isinstance(self.data, str):
            return self.data
        return _utf8(self.data) or self.data.decode("utf-8", "replace")


def decode(page: bytes | str, max_bytes: int = MAX_PAGE_BYTES) -> Decoded:
    """Find the page's encoding (BOM, meta charset, UTF-8, then detection)."""
    size = len(page.encode("utf-8", "surrogatepass") if isinstance(page, str) else page)
    if size > max_bytes:
        raise PageTooLarge(too_large_message(size, max_bytes))
    if isinstance(page, str):
        return Decoded(page[:HEAD_CHARS], page)
    for bom, encoding in _BOMS:
        if page.startswith(bom):
            return _decoded(page[len(bom) :].decode(encoding, "replace"))
    declared = _declared_encoding(page[:4096])
    if declared == "utf-8" or (declared is None and _utf8(page[: HEAD_CHARS * 2]) is not None):
        if _looks_binary(page[:8192]):
            raise NotAPage("the file holds binary data, not an HTML page or text")
        return Decoded(page[: HEAD_CHARS * 2].decode("utf-8", "replace"), page)
    if declared:
        return _decoded(page.decode(declared, "replace"))
    if _looks_binary(page[:8192]):
        raise NotAPage("the file holds binary data, not an HTML page or text")
    best = from_bytes(
        page[:262144],
        cp_isolation=["gb18030", "big5hkscs", "cp932", "euc_jp", "euc_kr", "utf_8", "cp1252"],
    ).best()
    if best is None:
        raise NotAPage("the file's encoding cannot be recognised as text")
    return _decoded(page.decode(best.encoding, "replace"))


def _decoded(text: str) -> Decoded:
    return Decoded(text[:HEAD_CHARS], text)


def too_large_message(size: int, limit: int) -> str:
    """The message for a page over the size limit, with both sizes readable."""
    return f"page too large: {_size(size)}, over the {_size(limit)} limit"


def _size(count: int) -> str:
    if count >= 1048576:
        return f"{count / 1048576:.1f} MiB"
    return f"{count:,} bytes"


def _utf8(page: bytes) -> str | None:
    """UTF-8 text, tolerating a character cut off at the end of a truncated file."""
    try:
        return page.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(page) - 3 and exc.reason == "unexpected end of data":
            # A character cut off at the end: a truncated file, or a head cut for sniffing.
            return page[: exc.start].decode("utf-8", "replace")
        return None


def _declared_encoding(head: bytes) -> str | None:
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control > len(sample) * 0.02
