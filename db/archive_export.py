"""Write the database's captures as a WARC (or a WACZ) for web-archive tools.

Per fetch, in the order they were made: a `response` (the headers as received, less the
transfer and content encodings the stored payload no longer has), a `revisit` for a refetch
that brought the same payload or a 304, a `resource` for a page read from a file; and per
article stored from it, a `metadata` record (its fields, the cleaner version, the removals)
and a `conversion` record with its text, as Common Crawl's WET files have. Record ids and
dates come from the database, never from the clock, so an export run twice writes the same
bytes.
"""

from __future__ import annotations

import http
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

import sqlite_utils
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .archive_read import DATE_BASE_HEADER
from .export import Selection, selected
from .runs import reprints_version
from .store import is_web_url, snapshot_bytes

# The namespace of the record ids reprints writes (uuid5 of what the record holds).
RECORD_NAMESPACE = uuid.UUID("4f1c2a52-7a1e-5d4b-9f0e-2b1d6c9e8a31")
# The target URI of an article's metadata and conversion records: the page's URL would make
# replay tools serve them in place of the page (pywb indexes both beside the response).
ARTICLE_URI = "urn:reprints:"
_DROPPED_HEADERS = ("transfer-encoding", "content-encoding", "content-length")
_FETCHES = (
    "SELECT id, url, fetched_at, status_code, headers, sha256, page_status, date_base "
    "FROM fetches WHERE (sha256 IS NOT NULL OR page_status = 'not_modified') {} ORDER BY id"
)


@dataclass
class WarcResult:
    """What a WARC export wrote, by record type."""

    responses: int = 0
    revisits: int = 0
    resources: int = 0
    metadata: int = 0
    conversions: int = 0


@dataclass(frozen=True)
class _Written:
    """A payload record already written, which a revisit refers to."""

    record_id: str
    url: str
    date: str
    digest: str
    sha256: str


def export_warc(
    db: sqlite_utils.Database, selection: Selection | None, out: IO[bytes]
) -> WarcResult:
    """Write the captures of the selected articles (all captures when `selection` is None)
    to `out` as gzipped WARC records."""
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    result = WarcResult()
    fetches = list(_fetches(db, selection))
    writer.write_record(_warcinfo(writer, fetches))
    articles = _articles_by_fetch(db, selection)
    written: dict[str, _Written] = {}
    for fetch in fetches:
        record = _capture_record(db, writer, fetch, written, result)
        if record is None:
            continue
        writer.write_record(record)
        for article in articles.get(fetch["id"], ()):
            for extra in _article_records(writer, fetch, article, _id_of(record)):
                writer.write_record(extra)
            result.metadata += 1
            result.conversions += 1
    return result


def _fetches(db: sqlite_utils.Database, selection: Selection | None) -> Iterator[dict[str, Any]]:
    """The fetches to write: every one, or those of the URLs the selected articles were
    fetched from."""
    condition, values = "", []
    if selection is not None:
        urls = sorted(_fetched_urls(db, selection))
        condition = f"AND url IN ({', '.join('?' * len(urls))})" if urls else "AND 0"
        values = urls
    cursor = db.conn.execute(_FETCHES.format(condition), values)
    names = [column[0] for column in cursor.description]
    for row in cursor:
        fetch = dict(zip(names, row, strict=True))
        fetch["headers"] = json.loads(fetch["headers"]) if fetch["headers"] else None
        yield fetch


def _fetched_urls(db: sqlite_utils.Database, selection: Selection) -> set[str]:
    ids = [row["id"] for row in selected(db, selection)]
    urls: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        query = (
            "SELECT f.url FROM fetches f WHERE f.id IN (SELECT fetch_id FROM articles WHERE "
            f"id IN ({marks}) UNION SELECT fetch_id FROM article_versions WHERE article_id IN "
            f"({marks}))"
        )
        urls.update(url for (url,) in db.conn.execute(query, chunk + chunk))
    return urls


def _articles_by_fetch(
    db: sqlite_utils.Database, selection: Selection | None
) -> dict[int, list[dict[str, Any]]]:
    """The selected articles (every one, when there is no selection), by the fetch they were
    last stored from."""
    found: dict[int, list[dict[str, Any]]] = {}
    for article in selected(db, selection or Selection(statuses=())):
        fetch_id = db.conn.execute(
            "SELECT fetch_id FROM articles WHERE id = ?", [article["id"]]
        ).fetchone()[0]
        found.setdefault(fetch_id, []).append(article)
    return found


def _capture_record(db, writer: WARCWriter, fetch: dict[str, Any], written, result):
    """The record of one fetch: a resource, response or revisit; None when it has no
    payload to refer to."""
    url = fetch["url"]
    if fetch["sha256"] is None:
        earlier = written.get(url)
        if earlier is None:
            return None
        result.revisits += 1
        return _revisit(writer, fetch, earlier, not_modified=True)
    earlier = written.get(url)
    if earlier is not None and earlier.sha256 == fetch["sha256"] and is_web_url(url):
        result.revisits += 1
        return _revisit(writer, fetch, earlier, not_modified=False)
    payload = snapshot_bytes(db, fetch["sha256"])
    if is_web_url(url) and fetch["status_code"] is not None:
        record = _payload_record(writer, fetch, "response", payload)
        result.responses += 1
    else:
        record = _payload_record(writer, fetch, "resource", payload)
        result.resources += 1
    digest = record.rec_headers.get_header("WARC-Payload-Digest")
    written[url] = _Written(_id_of(record), url, _warc_date(fetch), digest, fetch["sha256"])
    return record


