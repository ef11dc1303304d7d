"""`reprints export --warc / --wacz`: the captures as WARC records that warcio validates and
CDX tools index, written the same twice, and read back by `reprints import` into the same
articles, content hashes, snapshots and fetches."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from db_helpers import import_pages, reprints, rows
from test_export import wechat_page
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BIN = Path(sys.executable).parent
FERRY = ("渡口的早班船", "江岸日记", "2025-01-05 07:30", "每天清晨六点半，渡口的早班船载着人过江。")
MARKET = ("早市的豆腐摊", "城西食记", "2025-03-11 06:10", "早市的豆腐摊只卖到八点，卖完就收摊。")
RELATIVE = "<html><body><article><h1>夜市</h1><p>3小时前，夜市的第一家摊子支起了灯。" * 3


def _response(writer: WARCWriter, url: str, body: bytes, date: str, **headers: str) -> str:
    pairs = [("Content-Type", "text/html; charset=utf-8"), *headers.items()]
    if "Content-Encoding" in headers:
        body = gzip.compress(body, mtime=0)
    pairs.append(("Content-Length", str(len(body))))
    http = StatusAndHeaders("200 OK", pairs, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )  # fmt: skip
    writer.write_record(record)
    return record.rec_headers.get_header("WARC-Payload-Digest")


def _crawl_warc(path: Path) -> None:
    """Two articles, one fetched again unchanged (a revisit), one served gzipped."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        ferry = wechat_page(*FERRY).encode()
        url = "https://mp.weixin.qq.com/s/ferry"
        digest = _response(writer, url, ferry, "2025-01-06T01:00:00Z")
        revisit = writer.create_revisit_record(
            url, digest=digest, refers_to_uri=url, refers_to_date="2025-01-06T01:00:00Z",
            http_headers=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2025-02-01T01:00:00Z"},
        )  # fmt: skip
        writer.write_record(revisit)
        market = wechat_page(*MARKET).encode()
        _response(
            writer, "https://mp.weixin.qq.com/s/market", market, "2025-03-12T01:00:00Z",
            **{"Content-Encoding": "gzip", "Date": "Wed, 12 Mar 2025 00:59:58 GMT"},
        )  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of a crawl's WARC and of a saved file with a relative date."""
    base = tmp_path_factory.mktemp("warc-export")
    _crawl_warc(base / "crawl.warc.gz")
    (base / "night.html").write_text(RELATIVE, "utf-8")
    path = base / "articles.db"
    assert reprints("import", path, base / "crawl.warc.gz").returncode == 0
    result = import_pages(path, base / "night.html", "--fetched-at", "2025-05-01T12:00:00Z")
    assert result.returncode == 0, result.stderr
    return path


def export(store: Path, out: Path, *options: str) -> Path:
    kind = "--wacz" if out.suffix == ".wacz" else "--warc"
    result = reprints("export", store, kind, out, *options)
    assert result.returncode == 0, result.stderr
    return out


def records(path: Path) -> list[tuple[str, str, bytes, object]]:
    """(type, target URI, content, the record's headers) of every record of a WARC file."""
    found = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            found.append((record.rec_type, uri, record.content_stream().read(), record))
    return found


def test_records_per_capture_and_article(store: Path, tmp_path: Path):
    found = records(export(store, tmp_path / "out.warc.gz"))
    kinds = [(kind, uri.rsplit("/", 1)[-1]) for kind, uri, _, _ in found]
    assert kinds == [
        ("warcinfo", ""),
        ("response", "ferry"), ("metadata", "ferry"), ("conversion", "ferry"),
        ("revisit", "ferry"),
        ("response", "market"), ("metadata", "market"), ("conversion", "market"),
        ("resource", "night.html"), ("metadata", "night.html"), ("conversion", "night.html"),
    ]  # fmt: skip
    assert found[2][1] == "urn:reprints:metadata:https://mp.weixin.qq.com/s/ferry"
    assert found[2][3].rec_headers.get_header("WARC-Refers-To-Target-URI") == found[1][1]
    metadata = json.loads(found[2][2])
    assert metadata["title"] == FERRY[0] and metadata["account"] == FERRY[1]
    assert "cleaner_version" in metadata and isinstance(metadata["removed"], list)
    assert FERRY[3] in found[3][2].decode()


