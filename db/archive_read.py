"""Read web archives (WARC, gzipped WARC, WACZ) record by record, as captures to store.

fastwarc frames the records (it is several times faster than warcio at that); the HTTP head
and the transfer and content encodings are decoded here, with warcio's parsers, because
fastwarc 2.0's own decoding (`auto_decode`) loses the record after a chunked, gzipped one.
Both libraries pass over a truncated record in silence, so damage is looked for here: a block
shorter than its Content-Length, a record without headers, and a gzip member cut short at the
end of the file. Memory stays flat: one record is held at a time, and no more than the page
size limit of it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import brotli
from fastwarc.warc import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".wacz")
# Records whose payload is a capture; the others are counted and skipped.
CAPTURES = ("response", "resource", "revisit")
# Room for the HTTP head above the page size limit before a record is too large to read.
HEAD_ALLOWANCE = 64 * 1024
DATE_BASE_HEADER = "Reprints-Date-Base"
_HTTP = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0"], verify=False)
_ENCODINGS = ("gzip", "x-gzip", "deflate", "br")


class DamagedRecord(Exception):
    """A record that cannot be read whole."""


@dataclass
class Capture:
    """One record of an archive, with what a fetch row needs from it."""

    record_type: str
    record_id: str
    warc_file: str
    offset: int
    target_uri: str | None = None
    warc_date: str | None = None
    payload_digest: str | None = None
    status_code: int | None = None
    headers: dict[str, str] | None = None
    payload: bytes | None = None
    content_type: str | None = None
    refers_to: str | None = None
    profile: str | None = None
    date_base: str | None = None
    problem: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def is_archive(path: Path | str) -> bool:
    """Whether the file's name says it is a WARC or WACZ archive."""
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def captures(path: Path, max_bytes: int) -> Iterator[Capture]:
    """Every record of the archive at `path` (a WACZ: of each WARC in it), in order."""
    if str(path).lower().endswith(".wacz"):
        with zipfile.ZipFile(path) as wacz:
            names = sorted(
                name
                for name in wacz.namelist()
                if name.startswith("archive/") and is_archive(name) and not name.endswith("/")
            )
            for name in names:
                with wacz.open(name) as member:
                    yield from _records(member, f"{path}!{name}", max_bytes)
        return
    with open(path, "rb") as stream:
        yield from _records(stream, str(path), max_bytes)


def _records(stream: IO[bytes], warc_file: str, max_bytes: int) -> Iterator[Capture]:
    last, reported = 0, None
    try:
        for record in ArchiveIterator(stream, parse_http=False):
            last = record.stream_pos
            capture = _capture(record, warc_file, max_bytes)
            reported = last if capture.problem else None
            yield capture
    except OSError as exc:  # a gzip member or record the reader cannot frame at all
        yield _damaged(warc_file, last, f"the archive cannot be read past here ({exc})")
        return
    cut = _cut_member(stream, last)
    if cut is not None and cut != reported:  # a record cut short is reported once
        yield _damaged(warc_file, cut, "a gzip member is cut short (the file is truncated)")


def _capture(record, warc_file: str, max_bytes: int) -> Capture:
    headers = record.headers
    declared = _length(headers.get("Content-Length"))
    record_id = headers.get("WARC-Record-ID")
    if not record_id or declared is None:
        return _damaged(warc_file, record.stream_pos, "a record without complete WARC headers")
    capture = Capture(
        record_type=(headers.get("WARC-Type") or "unknown").strip().lower(),
        record_id=record_id,
        warc_file=warc_file,
        offset=record.stream_pos,
        target_uri=headers.get("WARC-Target-URI"),
        warc_date=_instant(headers.get("WARC-Date")),
        payload_digest=headers.get("WARC-Payload-Digest"),
        content_type=headers.get("Content-Type"),
        refers_to=headers.get("WARC-Refers-To"),
        profile=headers.get("WARC-Profile"),
        date_base=headers.get(DATE_BASE_HEADER),
    )
    if capture.record_type not in CAPTURES:
        record.reader.consume()
        return capture
    try:
        _read_block(record, capture, declared, max_bytes)
    except DamagedRecord as exc:
        capture.problem = str(exc)
    return capture


