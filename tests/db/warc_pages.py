"""Web archives for the import tests, built on the fly with warcio: small WeChat-style
article pages in response, resource and revisit records, the records a crawler writes around
them (warcinfo, request, metadata), and the awkward cases (chunked and gzipped payloads, a
picture, a 404, a duplicate capture, a 304), written as .warc, .warc.gz or .wacz, whole or
cut short inside their last record."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# The smallest PNG there is: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)
# The first date a record is written with; later ones follow it by a second each.
FIRST_DATE = "2024-03-05T10:00:01Z"


def article_url(key: str) -> str:
    """A WeChat article address, one per `key`."""
    return f"https://mp.weixin.qq.com/s/{key}"


def wechat_page(
    title: str, account: str, paragraphs: list[str], charset: str | None = "utf-8"
) -> str:
    """A WeChat article page: the title and account in script variables only (no <title>),
    the paragraphs in #js_content; `charset` None leaves out the meta charset."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head>{meta}\n"
        f"<script>var msg_title = '{title}'; var nickname = '{account}';</script>\n"
        '</head><body id="activity-detail"><div id="js_article" class="rich_media">\n'
        f'<div class="rich_media_content" id="js_content">\n{body}\n</div></div></body></html>'
    )


TEA = wechat_page(
    "山里的茶园",
    "山岚茶话",
    [
        "清明前后，山里的茶园最忙，采茶的人天不亮就上山了。",
        "老茶农说，一芽一叶的嫩尖要在露水干之前摘完，晚了香气就散了。",
        "今年雨水多，茶树发芽比往年早了一个星期，价格也跟着低了一些。",
    ],
).encode("utf-8")
BRIDGE = wechat_page(
    "老桥的修缮",
    "城西旧事",
    [
        "城西的老石桥建于清末，去年夏天的大水冲走了两块桥栏。",
        "修缮队找来了当年同一座山里的青石，按原样一块一块补上。",
        "桥修好那天，附近的老人都来桥上走了一遍，说脚下还是原来的感觉。",
    ],
).encode("utf-8")
RIVER_TEXT = "江边的芦苇一到秋天就白了头，风一吹像下雪一样。"
RIVER = wechat_page(
    "江边的芦苇",
    "河边札记",
    [RIVER_TEXT, "傍晚来拍照的人很多，三脚架沿着堤岸排成一排。", "天黑以后只剩下水声和虫鸣。"],
).encode("utf-8")
GBK_TEXT = "这篇文章用国标编码保存，页面里没有写明字符集，只有响应头说明了。"


def gbk_page(meta_charset: str | None = None) -> bytes:
    """A page in GBK, with no meta charset or a wrong one (`meta_charset`)."""
    paragraphs = [GBK_TEXT, "按照错误的编码去读，这些汉字就会变成乱码。", "所以要先看响应头。"]
    return wechat_page("国标编码的文章", "编码小站", paragraphs, meta_charset).encode("gbk")


@dataclass(frozen=True)
class Written:
    """A record written: what a revisit or a test refers to it by."""

    record_id: str
    url: str
    date: str
    payload_digest: str | None
    offset: int


def http_date(warc_date: str, offset: int = 0) -> str:
    """The HTTP-date form of an ISO WARC-Date, `offset` seconds later."""
    moment = dt.datetime.fromisoformat(warc_date) + dt.timedelta(seconds=offset)
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def later(warc_date: str, seconds: int) -> str:
    """`warc_date` (ISO, ending in Z) plus some seconds."""
    moment = dt.datetime.fromisoformat(warc_date) + dt.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def chunked(data: bytes, size: int = 200) -> bytes:
    """`data` in HTTP/1.1 chunked transfer coding, `size` bytes a chunk."""
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


