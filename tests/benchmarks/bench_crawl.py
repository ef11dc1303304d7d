"""Crawl N local pages with `reprints crawl` and with a Scrapy + trafilatura pipeline.

Run on demand (pytest does not collect this file):

    python tests/benchmarks/bench_crawl.py [--n 2000 [10000 ...]] [--concurrency 16]
                                           [--no-baseline] [--keep DIR] [--json]

For each N the script starts an HTTP server on 127.0.0.1 (a random free port) in a separate
process. It serves N distinct article pages, a sitemap listing them all (a sitemap index with
sitemaps of at most 50,000 URLs when N is larger), and a robots.txt that allows everything. Page i
is one of the golden article pages in tests/cleaners/pages (those whose expected status is "ok")
with its own og:url (the URL it is served at), a numbered <title> and a paragraph of its own, so
every page is a different article. Pages are rendered once when the server starts and are sent
with keep-alive, so the server costs little.

Each tool then runs as its own subprocess, one after the other, with the same concurrency C:

* reprints: `reprints crawl DB --sitemap URL --delay 0 --ignore-robots --concurrency C
  --per-host C` into a fresh database; pages = rows in `articles` afterwards.
* scrapy: a SitemapSpider (defined in this file) with CONCURRENT_REQUESTS and
  CONCURRENT_REQUESTS_PER_DOMAIN = C, DOWNLOAD_DELAY 0, ROBOTSTXT_OBEY and AUTOTHROTTLE off, and
  an item pipeline that runs `trafilatura.extract(body, url=url, with_metadata=True,
  output_format="json")` and inserts the URL and the JSON into a fresh SQLite database, one
  commit per item (as reprints commits one transaction per page); pages = rows stored.
* raw and httpx (unless --no-baseline): C workers that read the sitemap and download every page
  without parsing or storing anything, over bare asyncio streams (what the server can deliver,
  so that a slow server is not mistaken for a slow crawler) and over a plain httpx.AsyncClient
  (what the HTTP client reprints uses costs on its own).

Seconds are wall-clock time of the subprocess from start to exit (interpreter start and imports
included); pages/s = pages stored / seconds; peak RSS is the ru_maxrss of the subprocess, from
os.wait4. Scrapy is not a dependency of reprints and this script installs nothing: without it,
only the other tools run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from children import count_rows, reprints_command

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = REPO_ROOT / "tests" / "cleaners" / "pages"
SITEMAP_MAX_URLS = 50_000
URL_MARK = b"@@BENCH_URL@@"
NUM_MARK = b"@@BENCH_NUM@@"


# --- the pages --------------------------------------------------------------------------------


def load_templates(pages_dir: Path = PAGES_DIR) -> list[bytes]:
    """The golden article pages (expected status "ok"), with marks where page i gets its URL,
    number and paragraph. Edits are ASCII, so pages in GBK or without a charset stay valid."""
    templates = []
    for path in sorted(pages_dir.glob("*.html")):
        expect = path.with_suffix(".json")
        if not expect.is_file() or json.loads(expect.read_text("utf-8")).get("status") != "ok":
            continue
        templates.append(_template(path.read_bytes()))
    if not templates:
        raise SystemExit(f"no article pages (status ok) in {pages_dir}")
    return templates


def _template(html: bytes) -> bytes:
    og_url = b'<meta property="og:url" content="' + URL_MARK + b'">'
    html, found = re.subn(rb"<meta[^>]*og:url[^>]*>", og_url, html, count=1, flags=re.I)
    if not found:
        head = re.search(rb"<head[^>]*>", html, re.I)
        at = head.end() if head else 0
        html = html[:at] + og_url + html[at:]
    html = re.sub(rb"(<title[^>]*>)", rb"\1Bench " + NUM_MARK + b" - ", html, count=1)
    paragraph = (
        b"<p>Benchmark article " + NUM_MARK + b": this paragraph makes every served page a "
        b"distinct article with its own text.</p>"
    )
    body = re.search(rb"<body[^>]*>", html, re.I)
    start = body.end() if body else 0
    close = html.find(b"</p>", start)
    at = close + len(b"</p>") if close >= 0 else start
    return html[:at] + paragraph + html[at:]


def page_path(i: int) -> str:
    return f"/article/{i:06d}.html"


def render_site(templates: list[bytes], n: int, base: str) -> dict[str, tuple[bytes, bytes]]:
    """path -> (content type, body) for the N pages, the sitemap(s) and robots.txt."""
    site: dict[str, tuple[bytes, bytes]] = {}
    html = b"text/html"  # no charset: the pages say it themselves (or not, like GBK pages)
    for i in range(n):
        url = (base + page_path(i)).encode()
        page = templates[i % len(templates)].replace(URL_MARK, url)
        site[page_path(i)] = (html, page.replace(NUM_MARK, str(i).encode()))
    xml = b"application/xml"
    lastmod = "2024-07-09T18:20:33+08:00"
    chunks = [range(s, min(s + SITEMAP_MAX_URLS, n)) for s in range(0, n, SITEMAP_MAX_URLS)]
    if len(chunks) == 1:
        site["/sitemap.xml"] = (xml, _urlset(base, chunks[0], lastmod))
    else:
        entries = []
        for k, chunk in enumerate(chunks, 1):
            site[f"/sitemap-{k}.xml"] = (xml, _urlset(base, chunk, lastmod))
            entries.append(f"<sitemap><loc>{base}/sitemap-{k}.xml</loc></sitemap>")
        site["/sitemap.xml"] = (xml, _sitemap_xml("sitemapindex", entries))
    site["/robots.txt"] = (b"text/plain", b"User-agent: *\nAllow: /\n")
    return site


def _urlset(base: str, indices: range, lastmod: str) -> bytes:
    entries = [
        f"<url><loc>{base}{page_path(i)}</loc><lastmod>{lastmod}</lastmod></url>" for i in indices
    ]
    return _sitemap_xml("urlset", entries)


def _sitemap_xml(root: str, entries: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries)
        + f"\n</{root}>\n"
    ).encode()


# --- the server -------------------------------------------------------------------------------


class _Http(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, GET and HEAD of pre-rendered responses; nothing else."""

    def __init__(self, responses: dict[str, tuple[bytes, bytes]], missing: bytes) -> None:
        self.responses = responses
        self.missing = missing
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            line, _, rest = head.partition(b"\r\n")
            parts = line.split(b" ")
            method = parts[0]
            target = parts[1].decode("latin-1", "replace") if len(parts) > 1 else "/"
            head_resp, body = self.responses.get(target.split("?", 1)[0], self.missing)
            assert self.transport is not None
            self.transport.write(head_resp if method == b"HEAD" else head_resp + body)
            if b"connection: close" in rest.lower():
                self.transport.close()
                return


