"""Package a WARC export as a WACZ (Web Archive Collection Zipped, 1.1.1): the WARC, its
CDXJ index, the list of article pages, and a datapackage.json with the hash of each file, in
a zip whose entries are stored uncompressed (replay tools read them in place).

py-wacz is not used: it needs frictionless, which pulls in rich, and with rich installed
Datasette's error pages fail. The format is small enough to write here.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import sqlite_utils

from .archive_export import WarcResult, export_warc
from .export import Selection, selected
from .runs import reprints_version

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
# CDXJ lines, under the name replay tools look for (pywb reads .cdx and .cdx.gz, not .cdxj).
INDEX_NAME = "indexes/index.cdx"
# The records replay looks up (metadata and conversion records share their page's URL).
INDEXED = "response,revisit,resource"
# Zip entries carry this time (the format asks for none; a fixed one keeps exports equal).
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


def write_wacz(db: sqlite_utils.Database, selection: Selection | None, path: Path) -> WarcResult:
    """Write the captures (see `export_warc`) as a WACZ file at `path`, whole or not at
    all."""
    with tempfile.TemporaryDirectory(prefix=".wacz-", dir=path.parent) as folder:
        warc = Path(folder) / WARC_NAME
        with open(warc, "wb") as out:
            result = export_warc(db, selection, out)
        # Imported here: it takes a tenth of a second that every other command would pay.
        from cdxj_indexer.main import write_cdx_index

        index = Path(folder) / "index.cdxj"
        with open(index, "w", encoding="utf-8") as out:
            options = {"sort": True, "records": INDEXED, "filename": WARC_NAME}
            write_cdx_index(out, [str(warc)], options)
        entries = {
            f"archive/{WARC_NAME}": warc.read_bytes(),
            INDEX_NAME: index.read_bytes(),
            "pages/pages.jsonl": _pages(db, selection),
        }
        package = _datapackage(entries, _created(db))
        entries["datapackage.json"] = package
        digest = {"path": "datapackage.json", "hash": _sha256(package)}
        entries["datapackage-digest.json"] = json.dumps(digest, indent=2).encode()
        partial = Path(folder) / "out.wacz"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as wacz:
            for name, data in entries.items():
                wacz.writestr(zipfile.ZipInfo(name, ENTRY_TIME), data)
        partial.replace(path)
    return result


def _pages(db: sqlite_utils.Database, selection: Selection | None) -> bytes:
    """pages.jsonl: a header line, then one line per article page (URL, capture time, title)."""
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}]
    for article in selected(db, selection or Selection(statuses=())):
        row = db.conn.execute(
            "SELECT f.url, f.fetched_at FROM articles a JOIN fetches f ON f.id = a.fetch_id "
            "WHERE a.id = ?",
            [article["id"]],
        ).fetchone()
        if row and row[0].startswith(("http://", "https://")):
            page = {"id": f"article-{article['id']}", "url": row[0], "ts": row[1]}
            lines.append({**page, "title": article["title"] or ""})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def _datapackage(entries: dict[str, bytes], created: str) -> bytes:
    resources = [
        {"name": Path(name).name, "path": name, "hash": _sha256(data), "bytes": len(data)}
        for name, data in entries.items()
    ]
    package: dict[str, Any] = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": "reprints export",
        "software": f"reprints {reprints_version()}",
        "created": created,
        "resources": resources,
    }
    return json.dumps(package, indent=2, ensure_ascii=False).encode()


def _created(db: sqlite_utils.Database) -> str:
    """The time of the latest capture: a WACZ of the same captures says the same."""
    (latest,) = db.conn.execute("SELECT max(fetched_at) FROM fetches").fetchone()
    return (latest or "1970-01-01T00:00:00+00:00").replace("+00:00", "Z")


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()
