"""The Datasette plugin that makes `datasette articles.db` useful with no set-up.

It registers the search functions, describes the tables of every reprints database with
sorting, facets and canned queries, renders article bodies as escaped paragraphs and search
hits as <mark>, and leaves other databases alone. A reprints database is one whose
`PRAGMA user_version` is a schema version of reprints and whose tables have the columns the
plugin relies on; a file that merely has `articles` and `runs` tables is shown as Datasette
shows any database. Supported: Datasette 0.65 up to, not including, 1.0 (the 1.0 alphas drop
the metadata hook that carries the facets, sorting, descriptions and canned queries).
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response
from datasette.version import __version__ as datasette_version
from markupsafe import Markup, escape

from .article_html import article_html, thumbnails
from .schema import SCHEMA_VERSION
from .search import fts_query, snippet
from .store import decompress

DATASETTE_REQUIREMENT = "datasette>=0.65,<1.0"
SUPPORTED_DATASETTE = ((0, 65), (1, 0))  # lowest supported, first unsupported
DATASETTE_RELEASE = re.compile(r"(\d+)\.(\d+)")
SEARCH_SCHEMA = 2  # the schema version that added articles_fts
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
HIT = re.compile(r"【(.*?)】")
CSS_PATH = "/-/reprints.css"
SNAPSHOT_PATH = "/-/reprints/snapshot/{database}/{sha256}"

CSS = """
.reprints-body { max-width: 40em; line-height: 1.75; white-space: normal; }
.reprints-body p { margin: 0 0 0.9em 0; }
body.table .reprints-body { width: 24em; }
body.table td.col-title { min-width: 10em; }
body.table .reprints-body p {
  margin: 0; overflow: hidden; display: -webkit-box;
  -webkit-line-clamp: 4; -webkit-box-orient: vertical;
}
body.table .reprints-body p:nth-of-type(n + 2) { display: none; }
body.table .reprints-body::after { content: "…"; color: #888; }
dl.column-descriptions {
  display: grid; grid-template-columns: max-content 1fr max-content 1fr;
  gap: 0.15em 0.8em; font-size: 0.85em;
}
dl.column-descriptions dd { margin: 0; }
body.query mark { background: #fde68a; padding: 0 1px; }
body.row table.rows-and-columns, body.row .rows-and-columns tbody,
body.row .rows-and-columns tr, body.row .rows-and-columns td { display: block; }
body.row .rows-and-columns thead tr { position: absolute; top: -9999px; left: -9999px; }
body.row .rows-and-columns td {
  position: relative; min-height: 1.3em; padding: 0.4em 0 0.4em 11rem;
  border: none; border-bottom: 1px solid #eee; overflow-wrap: anywhere;
}
body.row .rows-and-columns td::before {
  position: absolute; left: 0; width: 10rem; margin: 0; color: #666;
  font-size: 0.85rem; font-weight: normal;
}
body.row td.col-title { font-size: 1.3em; font-weight: bold; }
body.row td.col-body { font-size: 1.1em; }
.reprints-article { max-width: 42em; line-height: 1.75; font-size: 1.05em; }
.reprints-article img { max-width: 100%; height: auto; }
.reprints-article table { border-collapse: collapse; }
.reprints-article th, .reprints-article td { border: 1px solid #ccc; padding: 0.2em 0.5em; }
.reprints-article pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
.reprints-article blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; }
body.table .reprints-article { width: 24em; max-height: 7em; overflow: hidden; font-size: 0.9em; }
.reprints-thumbs { display: flex; flex-wrap: wrap; gap: 4px; max-width: 42em; }
img.reprints-thumb { width: 64px; height: 64px; object-fit: cover; border: 1px solid #ddd; }
"""

ARTICLE_COLUMNS = {
    "id": "Row id; stable for the article's URL",
    "url": "Where the article was fetched or read from (file:// for imported pages)",
    "status": "ok, or why there is no article (deleted, removed, unavailable, expired…)",
    "title": "Article title",
    "account": "The account (公众号 or site) that published this copy",
    "account_id": "The account's id, when the page gives it",
    "author": "Author credited by the page",
    "source": "Where the article was republished from (来源), when it says so",
    "source_account_id": "The source account's id, when given",
    "editor": "Editor credited by the page",
    "translator": "Translator credited by the page",
    "published": "Publication time as given by the page (ISO 8601)",
    "original_url": "Link to the original article, when given",
    "is_original": "1 when the page marks itself as original (原创)",
    "language": "Language of the body",
    "body": "The cleaned text; paragraphs are separated by blank lines",
    "work_id": "The work this article is a copy of (every copy of one article shares it)",
    "copy_role": "What this copy is to its work: original, reprint, mirror, excerpt, dump or "
    "translation",
    "body_markdown": "The cleaned article as Markdown: headings, lists, links, quotes, tables, "
    "code and images in place, from the same blocks as the body",
    "images": "JSON list of the images kept in the body",
    "origins": "JSON: which rule or part of the page each field came from",
    "reader": "The extractor that produced the body (wechat, mirror:…, text)",
    "cleaner_version": "Version of the cleaner and its rules that produced this row",
    "content_hash": "Hash of the cleaned fields; changes when the article changes",
    "version": "1 for the first cleaned version, +1 for each change",
    "fetch_id": "The fetch that produced this version",
    "snapshot": "SHA-256 of the raw page this version was cleaned from",
    "run_id": "The reprints run that wrote this version",
    "first_seen": "When this URL was first stored (UTC)",
    "last_seen": "When this URL was last fetched or read (UTC)",
    "updated_at": "When this row last changed (UTC)",
}

TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "description": "One row per article URL: the cleaned fields and body, with links to "
        "the fetch, raw snapshot and run that produced it. Earlier versions are in "
        "article_versions, what the cleaner removed is in removals.",
        "sort_desc": "published",
        "facets": ["account", "source", "author", "status"],
        "label_column": "title",
        "columns": ARTICLE_COLUMNS,
    },
    "article_versions": {
        "description": "Earlier versions of articles, kept when a re-fetch or re-clean "
        "changed them.",
        "sort_desc": "replaced_at",
        "facets": ["article_id"],
        "label_column": "title",
        "columns": {
            **ARTICLE_COLUMNS,
            "article_id": "The article this was an earlier version of",
            "replaced_at": "When this version was replaced (UTC)",
            "replaced_by_run": "The run that replaced it",
        },
    },
    "removals": {
        "description": "What the cleaner removed from each article version, and why.",
        "facets": ["kind", "rule"],
        "columns": {
            "article_id": "The article the text was removed from",
            "version": "The article version",
            "position": "Order of the removal in the page",
            "kind": "What was removed: chrome, promo, attribution, prompt, disclaimer, blurb…",
            "rule": "The cleaner rule that removed it",
            "text": "The removed text",
        },
    },
    "works": {
        "description": "One row per work: the copies of one article found by their text or "
        "credits (articles.work_id), its original and the rule that chose it.",
        "sort_desc": "copies",
        "facets": ["original_rule"],
        "label_column": "title",
        "columns": {
            "original_article_id": "The copy chosen as the original",
            "original_rule": "What chose it: credit, original_mark, earliest_published, "
            "first_seen (or single)",
            "title": "The original's title",
            "copies": "How many copies are stored",
            "first_published": "The earliest publication time of a copy",
            "last_published": "The latest publication time of a copy",
        },
    },
    "learned_rules": {
        "description": "Boilerplate learned from each source's own articles by `reprints "
        "learn`: a block standing at the head or tail of enough of the source's works. "
        "Rejected rules are never applied; `reprints rules reject/accept` sets the state.",
        "sort_desc": "works",
        "facets": ["source", "kind", "place", "state"],
        "label_column": "example",
        "columns": {
            "name": "The rule's name, as removals.rule gives it",
            "source": "The WeChat account id, account name or host whose articles it applies to",
            "kind": "What the block is (from the shipped cues, else learned)",
            "place": "Where it stands in the body: head or tail",
            "text": "The block's normalised text, which the rule matches",
            "example": "The block as it stood in one article",
            "works": "Distinct works of the source it stood in",
            "source_works": "Distinct works of the source in the database",
            "article_ids": "Some of the articles it stood in (JSON)",
            "state": "learned, accepted or rejected (by the user)",
            "learned_at": "When it was last learned (UTC)",
            "run_id": "The learning run",
        },
    },
    "fetches": {
        "description": "Every HTTP request or file read, successful or not.",
        "sort_desc": "fetched_at",
        "facets": ["page_status", "status_code"],
        "label_column": "url",
        "columns": {
            "run_id": "The run that made this fetch",
            "url": "URL requested or file read",
            "fetched_at": "When (UTC)",
            "last_seen": "When the same bytes were last seen again (UTC)",
            "status_code": "HTTP status code (empty for files)",
            "headers": "Response headers (JSON)",
            "etag": "ETag response header",
            "last_modified": "Last-Modified header, or the file's modification time",
            "bytes": "Size of the response",
            "sha256": "SHA-256 of the raw bytes: the snapshot",
            "page_status": "What the cleaner made of the page",
            "error": "Why the fetch or the cleaning failed",
        },
    },
    "snapshots": {
        "description": "Raw page bytes, compressed, stored once per SHA-256. The content "
        "column links to each page as text; `reprints reclean` cleans them again.",
        "sort_desc": "first_seen",
        "columns": {
            "sha256": "SHA-256 of the uncompressed page",
            "bytes": "Size of the uncompressed page",
            "compression": "How content is compressed (zlib)",
            "content": "The compressed page; the link shows it uncompressed, as text",
            "first_seen": "When these bytes were first stored (UTC)",
        },
    },
    "runs": {
        "description": "Each invocation of reprints: command, arguments, versions, times, "
        "counts and exit status.",
        "sort_desc": "started",
        "facets": ["command", "status"],
        "label_column": "command",
        "columns": {
            "command": "The reprints command",
            "arguments": "Its arguments (JSON)",
            "reprints_version": "Version of reprints",
            "cleaner_version": "Version of the cleaner and its rules",
            "pid": "Process id",
            "started": "Start (UTC)",
            "ended": "End (UTC); empty while running or if interrupted",
            "status": "running, ok, partial, failed or interrupted",
            "exit_code": "Exit code of the command",
            "errors": "Problems reported by the run (JSON)",
            "discovered": "Pages found to fetch or import",
            "fetched": "Pages fetched or read",
            "new": "New articles stored",
            "updated": "Articles that changed",
            "unchanged": "Pages that had not changed",
            "blocked": "Pages refused by the site (anti-bot, rate limits)",
            "failed": "Pages that could not be fetched or cleaned",
            "skipped": "Pages skipped",
            "robots": "Pages skipped because robots.txt disallows them",
        },
    },
    "articles_fts": {
        "description": "Full-text index of the articles as CJK bigrams; use the search "
        "query instead of browsing it.",
        "hidden": True,
    },
}

SEARCH_SQL = """\
SELECT articles.id, articles.title, articles.account, articles.published,
       reprints_snippet(articles.body, :q) AS snippet, articles.url
FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
WHERE articles_fts MATCH reprints_match(:q)
ORDER BY articles_fts.rank
LIMIT 100"""

RECENT_SQL = """\
SELECT id, title, account, source, author, published, first_seen, url
FROM articles
WHERE status = 'ok'
ORDER BY first_seen DESC, published DESC
LIMIT 100"""

PER_SOURCE_SQL = """\
SELECT coalesce(source, '(no source)') AS source, count(*) AS articles,
       count(DISTINCT account) AS accounts, min(published) AS earliest,
       max(published) AS latest
FROM articles
WHERE status = 'ok'
GROUP BY 1
ORDER BY articles DESC, source"""

QUERIES = {
    "search": {
        "title": "Search articles",
        "description": "Full-text search in titles, bodies and people; Chinese and Japanese "
        "words of any length. Several words must all match.",
        "sql": SEARCH_SQL,
    },
    "recent": {
        "title": "Recently added articles",
        "description": "The latest articles stored, newest first.",
        "sql": RECENT_SQL,
    },
    "per_source": {
        "title": "Articles per source",
        "description": "How many articles were republished from each source.",
        "sql": PER_SOURCE_SQL,
    },
}
WORKS_SCHEMA = 5
WORK_QUERIES = {
    "most_republished": {
        "title": "Most republished",
        "description": "Works with the most copies, and the account of each one's original.",
        "sql": "SELECT works.id AS work, works.title, works.copies, articles.account AS "
        "original_account, works.original_rule, works.first_published FROM works JOIN "
        "articles ON articles.id = works.original_article_id WHERE works.copies > 1 "
        "ORDER BY works.copies DESC, works.first_published LIMIT 100",
    },
    "copies": {
        "title": "Copies of an article",
        "description": "Every copy of the work that the article at this URL belongs to.",
        "sql": "SELECT copy.id, copy.url, copy.title, copy.account, copy.published, "
        "copy.copy_role AS role FROM articles AS this JOIN articles AS copy ON copy.work_id = "
        "this.work_id WHERE this.url = :url ORDER BY copy.copy_role != 'original', "
        "copy.published",
    },
    "republications": {
        "title": "Who republishes whom",
        "description": "From the account of each work's original to the accounts that "
        "carried a copy, with the number of works.",
        "sql": "SELECT original.account AS original_account, copy.account AS copy_account, "
        "count(*) AS works FROM works JOIN articles AS original ON original.id = "
        "works.original_article_id JOIN articles AS copy ON copy.work_id = works.id AND "
        "copy.id != original.id GROUP BY 1, 2 ORDER BY works DESC",
    },
}

# The schema's foreign keys, linked on row pages too (Datasette 0.65 links them on table
# pages only).
FOREIGN_KEYS = {
    ("articles", "fetch_id"): "fetches",
    ("articles", "snapshot"): "snapshots",
    ("articles", "run_id"): "runs",
    ("article_versions", "article_id"): "articles",
    ("article_versions", "fetch_id"): "fetches",
    ("article_versions", "snapshot"): "snapshots",
    ("article_versions", "run_id"): "runs",
    ("article_versions", "replaced_by_run"): "runs",
    ("removals", "article_id"): "articles",
    ("learned_rules", "run_id"): "runs",
    ("articles", "work_id"): "works",
    ("works", "original_article_id"): "articles",
    ("fetches", "run_id"): "runs",
    ("fetches", "sha256"): "snapshots",
}

# Described columns that later schema versions added (5: work_id and copy_role, 7:
# body_markdown).
LATER_COLUMNS = {"articles": {"work_id", "copy_role", "body_markdown"}}
# Every schema version has these tables, with (at least) the columns described above.
REQUIRED_COLUMNS = {
    table: set(TABLES[table]["columns"]) - LATER_COLUMNS.get(table, set())
    for table in ("articles", "runs", "fetches", "snapshots", "removals")
}
COLUMNS_SQL = (
    "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p "
    f"WHERE m.type = 'table' AND m.name IN ({', '.join('?' * len(REQUIRED_COLUMNS))})"
)

# path -> (what the files looked like when checked, schema version or None)
_checked: dict[str, tuple[tuple[int, ...], int | None]] = {}


def stylesheet() -> str:
    """The CSS, with the labels that row pages show beside each value."""
    labels = [
        f'body.row.table-{table} td.col-{column}::before {{ content: "{column}"; }}'
        for table, config in TABLES.items()
        for column in ["id", *config.get("columns", {})]
    ]
    return CSS + "\n".join(labels) + "\n"


def supported_datasette(version: str) -> bool:
    """Whether a Datasette version is in the supported range (pre-releases of 1.0 are not)."""
    release = DATASETTE_RELEASE.match(version)
    if release is None:
        return False
    low, high = SUPPORTED_DATASETTE
    return low <= (int(release[1]), int(release[2])) < high


def reprints_schema(path: str, immutable: bool = False) -> int | None:
    """The schema version of the SQLite file at `path` if reprints made it, else None."""
    mode = "immutable=1" if immutable else "mode=ro"
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?{mode}", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            rows = conn.execute(COLUMNS_SQL, list(REQUIRED_COLUMNS)).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    if not 1 <= version <= SCHEMA_VERSION:
        return None
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    if any(not needed <= found.get(table, set()) for table, needed in REQUIRED_COLUMNS.items()):
        return None
    return version


def _file_state(path: str) -> tuple[int, ...]:
    """Size and modification time of the file and its write-ahead log: a commit changes one."""
    state: list[int] = []
    for name in (path, f"{path}-wal"):
        try:
            info = os.stat(name)
        except OSError:
            state += [-1, -1]
            continue
        state += [info.st_size, info.st_mtime_ns]
    return tuple(state)


def database_schema(datasette: Any, name: str | None) -> int | None:
    """The reprints schema version of the named Datasette database, None if it is not ours."""
    database = datasette.databases.get(name) if name else None
    if database is None or database.is_memory or not database.path:
        return None
    state = _file_state(database.path)
    cached = _checked.get(database.path)
    if cached is not None and cached[0] == state:
        return cached[1]
    version = reprints_schema(database.path, immutable=not database.is_mutable)
    _checked[database.path] = (state, version)
    return version


def is_reprints_database(datasette: Any, name: str | None) -> bool:
    """Whether the named database is one that reprints made."""
    return database_schema(datasette, name) is not None


def match_expression(query: str | None) -> str:
    """The FTS5 expression for a query; one that matches nothing if it has no words."""
    return fts_query(query or "") or '""'


def marked_snippet(body: str | None, query: str | None) -> str:
    """A snippet whose only 【】 mark the hit (the body's own 【】 become 〖〗)."""
    plain = (body or "").replace("【", "〖").replace("】", "〗")
    return snippet(plain, (query or "").replace("【", "〖").replace("】", "〗"))


def render_body(text: str) -> Markup:
    """Escaped paragraphs: blank lines separate them, single newlines become <br>."""
    paragraphs = [p.strip() for p in PARAGRAPH_BREAK.split(text) if p.strip()]
    html = Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.splitlines()))
        for p in paragraphs
    )
    return Markup('<div class="reprints-body">{}</div>').format(html)


def render_snippet(text: str) -> Markup:
    """The escaped snippet with the hit in <mark> instead of 【】."""
    return Markup(HIT.sub(r"<mark>\1</mark>", str(escape(text))))


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """SQL functions for the canned search query: the FTS expression and the snippet."""
    conn.create_function("reprints_match", 1, match_expression, deterministic=True)
    conn.create_function("reprints_snippet", 2, marked_snippet, deterministic=True)


def queries(version: int) -> dict[str, dict[str, str]]:
    """The canned queries that a database of this schema version can run."""
    found = (
        dict(QUERIES)
        if version >= SEARCH_SCHEMA
        else {name: query for name, query in QUERIES.items() if name != "search"}
    )
    if version >= WORKS_SCHEMA:
        found.update(WORK_QUERIES)
    return found


@hookimpl
def startup(datasette: Any) -> None:
    """Say so on standard error when this Datasette is outside the supported range."""
    if not supported_datasette(datasette_version):
        print(
            f"Warning: Datasette {datasette_version}, reprints plugin: facets, sorting, "
            f"descriptions and canned queries need {DATASETTE_REQUIREMENT}; install "
            f"'{DATASETTE_REQUIREMENT}'",
            file=sys.stderr,
        )


@hookimpl
def get_metadata(datasette: Any) -> dict[str, Any]:
    """Titles, descriptions, sorting, facets and canned queries for reprints databases."""
    names = [name for name in datasette.databases if not name.startswith("_")]
    versions = {name: database_schema(datasette, name) for name in names}
    ours = [name for name in names if versions[name] is not None]
    databases = {
        name: {
            "title": f"reprints: {name}",
            "description": "Articles cleaned by reprints, with where each came from. Start "
            "with the articles table or the search query.",
            "tables": TABLES,
            "queries": queries(versions[name] or 0),
        }
        for name in ours
    }
    metadata: dict[str, Any] = {"databases": databases} if databases else {}
    if ours and len(ours) == len(names):
        metadata["title"] = "reprints"
    return metadata


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    """Bodies as paragraphs, foreign keys as links, search hits marked, all escaped."""
    if not isinstance(value, str | int | bytes) or not is_reprints_database(datasette, database):
        return None
    columns = set(row.keys())  # sqlite3.Row's `in` looks at values, not names
    if (table, column) == ("snapshots", "content") and "sha256" in columns:
        path = SNAPSHOT_PATH.format(database=tilde_encode(database), sha256=row["sha256"])
        size = row["bytes"] if "bytes" in columns else None
        size = f"{size:,} bytes" if isinstance(size, int) else "page"
        return Markup('<a href="{}">view page ({})</a>').format(datasette.urls.path(path), size)
    if isinstance(value, bytes):
        return None
    if (table, column) in FOREIGN_KEYS:
        url = datasette.urls.row(database, FOREIGN_KEYS[table, column], tilde_encode(str(value)))
        return Markup('<a href="{}">{}</a>').format(url, value)
    if not isinstance(value, str):
        return None
    if table in ("articles", "article_versions"):
        if column == "body":
            return render_body(value)
        if column == "body_markdown":
            return article_html(value)
        if column == "images":
            return thumbnails(value)
    if table is None and {"snippet", "id"} <= columns:
        if column == "snippet":
            return render_snippet(value)
        if column == "title":
            url = datasette.urls.row(database, "articles", str(row["id"]))
            return Markup('<a href="{}">{}</a>').format(url, value)
    return None


@hookimpl
def extra_css_urls(database: str | None, datasette: Any) -> list[str]:
    """The stylesheet for article bodies and search hits, on reprints pages only."""
    if database and is_reprints_database(datasette, database):
        return [datasette.urls.path(CSS_PATH)]
    return []


async def css() -> Response:
    """The stylesheet."""
    return Response(stylesheet(), content_type="text/css; charset=utf-8")


async def snapshot_page(datasette: Any, request: Any) -> Response:
    """A stored page, uncompressed, as plain text (never rendered as HTML)."""
    database = tilde_decode(request.url_vars["database"])
    digest = request.url_vars["sha256"]
    if not is_reprints_database(datasette, database):
        raise NotFound("Not a reprints database")
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (database, "snapshots")), ("view-database", database), "view-instance"],
    )
    result = await datasette.get_database(database).execute(
        "SELECT compression, content FROM snapshots WHERE sha256 = ?", [digest]
    )
    row = result.first()
    if row is None:
        raise NotFound("No such snapshot")
    data = decompress(row["compression"], row["content"])
    try:
        data.decode("utf-8")
        content_type = "text/plain; charset=utf-8"
    except UnicodeDecodeError:
        content_type = "text/plain"  # the browser guesses, as it would for the page
    return Response(
        data,
        content_type=content_type,
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
    )


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Serve the stylesheet and the stored pages."""
    return [
        (r"^/-/reprints\.css$", css),
        (r"^/-/reprints/snapshot/(?P<database>[^/]+)/(?P<sha256>[0-9a-f]{64})$", snapshot_page),
    ]
