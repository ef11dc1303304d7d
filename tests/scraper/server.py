"""A real HTTP server on 127.0.0.1 for the scraper tests, with programmable routes.

Not a test module: `conftest.py` starts one `TestServer` per test (port 0) and stops it at
teardown. Routes serve pages (with ETag and Last-Modified, answering conditional requests
with 304), feeds, sitemaps, listing pages, robots.txt, and broken or hostile responses:
429 and 500 before a 200, a slow answer, a connection reset, a truncated body, a body over
the size limit, a gzip bomb, a redirect loop. Every request is logged with its headers.
"""

from __future__ import annotations

import email.utils
import hashlib
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

PAGES = Path(__file__).resolve().parents[1] / "cleaners" / "pages"
REPRINTS = str(Path(sys.executable).with_name("reprints"))
ANTIBOT_TEXT = "当前环境异常，完成验证后即可继续访问。"
GBK_TEXT = "凌晨两点，整座城市都睡了，老周的灶火还亮着。"
# Fast, polite-enough settings for the CLI: no delay, 1 s timeout, one retry.
FAST = ["--delay", "0", "--timeout", "1", "--retries", "1", "--per-host", "8"]

Route = Callable[["Handler"], None]

# An article whose only date is relative, and one in KOI8-R that only its header says so.
RELATIVE_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>凌晨的夜市</title></head><body>'
    "<article><h1>凌晨的夜市</h1><p>3小时前</p>"
    + "".join(
        f"<p>第{i}段：夜市的灯还亮着，摊主们一边收拾桌椅，一边招呼最后几位客人坐下喝碗热汤。</p>"
        for i in range(1, 6)
    )
    + "</article></body></html>"
).encode()

CYRILLIC = "Ночной рынок всё ещё светится огнями после полуночи, торговцы убирают столы"
KOI8_PAGE = (
    "<!DOCTYPE html><html><head><title>Рынок</title></head><body><article><h1>Рынок</h1>"
    + "".join(f"<p>{CYRILLIC}, часть {i}.</p>" for i in range(1, 6))
    + "</article></body></html>"
).encode("koi8-r")


def page_file(name: str) -> bytes:
    """A golden page from tests/cleaners/pages."""
    return (PAGES / name).read_bytes()


def article_html(n: int | str, extra: str = "") -> bytes:
    """A small article page in UTF-8 whose body says which page it is."""
    paragraphs = "".join(
        f"<p>Paragraph {i} of test article {n}: the quick brown fox jumps over the lazy dog "
        f"near the river bank, and the archiver should keep this sentence. {extra}</p>"
        for i in range(1, 5)
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Test article {n}</title></head><body><article><h1>Test article {n}</h1>"
        f"<p class='byline'>By Tester</p>{paragraphs}</article></body></html>"
    ).encode()


def http_date(when: float) -> str:
    return email.utils.formatdate(when, usegmt=True)


def rss(items: Iterable[tuple[str, str | None]], title: str = "Test feed") -> bytes:
    """An RSS 2.0 feed of (link, pubDate) items."""
    body = "".join(
        f"<item><title>item {i}</title><link>{escape(url)}</link>"
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + "</item>"
        for i, (url, date) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://127.0.0.1/</link>{body}</channel></rss>"
    ).encode()


def atom(items: Iterable[tuple[str, str | None]]) -> bytes:
    """An Atom feed of (href, updated) entries."""
    body = "".join(
        f'<entry><title>entry {i}</title><link rel="alternate" href="{escape(url)}"/>'
        f"<id>urn:test:{i}</id>" + (f"<updated>{date}</updated>" if date else "") + "</entry>"
        for i, (url, date) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Test Atom</title><id>urn:test</id>{body}</feed>"
    ).encode()


def sitemap(items: Iterable[tuple[str, str | None]]) -> bytes:
    """A sitemap of (loc, lastmod) entries."""
    body = "".join(
        f"<url><loc>{escape(url)}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>"
        for url, mod in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    ).encode()


def sitemap_index(urls: Iterable[str]) -> bytes:
    body = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'
    ).encode()


