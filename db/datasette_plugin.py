"""The Datasette plugin that makes `datasette articles.db` useful with no set-up."""

from datasette import hookimpl

from .search import fts_query, snippet


@hookimpl
def prepare_connection(conn):
    """SQL functions for the canned search query: the FTS expression and the snippet."""
    conn.create_function("reprints_match", 1, fts_query, deterministic=True)
    conn.create_function("reprints_snippet", 2, snippet, deterministic=True)