class Archive:
    """A WARC file being written in memory; every record gets the next date unless given."""

    def __init__(self, compressed: bool = False) -> None:
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=compressed, warc_version="1.1")
        self.compressed = compressed
        self.offsets: list[int] = []
        self._dates = 0

    def next_date(self) -> str:
        self._dates += 1
        return later(FIRST_DATE, self._dates - 1)

    def _write(self, record: ArcWarcRecord) -> Written:
        offset = self.buffer.tell()
        self.writer.write_record(record)
        self.offsets.append(offset)
        headers = record.rec_headers
        return Written(
            record_id=headers.get_header("WARC-Record-ID"),
            url=headers.get_header("WARC-Target-URI") or "",
            date=headers.get_header("WARC-Date"),
            payload_digest=headers.get_header("WARC-Payload-Digest"),
            offset=offset,
        )

    def response(
        self,
        url: str,
        payload: bytes,
        status: str = "200 OK",
        headers: list[tuple[str, str]] | None = None,
        date: str | None = None,
    ) -> Written:
        """An HTTP response; `headers` default to an HTML page's with a Date header."""
        date = date or self.next_date()
        if headers is None:
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Date", http_date(date))]
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(payload),
            length=len(payload),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        return self._write(record)

    def page(self, url: str, payload: bytes, date: str | None = None) -> Written:
        """A 200 response of an HTML page in UTF-8."""
        return self.response(url, payload, date=date)

    def request(self, url: str) -> Written:
        get = f"GET {url.split('/', 3)[3]} HTTP/1.1\r\nHost: mp.weixin.qq.com\r\n\r\n".encode()
        return self._plain(url, "request", get, "application/http; msgtype=request")

    def warcinfo(self) -> Written:
        info = {"software": "reprints tests", "format": "WARC File Format 1.1"}
        record = self.writer.create_warcinfo_record("test.warc", info)
        record.rec_headers.replace_header("WARC-Date", self.next_date())
        return self._write(record)

    def metadata(self, url: str) -> Written:
        body = b"outlinks: https://mp.weixin.qq.com/s/elsewhere\r\n"
        return self._plain(url, "metadata", body, "application/warc-fields")

    def resource(self, url: str, payload: bytes, content_type: str) -> Written:
        """A file an archiver saved as such, without HTTP."""
        return self._plain(url, "resource", payload, content_type)

    def _plain(self, url: str, kind: str, body: bytes, content_type: str) -> Written:
        record = self.writer.create_warc_record(
            url,
            kind,
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Date": self.next_date()},
        )
        return self._write(record)

    def revisit(self, of: Written, by_id: bool = True) -> Written:
        """An identical-payload-digest revisit of `of`, naming its record (`by_id`) or only
        its payload digest."""
        date = self.next_date()
        extra = {"WARC-Date": date}
        if by_id:
            extra["WARC-Refers-To"] = of.record_id
        http = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Date", http_date(date))],
            protocol="HTTP/1.1",
        )
        record = self.writer.create_revisit_record(
            of.url, of.payload_digest, of.url, of.date, http_headers=http, warc_headers_dict=extra
        )
        return self._write(record)

    def not_modified(self, of: Written) -> Written:
        """A server-not-modified revisit: the server answered 304 to a conditional request."""
        date = self.next_date()
        http = StatusAndHeaders("304 Not Modified", [("Date", http_date(date))], "HTTP/1.1")
        record = self.writer.create_warc_record(
            of.url, "revisit", http_headers=http, warc_headers_dict={"WARC-Date": date}
        )
        record.rec_headers.add_header("WARC-Profile", NOT_MODIFIED_PROFILE)
        record.rec_headers.add_header("WARC-Refers-To-Target-URI", of.url)
        record.rec_headers.add_header("WARC-Refers-To-Date", of.date)
        return self._write(record)

    def chunked_gzip(self, url: str, page: bytes) -> Written:
        """A response whose payload is `page` gzipped, then sent in chunks, as recorded."""
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Encoding", "gzip"),
        ]
        return self.response(url, chunked(gzip.compress(page, mtime=0)), headers=headers)

    def image(self, url: str) -> Written:
        return self.response(url, PNG, headers=[("Content-Type", "image/png")])

    def not_found(self, url: str) -> Written:
        page = b"<html><body><h1>404 Not Found</h1></body></html>"
        headers = [("Content-Type", "text/html")]
        return self.response(url, page, status="404 Not Found", headers=headers)

    def duplicate(self, of: Written, payload: bytes) -> Written:
        """The same URL and bytes captured again: another record id and date."""
        return self.page(of.url, payload)

    @property
    def data(self) -> bytes:
        return self.buffer.getvalue()

    def save(self, path: Path) -> Path:
        path.write_bytes(self.data)
        return path

    def save_truncated(self, path: Path, after: bytes | None = None) -> Path:
        """Save the file cut short inside its last record: just after the bytes `after` in
        it, else halfway through. Gzipped, the last member is left unfinished (flushed but
        without its end), as a writer that was stopped leaves it."""
        last = self.offsets[-1]
        record = gzip.decompress(self.data[last:]) if self.compressed else self.data[last:]
        cut = record.index(after) + len(after) if after else len(record) // 2
        tail = unfinished_member(record[:cut]) if self.compressed else record[:cut]
        path.write_bytes(self.data[:last] + tail)
        return path


def unfinished_member(data: bytes) -> bytes:
    """A gzip member holding `data`, cut off before its end (no final block, no trailer)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH)


def save_wacz(path: Path, archive: Archive) -> Path:
    """A WACZ of one gzipped WARC: archive/data.warc.gz and a datapackage.json."""
    assert archive.compressed, "a WACZ holds gzipped WARCs"
    data = archive.data
    package = {
        "profile": "data-package",
        "wacz_version": "1.1.1",
        "resources": [
            {
                "name": "data.warc.gz",
                "path": "archive/data.warc.gz",
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
                "bytes": len(data),
            }
        ],
    }
    with zipfile.ZipFile(path, "w") as wacz:
        wacz.writestr("archive/data.warc.gz", data, compress_type=zipfile.ZIP_STORED)
        wacz.writestr("datapackage.json", json.dumps(package, indent=2))
    return path
