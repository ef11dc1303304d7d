"""The translation edges of a whole database in one pass, for the bulk rebuild: the pairs of
articles in different languages that a credit joins (one credits the other's account, or
both credit the same source), found per credited name and language. Thousands of reprints in
one language that credit one source are never compared with each other, as looking up each
article's credits in turn would do (quadratic in the reprints of a popular source)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

from .works_edges import SELECT_CREDITED, Credited, Edge, by_ids, credit_edge

# (column, whether it is a credit): a credit joins an account or another credit, never two
# accounts (an account writing in two languages is not a translation by that alone).
NAME_COLUMNS = (("account", 0), ("account_id", 0), ("source", 1), ("source_account_id", 1))
NAMES = " UNION ALL ".join(
    f"SELECT {column}, {credit}, id, coalesce(language, ''), coalesce(body, '') != '' "
    f"FROM articles WHERE status = 'ok' AND coalesce({column}, '') != ''"
    for column, credit in NAME_COLUMNS
)
# Each article (with a text) against those before it, as linking article by article finds
# them: the earlier ones in every other language that carry one of its names.
PAIRS = """
SELECT DISTINCT later.article_id, earlier.article_id
FROM temp.credit_names AS later
JOIN temp.name_languages AS other
    ON other.value = later.value AND other.language != later.language
JOIN temp.credit_names AS earlier
    ON earlier.value = later.value AND earlier.language = other.language
WHERE later.texted AND earlier.article_id < later.article_id AND (later.credit OR earlier.credit)
ORDER BY later.article_id, earlier.article_id
"""
DETAILS = SELECT_CREDITED + " WHERE a.id IN ({marks})"
PAIR_CHUNK = 5_000


def all_translation_edges(db: sqlite_utils.Database) -> Iterator[Edge]:
    """The translation edges between fingerprinted articles; temp tables of the names their
    columns carry are made and dropped."""
    db.execute("DROP TABLE IF EXISTS temp.credit_names")
    db.execute("DROP TABLE IF EXISTS temp.name_languages")
    db.execute(
        "CREATE TEMP TABLE credit_names (value TEXT NOT NULL, credit INTEGER NOT NULL, "
        "article_id INTEGER NOT NULL, language TEXT NOT NULL, texted INTEGER NOT NULL)"
    )
    db.execute(f"INSERT INTO temp.credit_names {NAMES}")
    db.execute("CREATE INDEX temp.credit_names_by_value ON credit_names (value, language)")
    db.execute(
        "CREATE TEMP TABLE name_languages AS SELECT DISTINCT value, language FROM credit_names"
    )
    db.execute("CREATE INDEX temp.name_languages_by_value ON name_languages (value)")
    cursor = db.execute(PAIRS)
    while pairs := cursor.fetchmany(PAIR_CHUNK):
        held = {
            row["id"]: Credited.of(row)
            for row in by_ids(db, DETAILS, {article for pair in pairs for article in pair})
        }
        for later, earlier in pairs:
            edge = credit_edge(held[later], held[earlier])
            if edge:
                yield edge
    db.execute("DROP TABLE temp.credit_names")
    db.execute("DROP TABLE temp.name_languages")
