"""What a person sees in a browser: Datasette on an imported database, in headless Chromium.

The screenshots are saved in the test's temporary folder (printed with `-s`) to look at.
"""

from __future__ import annotations

import html
import io
import json
import os
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
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {timeout}s")


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
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """End a server the test started: politely, then for good after 10 s."""
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


PICTURE_URL = "https://mmbiz.qpic.cn/mmbiz_png/BrowserTest/640?wx_fmt=png"
MAGENTA = (255, 0, 255)
# README's screenshots, written again by a run with REPRINTS_SCREENSHOTS=1.
README_SHOTS = ROOT / "docs" / "screenshots"


def magenta_png(width: int = 240, height: int = 160) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), MAGENTA).save(buffer, "PNG")
    return buffer.getvalue()


def magenta_pixels(screenshot: Path) -> int:
    import numpy
    from PIL import Image

    with Image.open(screenshot) as image:
        pixels = numpy.asarray(image.convert("RGB"))
    return int((pixels == MAGENTA).all(axis=2).sum())


def keep_for_readme(folder: Path, name: str) -> None:
    if os.environ.get("REPRINTS_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / f"{name}.png", README_SHOTS / f"{name}.png")


@pytest.fixture(scope="module")
def pictured(server: tuple[str, Path]) -> int:
    """An article whose image is archived in the database (its remote URL is unreachable)."""
    _, path = server
    store = db.open_database(path)
    markdown = (
        "## 江边的旧书摊\n\n摊主每周六出摊，**雨天也不例外**。\n\n"
        f"![旧书摊的招牌]({PICTURE_URL})\n\n- 文学\n- 历史\n\n> 旧书的好处，是每一本都有人读过。\n"
    )
    row_id = store["articles"].insert(
        {"url": "https://example.org/pictured", "status": "ok", "title": "江边的旧书摊",
         "account": "江岸日记", "author": "林川", "published": "2026-03-01T09:00:00+08:00",
         "body": "摊主每周六出摊。", "body_markdown": markdown, "version": 1,
         "images": json.dumps([PICTURE_URL])}
    ).last_pk  # fmt: skip
    run_id = db.start_run(store, "images", [])
    db.images.queue_images(store)
    fetch = db.images.ImageFetch(PICTURE_URL, None, "2026-03-02T00:00:00+00:00", 200, {})
    db.images.store_image(store, run_id, fetch, magenta_png())
    store.conn.close()
    return row_id


def test_archived_images_are_shown_from_the_database(
    server: tuple[str, Path], folder: Path, pictured: int
) -> None:
    base, _ = server
    dom = chromium(f"{base}/articles/articles/{pictured}", folder, "article-images")
    assert re.search(r'<img [^>]*src="/-/reprints/image/articles/[0-9a-f]{64}"', dom)
    assert PICTURE_URL not in re.search(r'(?s)<div class="reprints-article">.*?</div>', dom)[0]
    # The 240x160 image drawn in the article, and its 64x64 thumbnail: the browser got them.
    assert magenta_pixels(folder / "article-images.png") >= 240 * 160
    keep_for_readme(folder, "article-images")


def test_the_articles_table_fits_its_default_columns(
    server: tuple[str, Path], folder: Path, pictured: int
) -> None:
    base, _ = server
    dom = chromium(f"{base}/articles/articles?_sort_desc=published", folder, "articles-table")
    shown = re.findall(r'<th [^>]*data-column="([^"]+)"', dom)
    assert shown == ["id", "title", "account", "author", "source", "published", "status"]
    assert "江边的旧书摊" in visible_text(dom)
    keep_for_readme(folder, "articles-table")


def test_readme_shows_the_screenshots_this_test_takes() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    from PIL import Image

    for name in ("article-images", "articles-table"):
        assert f"docs/screenshots/{name}.png" in readme
        with Image.open(README_SHOTS / f"{name}.png") as image:
            assert image.size == (1280, 2000)