def _read_block(record, capture: Capture, declared: int, max_bytes: int) -> None:
    if declared > max_bytes + HEAD_ALLOWANCE:
        record.reader.consume()
        raise DamagedRecord(f"larger than {max_bytes} bytes, the size limit")
    block = record.reader.read(declared)
    if len(block) < declared:
        raise DamagedRecord(f"truncated: {len(block)} of its {declared} bytes are in the archive")
    is_http = capture.target_uri and capture.target_uri.startswith(("http://", "https://"))
    if capture.record_type == "resource" or not is_http:
        capture.payload = block
        return
    stream = io.BytesIO(block)
    try:
        head = _HTTP.parse(stream)
    except (StatusAndHeadersParserException, ValueError, EOFError) as exc:
        raise DamagedRecord(f"its HTTP head cannot be read ({exc})") from None
    capture.status_code = _status(head.get_statuscode())
    capture.headers = _header_dict(head.headers)
    body = stream.read()
    capture.payload = (
        None if capture.record_type == "revisit" else decoded(body, capture.headers, max_bytes)
    )


def decoded(body: bytes, headers: dict[str, str], max_bytes: int) -> bytes:
    """The payload without its transfer and content encodings (chunked, gzip, deflate, br)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        try:
            body = ChunkedDataReader(io.BytesIO(body)).read()
        except (ValueError, OSError) as exc:
            raise DamagedRecord(f"its chunked body cannot be read ({exc})") from None
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding in _ENCODINGS:
        body = _decompressed(body, encoding, max_bytes)
    if len(body) > max_bytes:
        raise DamagedRecord(f"larger than {max_bytes} bytes, the size limit")
    return body


def _decompressed(body: bytes, encoding: str, max_bytes: int) -> bytes:
    try:
        if encoding == "br":
            return brotli.decompress(body)
        wbits = 47 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        inflater = zlib.decompressobj(wbits)
        data = inflater.decompress(body, max_bytes + 1)
        if encoding == "deflate" and not data and body:
            data = zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, max_bytes + 1)
        return data
    except (zlib.error, brotli.error) as exc:
        raise DamagedRecord(f"its {encoding} body cannot be decompressed ({exc})") from None


def _length(value: str | None) -> int | None:
    """A Content-Length, or None when it is missing or not a number (a header cut short)."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _status(code: str | None) -> int | None:
    try:
        return int(code) if code else None
    except ValueError:
        return None


def _header_dict(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """HTTP headers as a crawl stores them: names in lower case, repeated ones joined."""
    found: dict[str, str] = {}
    for name, value in pairs:
        key = name.strip().lower()
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def _instant(value: str | None) -> str | None:
    """A WARC-Date as the database writes times: UTC, ISO 8601, to the second."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _damaged(warc_file: str, offset: int, reason: str) -> Capture:
    return Capture(
        record_type="damaged",
        record_id=f"{warc_file}#{offset}",
        warc_file=warc_file,
        offset=offset,
        problem=reason,
    )


def _cut_member(stream: IO[bytes], last: int) -> int | None:
    """Where a gzip member cut short begins, among those from the last record's one on (a
    reader stops at such a member without a word), or None."""
    try:
        stream.seek(last)
        tail = stream.read()
    except (OSError, ValueError):
        return None
    if tail[:2] != b"\x1f\x8b":
        return None
    position = 0
    while position < len(tail):
        inflater = zlib.decompressobj(47)
        try:
            while not inflater.eof:
                chunk = inflater.unconsumed_tail or tail[position:]
                inflater.decompress(chunk, 1 << 20)
                if not inflater.unconsumed_tail and not inflater.eof:
                    return last + position
        except zlib.error:
            return last + position
        position = len(tail) - len(inflater.unused_data)
    return None
