"""What an image's bytes are, read from their first bytes (never from what a server says)."""

from __future__ import annotations

import re

# (media type, file extension) by signature; SVG is recognised separately, being text.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"BM", "image/bmp", "bmp"),
    (b"\x00\x00\x01\x00", "image/x-icon", "ico"),
)
_SVG = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<svg[\s>]",
    re.S | re.I,
)  # noqa: E501
EXTENSIONS = {media: extension for _, media, extension in _SIGNATURES} | {
    "image/webp": "webp",
    "image/avif": "avif",
    "image/heic": "heic",
    "image/svg+xml": "svg",
}


def image_type(data: bytes) -> str | None:
    """The media type of an image in a format browsers show, or None if `data` is not one."""
    for signature, media, _ in _SIGNATURES:
        if data.startswith(signature):
            return media
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"heic", b"heix", b"mif1"):
            return "image/heic"
    if _SVG.match(data[:4096]):
        return "image/svg+xml"
    return None


def extension(media_type: str | None) -> str:
    """The file extension for a media type `image_type` gives (`bin` for anything else)."""
    return EXTENSIONS.get(media_type or "", "bin")
