"""Time `reprints import DB FILE.warc.gz` on a generated archive, against warcio and fastwarc alone.

Run on demand (pytest does not collect this file):

    python tests/benchmarks/bench_warc.py [--records 10000] [--seed 1] [--mix pages|browser]
        [--keep] [--json]

The archive is written on the fly with warcio (gzipped, one member per record) in a temporary
folder: N records, half of them HTTP responses, each preceded by its request record
(WARC-Concurrent-To links the pair); an odd N starts with a warcinfo record. What the responses
are is the mix (named in the report's first line and in the JSON):

* `--mix pages` (the default): every response is a WeChat-style article page.
* `--mix browser`: what a browser-based crawler (Browsertrix, archiveweb.page) writes for the
  same pages: each article page, then the K sub-resources it loaded, 1 s later, with the page
  as Referer: one CSS (text/css, 2 to 10 KB), one or two scripts (application/javascript, 5
  to 50 KB) and K - 2 or K - 3 images (3 in 4 image/jpeg, else image/png; a JPEG or PNG head
  and end around random bytes, 20 to 200 KB in all; https://mmbiz.qpic.cn/mmbiz_jpg/<id>/640
  or .../mmbiz_png/...), K drawn between 6 and 14 for each page. Scripts and style sheets are
  minified-looking code; every page's sub-resources have URLs of their own. N records hold
  about N / (2 * (1 + K)) article pages, the last one's sub-resources cut where N ends.
  reprints keeps the images and scripts as fetches with a snapshot and no article (page
  status not_html); it reads text/css as text, so each style sheet is cleaned too (the report
  prints the import's outcomes).

Everything is drawn from --seed: the same seed gives the same archive. Page i is one of the
project's own WeChat article pages (tests/cleaners/pages, those whose expected status is "ok"
and whose URL is an mp.weixin.qq.com article) with its own mid and sn (so its own URL, og:url
and msg_link), its own title, and paragraphs of its own in js_content: Chinese-like sentences
of words drawn from the Chinese text of those test pages, as many as make the page 5 to 30 KB
(drawn uniformly). Responses are 200 (pages text/html; charset=utf-8), with Content-Length and
neither chunked nor compressed bodies.

What is timed:

* reprints: `reprints import DB FILE` as a subprocess (the venv's entry point) into a new
  SQLite file, wall clock from start to exit, interpreter start and imports included; records/s
  = records in the archive / seconds, pages/s = article pages / seconds (the responses of the
  pages mix). The import's outcomes are printed under the table: the counts of its -v summary
  line and "archive records read" line on stderr, the fetches stored by page status and the
  articles. The peak RSS is the child's ru_maxrss (os.wait4); Linux counts the memory a child
  starts with (this process's, shared by vfork) in it, so this process stays small (it holds
  one record at a time). The same import then runs on an archive of a quarter of the records
  (memory that is flat in the archive's size shows as two equal peaks) and on one of a single
  page (a request and its response, of the same mix): its time is the start-up (interpreter,
  imports, opening the database, linking) that every wall figure carries, and the rates without
  it are printed too, with the CPU milliseconds per record (a cost per record that grows with
  the archive shows there).
* warcio: `warcio.archiveiterator.ArchiveIterator` over the same file, reading every record's
  `content_stream()` to the end (HTTP heads parsed), in this process.
* fastwarc: `fastwarc.warc.ArchiveIterator` (its defaults: HTTP heads parsed) over the same
  file opened as reprints opens it, reading every record's `reader` to the end.

The target (the issue's): reprints imports at least 300 records/s per core. The import is
one process with one thread doing the work, so its wall rate is its rate per core; the CPU
seconds (user + system) of the child are printed beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import itertools
import json
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from children import count_rows, reprints_command

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = REPO_ROOT / "tests" / "cleaners" / "pages"
TARGET_RECORDS_PER_S = 300
PAGE_BYTES = (5_000, 30_000)
EPOCH = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)
TITLE_MARK, DESC_MARK, BODY_MARK = b"@@TITLE@@", b"@@DESC@@", b"@@BODY@@"
MID_MARK, SN_MARK = "@@MID@@", "@@SN@@"
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.47 bench_warc"
CJK_RUN = re.compile("[\u4e00-\u9fff]+")
MIN_HAN = 100  # Han characters a test page's article needs to be a Chinese template
MIXES = ("pages", "browser")
HTML_TYPE = "text/html; charset=utf-8"
SUBRESOURCES = (6, 14)  # sub-resources of an article page in the browser mix
IMAGE_BYTES, JS_BYTES, CSS_BYTES = (20_000, 200_000), (5_000, 50_000), (2_000, 10_000)
ACCEPT = {
    "page": "*/*",
    "image": "image/avif,image/webp,image/apng,image/*,*/*;q=0.8",
    "js": "*/*",
    "css": "text/css,*/*;q=0.1",
}
KIND_NAMES = {"image": "images", "js": "JS files", "css": "CSS files"}
SUMMARY_LINE = re.compile(r"[a-z_]+ \d+(, [a-z_]+ \d+)*")


# --- the pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    name: str
    url: str  # with MID_MARK and SN_MARK
    html: bytes  # with the marks


def article_fixtures(pages_dir: Path = PAGES_DIR) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The Chinese WeChat article pages among the test pages, with their expectations."""
    for path in sorted(pages_dir.glob("*.html")):
        expect_path = path.with_suffix(".json")
        if not expect_path.is_file():
            continue
        expect = json.loads(expect_path.read_text("utf-8"))
        url = expect.get("url") or ""
        is_article = re.match(r"https?://mp\.weixin\.qq\.com/s\?", url)
        if expect.get("status") == "ok" and is_article and _han(path) >= MIN_HAN:
            yield path, expect


