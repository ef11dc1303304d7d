"""Exceptions raised by the database layer.

DbError
├── NotADatabase   the file is not a reprints database
└── SchemaTooNew   the database was made by a newer reprints
"""


class DbError(Exception):
    """Base class for every error the database layer raises."""


class NotADatabase(DbError):
    """The file is not a SQLite database made by reprints."""


class SchemaTooNew(DbError):
    """The database's schema is newer than this version of reprints understands."""
