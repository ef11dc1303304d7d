"""Exceptions raised by the database layer.

DbError
├── NotADatabase          the file is not a reprints database
├── SchemaTooNew          the database was made by a newer reprints
└── DatabaseFailure       SQLite failed after the file was opened (nothing half-written)
    ├── DatabaseLocked        another process held the write lock past the busy timeout
    ├── DatabaseUnwritable    read-only file or file system, full disk, I/O error
    └── DatabaseCorrupt       damaged pages, or a table or column missing
"""

from __future__ import annotations

import sqlite3


class DbError(Exception):
    """Base class for every error the database layer raises."""


class NotADatabase(DbError):
    """The file is not a SQLite database made by reprints."""


class SchemaTooNew(DbError):
    """The database's schema is newer than this version of reprints understands."""


class DatabaseFailure(DbError):
    """An operation on an open database failed; its transaction was rolled back.

    The message reads "<what>, <path>: <what to do>".
    """

    what = "the database failed"
    exit_code = 3  # what a command exits with for it
    advice = "check the file and the disk it is on, then run the command again"

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{reason}, {path}: {self.advice}")


class DatabaseLocked(DatabaseFailure):
    """Another process held the database's write lock for longer than the busy timeout."""

    what = "the database is locked"
    advice = "wait for the other reprints process to finish (or stop it), then run this again"


class DatabaseUnwritable(DatabaseFailure):
    """The database cannot be written: read-only file or file system, full disk, I/O error."""

    what = "the database cannot be written"
    advice = "make the file and its folder writable and free some disk space, then run this again"


class DatabaseCorrupt(DatabaseFailure):
    """The database is damaged, or lacks a table or column reprints needs."""

    what = "the database is damaged"
    advice = "restore it from a backup, or recover it with `sqlite3 FILE .recover` into a new file"


_BY_ERROR_NAME: dict[str, type[DatabaseFailure]] = {
    "SQLITE_BUSY": DatabaseLocked,
    "SQLITE_LOCKED": DatabaseLocked,
    "SQLITE_FULL": DatabaseUnwritable,
    "SQLITE_READONLY": DatabaseUnwritable,
    "SQLITE_IOERR": DatabaseUnwritable,
    "SQLITE_CANTOPEN": DatabaseUnwritable,
    "SQLITE_PERM": DatabaseUnwritable,
    "SQLITE_CORRUPT": DatabaseCorrupt,
    "SQLITE_NOTADB": DatabaseCorrupt,
}
_MISSING = ("no such table", "no such column")


def is_operational(exc: sqlite3.Error) -> bool:
    """Whether the error is the database's (locked, unwritable, damaged), not one statement's
    (a constraint, a value too big)."""
    return _failure_class(exc) is not None


def database_failure(exc: sqlite3.Error, path: str) -> DatabaseFailure:
    """The `DatabaseFailure` that a SQLite error on the database at `path` stands for."""
    kind = _failure_class(exc) or DatabaseFailure
    return kind(path, f"{kind.what} ({exc})")


def _failure_class(exc: sqlite3.Error) -> type[DatabaseFailure] | None:
    name = getattr(exc, "sqlite_errorname", None) or ""
    kind = _BY_ERROR_NAME.get("_".join(name.split("_")[:2]))
    if kind is None and str(exc).startswith(_MISSING):
        kind = DatabaseCorrupt
    return kind