def _han(path: Path) -> int:
    """Han characters after the page's js_content opens (its article and what follows)."""
    text = path.read_text("utf-8", "replace")
    at = text.find('id="js_content"')
    return 0 if at < 0 else sum(map(len, CJK_RUN.findall(text[at:])))


def load_templates(pages_dir: Path = PAGES_DIR) -> list[Template]:
    templates = [t for p, e in article_fixtures(pages_dir) if (t := _template(p, e["url"]))]
    if not templates:
        raise SystemExit(f"no WeChat article pages (status ok, with a title) in {pages_dir}")
    return templates


def _template(path: Path, url: str) -> Template | None:
    """The page with marks for its title, description, identifiers and new paragraphs; None
    when it has no <title> or no js_content to mark."""
    html = path.read_bytes()
    title = re.search(rb"<title>([^<]+)</title>", html)
    content = re.search(rb'<div[^>]*id="js_content"[^>]*>', html)
    mid, sn = re.search(r"mid=(\d+)", url), re.search(r"sn=([0-9a-f]+)", url)
    if not (title and content and mid and sn):
        return None
    html = html[: content.end()] + BODY_MARK + html[content.end() :]
    html = html.replace(title[1].strip(), TITLE_MARK)
    desc = re.search(rb'<meta property="og:description" content="([^"]+)"', html)
    if desc:
        html = html.replace(desc[1], DESC_MARK)
    for old, mark in ((mid[1], MID_MARK), (sn[1], SN_MARK)):
        html = html.replace(old.encode(), mark.encode())
        url = url.replace(old, mark)
    return Template(name=path.stem, url=url, html=html)


def vocabulary(pages_dir: Path = PAGES_DIR) -> list[str]:
    """Words of one to three Han characters cut from the Chinese text of the template pages
    (their order and repeats kept, so frequent words are drawn more often)."""
    words = []
    for path, _ in article_fixtures(pages_dir):
        for run in CJK_RUN.findall(path.read_text("utf-8", "replace")):
            at = 0
            while at < len(run):
                size = 1 + (at * 7 + len(run)) % 3
                words.append(run[at : at + size])
                at += size
    return words


