"""reprints db: the SQLite store of pages and articles, with provenance and CJK search."""

from .errors import DbError, NotADatabase, SchemaTooNew
from .importer import ImportResult, import_paths, page_files
from .reclean import reclean
from .runs import finish_run, start_run
from .schema import SCHEMA_VERSION, open_database
from .search import fts_query, search, snippet
from .store import PageSource, record_failure, save_page, snapshot_bytes

__all__ = [
    "SCHEMA_VERSION",
    "DbError",
    "ImportResult",
    "NotADatabase",
    "PageSource",
    "SchemaTooNew",
    "finish_run",
    "fts_query",
    "import_paths",
    "open_database",
    "page_files",
    "reclean",
    "record_failure",
    "save_page",
    "search",
    "snapshot_bytes",
    "snippet",
    "start_run",
]