def _response(status: str, content_type: bytes, body: bytes) -> tuple[bytes, bytes]:
    head = (
        f"HTTP/1.1 {status}\r\nServer: bench\r\nContent-Length: {len(body)}\r\n".encode()
        + b"Content-Type: "
        + content_type
        + b"\r\nConnection: keep-alive\r\n\r\n"
    )
    return head, body


def serve(templates: list[bytes], n: int, conn: Any) -> None:
    """Run the server until the process is terminated; send the base URL down `conn`."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        responses: dict[str, tuple[bytes, bytes]] = {}
        missing = _response("404 Not Found", b"text/plain", b"not found\n")
        server = await loop.create_server(
            lambda: _Http(responses, missing), "127.0.0.1", 0, backlog=1024
        )
        port = server.sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        for path, (ctype, body) in render_site(templates, n, base).items():
            responses[path] = _response("200 OK", ctype, body)
        conn.send(base)
        conn.close()
        await server.serve_forever()

    asyncio.run(main())


class Server:
    """The page server in its own process (so it does not share a GIL with anything measured)."""

    def __init__(self, templates: list[bytes], n: int) -> None:
        ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        ours, theirs = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=serve, args=(templates, n, theirs), daemon=True)
        self.process.start()
        theirs.close()
        if not ours.poll(120):
            self.process.terminate()
            raise SystemExit("the page server did not start")
        self.base: str = ours.recv()
        self.sitemap = self.base + "/sitemap.xml"

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


# --- running and measuring the tools -------------------------------------------------------


@dataclass
class Row:
    n: int
    tool: str
    pages: int
    seconds: float
    pages_per_s: float
    peak_rss_mb: float
    exit_code: int
    note: str = ""


def scrapy_available() -> bool:
    """Whether scrapy imports, asked of a child process: importing it here would raise this
    process's peak RSS, which the measured children inherit (see `measure`)."""
    check = subprocess.run([sys.executable, "-c", "import scrapy"], capture_output=True)
    return check.returncode == 0


