"""The exported captures replayed by pywb on 127.0.0.1, in headless Chromium: a WeChat page
imported from a WARC comes back, byte for byte, from `reprints export --warc` (and --wacz).

pywb lives in its own virtualenv (it pins packages the project cannot have): set
REPRINTS_PYWB to the folder with its `wb-manager` and `wayback` (.ci/run does).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from db_helpers import reprints
from test_browser import CHROMIUM, chromium, free_port, stop, visible_text, wait_until_up
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WB_MANAGER = shutil.which("wb-manager", path=os.environ.get("REPRINTS_PYWB") or None)
PYWB = Path(WB_MANAGER or "/nonexistent").parent
URL = "https://mp.weixin.qq.com/s/pywbtest"
TITLE = "回放测试：江心岛上的灯塔"
PARAGRAPH = "江心岛上的灯塔建于一九三六年，守塔人每晚八点准时点灯，五十年没有误过一次。"
PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8">\n'
    f"<script>var msg_title = '{TITLE}'; var nickname = '灯塔日志';</script>\n"
    '</head><body id="activity-detail"><div id="js_article" class="rich_media">\n'
    f'<div class="rich_media_content" id="js_content">\n<p>{PARAGRAPH}</p>\n'
    "<p>如今灯塔改成了自动的，老守塔人还是每天傍晚上岛看一眼，说不看睡不着。</p>\n"
    "</div></div></body></html>"
).encode()

pytestmark = [
    pytest.mark.skipif(WB_MANAGER is None, reason="pywb not installed (see REPRINTS_PYWB)"),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed"),
]


def page_warc(path: Path) -> Path:
    """A gzipped WARC holding one HTTP response: PAGE at URL."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            URL, "response", payload=io.BytesIO(PAGE), length=len(PAGE), http_headers=http,
            warc_headers_dict={"WARC-Date": "2024-03-05T10:00:01Z"},
        )  # fmt: skip
        writer.write_record(record)
    return path


def exported(folder: Path) -> tuple[Path, Path]:
    """The database made by importing page_warc, exported as a WARC and as a WACZ."""
    db_path, warc, wacz = folder / "articles.db", folder / "out.warc.gz", folder / "out.wacz"
    source = page_warc(folder / "in.warc.gz")
    for args in (["import", source], ["export", "--warc", warc], ["export", "--wacz", wacz]):
        done = reprints(args[0], db_path, *args[1:])
        assert done.returncode == 0, done.stderr
    return warc, wacz


def timestamp(warc: Path) -> str:
    """The 14-digit capture time of the response for URL in `warc`."""
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response" and record.rec_headers["WARC-Target-URI"] == URL:
                return re.sub(r"\D", "", record.rec_headers["WARC-Date"])[:14]
    raise AssertionError(f"no response for {URL} in {warc}")


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """`wayback` replaying two collections, `warc` and `wacz`, of the exports (no live web)."""
    folder = tmp_path_factory.mktemp("pywb")
    warc, wacz = exported(folder)
    manager = [str(PYWB / "wb-manager")]
    for collection, add in (("warc", [warc]), ("wacz", ["--unpack-wacz", wacz])):
        for args in (["init", collection], ["add", *add[:-1], collection, add[-1]]):
            done = subprocess.run([*manager, *map(str, args)], cwd=folder, capture_output=True)
            assert done.returncode == 0, done.stderr.decode()
        (folder / f"wb-manager-{collection}.log").write_bytes(done.stderr)
    # Unframed: the page itself at /COLL/TIME/URL, not a top frame that loads it in an iframe.
    (folder / "config.yaml").write_text("framed_replay: false\n")
    port = free_port()
    wayback = [str(PYWB / "wayback"), "-p", str(port), "-b", "127.0.0.1"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    process = subprocess.Popen(wayback, cwd=folder, **quiet)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/", process)
        yield base, timestamp(warc), folder
    finally:
        stop(process)


def indexed(folder: Path, collection: str) -> str:
    index = folder / "collections" / collection / "indexes" / "index.cdxj"
    return index.read_text("utf-8") if index.is_file() else ""


@pytest.mark.parametrize("collection", ["warc", "wacz"])
def test_pywb_replays_the_exported_page(replay: tuple[str, str, Path], collection: str) -> None:
    base, when, folder = replay
    log = (folder / f"wb-manager-{collection}.log").read_text("utf-8", "replace")
    assert '"mime": "text/html"' in indexed(folder, collection), f"not indexed by pywb: {log}"
    with urllib.request.urlopen(f"{base}/{collection}/{when}id_/{URL}", timeout=30) as response:
        kind, body = response.headers.get("Content-Type", ""), response.read()
    assert kind.startswith("text/html"), f"pywb replays a {kind!r} record at {URL}"
    assert body == PAGE
    dom = chromium(f"{base}/{collection}/{when}/{URL}", folder, f"replay-{collection}")
    assert re.search(rf'id="js_content">\s*<p>{PARAGRAPH}</p>', dom), "the page is not replayed"
    assert TITLE in dom and PARAGRAPH in visible_text(dom)