def sentences(words: list[str], draw: random.Random, count: int) -> list[str]:
    """`count` sentences of 6 to 24 words, with a comma in the middle of the longer ones."""
    out = []
    for _ in range(count):
        picked = draw.choices(words, k=draw.randint(6, 24))
        if len(picked) > 12:
            picked[len(picked) // 2] += "，"
        out.append("".join(picked) + draw.choice("。。。！？"))
    return out


def paragraphs(words: list[str], draw: random.Random, size: int) -> bytes:
    """WeChat-style paragraphs (section > span), about `size` bytes of them."""
    out, total = [], 0
    while total < size:
        text = "".join(sentences(words, draw, draw.randint(1, 4)))
        block = (
            '<section style="line-height: 1.75em;"><span style="font-size: 15px;">'
            f"{text}</span></section>\n"
        ).encode()
        out.append(block)
        total += len(block)
    return b"".join(out)


def page(i: int, templates: list[Template], words: list[str], seed: int) -> tuple[str, bytes]:
    """(URL, HTML) of page i."""
    draw = random.Random(f"{seed}/{i}")
    template = templates[i % len(templates)]
    mid = str(2_247_480_000 + i)
    sn = hashlib.md5(f"{seed}/{i}".encode()).hexdigest()
    title = "".join(draw.choices(words, k=draw.randint(4, 9))).encode()
    desc = sentences(words, draw, 1)[0].encode()
    html = template.html.replace(TITLE_MARK, title).replace(DESC_MARK, desc)
    html = html.replace(MID_MARK.encode(), mid.encode()).replace(SN_MARK.encode(), sn.encode())
    size = draw.randint(*PAGE_BYTES) - len(html)
    html = html.replace(BODY_MARK, paragraphs(words, draw, max(size, 200)))
    return template.url.replace(MID_MARK, mid).replace(SN_MARK, sn), html


# --- the fetches of a mix ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fetch:
    kind: str  # page, image, js or css
    url: str
    content_type: str
    body: bytes
    when: dt.datetime
    referer: str | None = None


def page_fetches(templates: list[Template], words: list[str], seed: int) -> Iterator[Fetch]:
    """The pages mix: article pages, one after another, 7 s apart."""
    for i in itertools.count():
        url, html = page(i, templates, words, seed)
        yield Fetch("page", url, HTML_TYPE, html, EPOCH + dt.timedelta(seconds=7 * i))


def browser_fetches(templates: list[Template], words: list[str], seed: int) -> Iterator[Fetch]:
    """The browser mix: each article page, then its sub-resources."""
    for i, article in enumerate(page_fetches(templates, words, seed)):
        yield article
        yield from subresources(i, article, seed)


FETCHES: dict[str, Callable[[list[Template], list[str], int], Iterator[Fetch]]] = {
    "pages": page_fetches,
    "browser": browser_fetches,
}


def subresources(i: int, article: Fetch, seed: int) -> list[Fetch]:
    """Page i's CSS, its one or two scripts and its images (6 to 14 in all), fetched 1 s
    after the page with the page as Referer."""
    draw = random.Random(f"{seed}/{i}/sub")
    count, scripts = draw.randint(*SUBRESOURCES), draw.randint(1, 2)
    kinds = ["css"] + ["js"] * scripts + ["image"] * (count - 1 - scripts)
    when = article.when + dt.timedelta(seconds=1)
    made = {"image": image, "js": script, "css": stylesheet}
    return [Fetch(k, *made[k](draw), when=when, referer=article.url) for k in kinds]


def _ident(draw: random.Random, size: int) -> str:
    return "".join(draw.choices(string.ascii_letters + string.digits, k=size))


def image(draw: random.Random) -> tuple[str, str, bytes]:
    """(URL, Content-Type, bytes) of a WeChat article image: a JPEG (3 in 4) or a PNG head
    and end around 20 to 200 KB of random bytes (as incompressible as real pictures)."""
    jpeg = draw.random() < 0.75
    size = draw.randint(*IMAGE_BYTES)
    url = f"https://mmbiz.qpic.cn/mmbiz_{'jpg' if jpeg else 'png'}/{_ident(draw, 64)}/640"
    head, tail = _jpeg_ends() if jpeg else _png_ends(640, 360 + size % 600)
    body = head + draw.randbytes(max(size - len(head) - len(tail), 0)) + tail
    return url, "image/jpeg" if jpeg else "image/png", body


def _jpeg_ends() -> tuple[bytes, bytes]:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", b"\xff\xd9"


def _png_ends(width: int, height: int) -> tuple[bytes, bytes]:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 6, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr), chunk(b"IEND", b"")


