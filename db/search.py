"""Full-text search that works for Chinese and Japanese queries of any length.

SQLite's unicode61 tokenizer keeps a run of CJK characters as one token, and the trigram
tokenizer needs three characters. So the index holds CJK text as overlapping bigrams (in the
`title`, `body` and `people` columns) and as single characters (in `chars`): a query of two
or more characters becomes a phrase of bigrams, a one-character query looks in `chars`.
"""

from __future__ import annotations

import re
from typing import Any

import sqlite_utils

CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
WORD = re.compile(r"[^\W_]+")
BIGRAM = re.compile(r"(?=(..))", re.S)  # every two characters, overlapping
GRAM_COLUMNS = "{title body people}"
SNIPPET_CHARS = 80


def grams(text: str | None) -> str:
    """Index text: CJK runs as overlapping bigrams, other words as they are."""
    if not text:
        return ""
    out: list[str] = []
    position = 0
    for run in CJK_RUN.finditer(text):
        out.extend(WORD.findall(text[position : run.start()]))
        out.extend(BIGRAM.findall(run.group(0)))
        position = run.end()
    out.extend(WORD.findall(text[position:]))
    return " ".join(out)


def characters(text: str | None) -> str:
    """Index text for one-character queries: every CJK character on its own."""
    return " ".join("".join(CJK_RUN.findall(text or "")))


def index_article(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Put an article into the search index (replacing what was there), or take it out."""
    db.execute("DELETE FROM articles_fts WHERE rowid = ?", [row["id"]])
    if row.get("status") != "ok":
        return
    people = " ".join(filter(None, (row.get(k) for k in ("account", "author", "source"))))
    db.execute(
        "INSERT INTO articles_fts (rowid, title, body, people, chars) VALUES (?, ?, ?, ?, ?)",
        [
            row["id"],
            grams(row.get("title")),
            grams(row.get("body")),
            grams(people),
            characters(" ".join(filter(None, (row.get("title"), row.get("body"), people)))),
        ],
    )


def fts_query(query: str) -> str:
    """The FTS5 expression for a user's query: every term must match (AND)."""
    clauses: list[str] = []
    for term in query.split():
        position = 0
        for run in CJK_RUN.finditer(term):
            clauses.extend(_words(term[position : run.start()]))
            chunk = run.group(0)
            if len(chunk) == 1:
                clauses.append(f'chars : "{chunk}"')
            else:
                phrase = " ".join(chunk[i : i + 2] for i in range(len(chunk) - 1))
                clauses.append(f'{GRAM_COLUMNS} : "{phrase}"')
            position = run.end()
        clauses.extend(_words(term[position:]))
    return " AND ".join(clauses)


def _words(text: str) -> list[str]:
    return [f'{GRAM_COLUMNS} : "{word}"' for word in WORD.findall(text)]


def snippet(body: str | None, query: str, width: int = SNIPPET_CHARS) -> str:
    """A piece of `body` around the first term of `query` found in it, the term in 【】."""
    body = (body or "").replace("\n", " ")
    terms = [t for t in query.split() if t]
    lowered = body.casefold()
    hits = [(lowered.find(t.casefold()), t) for t in terms]
    hits = [(at, t) for at, t in hits if at >= 0]
    if not hits:
        return body[:width]
    at, term = min(hits)
    start = max(0, at - width // 3)
    end = min(len(body), at + len(term) + width)
    before, found, after = body[start:at], body[at : at + len(term)], body[at + len(term) : end]
    return (
        ("…" if start else "")
        + before
        + "【"
        + found
        + "】"
        + after
        + ("…" if end < len(body) else "")
    )


SEARCH_SQL = """
SELECT articles.id, articles.url, articles.title, articles.account, articles.author,
       articles.source, articles.published, articles.body, articles_fts.rank AS rank
FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
WHERE articles_fts MATCH :match
ORDER BY articles_fts.rank
LIMIT :limit
"""


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Articles matching `query`, best first, each with a snippet instead of the body."""
    match = fts_query(query)
    if not match:
        return []
    results = []
    for row in db.query(SEARCH_SQL, {"match": match, "limit": limit}):
        row["snippet"] = snippet(row.pop("body"), query)
        results.append(row)
    return results
