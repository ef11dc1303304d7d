"""Import saved pages (HTML or text files, folders walked recursively) into the database."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from cleaners import MAX_PAGE_BYTES, CleanerError, Rules, clean, load_rules

from .archive_import import ArchiveOptions, import_archive
from .archive_read import is_archive
from .errors import database_failure, is_operational
from .store import (
    PageSource,
    database_file,
    now,
    record_failure,
    rollback,
    save_page,
    sha256,
    touch_if_unchanged,
)

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".txt")
READ_CHUNK = 1 << 20
# What a path can be, as said in messages.
REGULAR, FOLDER, FIFO, SOCKET = "a regular file", "a folder", "a FIFO", "a socket"
DEVICE, BROKEN = "a device", "missing or a broken link"


@dataclass
class ImportResult:
    """What an import did: counts by outcome, the files (and archive records) it could not
    import, and the archive records read, by type."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    records: Counter[str] = field(default_factory=Counter)


class FileRefused(Exception):
    """A file that is not read: a FIFO, socket or device, or over the size limit."""


def page_files(
    paths: Iterable[str | Path],
    suffixes: Iterable[str] = PAGE_SUFFIXES,
    *,
    follow_symlinks: bool = False,
    skipped: Callable[[Path, str], None] | None = None,
) -> Iterator[Path]:
    """The files named, and the files with a page suffix or an archive's (.warc, .warc.gz,
    .wacz) below the folders named, sorted.

    Below a folder, only regular files are taken, and symbolic links that lead out of it
    only with `follow_symlinks`; a file named directly may be a device (its reads are
    capped) but not a FIFO or socket. Each file left out is told to `skipped` with why.
    """
    wanted = {s.lower() if s.startswith(".") else f".{s.lower()}" for s in suffixes}
    tell = skipped or (lambda path, reason: None)
    for path in map(Path, paths):
        if path.is_dir():
            yield from _walk(path, path.resolve(), wanted, follow_symlinks, tell, set())
            continue
        kind = _kind(path)
        if kind in (FIFO, SOCKET):
            tell(path, f"not read: {kind}, not a file")
        else:
            yield path


def _walk(
    folder: Path,
    root: Path,
    wanted: set[str],
    follow: bool,
    tell: Callable[[Path, str], None],
    seen: set[tuple[int, int]],
) -> Iterator[Path]:
    """The page files below `folder`, depth first in name order, each folder once."""
    try:
        info = folder.stat()
        children = sorted(folder.iterdir())
    except OSError as exc:
        tell(folder, f"cannot read the folder: {exc.strerror or exc}")
        return
    if (info.st_dev, info.st_ino) in seen:
        return
    seen.add((info.st_dev, info.st_ino))
    for child in children:
        is_page = child.suffix.lower() in wanted or is_archive(child.name)
        if child.is_symlink() and (is_page or child.is_dir()):
            if not (follow or child.resolve().is_relative_to(root)):
                tell(child, "not read: a symbolic link to a place outside the folder")
                continue
            if child.is_dir() and not follow:
                continue  # its target is inside the folder, and read from there
        if child.is_dir():
            yield from _walk(child, root, wanted, follow, tell, seen)
        elif is_page:
            kind = _kind(child)
            if kind == REGULAR:
                yield child
            else:
                tell(child, f"not read: {kind}, not a regular file")