def script(draw: random.Random) -> tuple[str, str, bytes]:
    """(URL, Content-Type, text) of a minified-looking script of 5 to 50 KB."""
    url = f"https://res.wx.qq.com/mmbizappmsg/zh_CN/htmledition/js/appmsg.{_ident(draw, 8)}.js"
    return url, "application/javascript", _text(draw, JS_STATEMENTS, draw.randint(*JS_BYTES))


def stylesheet(draw: random.Random) -> tuple[str, str, bytes]:
    """(URL, Content-Type, text) of a style sheet of 2 to 10 KB."""
    url = f"https://res.wx.qq.com/mmbizappmsg/zh_CN/htmledition/css/appmsg.{_ident(draw, 8)}.css"
    return url, "text/css", _text(draw, CSS_RULES, draw.randint(*CSS_BYTES))


def _text(draw: random.Random, pieces: list[str], size: int) -> bytes:
    """`size` bytes of pieces drawn at random (each longer than 40 bytes)."""
    return "".join(draw.choices(pieces, k=size // 40 + 1)).encode()[:size]


def _pieces(shape: str, count: int = 300) -> list[str]:
    """`count` pieces of code of the `shape`, with names and numbers drawn once (seed 0)."""
    draw = random.Random(0)
    return [
        shape.format(a=_ident(draw, 2), b=_ident(draw, 3), n=draw.randint(0, 999))
        for _ in range(count)
    ]


JS_STATEMENTS = _pieces('function {a}({b},e){{return {b}&&{b}.{a}?e+{n}:void 0}}var {b}="{a}{n}";')
CSS_RULES = _pieces(".rich_media_{a} .js_{b}{{margin:{n}px 0;font-size:{n}px;color:#3e3e3e}}")


# --- the archive ------------------------------------------------------------------------------


@dataclass
class Archive:
    path: Path
    records: int
    pages: int  # responses that are article pages
    payload_bytes: int  # of all the responses
    file_bytes: int
    seconds: float
    mix: str = "pages"
    responses: dict[str, int] = field(default_factory=dict)  # by kind (page, image, js, css)
    response_bytes: dict[str, int] = field(default_factory=dict)  # their payload, by kind

    def average_kb(self, kind: str) -> float:
        return self.response_bytes.get(kind, 0) / max(self.responses.get(kind, 0), 1) / 1024


def write_warc(path: Path, records: int, seed: int, mix: str = "pages") -> Archive:
    """An archive of `records` records of the mix (see the module docstring), one record in
    memory at a time."""
    from warcio.warcwriter import WARCWriter

    templates, words = load_templates(), vocabulary()
    start, count, size = time.perf_counter(), Counter[str](), Counter[str]()
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        if records % 2:
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "bench"}))
        for fetch in itertools.islice(FETCHES[mix](templates, words, seed), records // 2):
            count[fetch.kind] += 1
            size[fetch.kind] += len(fetch.body)
            for record in _exchange(writer, fetch):
                writer.write_record(record)
    seconds = round(time.perf_counter() - start, 2)
    payload, file_bytes = sum(size.values()), path.stat().st_size
    pages = count["page"]
    return Archive(path, records, pages, payload, file_bytes, seconds, mix, dict(count), dict(size))


def _exchange(writer: Any, fetch: Fetch) -> tuple[Any, Any]:
    """The request and response records of `fetch`."""
    from warcio.statusandheaders import StatusAndHeaders

    url, when = fetch.url, fetch.when
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    host = urlsplit(url).netloc
    target = url.split(host, 1)[1]
    asked = [("Host", host), ("User-Agent", USER_AGENT), ("Accept", ACCEPT[fetch.kind])]
    if fetch.referer:
        asked.append(("Referer", fetch.referer))
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        warc_headers_dict={"WARC-Date": stamp},
        http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", asked, is_http_request=True),
    )
    http_date = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    head = [("Content-Type", fetch.content_type), ("Date", http_date)]
    head.append(("Content-Length", str(len(fetch.body))))
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(fetch.body),
        length=len(fetch.body),
        warc_headers_dict={
            "WARC-Date": stamp,
            "WARC-Concurrent-To": request.rec_headers.get_header("WARC-Record-ID"),
        },
        http_headers=StatusAndHeaders("200 OK", head, protocol="HTTP/1.1"),
    )
    return request, response