def listing(urls: Iterable[str]) -> bytes:
    """A listing page whose article links are `ul.news a`, with navigation links besides."""
    items = "".join(f'<li><a href="{escape(u)}">story</a></li>' for u in urls)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>News</title></head><body>"
        '<nav><a href="/about">About</a><a href="/contact">Contact</a></nav>'
        f'<ul class="news">{items}</ul><footer><a href="/terms">Terms</a></footer></body></html>'
    ).encode()


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Resource:
    """A page with validators, answering conditional requests."""

    body: bytes
    content_type: str
    etag: str
    last_modified: str
    headers: dict[str, str] = field(default_factory=dict)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        app = self.server.app
        self.date: str | None = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        app.record(Request("GET", self.path, headers, time.monotonic()))
        app.enter()
        try:
            if app.delay:
                app.stopping.wait(app.delay)
            route = app.routes.get(self.path) or app.routes.get(urlsplit(self.path).path)
            if route is None:
                self.respond(404, b"not found", "text/plain")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            self.close_connection = True
        finally:
            app.leave()

    def respond(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send a response; a `Date` among `headers` replaces the server's own Date header."""
        extra = dict(headers or {})
        self.date = extra.pop("Date", None)
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if status != 304:
            self.wfile.write(body)
        self.wfile.flush()

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header: the one `respond` was given, else the current time."""
        given = getattr(self, "date", None)
        return (
            given
            if given is not None and timestamp is None
            else super().date_time_string(timestamp)
        )


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: TestServer

    def handle_error(self, request, client_address) -> None:  # quiet on broken clients
        pass


class TestServer:
    """A threaded HTTP server on 127.0.0.1 with routes set by the tests."""

    __test__ = False  # not a test class for pytest

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.hits: Counter[str] = Counter()
        self.stopping = threading.Event()
        self.delay = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._resources: dict[str, Resource] = {}
        self._version = 0
        self.httpd = _HTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.app = self
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # lifecycle

    def start(self) -> TestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    # bookkeeping

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            self.hits[urlsplit(request.path).path] += 1

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    # routes

    def route(self, path: str, handler: Route) -> str:
        self.routes[path] = handler
        return self.url(path)

    def page(
        self,
        path: str,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        validators: bool = True,
    ) -> str:
        """Serve `body` at `path` (replacing what was there: a new ETag and Last-Modified)."""
        self._version += 1
        digest = hashlib.sha256(body).hexdigest()[:16]
        resource = Resource(
            body,
            content_type,
            etag=f'"{digest}-{self._version}"',
            last_modified=http_date(time.time() - 3600 + self._version),
            headers=dict(headers or {}),
        )
        self._resources[path] = resource

        def serve(h: Handler) -> None:
            extra = dict(resource.headers)
            if validators:
                extra.update({"ETag": resource.etag, "Last-Modified": resource.last_modified})
                if _not_modified(h, resource):
                    h.respond(304, headers=extra)
                    return
            h.respond(200, resource.body, resource.content_type, extra)

        return self.route(path, serve)

    def xml(self, path: str, body: bytes, content_type: str = "application/xml") -> str:
        return self.page(path, body, content_type, validators=False)

    def sequence(self, path: str, responses: list[tuple[int, dict[str, str], bytes]]) -> str:
        """Answer the n-th request with the n-th response; the last one repeats."""
        counter = {"n": 0}

        def serve(h: Handler) -> None:
            with self._lock:
                index = min(counter["n"], len(responses) - 1)
                counter["n"] += 1
            status, headers, body = responses[index]
            h.respond(status, body, headers=headers)

        return self.route(path, serve)

    def slow(self, path: str, seconds: float, body: bytes | None = None) -> str:
        """Wait `seconds` before answering (cut short when the server stops)."""

        def serve(h: Handler) -> None:
            self.stopping.wait(seconds)
            h.respond(200, body if body is not None else article_html(path))

        return self.route(path, serve)

    def drip(self, path: str, size: int, interval: float) -> str:
        """Send a `size`-byte body one byte every `interval` seconds."""

        def serve(h: Handler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/plain")
            h.send_header("Content-Length", str(size))
            h.end_headers()
            h.wfile.flush()
            for _ in range(size):
                if self.stopping.wait(interval):
                    break
                h.wfile.write(b"x")
                h.wfile.flush()
            h.close_connection = True

        return self.route(path, serve)

    def reset(self, path: str) -> str:
        """Read the request, then reset the connection (SO_LINGER 0 and close): no response."""

        def serve(h: Handler) -> None:
            h.close_connection = True
            sock = h.connection
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.rfile.close()
            sock.close()

        return self.route(path, serve)

    def truncated(self, path: str, declared: int = 20_000, sent: int = 500) -> str:
        """Declare `declared` bytes, send `sent`, then close the connection."""

        def serve(h: Handler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(declared))
            h.end_headers()
            h.wfile.write(article_html("truncated")[:sent])
            h.wfile.flush()
            h.close_connection = True

        return self.route(path, serve)

    def large(self, path: str, size: int, content_length: bool = True) -> str:
        """A `size`-byte body, with Content-Length or chunked without one."""
        chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"

        def serve(h: Handler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            if content_length:
                h.send_header("Content-Length", str(size))
            else:
                h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            sent = 0
            while sent < size and not self.stopping.is_set():
                part = chunk[: size - sent]
                if content_length:
                    h.wfile.write(part)
                else:
                    h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                sent += len(part)
            if not content_length:
                h.wfile.write(b"0\r\n\r\n")
            h.wfile.flush()

        return self.route(path, serve)

    def gzip_bomb(self, path: str, compressed: bytes) -> str:
        """A small gzip body (Content-Encoding: gzip) that inflates far beyond any limit."""

        def serve(h: Handler) -> None:
            h.respond(200, compressed, headers={"Content-Encoding": "gzip"})

        return self.route(path, serve)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        def serve(h: Handler) -> None:
            h.respond(status, b"", headers={"Location": location})

        return self.route(path, serve)

    def robots(self, text: str) -> str:
        return self.page("/robots.txt", text.encode(), "text/plain", validators=False)


def _not_modified(h: Handler, resource: Resource) -> bool:
    tags = h.headers.get("If-None-Match")
    if tags is not None:
        return resource.etag in [t.strip() for t in tags.split(",")] or tags.strip() == "*"
    since = h.headers.get("If-Modified-Since")
    if since:
        try:
            return email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(
                resource.last_modified
            )
        except (TypeError, ValueError):
            return False
    return False


# helpers for the CLI tests


def crawl(db: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `reprints crawl DB ARGS...` as a subprocess and wait for it."""
    return subprocess.run(
        [REPRINTS, "crawl", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rows(db: Path, sql: str, params: Iterable[object] = ()) -> list[tuple]:
    """Query the database read-only."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, list(params)).fetchall()
    finally:
        conn.close()


def value(db: Path, sql: str, params: Iterable[object] = ()) -> object:
    return rows(db, sql, params)[0][0]


def last_run(db: Path) -> dict[str, object]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return dict(row)
    finally:
        conn.close()


def stored_count(db: Path, sql: str) -> int:
    """The number `sql` counts in the database at `db`; 0 while it does not exist yet."""
    try:
        conn = sqlite3.connect(str(db), timeout=10)
        try:
            return conn.execute(sql).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def wait_for_count(proc: subprocess.Popen, db: Path, sql: str, n: int, seconds: float = 15) -> None:
    """Wait until `sql` counts `n` in the database a running command writes (it must still be
    running, so that it can be stopped in the middle)."""
    deadline = time.monotonic() + seconds
    while stored_count(db, sql) < n:
        assert proc.poll() is None, "the command ended before it could be stopped"
        assert time.monotonic() < deadline, f"fewer than {n} after {seconds} s: {sql}"
        time.sleep(0.02)


def kill_when_counted(args: list[str], db: Path, sql: str, n: int, seconds: float = 15) -> None:
    """Run the command `args` and SIGKILL it once `sql` counts `n` in the database it writes."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_count(proc, db, sql, n, seconds)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
