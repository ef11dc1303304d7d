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
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response
from datasette.version import __version__ as datasette_version
from markupsafe import Markup, escape

from .article_html import article_html, thumbnails
from .datasette_columns import ALL_COLUMNS, with_default_columns
from .datasette_images import IMAGES_SCHEMA, image_path, image_response, local_images, viewable
from .datasette_tables import FOREIGN_KEYS, QUERIES, TABLES, WORK_QUERIES, WORKS_SCHEMA
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
.reprints-article { max-width: 42em; line-height: 1.75; font-size: 1.05em; white-space: normal; }
body.table-articles td.col-published { white-space: nowrap; }
.reprints-article img { max-width: 100%; height: auto; }
.reprints-article table { border-collapse: collapse; }
.reprints-article th, .reprints-article td { border: 1px solid #ccc; padding: 0.2em 0.5em; }
.reprints-article pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
.reprints-article blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; }
body.table .reprints-article { width: 24em; max-height: 7em; overflow: hidden; font-size: 0.9em; }
.reprints-thumbs { display: flex; flex-wrap: wrap; gap: 4px; max-width: 42em; }
img.reprints-thumb { width: 64px; height: 64px; object-fit: cover; border: 1px solid #ddd; }
"""

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


def _tables(datasette: Any, database: str) -> dict[str, dict[str, Any]]:
    """The tables' metadata, the articles table's description linking to every column."""
    every = f"{datasette.urls.table(database, 'articles')}?{ALL_COLUMNS}=1"
    articles = TABLES["articles"]
    description = Markup('{} <a href="{}">Show every column</a>.').format(
        articles["description"], every
    )
    return {**TABLES, "articles": {**articles, "description_html": str(description)}}


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
            "tables": _tables(datasette, name),
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
    if (table, column) == ("image_files", "content") and "sha256" in columns:
        path = image_path(datasette, database, row["sha256"])
        return Markup(
            '<a href="{0}"><img class="reprints-thumb" src="{0}" alt="" loading="lazy"></a>'
        ).format(path)
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
        if column in ("body_markdown", "images"):
            return _with_local_images(datasette, database, table, row, column, value)
    if table is None and {"snippet", "id"} <= columns:
        if column == "snippet":
            return render_snippet(value)
        if column == "title":
            url = datasette.urls.row(database, "articles", str(row["id"]))
            return Markup('<a href="{}">{}</a>').format(url, value)
    return None


def _with_local_images(
    datasette: Any, database: str, table: str, row: Any, column: str, value: str
) -> Any:
    """The body's HTML or the thumbnails, with archived images served from the database."""
    render = article_html if column == "body_markdown" else thumbnails
    if (database_schema(datasette, database) or 0) < IMAGES_SCHEMA:
        return render(value)

    async def rendered() -> Markup | None:
        return render(value, await local_images(datasette, database, table, row))

    return rendered


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Table pages of ours open on their default columns (see `datasette_columns`)."""

    def wrap(app: Any) -> Any:
        async def with_defaults(scope: dict, receive: Any, send: Any) -> None:
            base_url = datasette.setting("base_url") or "/"
            chosen = with_default_columns(
                scope, base_url, lambda name: is_reprints_database(datasette, name)
            )
            await app(chosen, receive, send)

        return with_defaults

    return wrap


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
    database, digest = await viewable(datasette, request, "snapshots", is_reprints_database)
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


async def image_page(datasette: Any, request: Any) -> Response:
    """An archived image, with the type its bytes have and headers that keep it inert."""
    return await image_response(datasette, request, is_reprints_database)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Serve the stylesheet, the stored pages and the archived images."""
    return [
        (r"^/-/reprints\.css$", css),
        (r"^/-/reprints/snapshot/(?P<database>[^/]+)/(?P<sha256>[0-9a-f]{64})$", snapshot_page),
        (r"^/-/reprints/image/(?P<database>[^/]+)/(?P<sha256>[0-9a-f]{64})$", image_page),
    ]
