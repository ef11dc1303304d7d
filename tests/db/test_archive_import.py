"""`reprints import` of web archives (WARC, gzipped WARC, WACZ) built on the fly with warcio:
fetches, snapshots and articles from the records, checked with plain sqlite3 queries."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest
from db_helpers import reprints, rows, scalar
from warc_pages import (
    BRIDGE,
    GBK_TEXT,
    PNG,
    RIVER,
    RIVER_TEXT,
    TEA,
    Archive,
    article_url,
    gbk_page,
    http_date,
    save_wacz,
)

TEA_URL, BRIDGE_URL = article_url("tea"), article_url("bridge")
TEA_DATE = "2024-03-05T10:00:01.250000Z"  # the fraction is dropped in the database
BRIDGE_DATE = "2024-03-05T10:02:00Z"
TEA_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Date", http_date(TEA_DATE, -30)),  # the server's clock, half a minute behind
    ("ETag", '"tea-1"'),
    ("X-Powered-By", "reprints-tests"),
]
TABLES = ("fetches", "articles", "snapshots", "archive_records")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def name(compressed: bool) -> str:
    return "archive.warc.gz" if compressed else "archive.warc"


def import_verbose(db_path: Path, *paths: Path) -> subprocess.CompletedProcess:
    result = reprints("import", db_path, *paths, "-v")
    assert "Traceback" not in result.stderr, result.stderr
    return result


def fetches_of(db_path: Path, url: str) -> list[dict]:
    return rows(db_path, "SELECT * FROM fetches WHERE url = ? ORDER BY id", (url,))


def article_of(db_path: Path, url: str) -> dict | None:
    found = rows(db_path, "SELECT * FROM articles WHERE url = ?", (url,))
    assert len(found) <= 1, found
    return found[0] if found else None


def outcomes(db_path: Path) -> list[tuple[str, str]]:
    """(record type, outcome) of every archive record read, in file order."""
    found = rows(db_path, "SELECT record_type, outcome FROM archive_records ORDER BY rowid")
    return [(r["record_type"], r["outcome"]) for r in found]


def counts(db_path: Path) -> dict[str, int]:
    return {table: scalar(db_path, f"SELECT count(*) FROM {table}") for table in TABLES}


def crawl_archive(compressed: bool = True) -> Archive:
    """What a crawler writes: a warcinfo, then a request, response (and metadata) per page."""
    archive = Archive(compressed)
    archive.warcinfo()
    archive.request(TEA_URL)
    archive.response(TEA_URL, TEA, headers=TEA_HEADERS, date=TEA_DATE)
    archive.metadata(TEA_URL)
    archive.request(BRIDGE_URL)
    archive.response(BRIDGE_URL, BRIDGE, headers=[("Content-Type", "text/html")], date=BRIDGE_DATE)
    return archive


class Imported(NamedTuple):
    db: Path
    archive: Path
    result: subprocess.CompletedProcess


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    base = tmp_path_factory.mktemp("crawl")
    archive = crawl_archive().save(base / "crawl.warc.gz")
    db_path = base / "crawl.db"
    return Imported(db_path, archive, import_verbose(db_path, archive))


def test_a_response_is_a_fetch_of_its_capture(crawl: Imported):
    assert crawl.result.returncode == 0, crawl.result.stderr
    (fetch,) = fetches_of(crawl.db, TEA_URL)
    assert fetch["fetched_at"] == "2024-03-05T10:00:01+00:00"
    assert (fetch["status_code"], fetch["page_status"], fetch["error"]) == (200, "ok", None)
    assert json.loads(fetch["headers"]) == {
        "content-type": "text/html; charset=utf-8",
        "date": "Tue, 05 Mar 2024 09:59:31 GMT",
        "etag": '"tea-1"',
        "x-powered-by": "reprints-tests",
    }
    assert fetch["etag"] == '"tea-1"'
    assert (fetch["sha256"], fetch["bytes"]) == (sha(TEA), len(TEA))
    assert scalar(crawl.db, "SELECT bytes FROM snapshots WHERE sha256 = ?", (sha(TEA),)) == len(TEA)
    assert fetch["date_base"] == "2024-03-05T09:59:31+00:00"  # the HTTP Date header


def test_a_response_gives_its_article(crawl: Imported):
    tea = article_of(crawl.db, TEA_URL)
    assert (tea["title"], tea["account"]) == ("山里的茶园", "山岚茶话")
    assert tea["body"].startswith("清明前后，山里的茶园最忙")
    assert tea["fetch_id"] == fetches_of(crawl.db, TEA_URL)[0]["id"]
    assert tea["snapshot"] == sha(TEA)
    assert article_of(crawl.db, BRIDGE_URL)["title"] == "老桥的修缮"


def test_without_a_date_header_the_capture_time_is_the_date_base(crawl: Imported):
    (fetch,) = fetches_of(crawl.db, BRIDGE_URL)
    assert fetch["fetched_at"] == "2024-03-05T10:02:00+00:00"
    assert fetch["date_base"] == fetch["fetched_at"]
    assert json.loads(fetch["headers"]) == {"content-type": "text/html"}


def test_other_records_are_counted_and_noted(crawl: Imported):
    lines = crawl.result.stderr.splitlines()
    assert "archive records read: 1 metadata, 2 request, 2 response, 1 warcinfo" in lines
    assert outcomes(crawl.db) == [
        ("warcinfo", "skipped"),
        ("request", "skipped"),
        ("response", "new"),
        ("metadata", "skipped"),
        ("request", "skipped"),
        ("response", "new"),
    ]
    noted = rows(crawl.db, "SELECT * FROM archive_records WHERE record_type != 'response'")
    assert [r["fetch_id"] for r in noted] == [None] * 4
    assert scalar(crawl.db, "SELECT count(*) FROM fetches") == 2


def test_the_records_keep_their_place_in_the_file(tmp_path: Path):
    archive = crawl_archive()
    records = [archive.page(article_url("river"), RIVER), archive.image(article_url("png"))]
    db_path = tmp_path / "a.db"
    import_verbose(db_path, archive.save(tmp_path / "a.warc.gz"))
    for written in records:
        (row,) = rows(
            db_path, "SELECT * FROM archive_records WHERE record_id = ?", (written.record_id,)
        )
        assert (row["offset"], row["target_uri"]) == (written.offset, written.url)
        assert row["warc_file"] == str(tmp_path / "a.warc.gz")
        assert row["payload_digest"] == written.payload_digest
        assert row["warc_date"] == written.date.replace("Z", "+00:00")


@pytest.mark.parametrize("meta", [None, "utf-8"], ids=["no-meta", "wrong-meta"])
def test_the_http_charset_decodes_the_page(tmp_path: Path, meta: str | None):
    page = gbk_page(meta)
    archive = Archive()
    archive.response(article_url("gbk"), page, headers=[("Content-Type", "text/html; charset=gbk")])
    db_path = tmp_path / "gbk.db"
    assert import_verbose(db_path, archive.save(tmp_path / "gbk.warc")).returncode == 0
    article = article_of(db_path, article_url("gbk"))
    assert (article["title"], article["account"]) == ("国标编码的文章", "编码小站")
    assert GBK_TEXT in article["body"]
    assert article["snapshot"] == sha(page)


def test_importing_again_changes_nothing(tmp_path: Path):
    archive = crawl_archive().save(tmp_path / "crawl.warc.gz")
    db_path = tmp_path / "again.db"
    assert import_verbose(db_path, archive).returncode == 0
    before = counts(db_path)
    again = import_verbose(db_path, archive)
    assert again.returncode == 0, again.stderr
    assert (
        counts(db_path)
        == before
        == {
            "fetches": 2,
            "articles": 2,
            "snapshots": 2,
            "archive_records": 6,
        }
    )
    assert "discovered 2, unchanged 2" in again.stderr.splitlines()
    second = rows(db_path, "SELECT * FROM runs ORDER BY id")[1]
    assert (second["new"], second["unchanged"], second["failed"]) == (0, 2, 0)


def test_a_revisit_is_a_fetch_of_the_payload_it_refers_to(tmp_path: Path):
    archive = Archive(compressed=True)
    tea = archive.page(TEA_URL, TEA)
    by_id, by_digest = archive.revisit(tea), archive.revisit(tea, by_id=False)
    db_path = tmp_path / "revisit.db"
    assert import_verbose(db_path, archive.save(tmp_path / "r.warc.gz")).returncode == 0
    first, *revisits = fetches_of(db_path, TEA_URL)
    assert [f["fetched_at"] for f in revisits] == [
        by_id.date.replace("Z", "+00:00"),
        by_digest.date.replace("Z", "+00:00"),
    ]
    assert [(f["sha256"], f["status_code"], f["error"]) for f in revisits] == [
        (sha(TEA), 200, None)
    ] * 2
    assert outcomes(db_path) == [
        ("response", "new"),
        ("revisit", "unchanged"),
        ("revisit", "unchanged"),
    ]
    assert scalar(db_path, "SELECT count(*) FROM articles") == 1
    assert scalar(db_path, "SELECT count(*) FROM snapshots") == 1
    assert first["sha256"] == sha(TEA)


def test_a_304_revisit_is_a_not_modified_fetch(tmp_path: Path):
    archive = Archive()
    tea = archive.page(TEA_URL, TEA)
    later = archive.not_modified(tea)
    db_path = tmp_path / "304.db"
    assert import_verbose(db_path, archive.save(tmp_path / "304.warc")).returncode == 0
    first, again = fetches_of(db_path, TEA_URL)
    assert (again["page_status"], again["status_code"], again["sha256"]) == (
        "not_modified",
        304,
        None,
    )
    assert again["fetched_at"] == later.date.replace("Z", "+00:00")
    assert first["last_seen"] == again["fetched_at"]
    (noted,) = rows(db_path, "SELECT * FROM archive_records WHERE record_type = 'revisit'")
    assert (noted["fetch_id"], noted["outcome"]) == (again["id"], "unchanged")


def test_a_revisit_of_a_capture_not_imported_fails(tmp_path: Path):
    elsewhere = Archive().page(TEA_URL, TEA)
    archive = Archive()
    archive.revisit(elsewhere)
    db_path = tmp_path / "orphan.db"
    result = import_verbose(db_path, archive.save(tmp_path / "orphan.warc"))
    assert result.returncode == 1
    (fetch,) = fetches_of(db_path, TEA_URL)
    assert fetch["error"] == "a revisit of a capture that is not in the database"
    assert scalar(db_path, "SELECT count(*) FROM articles") == 0


@pytest.mark.parametrize("compressed", [False, True])
def test_a_chunked_gzipped_response_and_the_next_are_read(tmp_path: Path, compressed: bool):
    archive = Archive(compressed)
    archive.chunked_gzip(article_url("river"), RIVER)
    archive.page(BRIDGE_URL, BRIDGE)
    db_path = tmp_path / "chunked.db"
    assert import_verbose(db_path, archive.save(tmp_path / name(compressed))).returncode == 0
    (fetch,) = fetches_of(db_path, article_url("river"))
    assert (fetch["sha256"], fetch["bytes"]) == (sha(RIVER), len(RIVER))
    river = article_of(db_path, article_url("river"))
    assert river["title"] == "江边的芦苇" and RIVER_TEXT in river["body"]
    assert article_of(db_path, BRIDGE_URL)["title"] == "老桥的修缮"


@pytest.mark.parametrize("cut_after", [None, b"Content-Length: "], ids=["payload", "headers"])
@pytest.mark.parametrize("compressed", [False, True], ids=["warc", "gz"])
def test_a_truncated_record_is_a_failed_fetch(
    tmp_path: Path, compressed: bool, cut_after: bytes | None
):
    archive = Archive(compressed)
    archive.page(TEA_URL, TEA)
    cut = archive.page(BRIDGE_URL, BRIDGE)
    path = archive.save_truncated(tmp_path / name(compressed), cut_after)
    db_path = tmp_path / "cut.db"
    result = import_verbose(db_path, path)
    assert result.returncode == 1
    assert article_of(db_path, TEA_URL)["title"] == "山里的茶园"
    (failed,) = rows(db_path, "SELECT * FROM fetches WHERE error IS NOT NULL")
    assert failed["sha256"] is None and failed["error"]
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert skipped == [f"skipped {path} at byte {cut.offset}: {failed['error']}"]
    assert outcomes(db_path)[0] == ("response", "new")
    assert [o for _, o in outcomes(db_path)] == ["new", "failed"]
    assert scalar(db_path, "SELECT count(*) FROM articles") == 1


def test_a_picture_is_a_fetch_without_an_article(tmp_path: Path):
    archive = Archive()
    picture = archive.image("https://mmbiz.qpic.cn/mmbiz_png/cover/0")
    db_path = tmp_path / "png.db"
    assert import_verbose(db_path, archive.save(tmp_path / "png.warc")).returncode == 0
    (fetch,) = fetches_of(db_path, picture.url)
    assert (fetch["page_status"], fetch["sha256"], fetch["error"]) == ("not_html", sha(PNG), None)
    assert scalar(db_path, "SELECT bytes FROM snapshots WHERE sha256 = ?", (sha(PNG),)) == len(PNG)
    assert scalar(db_path, "SELECT count(*) FROM articles") == 0
    assert outcomes(db_path) == [("response", "skipped")]


@pytest.mark.parametrize("media", ["text/css", "text/javascript; charset=utf-8"])
def test_a_style_sheet_or_script_is_a_fetch_without_an_article(tmp_path: Path, media: str):
    """A browser's crawl keeps each page's style sheets and scripts: text, never articles."""
    archive = Archive()
    code = "body{margin:0}.rich_media_title{font-size:22px}/* 标题样式 */\n" * 40
    url = "https://res.wx.qq.com/mmbizappmsg/zh_CN/htmledition/js/appmsg.css"
    archive.response(url, code.encode(), headers=[("Content-Type", media)])
    db_path = tmp_path / "css.db"
    assert import_verbose(db_path, archive.save(tmp_path / "css.warc")).returncode == 0
    assert [fetch["page_status"] for fetch in fetches_of(db_path, url)] == ["not_html"]
    assert scalar(db_path, "SELECT count(*) FROM articles") == 0


def test_a_duplicate_capture_is_a_second_fetch_of_the_same_article(tmp_path: Path):
    archive = Archive()
    first = archive.page(TEA_URL, TEA)
    second = archive.duplicate(first, TEA)
    assert second.record_id != first.record_id and second.date != first.date
    db_path = tmp_path / "twice.db"
    assert import_verbose(db_path, archive.save(tmp_path / "twice.warc")).returncode == 0
    fetches = fetches_of(db_path, TEA_URL)
    assert [f["sha256"] for f in fetches] == [sha(TEA)] * 2
    assert [f["fetched_at"] for f in fetches] == [
        first.date.replace("Z", "+00:00"),
        second.date.replace("Z", "+00:00"),
    ]
    assert outcomes(db_path) == [("response", "new"), ("response", "unchanged")]
    (article,) = rows(db_path, "SELECT * FROM articles")
    assert (article["version"], article["fetch_id"]) == (1, fetches[0]["id"])


def snapshot_of_fetches(db_path: Path) -> list[tuple]:
    found = rows(db_path, "SELECT url, fetched_at, status_code, sha256 FROM fetches ORDER BY id")
    return [tuple(r.values()) for r in found]


def test_a_wacz_imports_as_the_warc_inside_it(tmp_path: Path, crawl: Imported):
    wacz = save_wacz(tmp_path / "crawl.wacz", crawl_archive())
    db_path = tmp_path / "wacz.db"
    result = import_verbose(db_path, wacz)
    assert result.returncode == 0, result.stderr
    assert snapshot_of_fetches(db_path) == snapshot_of_fetches(crawl.db)
    assert counts(db_path) == counts(crawl.db)
    files = {r["warc_file"] for r in rows(db_path, "SELECT warc_file FROM archive_records")}
    assert files == {f"{wacz}!archive/data.warc.gz"}


def test_a_folder_of_an_archive_and_a_page_imports_both(tmp_path: Path):
    folder = tmp_path / "saved"
    folder.mkdir()
    crawl_archive().save(folder / "crawl.warc.gz")
    (folder / "river.html").write_bytes(RIVER)
    db_path = tmp_path / "folder.db"
    assert import_verbose(db_path, folder).returncode == 0
    urls = [r["url"] for r in rows(db_path, "SELECT url FROM fetches ORDER BY id")]
    assert urls == [TEA_URL, BRIDGE_URL, (folder / "river.html").resolve().as_uri()]
    titles = {r["title"] for r in rows(db_path, "SELECT title FROM articles")}
    assert titles == {"山里的茶园", "老桥的修缮", "江边的芦苇"}


def test_a_404_is_a_failed_fetch(tmp_path: Path):
    archive = Archive()
    gone = archive.not_found(article_url("gone"))
    archive.page(TEA_URL, TEA)
    db_path = tmp_path / "404.db"
    path = archive.save(tmp_path / "404.warc")
    result = import_verbose(db_path, path)
    assert result.returncode == 1
    (fetch,) = fetches_of(db_path, gone.url)
    assert (fetch["status_code"], fetch["error"], fetch["sha256"]) == (404, "HTTP 404", None)
    assert article_of(db_path, gone.url) is None
    assert f"skipped {path} at byte 0: HTTP 404" in result.stderr.splitlines()
    assert outcomes(db_path) == [("response", "failed"), ("response", "new")]


def test_a_resource_is_a_fetch_without_http(tmp_path: Path):
    archive = Archive()
    saved = archive.resource("https://mp.weixin.qq.com/s/bridge-saved", BRIDGE, "text/html")
    db_path = tmp_path / "resource.db"
    assert import_verbose(db_path, archive.save(tmp_path / "res.warc")).returncode == 0
    (fetch,) = fetches_of(db_path, saved.url)
    assert (fetch["status_code"], fetch["headers"], fetch["sha256"]) == (None, None, sha(BRIDGE))
    assert article_of(db_path, saved.url)["title"] == "老桥的修缮"


def test_a_record_that_cannot_be_stored_fails_alone_in_its_batch(tmp_path: Path, monkeypatch):
    """A failure half way through storing one page (made here: the search index refuses the
    second article) undoes the batch it is in, which is written again record by record: that
    page fails with nothing of it left, and its neighbours stand."""
    import db
    from db import store as store_module

    archive = Archive(compressed=True)
    for key, page in (("tea", TEA), ("bridge", BRIDGE), ("river", RIVER)):
        archive.page(article_url(key), page)
    path = archive.save(tmp_path / "batch.warc.gz")
    real_index = store_module.index_article
    indexed: list[str] = []

    def index_article(database, row) -> None:
        if row["title"] not in indexed:
            indexed.append(row["title"])
        if indexed.index(row["title"]) == 1:  # the second article, in both passes
            raise RuntimeError("the index refuses it")
        real_index(database, row)

    monkeypatch.setattr(store_module, "index_article", index_article)
    database = db.open_database(tmp_path / "articles.db")
    with db.recorded_run(database, "import", []) as run:
        result = db.import_paths(database, run.run_id, [path])
    assert (result.counts["new"], result.counts["failed"]) == (2, 1)
    assert result.problems[0].endswith("(RuntimeError: the index refuses it)")
    assert fetches_of(tmp_path / "articles.db", BRIDGE_URL)[0]["error"].startswith("internal")
    counts = [scalar(tmp_path / "articles.db", f"SELECT count(*) FROM {t}") for t in TABLES]
    assert counts == [3, 2, 2, 3]  # fetches, articles, snapshots, archive_records
