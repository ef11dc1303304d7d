"""reprints db: the SQLite store of pages and articles, with provenance and CJK search."""

from . import images
from .clock import http_date, instant, response_time
from .errors import (
    DatabaseCorrupt,
    DatabaseFailure,
    DatabaseLocked,
    DatabaseUnwritable,
    DbError,
    NotADatabase,
    SchemaTooNew,
)
from .images import ArchivedImage, ImageState, archived_images
from .importer import ImportResult, import_paths, page_files, read_capped
from .learn import LearnResult, RuleState, UnknownRule, learn, learned_rules, set_state
from .merge import MergeError, MergeResult, merge
from .reclean import Shard, reclean
from .runs import RecordedRun, RunStatus, Terminated, finish_run, recorded_run, start_run
from .schema import SCHEMA_VERSION, open_database
from .search import fts_query, search, snippet
from .store import (
    LastFetch,
    PageSource,
    last_fetch,
    record_failure,
    record_fetch,
    record_not_modified,
    save_page,
    snapshot_bytes,
)
from .works import LinkResult, copies, link, outdated_articles
from .works_original import OriginalRule, Role

__all__ = [
    "SCHEMA_VERSION",
    "ArchivedImage",
    "DatabaseCorrupt",
    "DatabaseFailure",
    "DatabaseLocked",
    "DatabaseUnwritable",
    "DbError",
    "ImageState",
    "ImportResult",
    "LastFetch",
    "LearnResult",
    "LinkResult",
    "MergeError",
    "MergeResult",
    "NotADatabase",
    "OriginalRule",
    "PageSource",
    "RecordedRun",
    "Role",
    "RuleState",
    "RunStatus",
    "SchemaTooNew",
    "Shard",
    "Terminated",
    "UnknownRule",
    "archived_images",
    "copies",
    "finish_run",
    "fts_query",
    "http_date",
    "images",
    "import_paths",
    "instant",
    "last_fetch",
    "learn",
    "learned_rules",
    "link",
    "merge",
    "open_database",
    "outdated_articles",
    "page_files",
    "read_capped",
    "reclean",
    "recorded_run",
    "record_failure",
    "record_fetch",
    "record_not_modified",
    "response_time",
    "save_page",
    "search",
    "set_state",
    "snapshot_bytes",
    "snippet",
    "start_run",
]