def test_payload_and_headers_agree(store: Path, tmp_path: Path):
    """The gzipped response is written decoded, without its Content-Encoding, at its length."""
    found = records(export(store, tmp_path / "out.warc.gz"))
    market = next(r for kind, uri, _, r in found if kind == "response" and "market" in uri)
    head = market.http_headers
    assert head.get_header("Content-Encoding") is None
    body = wechat_page(*MARKET).encode()
    assert head.get_header("Content-Length") == str(len(body))
    assert head.get_header("Date") == "Wed, 12 Mar 2025 00:59:58 GMT"


def test_warcio_check_and_cdx_index(store: Path, tmp_path: Path):
    out = export(store, tmp_path / "out.warc.gz")
    check = subprocess.run([BIN / "warcio", "check", "-v", out], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 10, check.stdout  # all but the revisit
    index = subprocess.run([BIN / "cdxj-indexer", out], capture_output=True, text=True)
    assert index.returncode == 0, index.stderr
    lines = [line for line in index.stdout.splitlines() if '"mime": "text/html"' in line]
    assert [line.split(" ")[0] for line in lines[:2]] == [
        "com,qq,weixin,mp)/s/ferry", "com,qq,weixin,mp)/s/market",
    ]  # fmt: skip


def test_an_export_is_written_the_same_twice(store: Path, tmp_path: Path):
    first = export(store, tmp_path / "one.warc.gz").read_bytes()
    assert export(store, tmp_path / "two.warc.gz").read_bytes() == first


def _state(path: Path) -> dict[str, list]:
    return {
        "articles": rows(
            path, "SELECT url, status, title, content_hash FROM articles ORDER BY url"
        ),
        "snapshots": rows(path, "SELECT sha256 FROM snapshots ORDER BY sha256"),
        "fetches": rows(
            path,
            "SELECT url, fetched_at, status_code, sha256, page_status, date_base FROM fetches "
            "ORDER BY url, fetched_at",
        ),
    }


@pytest.mark.parametrize("suffix", [".warc.gz", ".wacz"])
def test_round_trip(store: Path, tmp_path: Path, suffix: str):
    out = export(store, tmp_path / f"out{suffix}")
    again = tmp_path / "again.db"
    result = reprints("import", again, out)
    assert result.returncode == 0, result.stderr
    assert _state(again) == _state(store)
    assert len(_state(store)["articles"]) == 3


def test_a_filter_exports_the_captures_of_the_articles_selected(store: Path, tmp_path: Path):
    found = records(export(store, tmp_path / "out.warc.gz", "--account", FERRY[1]))
    assert {uri.rsplit("/", 1)[-1] for kind, uri, _, _ in found if uri} == {"ferry"}
    assert [kind for kind, *_ in found].count("revisit") == 1


def test_wacz_holds_the_warc_its_index_and_pages(store: Path, tmp_path: Path):
    with zipfile.ZipFile(export(store, tmp_path / "out.wacz")) as wacz:
        names = wacz.namelist()
        package = json.loads(wacz.read("datapackage.json"))
        for resource in package["resources"]:
            digest = hashlib.sha256(wacz.read(resource["path"])).hexdigest()
            assert resource["hash"] == f"sha256:{digest}"
        index = wacz.read("indexes/index.cdx").decode().splitlines()
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in wacz.infolist())
    assert names[0] == "archive/data.warc.gz" and "datapackage-digest.json" in names
    assert len(index) == 4 and all('"filename": "data.warc.gz"' in line for line in index)
    assert {page.get("title") for page in pages[1:]} == {FERRY[0], MARKET[0]}


def test_export_needs_one_output(store: Path, tmp_path: Path):
    result = reprints("export", store, "--warc", tmp_path / "a.warc.gz", "--format", "jsonl")
    assert result.returncode != 0 and "give one of --format, --warc and --wacz" in result.stderr
    assert "Traceback" not in result.stderr
