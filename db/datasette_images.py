"""Archived images in Datasette: each served from the database with the type its bytes have
and headers that keep it inert, and the local address of an article's stored images."""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response

from .image_types import EXTENSIONS, extension

IMAGE_PATH = "/-/reprints/image/{database}/{sha256}"
IMAGES_SCHEMA = 8  # the schema version that added article_images and image_files
IMAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # An SVG opened on its own runs no script and loads nothing.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "public, max-age=31536000, immutable",  # the address is the content
}
LOCAL_SQL = (
    "SELECT ai.url, ai.sha256 FROM article_images AS ai WHERE ai.article_id = ? AND "
    "ai.version = {version} AND ai.state = 'stored'"
)


def image_path(datasette: Any, database: str, digest: str) -> str:
    return datasette.urls.path(IMAGE_PATH.format(database=tilde_encode(database), sha256=digest))


async def local_images(datasette: Any, database: str, table: str, row: Any) -> dict[str, str]:
    """The served address of each stored image of the article version in `row`, by URL."""
    columns = set(row.keys())
    if table == "articles" and "id" in columns:
        article_id = row["id"]
        version = "?" if "version" in columns else "(SELECT version FROM articles WHERE id = ?)"
        values = [article_id, row["version"] if "version" in columns else article_id]
    elif table == "article_versions" and {"article_id", "version"} <= columns:
        version, values = "?", [row["article_id"], row["version"]]
    else:
        return {}
    result = await datasette.get_database(database).execute(
        LOCAL_SQL.format(version=version), values
    )
    return {url: image_path(datasette, database, digest) for url, digest in result.rows}


async def viewable(datasette: Any, request: Any, table: str, is_ours: Any) -> tuple[str, str]:
    """The database and SHA-256 a stored-bytes address names, once the actor may view `table`
    there; NotFound unless the database is a reprints one."""
    database = tilde_decode(request.url_vars["database"])
    if not is_ours(datasette, database):
        raise NotFound("Not a reprints database")
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (database, table)), ("view-database", database), "view-instance"],
    )
    return database, request.url_vars["sha256"]


async def image_response(datasette: Any, request: Any, is_ours: Any) -> Response:
    """A stored image, as the type its bytes have; anything else is a download."""
    database, digest = await viewable(datasette, request, "image_files", is_ours)
    try:
        result = await datasette.get_database(database).execute(
            "SELECT content_type, content FROM image_files WHERE sha256 = ?", [digest]
        )
    except sqlite3.Error as exc:  # a database made before image_files existed
        raise NotFound("No such image") from exc
    row = result.first()
    if row is None:
        raise NotFound("No such image")
    media = row["content_type"] if row["content_type"] in EXTENSIONS else None
    name = f"{digest[:16]}.{extension(media)}"
    disposition = f'inline; filename="{name}"' if media else f'attachment; filename="{name}"'
    return Response(
        row["content"],
        content_type=media or "application/octet-stream",
        headers={**IMAGE_HEADERS, "Content-Disposition": disposition},
    )
