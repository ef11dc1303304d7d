"""Store the captures of a web archive as a crawl stores its fetches.

A response becomes a fetch with its URL, capture time (WARC-Date), HTTP status and headers,
and its payload as a snapshot, cleaned with the HTTP charset and with the capture time as the
base for relative dates; a resource (a file an archiver saved) the same, without HTTP; a
revisit, a fetch of the payload it refers to (by WARC-Refers-To, else by its payload digest),
or for a 304 a not-modified fetch. Every record read is noted in `archive_records` with the
fetch it became, in the same transaction, so an archive imported again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from cleaners import CleanerError, Rules, clean
from cleaners.media import NOT_HTML, is_text

from .archive_read import CAPTURES, Capture, captures
from .clock import instant, response_time
from .errors import is_operational
from .schema import transaction
from .store import (
    ArchiveOrigin,
    PageSource,
    last_fetch,
    now,
    record_failure,
    record_fetch,
    record_not_modified,
    record_origin,
    save_page,
    snapshot_bytes,
)

SERVER_NOT_MODIFIED = "server-not-modified"
# A batch of records written in one transaction: at most this many, and this much payload.
BATCH_RECORDS = 200
BATCH_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ArchiveOptions:
    """How the captures of one import are read and cleaned."""

    max_bytes: int
    rules: Rules


def import_archive(
    db: sqlite_utils.Database,
    run_id: int,
    path: Path,
    counts: Counter[str],
    records: Counter[str],
    problems: list[str],
    options: ArchiveOptions,
) -> None:
    """Import every record of one archive file; `records` counts them by type, `counts` by
    outcome as a crawl counts its fetches. A damaged record is recorded and skipped.

    Records are written in batches (of `BATCH_RECORDS`, and `BATCH_BYTES` of payload), one
    transaction each: a commit per record, with the search index's flush, costs more than
    cleaning the page. When a record cannot be stored, its batch is undone and written again
    one record per transaction, so that no record is half written. A batch a kill interrupts
    is read again by the next import."""
    for batch in _batches(captures(path, options.max_bytes)):
        tally = _Tally()
        try:
            with transaction(db):
                for capture in batch:
                    _import_record(db, run_id, capture, tally, options, batched=True)
        except _Abandoned:
            tally = _Tally()
            for capture in batch:
                _import_record(db, run_id, capture, tally, options, batched=False)
        counts.update(tally.counts)
        records.update(tally.records)
        problems.extend(tally.problems)


@dataclass
class _Tally:
    """What the records of one batch came to."""

    counts: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


class _Abandoned(Exception):
    """A record of a batch could not be stored: the batch is undone."""


def _batches(pending: Iterator[Capture]) -> Iterator[list[Capture]]:
    batch: list[Capture] = []
    size = 0
    for capture in pending:
        batch.append(capture)
        size += len(capture.payload or b"")
        if len(batch) >= BATCH_RECORDS or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _import_record(
    db: sqlite_utils.Database,
    run_id: int,
    capture: Capture,
    tally: _Tally,
    options: ArchiveOptions,
    batched: bool,
) -> None:
    """Store one record; in a batch, a failure to store it abandons the batch, alone it
    is recorded as the record's failure (but the database's own failures are raised)."""
    tally.records[capture.record_type] += 1
    is_capture = capture.record_type in CAPTURES or capture.problem is not None
    tally.counts["discovered"] += is_capture
    if _already_read(db, capture.record_id):
        tally.counts["unchanged"] += is_capture
        return
    tally.counts["fetched"] += capture.payload is not None
    try:
        outcome = _store(db, run_id, capture, options)
    except sqlite3.Error as exc:
        if is_operational(exc):
            raise
        if batched:
            raise _Abandoned from exc
        outcome = _fail(db, run_id, capture, f"could not be stored ({exc})")
    except Exception as exc:  # a bug in the cleaner must not stop the import
        if batched:
            raise _Abandoned from exc
        outcome = _fail(db, run_id, capture, f"internal error ({type(exc).__name__}: {exc})")
    if outcome is not None:
        tally.counts[outcome] += 1
        if outcome == "failed":
            where = f"{capture.warc_file} at byte {capture.offset}"
            tally.problems.append(f"{where}: {capture.problem}")


def _already_read(db: sqlite_utils.Database, record_id: str) -> bool:
    row = db.execute("SELECT 1 FROM archive_records WHERE record_id = ?", [record_id]).fetchone()
    return row is not None


def _store(
    db: sqlite_utils.Database, run_id: int, capture: Capture, options: ArchiveOptions
) -> str | None:
    """Store one capture; its outcome, or None for a record that is only noted."""
    if capture.problem:
        return _fail(db, run_id, capture, capture.problem)
    if capture.record_type == "revisit":
        return _revisit(db, run_id, capture, options)
    if capture.record_type not in ("response", "resource") or not capture.target_uri:
        _note_alone(db, run_id, capture)
        return None
    return _page(db, run_id, capture, capture.payload or b"", options)


def _note_alone(db: sqlite_utils.Database, run_id: int, capture: Capture) -> None:
    """Note a record that gives no fetch (request, metadata, warcinfo...)."""
    with transaction(db):
        record_origin(db, run_id, _origin(capture), None, "skipped")


def _page(db: sqlite_utils.Database, run_id: int, capture: Capture, payload: bytes, options) -> str:
    """A response or resource: a failure for an HTTP error, a fetch without an article for
    what is not text, else the cleaned page."""
    source = _source(capture, run_id)
    origin = _origin(capture)
    if capture.status_code is not None and capture.status_code >= 400:
        capture.problem = f"HTTP {capture.status_code}"
        record_failure(db, run_id, source, capture.problem, origin)
        return "failed"
    content_type = (capture.headers or {}).get("content-type") or capture.content_type
    if not is_text(content_type):
        record_fetch(db, run_id, source, NOT_HTML, payload, origin)
        return "skipped"
    base = _date_base(capture)
    try:
        article = clean(
            payload,
            capture.target_uri,
            max_bytes=options.max_bytes,
            content_type=content_type if capture.headers is not None else None,
            fetched_at=base,
            rules=options.rules,
        )
    except CleanerError as exc:
        capture.problem = str(exc)
        record_failure(db, run_id, source, capture.problem, origin)
        return "failed"
    source = _source(capture, run_id, base.isoformat() if base else None)
    return save_page(db, run_id, source, payload, article, options.rules, origin)


def _revisit(
    db: sqlite_utils.Database, run_id: int, capture: Capture, options: ArchiveOptions
) -> str:
    """A revisit: a not-modified fetch for a 304 or the server-not-modified profile, else a
    fetch of the payload it refers to."""
    not_modified = capture.status_code == 304 or (capture.profile or "").endswith(
        SERVER_NOT_MODIFIED
    )
    last = last_fetch(db, capture.target_uri or "")
    if not_modified and last is not None:
        source = _source(capture, run_id)
        record_not_modified(
            db, last.id, capture.target_uri or "", source.fetched_at, source, _origin(capture)
        )
        return "unchanged"
    digest = _referred_snapshot(db, capture)
    if digest is None:
        return _fail(db, run_id, capture, "a revisit of a capture that is not in the database")
    return _page(db, run_id, capture, snapshot_bytes(db, digest), options)


def _referred_snapshot(db: sqlite_utils.Database, capture: Capture) -> str | None:
    """The snapshot a revisit refers to: by the record it names, else by payload digest."""
    query = (
        "SELECT f.sha256 FROM archive_records a JOIN fetches f ON f.id = a.fetch_id "
        "WHERE a.{} = ? AND f.sha256 IS NOT NULL ORDER BY a.rowid LIMIT 1"
    )
    for column, value in (
        ("record_id", capture.refers_to),
        ("payload_digest", capture.payload_digest),
    ):
        if value:
            row = db.execute(query.format(column), [value]).fetchone()
            if row:
                return row[0]
    return None


def _fail(db: sqlite_utils.Database, run_id: int, capture: Capture, reason: str) -> str:
    capture.problem = reason
    url = capture.target_uri or f"{Path(capture.warc_file).as_posix()}#{capture.offset}"
    source = PageSource(url=url, fetched_at=capture.warc_date or now(), run_id=run_id)
    record_failure(db, run_id, source, reason, _origin(capture))
    return "failed"


def _source(capture: Capture, run_id: int, date_base: str | None = None) -> PageSource:
    headers = capture.headers
    return PageSource(
        url=capture.target_uri or "",
        fetched_at=capture.warc_date or now(),
        status_code=capture.status_code,
        headers=headers,
        etag=headers.get("etag") if headers else None,
        last_modified=headers.get("last-modified") if headers else None,
        run_id=run_id,
        date_base=date_base,
    )


def _date_base(capture: Capture) -> dt.datetime | None:
    """The time relative dates count from: what reprints recorded when it wrote the archive,
    else the response's own time (its Date header, near the capture time), else the capture
    time."""
    if capture.date_base is not None:
        return None if capture.date_base == "none" else instant(capture.date_base)
    if capture.warc_date is None:
        return None
    return response_time(capture.headers, capture.warc_date)


def _origin(capture: Capture) -> ArchiveOrigin:
    return ArchiveOrigin(
        record_id=capture.record_id,
        warc_file=capture.warc_file,
        offset=capture.offset,
        record_type=capture.record_type,
        target_uri=capture.target_uri,
        warc_date=capture.warc_date,
        payload_digest=capture.payload_digest,
    )
