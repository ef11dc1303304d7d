"""What the Datasette plugin says about a reprints database: the tables with their
descriptions, sorting and facets, the canned queries, and the foreign keys to link."""

from __future__ import annotations

from typing import Any

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
        "article_versions, what the cleaner removed is in removals. The table shows title, "
        "account, author, source, published and status until you choose columns.",
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
    "article_images": {
        "description": "The images of each article version, by position, and what archiving "
        "them (`reprints images`, `crawl --images`) made of each.",
        "facets": ["state"],
        "label_column": "url",
        "columns": {
            "article_id": "The article",
            "version": "The article version whose images list has it",
            "position": "Its place among the article's images, from 0",
            "url": "Where the image was linked from",
            "state": "pending, stored, failed (tried again next run) or unavailable",
            "sha256": "The stored image (image_files), once stored",
            "fetch_id": "The request that stored it, or the last that failed",
            "attempts": "Requests made for it",
            "error": "Why the last request did not store it",
            "updated_at": "When this row last changed (UTC)",
        },
    },
    "image_files": {
        "description": "Archived image bytes, stored once per SHA-256; the content column "
        "shows each image.",
        "sort_desc": "first_seen",
        "facets": ["content_type"],
        "columns": {
            "sha256": "SHA-256 of the image",
            "bytes": "Its size",
            "content_type": "Its format, read from its bytes (not from the server)",
            "content": "The image",
            "first_seen": "When these bytes were first stored (UTC)",
        },
    },
    "image_fetches": {
        "description": "Every request for an image, successful or not.",
        "sort_desc": "fetched_at",
        "facets": ["status_code"],
        "label_column": "url",
        "columns": {
            "run_id": "The run that made it",
            "url": "The image URL",
            "referer": "The Referer sent (the host's own, else the article's URL)",
            "fetched_at": "When (UTC)",
            "status_code": "HTTP status code",
            "headers": "Response headers (JSON)",
            "bytes": "Size of the response",
            "sha256": "The image stored from it",
            "error": "Why it did not store an image",
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
    ("article_images", "article_id"): "articles",
    ("article_images", "sha256"): "image_files",
    ("article_images", "fetch_id"): "image_fetches",
    ("image_fetches", "run_id"): "runs",
    ("image_fetches", "sha256"): "image_files",
}