# --- reprints import --------------------------------------------------------------------------


@dataclass
class ImportRun:
    records: int
    pages: int
    seconds: float
    cpu_seconds: float
    records_per_s: float
    pages_per_s: float
    peak_rss_mb: float
    exit_code: int
    articles: int
    records_noted: int
    note: str = ""
    outcomes: dict[str, int] = field(default_factory=dict)  # the -v summary line
    records_read: dict[str, int] = field(default_factory=dict)  # "archive records read"
    page_statuses: dict[str, int] = field(default_factory=dict)  # of the fetches stored


def rss_mb(ru_maxrss: int) -> float:
    return ru_maxrss / 1024 / 1024 if platform.system() == "Darwin" else ru_maxrss / 1024


def run_import(archive: Archive, db_path: Path) -> ImportRun:
    """`reprints import` of the archive into a new database, as a child process."""
    cmd = [*reprints_command(), "import", "-v", str(db_path), str(archive.path)]
    err_path = db_path.with_suffix(".err")
    with err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO_ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped: keep Popen quiet
    lines = err_path.read_text("utf-8", "replace").strip().splitlines()
    tail = lines[-2:]
    run = ImportRun(
        records=archive.records,
        pages=archive.pages,
        seconds=round(seconds, 2),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        records_per_s=round(archive.records / seconds, 1),
        pages_per_s=round(archive.pages / seconds, 1),
        peak_rss_mb=round(rss_mb(usage.ru_maxrss), 1),
        exit_code=code,
        articles=count_rows(db_path, "articles"),
        records_noted=count_rows(db_path, "archive_records"),
        outcomes=summary_counts(lines),
        records_read=records_read(lines),
        page_statuses=page_statuses(db_path),
    )
    run.note = _import_note(run, " | ".join(tail))
    return run


def summary_counts(lines: list[str]) -> dict[str, int]:
    """The counts of the import's -v summary line ("discovered 10, fetched 10, new 4...")."""
    found = [line.strip() for line in lines if SUMMARY_LINE.fullmatch(line.strip())]
    return {name: int(n) for name, n in re.findall(r"([a-z_]+) (\d+)", found[-1])} if found else {}


def records_read(lines: list[str]) -> dict[str, int]:
    """The counts of the import's "archive records read: 5 request, 5 response" line."""
    found = [line for line in lines if line.startswith("archive records read: ")]
    return {name: int(n) for n, name in re.findall(r"(\d+) ([\w-]+)", found[-1])} if found else {}


def page_statuses(db_path: Path) -> dict[str, int]:
    """The fetches stored, by page status ("ok", "not_html"...)."""
    if not db_path.exists():
        return {}
    query = "SELECT coalesce(page_status, '-'), count(*) FROM fetches GROUP BY 1 ORDER BY 2 DESC"
    with closing(sqlite3.connect(db_path)) as con:
        try:
            return dict(con.execute(query).fetchall())
        except sqlite3.Error:
            return {}


def _import_note(run: ImportRun, tail: str) -> str:
    notes = []
    if run.articles != run.pages:
        notes.append(f"{run.articles} articles of {run.pages} pages")
    if run.records_noted != run.records:
        notes.append(f"{run.records_noted} records noted of {run.records}")
    if run.exit_code != 0:
        notes.append(f"exit {run.exit_code}: {tail}")
    return "; ".join(notes)


# --- the readers alone ------------------------------------------------------------------------


@dataclass
class ReadRun:
    tool: str
    records: int
    payload_bytes: int
    seconds: float
    records_per_s: float
    ratio: float | None = None  # records/s of the reader over those of reprints


def read_warcio(path: Path) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    records = size = 0
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            size += len(record.content_stream().read())
            records += 1
    return records, size


