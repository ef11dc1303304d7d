"""What a person sees in a browser: Datasette on an imported database, in headless Chromium.

The screenshots are saved in the test's temporary folder (printed with `-s`) to look at.
"""

from __future__ import annotations

import html
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import db  # noqa: E402

PAGES = ROOT / "tests" / "cleaners" / "pages"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTICLE_TITLE = "小团队为什么更愿意开源自己的模型？"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    """Wait until the server answers `url`, failing if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"datasette exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"datasette did not answer {url} within {timeout}s")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[tuple[str, Path]]:
    """A real `datasette` process on a database imported from the test pages."""
    path = folder / "articles.db"
    store = db.open_database(path)
    run_id = db.start_run(store, "import", [str(PAGES)])
    db.finish_run(store, run_id, db.import_paths(store, run_id, [PAGES]).counts, 0)
    store.conn.close()
    datasette = Path(sys.executable).parent / "datasette"
    port = free_port()
    process = subprocess.Popen(
        [str(datasette), str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/versions.json", process)
        yield base, path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def chromium(url: str, folder: Path, name: str) -> str:
    """Open `url` in headless Chromium: save a screenshot as `name`.png, return the DOM."""
    profile = folder / f"profile-{name}"
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1280,2000",
    ]
    screenshot = folder / f"{name}.png"
    subprocess.run(
        [*common, f"--screenshot={screenshot}", url], capture_output=True, timeout=120, check=True
    )
    assert screenshot.stat().st_size > 10_000, "the screenshot is (nearly) empty"
    dom = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    print(f"screenshot: {screenshot}")
    if not _has_cjk_font():
        warnings.warn(f"no CJK font: Chinese shows as boxes in {screenshot}", stacklevel=2)
    return dom


def _has_cjk_font() -> bool:
    """Whether fontconfig knows a Chinese font (the screenshots need one; the DOM does not)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    fonts = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout
    return bool(fonts.strip())


def visible_text(dom: str) -> str:
    """The DOM's text without tags, scripts and styles, whitespace collapsed."""
    dom = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", dom)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom)))


def test_article_page(server: tuple[str, Path], folder: Path) -> None:
    base, path = server
    store = db.open_database(path)
    row_id = store.execute("SELECT id FROM articles WHERE title = ?", [ARTICLE_TITLE]).fetchone()[0]
    store.conn.close()
    dom = chromium(f"{base}/articles/articles/{row_id}", folder, "article")
    text = visible_text(dom)
    assert ARTICLE_TITLE in text
    assert "青石开源社" in text and "码上观潮" in text
    body = re.search(r'(?s)<div class="reprints-body">(.*?)</div>', dom)
    assert body, "the body is not rendered as paragraphs"
    paragraphs = re.findall(r"(?s)<p>(.*?)</p>", body.group(1))
    assert len(paragraphs) == 8
    assert paragraphs[0].startswith("今年春天")
    assert paragraphs[-1].endswith("再决定要不要为服务付费。")
    assert "Links from other tables" in text
    assert re.search(rf'href="/articles/removals\?article_id={row_id}"', dom)
    for table in ("fetches", "snapshots", "runs"):
        assert f'href="/articles/{table}/' in dom


def test_search_page(server: tuple[str, Path], folder: Path) -> None:
    base, _ = server
    url = f"{base}/articles/search?" + urllib.parse.urlencode({"q": "开源"})
    dom = chromium(url, folder, "search")
    text = visible_text(dom)
    assert "Search articles" in text
    assert ARTICLE_TITLE in text
    assert "<mark>开源</mark>" in dom
    assert "【" not in visible_text(re.search(r'(?s)<td class="col-snippet".*?</td>', dom)[0])
    assert re.search(r'<a href="/articles/articles/\d+">' + re.escape(ARTICLE_TITLE), dom)


HOSTILE_MARKDOWN = """## 标记的试验

<img src=x onerror="document.body.setAttribute('data-pwned', 'img')">
<script>document.body.setAttribute('data-pwned', 'script')</script>

[点这里](javascript:document.body.setAttribute('data-pwned','link'))

- 一条
- 两条
"""


def test_article_markdown_renders_and_hostile_markup_stays_inert(
    server: tuple[str, Path], folder: Path
) -> None:
    base, path = server
    store = db.open_database(path)
    row_id = store["articles"].insert(
        {"url": "https://example.org/hostile-md", "status": "ok", "title": "标记的试验",
         "body": "正文", "body_markdown": HOSTILE_MARKDOWN, "images": "[]"}
    ).last_pk  # fmt: skip
    store.conn.close()
    dom = chromium(f"{base}/articles/articles/{row_id}", folder, "article-markdown")
    assert not re.search(r"<body[^>]*data-pwned", dom), "a script in the article ran"
    article = re.search(r'(?s)<div class="reprints-article">(.*?)</div>', dom)
    assert article, "the Markdown is not rendered"
    assert "<h2>标记的试验</h2>" in article.group(1)
    assert re.findall(r"<li>(.*?)</li>", article.group(1)) == ["一条", "两条"]
    assert "<script" not in article.group(1) and "<img" not in article.group(1)
