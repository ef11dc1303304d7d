"""Exporting stored articles for people and other tools: one JSON record per line, or one
folder per article with its Markdown. The same selection (account, publication time, status,
a SQL condition) serves both; an export run twice writes the same bytes and leaves files that
did not change untouched.
"""

from __future__ import annotations

import dataclasses
import filecmp
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from cleaners import Article, Removal
from cleaners.mdinline import safe_target
from cleaners.render import markdown_document

from .errors import DbError
from .image_types import extension
from .images import ArchivedImage, archived_images, image_bytes

COLUMNS = (
    "id, url, status, title, account, account_id, author, source, source_account_id, editor, "
    "translator, published, original_url, is_original, language, body, body_markdown, images, "
    "origins, reader, cleaner_version, content_hash, version, first_seen, last_seen, work_id, "
    "copy_role"
)
ARTICLE_KEYS = (
    "url", "status", "title", "account", "account_id", "author", "source", "source_account_id",
    "editor", "translator", "published", "original_url", "language", "body", "body_markdown",
    "reader",
)  # fmt: skip
MAX_SLUG_CHARS = 40
IMAGES_FOLDER = "images"
# An exported image's name: the start of its SHA-256, and its extension.
_IMAGE_NAME = re.compile(r"^[0-9a-f]{16}\.[a-z]+$")
_NOT_IN_NAMES = re.compile(r"[\W_]+")


class BadSelection(DbError):
    """An export's selection (its `--where` condition, most often) is not valid SQL."""


@dataclass(frozen=True)
class Selection:
    """Which articles to export: of an account (name or id), published since a date or time,
    with one of the statuses, and matching a SQL condition on `articles`."""

    account: str | None = None
    since: str | None = None
    statuses: tuple[str, ...] = ("ok",)
    where: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        conditions, values = [], []
        if self.account:
            conditions.append("(account = ? OR account_id = ?)")
            values += [self.account, self.account]
        if self.since:
            conditions.append("published >= ?")
            values.append(self.since)
        if self.statuses:
            conditions.append(f"status IN ({', '.join('?' * len(self.statuses))})")
            values += self.statuses
        if self.where:
            conditions.append(f"({self.where})")
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"SELECT {COLUMNS} FROM articles{where} ORDER BY id", values


def selected(db: sqlite_utils.Database, selection: Selection) -> Iterator[dict[str, Any]]:
    """The selected articles, each with its removals, in the order of their ids."""
    query, values = selection.sql()
    try:
        cursor = db.conn.execute(query, values)
    except sqlite3.Error as exc:
        raise BadSelection(f"the selection is not valid SQL ({exc})") from None
    names = [column[0] for column in cursor.description]
    for values_row in cursor:
        row = dict(zip(names, values_row, strict=True))
        row["images"] = json.loads(row["images"] or "[]")
        row["origins"] = json.loads(row["origins"] or "{}")
        row["is_original"] = None if row["is_original"] is None else bool(row["is_original"])
        row["archived_images"] = [
            dataclasses.asdict(image) for image in archived_images(db, row["id"], row["version"])
        ]
        row["removed"] = [
            {"kind": kind, "rule": rule, "text": text}
            for kind, rule, text in db.conn.execute(
                "SELECT kind, rule, text FROM removals WHERE article_id = ? AND version = ? "
                "ORDER BY position",
                [row["id"], row["version"]],
            )
        ]
        yield row


def jsonl_lines(db: sqlite_utils.Database, selection: Selection) -> Iterator[str]:
    """One JSON record per selected article."""
    for row in selected(db, selection):
        yield json.dumps(row, ensure_ascii=False, sort_keys=True)


def as_article(row: dict[str, Any]) -> Article:
    """The stored article as the cleaner's record."""
    fields = {key: row[key] for key in ARTICLE_KEYS}
    fields["body"] = fields["body"] or ""
    fields["body_markdown"] = fields["body_markdown"] or ""
    return Article(
        **fields,
        is_original=row["is_original"],
        images=tuple(row["images"]),
        removed=tuple(Removal(r["kind"], r["rule"], r["text"]) for r in row["removed"]),
        origins=row["origins"],
    )