def read_fastwarc(path: Path) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator

    records = size = 0
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            size += len(record.reader.read())
            records += 1
    return records, size


READERS: dict[str, Callable[[Path], tuple[int, int]]] = {
    "warcio": read_warcio,
    "fastwarc": read_fastwarc,
}


def time_reader(tool: str, path: Path, reprints_rate: float) -> ReadRun:
    start = time.perf_counter()
    records, size = READERS[tool](path)
    seconds = time.perf_counter() - start
    rate = records / seconds
    ratio = round(rate / reprints_rate, 1) if reprints_rate else None
    return ReadRun(tool, records, size, round(seconds, 3), round(rate, 1), ratio)


# --- the report -------------------------------------------------------------------------------


@dataclass
class Results:
    archive: Archive
    full: ImportRun
    reads: list[ReadRun]
    quarter: ImportRun | None = None
    start: ImportRun | None = None  # the import of an archive of one page

    def after_start(self, run: ImportRun) -> dict[str, float | None]:
        """Records/s and CPU ms per record of `run` once the start-up is taken off."""
        if self.start is None or run.seconds <= self.start.seconds:
            return {"records_per_s": None, "cpu_ms_per_record": None}
        return {
            "records_per_s": round(run.records / (run.seconds - self.start.seconds), 1),
            "cpu_ms_per_record": round(
                1000 * (run.cpu_seconds - self.start.cpu_seconds) / run.records, 2
            ),
        }

    @property
    def target_met(self) -> bool:
        return self.full.records_per_s >= TARGET_RECORDS_PER_S


def import_line(label: str, run: ImportRun, ratio: str = "") -> str:
    return (
        f"{label:<18} {run.records:>7} {run.pages:>6} {run.seconds:>8.2f} "
        f"{run.cpu_seconds:>7.2f} {run.records_per_s:>10.1f} {run.pages_per_s:>8.1f} "
        f"{run.peak_rss_mb:>12.1f} {ratio:>10}" + (f"  ({run.note})" if run.note else "")
    )


def read_line(read: ReadRun) -> str:
    ratio = "n/a" if read.ratio is None else f"{read.ratio:.1f}x"
    return (
        f"{read.tool + ' alone':<18} {read.records:>7} {'':>6} {read.seconds:>8.2f} "
        f"{'':>7} {read.records_per_s:>10.1f} {'':>8} {'':>12} {ratio:>10}"
    )