def rss_mb(ru_maxrss: int) -> float:
    return ru_maxrss / 1024 / 1024 if platform.system() == "Darwin" else ru_maxrss / 1024


def measure(cmd: list[str], workdir: Path, name: str) -> tuple[float, float, int, str]:
    """(seconds, peak RSS MB, exit code, tail of stderr) of a command run to completion.

    The peak is the child's ru_maxrss from os.wait4. Linux carries the high-water RSS of the
    memory a child starts with (this process's, shared by vfork) over its exec, so the figure
    is at least this process's own peak; `main` keeps this process small (about 20 MB, far
    below any crawler) so that it does not show.
    """
    out_path, err_path = workdir / f"{name}.out", workdir / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=REPO_ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    tail = err_path.read_text("utf-8", "replace").strip().splitlines()[-3:]
    return seconds, rss_mb(usage.ru_maxrss), proc.returncode, " | ".join(tail)


def run_reprints(n: int, sitemap: str, concurrency: int, workdir: Path) -> Row:
    db_path = workdir / f"reprints-{n}.db"
    cmd = [
        *reprints_command(),
        "crawl",
        str(db_path),
        "--sitemap",
        sitemap,
        "--delay",
        "0",
        "--ignore-robots",
        "--concurrency",
        str(concurrency),
        "--per-host",
        str(concurrency),
    ]
    seconds, rss, code, err = measure(cmd, workdir, f"reprints-{n}")
    pages = count_rows(db_path, "articles")
    return _row(n, "reprints", pages, seconds, rss, code, err)


def run_scrapy(n: int, sitemap: str, concurrency: int, workdir: Path) -> Row:
    db_path = workdir / f"scrapy-{n}.db"
    cmd = [sys.executable, __file__, "--scrapy-child", sitemap, str(db_path), str(concurrency)]
    seconds, rss, code, err = measure(cmd, workdir, f"scrapy-{n}")
    pages = count_rows(db_path, "pages")
    return _row(n, "scrapy", pages, seconds, rss, code, err)


def run_baseline(n: int, sitemap: str, concurrency: int, workdir: Path, kind: str) -> Row:
    cmd = [sys.executable, __file__, f"--{kind}-child", sitemap, str(concurrency)]
    seconds, rss, code, err = measure(cmd, workdir, f"{kind}-{n}")
    out = (workdir / f"{kind}-{n}.out").read_text().strip()
    pages = int(out) if out.isdigit() else 0
    return _row(n, f"{kind} (fetch only)", pages, seconds, rss, code, err)


def _row(n: int, tool: str, pages: int, seconds: float, rss: float, code: int, err: str) -> Row:
    notes = []
    if pages != n:
        notes.append(f"stored {pages} of {n}")
    if code != 0:
        notes.append(f"exit {code}" + (f": {err}" if err else ""))
    return Row(
        n=n,
        tool=tool,
        pages=pages,
        seconds=round(seconds, 2),
        pages_per_s=round(pages / seconds, 1) if seconds > 0 else 0.0,
        peak_rss_mb=round(rss, 1),
        exit_code=code,
        note="; ".join(notes),
    )


# --- the child processes ----------------------------------------------------------------------


