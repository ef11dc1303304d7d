"""The columns a reprints table page shows unless the visitor chose some: the ones a person
reads by, with the long ones (bodies, JSON, provenance) a click away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.utils import tilde_decode

DEFAULT_COLUMNS = {
    "articles": ("title", "account", "author", "source", "published", "status"),
    "article_versions": ("article_id", "version", "title", "account", "status", "replaced_at"),
}
# The query argument that shows every column (Datasette ignores arguments starting with _).
ALL_COLUMNS = "_reprints_all"
# Hiding a column (`_nocol`) keeps the defaults, less that column.
CHOSEN = frozenset({"_col", ALL_COLUMNS})


def with_default_columns(
    scope: dict[str, Any], base_url: str, is_ours: Callable[[str], bool]
) -> dict[str, Any]:
    """The request for an HTML table page of ours with no columns chosen, as if it had
    chosen the default columns with `_col`; any other request unchanged."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return scope
    path = scope.get("path", "")
    prefix = "/" + base_url.strip("/") if base_url.strip("/") else ""
    if not path.startswith(f"{prefix}/"):
        return scope
    parts = path[len(prefix) + 1 :].split("/")
    if len(parts) != 2 or parts[1] not in DEFAULT_COLUMNS or not is_ours(tilde_decode(parts[0])):
        return scope
    arguments = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if any(name in CHOSEN or name == "_format" for name, _ in arguments):
        return scope
    chosen = [("_col", column) for column in DEFAULT_COLUMNS[parts[1]]]
    return {**scope, "query_string": urlencode([*arguments, *chosen]).encode("latin-1")}