def archive_line(archive: Archive) -> str:
    return (
        f"archive (--mix {archive.mix}): {archive.records} records ({_contents(archive)}), "
        f"{archive.file_bytes / 2**20:.1f} MB gzipped, written in {archive.seconds:.1f} s; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )


def _contents(archive: Archive) -> str:
    """What the archive's responses are."""
    pages = f"WeChat-style pages, {archive.average_kb('page'):.1f} KB each on average"
    if archive.mix == "pages":
        return f"{archive.pages} responses of {pages}"
    others = {k: n for k, n in archive.responses.items() if k != "page"}
    kinds = ", ".join(
        f"{others[k]} {KIND_NAMES[k]} of {archive.average_kb(k):.1f} KB"
        for k in KIND_NAMES
        if k in others
    )
    return (
        f"{sum(archive.responses.values())} responses: {archive.pages} of {pages}, and "
        f"{sum(others.values())} of their sub-resources: {kinds or 'none'} on average"
    )


def outcomes_line(run: ImportRun) -> str:
    def show(counts: dict[str, int]) -> str:
        return ", ".join(f"{name} {n}" for name, n in counts.items()) or "none"

    return (
        f"import outcomes (-v summary): {show(run.outcomes)}; archive records read: "
        f"{show(run.records_read)}; fetches by page status: {show(run.page_statuses)}; "
        f"articles {run.articles}"
    )


def print_report(results: Results) -> None:
    print(archive_line(results.archive))
    print(
        f"{'tool':<18} {'records':>7} {'pages':>6} {'seconds':>8} {'cpu s':>7} "
        f"{'records/s':>10} {'pages/s':>8} {'peak RSS MB':>12} {'x reprints':>10}"
    )
    print(import_line("reprints import", results.full, "1.0x"))
    if results.quarter:
        print(import_line("reprints (1/4)", results.quarter))
    if results.start:
        print(import_line("reprints (1 page)", results.start))
    for read in results.reads:
        print(read_line(read))
    print(outcomes_line(results.full))
    _print_memory(results)
    _print_target(results)


def _print_memory(results: Results) -> None:
    full, quarter = results.full, results.quarter
    if quarter:
        print(
            f"peak RSS: {full.peak_rss_mb:.1f} MB for {full.records} records, "
            f"{quarter.peak_rss_mb:.1f} MB for {quarter.records} "
            f"({full.peak_rss_mb - quarter.peak_rss_mb:+.1f} MB for "
            f"{full.records / quarter.records:.0f}x the records)"
        )


def _print_target(results: Results) -> None:
    if results.start:
        parts = []
        for run in filter(None, (results.full, results.quarter)):
            rest = results.after_start(run)
            if rest["records_per_s"] is not None:
                parts.append(
                    f"{run.records} records: {rest['records_per_s']:.1f} records/s, "
                    f"{rest['cpu_ms_per_record']:.2f} ms CPU per record"
                )
        print(
            f"without the start-up ({results.start.seconds:.2f} s, {results.start.cpu_seconds:.2f}"
            f" s CPU, the 1-page import): " + "; ".join(parts)
        )
    full = results.full
    print(
        f"target >= {TARGET_RECORDS_PER_S} records/s per core: "
        f"{'met' if results.target_met else 'NOT met'} ({full.records_per_s:.1f} records/s wall, "
        f"one process on one core; {full.records / full.cpu_seconds:.1f} records per CPU second)"
    )


def as_json(results: Results) -> str:
    result = {
        "mix": results.archive.mix,
        "archive": {**asdict(results.archive), "path": str(results.archive.path)},
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "reprints": {**asdict(results.full), "after_start": results.after_start(results.full)},
        "reprints_quarter": None,
        "reprints_one_page": asdict(results.start) if results.start else None,
        "readers": [asdict(r) for r in results.reads],
        "target_records_per_s": TARGET_RECORDS_PER_S,
        "target_met": results.target_met,
        "peak_rss_mb_self": round(rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss), 1),
    }
    if results.quarter:
        rest = results.after_start(results.quarter)
        result["reprints_quarter"] = {**asdict(results.quarter), "after_start": rest}
    return json.dumps(result, ensure_ascii=False, indent=2)


# --- main -------------------------------------------------------------------------------------


def import_fresh(
    workdir: Path, name: str, records: int, seed: int, mix: str
) -> tuple[Archive, ImportRun]:
    """Write an archive of `records` records of the mix and import it into a new database."""
    archive = write_warc(workdir / f"{name}-{records}.warc.gz", records, seed, mix)
    return archive, run_import(archive, workdir / f"{name}-{records}.db")


def bench(workdir: Path, records: int, seed: int, mix: str = "pages") -> Results:
    """The full archive's import, then the quarter's and the one page's (each archive written
    just before its import, all of the mix), then the readers alone on the full archive."""
    archive, full = import_fresh(workdir, "full", records, seed, mix)
    quarter = import_fresh(workdir, "quarter", records // 4, seed, mix)[1] if records >= 8 else None
    start = import_fresh(workdir, "one-page", 2, seed, mix)[1] if records > 2 else None
    reads = [time_reader(tool, archive.path, full.records_per_s) for tool in READERS]
    return Results(archive, full, reads, quarter, start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--records", type=int, default=10_000, help="records in the archive (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated pages")
    parser.add_argument(
        "--mix",
        choices=MIXES,
        default="pages",
        help="pages: article pages only (default); browser: each page with its images, "
        "scripts and style sheet, as a browser-based crawler writes them",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the archives and databases (path on stderr)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.records < 2:
        parser.error("--records must be at least 2 (a request and its response)")

    workdir = Path(tempfile.mkdtemp(prefix="bench_warc-"))
    try:
        results = bench(workdir, args.records, args.seed, args.mix)
    finally:
        if args.keep:
            print(f"kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(as_json(results))
    else:
        print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