class SqlitePipeline:
    """Scrapy item pipeline: trafilatura on the body, then one INSERT and one commit per item."""

    def open_spider(self, spider: Any = None) -> None:
        import trafilatura

        self.extract = trafilatura.extract
        self.db = sqlite3.connect(os.environ["BENCH_SCRAPY_DB"])
        # The durability reprints uses (db/schema.py), so that neither side pays an fsync per
        # commit that the other does not.
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, article TEXT)")
        self.db.commit()

    def close_spider(self, spider: Any = None) -> None:
        self.db.close()

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        article = self.extract(
            item["body"], url=item["url"], with_metadata=True, output_format="json"
        )
        if article is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO pages (url, article) VALUES (?, ?)", (item["url"], article)
            )
            self.db.commit()
        return {"url": item["url"]}  # drop the body so nothing downstream holds it


def scrapy_child(sitemap: str, db_path: str, concurrency: int) -> int:
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiders import SitemapSpider

    class BenchSpider(SitemapSpider):
        name = "bench"
        sitemap_urls = [sitemap]

        def parse(self, response: Any) -> Any:
            yield {"url": response.url, "body": response.body}

    os.environ["BENCH_SCRAPY_DB"] = db_path
    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "DOWNLOAD_DELAY": 0,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "ROBOTSTXT_OBEY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            # The server sets no cookies; off, the cookie middleware never asks tldextract for
            # the public suffix list, which it may download from the internet.
            "COOKIES_ENABLED": False,
            "ITEM_PIPELINES": {SqlitePipeline: 300},
        }
    )
    process.crawl(BenchSpider)
    process.start()
    return 0


async def _page_urls(get: Any, sitemap: str) -> list[str]:
    pending, urls = [sitemap], []
    while pending:
        body = (await get(pending.pop())).decode()
        locs = re.findall(r"<loc>([^<]+)</loc>", body)
        if "<sitemapindex" in body:
            pending += locs
        else:
            urls += locs
    return urls


async def _fetch_all(get: Any, sitemap: str, concurrency: int) -> int:
    """Pages fetched (non-empty bodies), with `concurrency` workers sharing the URLs."""
    queue = iter(await _page_urls(get, sitemap))
    done = 0

    async def worker() -> None:
        nonlocal done
        for url in queue:
            if await get(url):
                done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


def httpx_child(sitemap: str, concurrency: int) -> int:
    import httpx

    async def main() -> int:
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:

            async def get(url: str) -> bytes:
                response = await client.get(url)
                return response.content if response.status_code == 200 else b""

            return await _fetch_all(get, sitemap, concurrency)

    print(asyncio.run(main()))
    return 0


def raw_child(sitemap: str, concurrency: int) -> int:
    """The server's ceiling: HTTP/1.1 keep-alive GETs over asyncio streams, one connection per
    worker, reading Content-Length bytes; no HTTP library at all."""
    from urllib.parse import urlsplit

    parts = urlsplit(sitemap)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    free: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(url: str) -> bytes:
        conn = free.pop() if free else await asyncio.open_connection(host, port)
        reader, writer = conn
        path = urlsplit(url).path
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
        body = await reader.readexactly(length)
        free.append(conn)
        return body if head.startswith(b"HTTP/1.1 200") else b""

    async def main() -> int:
        done = await _fetch_all(get, sitemap, concurrency)
        for _, writer in free:
            writer.close()
        return done

    print(asyncio.run(main()))
    return 0


# --- the report -------------------------------------------------------------------------------


def ratios(rows: list[Row]) -> list[dict[str, Any]]:
    out = []
    for n in sorted({r.n for r in rows}):
        by_tool = {r.tool: r for r in rows if r.n == n}
        ours, theirs = by_tool.get("reprints"), by_tool.get("scrapy")
        if not ours or not theirs:
            continue
        out.append(
            {
                "n": n,
                "throughput_ratio": round(ours.pages_per_s / theirs.pages_per_s, 2)
                if theirs.pages_per_s
                else None,
                "memory_ratio": round(ours.peak_rss_mb / theirs.peak_rss_mb, 2)
                if theirs.peak_rss_mb
                else None,
            }
        )
    return out