def _payload_record(writer: WARCWriter, fetch: dict[str, Any], kind: str, payload: bytes):
    """A response (with its HTTP head) or a resource (a file's page, typed by a look)."""
    if kind == "response":
        extra: dict[str, Any] = {"http_headers": _http_head(fetch, len(payload))}
    else:
        extra = {"warc_content_type": "text/html" if b"<" in payload[:4096] else "text/plain"}
    return writer.create_warc_record(
        fetch["url"],
        kind,
        payload=BytesIO(payload),
        length=len(payload),
        warc_headers_dict=_warc_headers(fetch, kind),
        **extra,
    )


def _revisit(writer: WARCWriter, fetch: dict[str, Any], earlier: _Written, not_modified: bool):
    headers = _warc_headers(fetch, "revisit")
    headers["WARC-Refers-To"] = earlier.record_id
    record = writer.create_revisit_record(
        fetch["url"],
        digest=earlier.digest,
        refers_to_uri=earlier.url,
        refers_to_date=earlier.date,
        http_headers=_http_head(fetch, None) if fetch["status_code"] else None,
        warc_headers_dict=headers,
    )
    if not_modified:
        profile = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
        record.rec_headers.replace_header("WARC-Profile", profile)
    return record


def _article_records(writer: WARCWriter, fetch: dict[str, Any], article: dict[str, Any], refers):
    """The metadata and conversion records of an article stored from `fetch`, which refer to
    its capture (`refers`, the record id) and name it in their target URI."""
    fields = {k: v for k, v in article.items() if k not in ("archived_images",)}
    fields["reprints_version"] = reprints_version()
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    for kind, media, payload in (
        ("metadata", "application/json", body),
        ("conversion", "text/plain; charset=utf-8", (article["body"] or "").encode()),
    ):
        headers = _warc_headers(fetch, kind, extra=str(article["id"]))
        headers["WARC-Refers-To"] = refers
        headers["WARC-Refers-To-Target-URI"] = fetch["url"]
        yield writer.create_warc_record(
            f"{ARTICLE_URI}{kind}:{fetch['url']}",
            kind,
            payload=BytesIO(payload),
            length=len(payload),
            warc_content_type=media,
            warc_headers_dict=headers,
        )


def _http_head(fetch: dict[str, Any], length: int | None) -> StatusAndHeaders:
    """The response's status line and headers as received, less the encodings the stored
    payload does not have, with its true length."""
    code = fetch["status_code"]
    try:
        reason = http.HTTPStatus(code).phrase
    except ValueError:
        reason = ""
    pairs = [
        (name, value)
        for name, value in (fetch["headers"] or {}).items()
        if name.lower() not in _DROPPED_HEADERS
    ]
    if length is not None:
        pairs.append(("content-length", str(length)))
    return StatusAndHeaders(f"{code} {reason}".strip(), pairs, protocol="HTTP/1.1")


def _warc_headers(fetch: dict[str, Any], kind: str, extra: str = "") -> dict[str, str]:
    """The record's id and date, made from what the fetch holds, and its date base."""
    identity = "|".join(
        str(part)
        for part in (kind, fetch["url"], fetch["fetched_at"], fetch["sha256"], fetch["status_code"],
                     fetch["page_status"], extra)
    )  # fmt: skip
    headers = {
        "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(RECORD_NAMESPACE, identity)}>",
        "WARC-Date": _warc_date(fetch),
    }
    if kind in ("response", "resource", "revisit"):
        headers[DATE_BASE_HEADER] = fetch["date_base"] or "none"
    return headers


def _warc_date(fetch: dict[str, Any]) -> str:
    """A fetch time (ISO 8601, UTC) in the form WARC-Date has: 2024-05-01T08:30:00Z."""
    return fetch["fetched_at"].replace("+00:00", "Z")


def _warcinfo(writer: WARCWriter, fetches: list[dict[str, Any]]):
    info = {
        "software": f"reprints {reprints_version()}",
        "format": "WARC File Format 1.1",
        "description": "Captures exported from a reprints database",
    }
    date = _warc_date(fetches[-1]) if fetches else "1970-01-01T00:00:00Z"
    identity = f"warcinfo|{len(fetches)}|{date}"
    record = writer.create_warc_record(
        "",
        "warcinfo",
        payload=BytesIO("".join(f"{k}: {v}\r\n" for k, v in info.items()).encode()),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(RECORD_NAMESPACE, identity)}>",
            "WARC-Date": date,
            "WARC-Filename": "data.warc.gz",
        },
    )
    return record


def _id_of(record) -> str:
    return record.rec_headers.get_header("WARC-Record-ID")


def write_warc(db: sqlite_utils.Database, selection: Selection | None, path: Path) -> WarcResult:
    """`export_warc` into the file at `path`, written whole or not at all."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with open(temporary, "wb") as out:
            result = export_warc(db, selection, out)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return result
