"""Import saved pages (HTML or text files, folders walked recursively) into the database."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from cleaners import CleanerError, clean

from .store import PageSource, now, record_failure, save_page, sha256, touch_if_unchanged

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".txt")


@dataclass
class ImportResult:
    """What an import did: counts by outcome, and the files it could not import."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def page_files(
    paths: Iterable[str | Path], suffixes: Iterable[str] = PAGE_SUFFIXES
) -> Iterator[Path]:
    """The files named, and the files with a page suffix below the folders named, sorted."""
    wanted = {s.lower() if s.startswith(".") else f".{s.lower()}" for s in suffixes}
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in wanted:
                    yield child
        else:
            yield path


def import_paths(
    db: sqlite_utils.Database,
    run_id: int,
    paths: Iterable[str | Path],
    progress: Callable[[Path, str], None] | None = None,
    suffixes: Iterable[str] = PAGE_SUFFIXES,
    fetched_at: dt.datetime | None = None,
) -> ImportResult:
    """Import every page file; a bad file is recorded and skipped, never half-written.

    `fetched_at`, an aware datetime, is when the pages were fetched: relative dates on them
    are counted from it (and again by a reclean). Without it they give no date.
    """
    if fetched_at is not None and fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be an aware datetime")
    result = ImportResult()
    for path in page_files(paths, suffixes):
        outcome = _import_file(db, run_id, path, result, fetched_at)
        result.counts[outcome] += 1
        if progress:
            progress(path, outcome)
    return result


def _import_file(
    db: sqlite_utils.Database,
    run_id: int,
    path: Path,
    result: ImportResult,
    fetched_at: dt.datetime | None,
) -> str:
    result.counts["discovered"] += 1
    url = path.resolve().as_uri()
    seen = now()
    try:
        data = path.read_bytes()
        stat = path.stat()
    except OSError as exc:
        return _failed(db, run_id, path, url, seen, exc.strerror or str(exc), result)
    result.counts["fetched"] += 1
    modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(timespec="seconds")
    base = fetched_at.isoformat() if fetched_at else None
    if touch_if_unchanged(db, url, sha256(data), seen, base):
        return "unchanged"
    try:
        article = clean(data, fetched_at=fetched_at)
    except CleanerError as exc:
        return _failed(db, run_id, path, url, seen, str(exc), result)
    source = PageSource(url=url, fetched_at=seen, last_modified=modified, date_base=base)
    return save_page(db, run_id, source, data, article)


def _failed(db, run_id, path: Path, url: str, seen: str, reason: str, result) -> str:
    record_failure(db, run_id, PageSource(url=url, fetched_at=seen), reason)
    result.problems.append(f"{path}: {reason}")
    return "failed"