@dataclass
class ExportResult:
    """What an export did: articles selected, files written, files already as they were, and
    image files written."""

    articles: int = 0
    written: int = 0
    unchanged: int = 0
    images: int = 0


def export_jsonl(db: sqlite_utils.Database, selection: Selection, out: Path) -> ExportResult:
    """Write the selected articles to `out`, one JSON record per line."""
    result = ExportResult()

    def lines() -> Iterator[bytes]:
        for line in jsonl_lines(db, selection):
            result.articles += 1
            yield line.encode() + b"\n"

    wrote = write_if_changed(out, lines())
    result.written, result.unchanged = int(wrote), int(not wrote)
    return result


def export_markdown(db: sqlite_utils.Database, selection: Selection, out: Path) -> ExportResult:
    """Write each selected article to its folder in `out`: `article.md`, a Markdown document
    with front matter, and its archived images in `images/`, linked relatively. A folder
    whose article's title or date changed is renamed."""
    result = ExportResult()
    for row in selected(db, selection):
        result.articles += 1
        folder = out / folder_name(row)
        for earlier in out.glob(f"{row['id']:06d}-*"):
            if earlier != folder and earlier.is_dir() and not folder.exists():
                earlier.rename(folder)
        archived = [ArchivedImage(**image) for image in row["archived_images"]]
        names = _write_images(db, folder / IMAGES_FOLDER, archived, result)
        row["body_markdown"] = local_images(row["body_markdown"] or "", names)
        document = markdown_document(as_article(row)).encode()
        if write_if_changed(folder / "article.md", [document]):
            result.written += 1
        else:
            result.unchanged += 1
    return result


def _write_images(
    db: sqlite_utils.Database, folder: Path, archived: list[ArchivedImage], result: ExportResult
) -> dict[str, str]:
    """Write the article's images once each (by SHA-256) into `folder`, removing the ones it
    no longer has; their relative links by URL."""
    names: dict[str, str] = {}
    for image in archived:
        name = f"{image.sha256[:16]}.{extension(image.content_type)}"
        names[image.url] = f"{IMAGES_FOLDER}/{name}"
        target = folder / name
        if target.is_file() and target.stat().st_size == image.bytes:
            continue
        data = image_bytes(db, image.sha256)
        if data is not None and write_if_changed(target, [data]):
            result.images += 1
    keep = {link.rsplit("/", 1)[1] for link in names.values()}
    if folder.is_dir():
        for stale in folder.iterdir():
            if _IMAGE_NAME.match(stale.name) and stale.name not in keep:
                stale.unlink()
    return names


def local_images(markdown: str, names: dict[str, str]) -> str:
    """`markdown` with the targets of its images (and links) to archived images replaced by
    their relative paths."""
    for url, path in names.items():
        target = safe_target(url)
        if target:
            markdown = markdown.replace(f"]({target})", f"]({path})")
    return markdown


def folder_name(row: dict[str, Any]) -> str:
    """An article's folder: its id (which stays), then its date and title to read."""
    day = (row["published"] or "")[:10] or "undated"
    slug = _NOT_IN_NAMES.sub("-", row["title"] or "").strip("-")[:MAX_SLUG_CHARS].strip("-")
    return "-".join(part for part in (f"{row['id']:06d}", day, slug) if part)


def write_if_changed(path: Path, chunks: Iterable[bytes]) -> bool:
    """Write `chunks` to `path` through a temporary file beside it, and keep the file as it
    was when it already held the same bytes; whether it wrote."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
        if path.is_file() and filecmp.cmp(temporary, path, shallow=False):
            return False
        os.replace(temporary, path)
        return True
    finally:
        temporary.unlink(missing_ok=True)