def _kind(path: Path) -> str:
    """What `path` is, following links (see the names below)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return BROKEN
    if stat.S_ISREG(mode):
        return REGULAR
    if stat.S_ISDIR(mode):
        return FOLDER
    if stat.S_ISFIFO(mode):
        return FIFO
    if stat.S_ISSOCK(mode):
        return SOCKET
    return DEVICE


def read_capped(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """The bytes of `path` and its status, reading at most `max_bytes` + 1 bytes.

    Opened without blocking and checked after opening, so that a FIFO put in its place is
    refused rather than waited on. Raises `FileRefused` or `OSError`.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):
            raise FileRefused(f"not read: {FIFO} or {SOCKET}, not a file")
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise FileRefused(_too_large(max_bytes))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0 and (chunk := os.read(fd, min(left, READ_CHUNK))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:
        raise FileRefused(_too_large(max_bytes))
    return b"".join(chunks), info


def _too_large(max_bytes: int) -> str:
    return f"larger than {max_bytes} bytes, the size limit"


def import_paths(
    db: sqlite_utils.Database,
    run_id: int,
    paths: Iterable[str | Path],
    progress: Callable[[Path, str], None] | None = None,
    suffixes: Iterable[str] = PAGE_SUFFIXES,
    fetched_at: dt.datetime | None = None,
    *,
    follow_symlinks: bool = False,
    max_bytes: int = MAX_PAGE_BYTES,
    result: ImportResult | None = None,
    rules: Rules | None = None,
) -> ImportResult:
    """Import every page file; a bad file is recorded and skipped, never half-written.

    `fetched_at`, an aware datetime, is when the pages were fetched: relative dates on them
    are counted from it (and again by a reclean). Without it they give no date. Files left
    out (see `page_files`) count as `skipped`; reads stop at `max_bytes`. Counts and
    problems go into `result` when given (so that they outlive an exception), else into a
    new one. A SQLite failure of the database itself rolls back the file's transaction and
    raises a `DatabaseFailure`; any other exception fails that one file. `rules` (default:
    the shipped ones) clean the pages.
    """
    if fetched_at is not None and fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be an aware datetime")
    result = result if result is not None else ImportResult()

    def skip(path: Path, reason: str) -> None:
        result.counts["discovered"] += 1
        result.counts["skipped"] += 1
        result.problems.append(f"{path}: {reason}")
        if progress:
            progress(path, "skipped")

    files = page_files(paths, suffixes, follow_symlinks=follow_symlinks, skipped=skip)
    options = _Options(fetched_at, max_bytes, rules or load_rules())
    for path in files:
        try:
            if is_archive(path):
                outcome = _archive(db, run_id, path, result, options)
            else:
                outcome = _contained(db, run_id, path, result, options)
                result.counts[outcome] += 1
        except sqlite3.Error as exc:
            rollback(db)
            raise database_failure(exc, database_file(db)) from exc
        if progress:
            progress(path, outcome)
    return result


def _archive(
    db: sqlite_utils.Database, run_id: int, path: Path, result: ImportResult, options: _Options
) -> str:
    """Import a WARC or WACZ file: "archive" when it was read (its damaged records among the
    problems), "failed" when it could not be opened."""
    try:
        import_archive(
            db,
            run_id,
            path,
            result.counts,
            result.records,
            result.problems,
            ArchiveOptions(options.max_bytes, options.rules),
        )
    except sqlite3.Error:
        raise
    except (OSError, zipfile.BadZipFile) as exc:
        reason = f"cannot read the archive: {getattr(exc, 'strerror', None) or exc}"
    except Exception as exc:  # a bug in reading it must not stop the import
        reason = f"internal error ({type(exc).__name__}: {exc}); please report it with the file"
    else:
        return "archive"
    result.counts["failed"] += 1
    return _failed(db, run_id, path, path.resolve().as_uri(), now(), reason, result)


@dataclass(frozen=True)
class _Options:
    """How every file of one import is read and cleaned."""

    fetched_at: dt.datetime | None
    max_bytes: int
    rules: Rules


def _contained(
    db: sqlite_utils.Database, run_id: int, path: Path, result: ImportResult, options: _Options
) -> str:
    """Import one file; any failure but the database's own is that file's failure."""
    try:
        return _import_file(db, run_id, path, result, options)
    except sqlite3.Error as exc:
        rollback(db)
        if is_operational(exc):
            raise
        reason = f"could not be stored ({type(exc).__name__}: {exc})"
    except Exception as exc:  # a bug in the cleaner must not stop the import
        reason = f"internal error ({type(exc).__name__}: {exc}); please report it with the file"
    return _failed(db, run_id, path, path.resolve().as_uri(), now(), reason, result)


def _import_file(
    db: sqlite_utils.Database, run_id: int, path: Path, result: ImportResult, options: _Options
) -> str:
    fetched_at, max_bytes = options.fetched_at, options.max_bytes
    result.counts["discovered"] += 1
    url = path.resolve().as_uri()
    seen = now()
    try:
        data, info = read_capped(path, max_bytes)
    except FileRefused as exc:
        return _failed(db, run_id, path, url, seen, str(exc), result)
    except OSError as exc:
        return _failed(db, run_id, path, url, seen, exc.strerror or str(exc), result)
    result.counts["fetched"] += 1
    modified = dt.datetime.fromtimestamp(info.st_mtime, dt.UTC).isoformat(timespec="seconds")
    base = fetched_at.isoformat() if fetched_at else None
    if touch_if_unchanged(db, url, sha256(data), seen, base):
        return "unchanged"
    try:
        article = clean(data, fetched_at=fetched_at, max_bytes=max_bytes, rules=options.rules)
    except CleanerError as exc:
        return _failed(db, run_id, path, url, seen, str(exc), result)
    source = PageSource(url=url, fetched_at=seen, last_modified=modified, date_base=base)
    return save_page(db, run_id, source, data, article, options.rules)


def _failed(db, run_id, path: Path, url: str, seen: str, reason: str, result) -> str:
    record_failure(db, run_id, PageSource(url=url, fetched_at=seen), reason)
    result.problems.append(f"{path}: {reason}")
    return "failed"