def growth(rows: list[Row]) -> list[dict[str, Any]]:
    """Peak RSS at the largest N over peak RSS at the smallest, per tool."""
    out = []
    for tool in dict.fromkeys(r.tool for r in rows):
        mine = sorted((r for r in rows if r.tool == tool), key=lambda r: r.n)
        if len(mine) > 1 and mine[0].peak_rss_mb:
            first, last = mine[0], mine[-1]
            out.append(
                {
                    "tool": tool,
                    "from_n": first.n,
                    "to_n": last.n,
                    "rss_growth": round(last.peak_rss_mb / first.peak_rss_mb, 2),
                    "rss_delta_mb": round(last.peak_rss_mb - first.peak_rss_mb, 1),
                }
            )
    return out


def print_report(rows: list[Row], concurrency: int, templates: int, missing: str | None) -> None:
    print(
        f"crawl of N local pages ({templates} golden pages made distinct), concurrency "
        f"{concurrency}, politeness delays off; one run each"
    )
    if missing:
        print(f"  {missing}")
    print(f"{'N':>6}  {'tool':<20} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'peak RSS MB':>12}")
    for r in rows:
        print(
            f"{r.n:>6}  {r.tool:<20} {r.pages:>6} {r.seconds:>8.2f} {r.pages_per_s:>8.1f} "
            f"{r.peak_rss_mb:>12.1f}" + (f"  ({r.note})" if r.note else "")
        )
    for r in ratios(rows):
        tput = "n/a" if r["throughput_ratio"] is None else f"{r['throughput_ratio']:.2f}x"
        mem = "n/a" if r["memory_ratio"] is None else f"{r['memory_ratio']:.2f}x"
        print(
            f"N={r['n']}: reprints/scrapy throughput {tput} (>= 1 is the target), peak memory {mem}"
        )
    for g in growth(rows):
        print(
            f"{g['tool']}: peak RSS at N={g['to_n']} is {g['rss_growth']:.2f}x that at "
            f"N={g['from_n']} ({g['rss_delta_mb']:+.1f} MB)"
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--scrapy-child"]:
        return scrapy_child(argv[1], argv[2], int(argv[3]))
    if argv[:1] == ["--httpx-child"]:
        return httpx_child(argv[1], int(argv[2]))
    if argv[:1] == ["--raw-child"]:
        return raw_child(argv[1], int(argv[2]))

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, nargs="+", default=[2000], help="pages to serve (several: one run each)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="requests in flight, for both tools (1-16, the limit of reprints --per-host)",
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the fetch-only runs (raw, httpx)"
    )
    parser.add_argument("--keep", type=Path, help="keep the databases and logs in this folder")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 16:
        parser.error("--concurrency must be between 1 and 16 (reprints --per-host allows 16)")
    if any(n < 1 for n in args.n):
        parser.error("--n must be at least 1")

    missing = None if scrapy_available() else "scrapy not installed: pip install scrapy"
    if missing and not args.json:
        print(missing)

    templates = load_templates()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench_crawl-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for n in args.n:
            server = Server(templates, n)
            try:
                for kind in () if args.no_baseline else ("raw", "httpx"):
                    rows.append(run_baseline(n, server.sitemap, args.concurrency, workdir, kind))
                rows.append(run_reprints(n, server.sitemap, args.concurrency, workdir))
                if missing is None:
                    rows.append(run_scrapy(n, server.sitemap, args.concurrency, workdir))
            finally:
                server.stop()
            # Keep the next N's databases from sharing page cache pressure with this one's.
            if args.keep is None:
                for path in workdir.glob(f"*-{n}.db*"):
                    path.unlink()

    own_rss = round(rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss), 1)
    if args.json:
        result = {
            "bench_process_rss_mb": own_rss,
            "concurrency": args.concurrency,
            "templates": len(templates),
            "missing": missing,
            "rows": [asdict(r) for r in rows],
            "ratios": ratios(rows),
            "rss_growth": growth(rows),
        }
        print(json.dumps(result, indent=2))
    else:
        print_report(rows, args.concurrency, len(templates), missing)
        print(f"peak RSS of this script's own process: {own_rss:.1f} MB (a floor for the above)")
    return 0 if all(r.pages == r.n and r.exit_code == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
