"""`reprints clean` on input that is empty, broken, binary, huge, or in a legacy encoding.

Every test runs the installed `reprints` console script in a subprocess on a file written to a
temporary folder, and checks the exit code, the JSON on stdout and the message on stderr.
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPRINTS = Path(sys.executable).parent / "reprints"
STATUSES = {"ok", "deleted", "removed", "unavailable", "expired", "blocked", "not_article", "empty"}


def run(
    *args: object, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(REPRINTS), *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=timeout,
    )


def stderr_of(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    return err


def record(proc: subprocess.CompletedProcess) -> dict:
    """The JSON record printed by a successful `reprints clean --format json`."""
    err = stderr_of(proc)
    assert proc.returncode == 0, f"exit {proc.returncode}: {err}"
    data = json.loads(proc.stdout.decode("utf-8"))
    assert isinstance(data, dict)
    assert data["status"] in STATUSES
    return data


def clean(path: Path, *options: object) -> dict:
    return record(run("clean", path, "--format", "json", *options))


def assert_one_line_error(proc: subprocess.CompletedProcess, exit_code: int, name: str) -> str:
    err = stderr_of(proc)
    assert proc.returncode == exit_code, f"exit {proc.returncode}: {err}"
    assert proc.stdout.strip() == b"", "no record is printed on error"
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Error:"), err
    assert name in lines[0], f"the message should name the file: {err}"
    return lines[0]


def article_page(title: str, paragraphs: list[str], head: str = "") -> str:
    """A plain article page, as a news mirror would serve it."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{head}\n<title>{title}</title>\n</head>\n"
        f'<body>\n<div class="nav"><a href="/">Home</a></div>\n'
        f"<article>\n<h1>{title}</h1>\n{body}\n</article>\n</body>\n</html>\n"
    )


# Simplified Chinese, with 喆, a character that is in GBK but not in GB2312.
GBK_TITLE = "社区图书馆的周末读书会"
GBK_PARAGRAPHS = [
    "每到周六上午，社区图书馆二楼的阅览室里总会坐满二十多位居民，大家围着长桌轮流朗读同一本书。",
    "组织者陈喆是一位退休的中学语文老师，他说读书会最初只有五个人，后来靠邻居之间口口相传才慢慢壮大。",
    "这个月大家读的是一本讲述江南小镇变迁的散文集，每个人读完一章后都会分享自己童年的回忆。",
    "图书馆计划明年增加一个面向小学生的分组，让孩子们也能在周末找到一个安静读书的地方。",
]

# Traditional Chinese.
BIG5_TITLE = "老街茶行的第三代傳人"
BIG5_PARAGRAPHS = [
    "在港口旁的老街上，有一間開業超過七十年的茶行，木造的櫃檯與整面牆的錫罐至今仍保留著當年的模樣。",
    "第三代經營者林先生原本在城市裡從事設計工作，五年前決定回到家鄉，接手祖父留下來的烘焙爐。",
    "他把傳統的炭焙技術記錄成詳細的筆記，並且開設小班課程，讓年輕人也能親手體驗焙茶的過程。",
    "每逢週末，店門口總是擠滿前來品茶的遊客，許多人買完茶葉後還會坐下來聽他講述老街的故事。",
]

# Japanese, served as Shift_JIS without any charset declaration.
SJIS_TITLE = "商店街の古本屋で朗読会"
SJIS_PARAGRAPHS = [
    "先週の土曜日、駅前の商店街にある小さな古本屋で、常連客による朗読会が開かれました。",
    "店主の高橋さんは毎月一冊の本を選び、閉店後の店内で参加者と一緒にその本を読んでいます。",
    "今回選ばれたのは、海辺の町で暮らす灯台守の日記をもとにした短編集で、静かな語り口が好評でした。",
    "参加者は十二人で、学生から年配の方まで幅広い年代が集まり、読み終えた後も感想を語り合いました。",
    "次回の朗読会は来月の第二土曜日に予定されており、予約なしで誰でも参加することができます。",
]

UTF8_TITLE = "河边步道的清晨"
UTF8_PARAGRAPHS = [
    "天刚亮，河边步道上已经有不少晨练的人，有人慢跑，有人打太极，还有人带着收音机听戏。",
    "住在附近的王阿姨每天五点半出门，沿着河走一个来回正好四公里，她坚持这个习惯已经十年了。",
    "今年春天，街道在步道两侧补种了三百多棵樱花树，花开的那几天吸引了很多外地游客前来拍照。",
]


# --- empty and whitespace-only pages are records, not errors -------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n\n\t  \r\n  \n"],
    ids=["empty", "whitespace"],
)
def test_empty_page_is_an_empty_record(tmp_path, content):
    page = tmp_path / "blank.html"
    page.write_bytes(content)
    data = clean(page)
    assert data["status"] == "empty"
    assert not data["body"]


# --- binary data ------------------------------------------------------------------------------


def png_bytes() -> bytes:
    rng = random.Random(7)
    header = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
    )
    return header + rng.randbytes(8192)


@pytest.mark.parametrize(
    "name, content",
    [
        ("noise.html", random.Random(1).randbytes(4096)),
        ("cover.png", png_bytes()),
        # A page saved without undoing Content-Encoding: gzip.
        ("compressed.html", gzip.compress(article_page(UTF8_TITLE, UTF8_PARAGRAPHS).encode())),
    ],
    ids=["random", "png", "gzip"],
)
def test_binary_data_is_refused_with_one_line(tmp_path, name, content):
    page = tmp_path / name
    page.write_bytes(content)
    assert_one_line_error(run("clean", page, "--format", "json"), 1, name)


# --- truncated pages ---------------------------------------------------------------------------


def truncated_pages() -> dict[str, bytes]:
    paragraphs = [
        "这篇文章只保存了一半，保存程序在写到页面末尾的脚本时中断了，但是正文部分已经完整写入。",
        "第二段同样是完整的，它描述了城郊农场在秋收时节举办的开放日活动，吸引了上百个家庭参加。",
        "第三段之后是页面的统计脚本和底部的版权信息，这些内容在截断的文件里都不完整。",
    ]
    page = article_page("一篇被截断的页面", paragraphs, head='<meta charset="utf-8">')
    page = page.replace(
        "</article>",
        '</article>\n<script>var pageId = "1700000000";'
        ' window.setTimeout(function () { report("view", pageId); }, 100);</script>\n'
        '<div class="footer"><p style="color: #999">版权所有</p></div>',
    )
    data = page.encode("utf-8")
    # A WeChat-style page cut inside the long inline script that follows the article.
    wechat = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta property="og:title" content="一篇被截断的页面"></head><body>'
        '<div class="rich_media" id="js_article"><h1 class="rich_media_title" id="activity-name">'
        '一篇被截断的页面</h1><div class="rich_media_content" id="js_content">'
        + "".join(f"<section><span>{p}</span></section>" for p in paragraphs)
        + '</div></div><script>var msg_title = "一篇被截断的页面"; var ct = "1700000000";'
        ' var nickname = "示例账号"; var msg_desc = "这是一段很长的脚本'
    ).encode("utf-8")
    return {
        "in-script": data[: data.index(b"window.setTimeout") + 10],
        "in-tag": data[: data.index(b'style="color') + 9],
        # In the middle of a UTF-8 sequence.
        "in-character": data[: data.index("秋收".encode()) + 1],
        "in-head": data[: data.index(b"<title>") + 4],
        "wechat-in-script": wechat[: len(wechat) - 7],
    }


@pytest.mark.parametrize(
    "cut", ["in-script", "in-tag", "in-character", "in-head", "wechat-in-script"]
)
def test_truncated_page_still_gives_a_record(tmp_path, cut):
    page = tmp_path / f"cut-{cut}.html"
    page.write_bytes(truncated_pages()[cut])
    data = clean(page)
    if cut in ("in-script", "in-tag"):
        # The whole article was saved before the cut.
        assert data["status"] == "ok", data
        assert "城郊农场在秋收时节举办的开放日活动" in data["body"]
    if data["status"] == "ok":
        assert "这篇文章只保存了一半" in data["body"]


# --- size limit --------------------------------------------------------------------------------


def write_big_page(path: Path, size: int) -> None:
    head = article_page("一个很大的页面", ["这是超大页面开头的第一段，后面是大量重复的段落。"])
    head = head.split("</article>")[0]
    paragraph = "<p>这一段文字在页面里重复了很多次，用来把文件撑到几十兆字节的大小。</p>\n".encode()
    tail = b"</article></body></html>\n"
    count = (size - len(head.encode()) - len(tail)) // len(paragraph) + 1
    path.write_bytes(head.encode() + paragraph * count + tail)


@pytest.fixture(scope="module")
def big_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "huge-page.html"
    write_big_page(path, 50 * 1024 * 1024)
    return path


def test_page_over_the_default_limit_is_refused(big_page):
    assert big_page.stat().st_size > 50 * 1024 * 1024
    start = time.monotonic()
    message = assert_one_line_error(run("clean", big_page, "--format", "json"), 1, big_page.name)
    assert "too large" in message.lower()
    assert time.monotonic() - start < 10, "refusing a page must not parse it first"


def test_max_bytes_raises_the_limit(big_page):
    start = time.monotonic()
    proc = run("clean", big_page, "--format", "json", "--max-bytes", 100_000_000, timeout=300)
    elapsed = time.monotonic() - start
    data = record(proc)
    assert elapsed < 30, f"cleaning a 50 MB page took {elapsed:.1f} s"
    if data["status"] == "ok":
        assert "这一段文字在页面里重复了很多次" in data["body"]


def test_max_bytes_lowers_the_limit(tmp_path):
    page = tmp_path / "small.html"
    page.write_text(article_page(UTF8_TITLE, UTF8_PARAGRAPHS), encoding="utf-8")
    size = page.stat().st_size
    proc = run("clean", page, "--format", "json", "--max-bytes", size - 1)
    assert "too large" in assert_one_line_error(proc, 1, page.name).lower()
    # A page of exactly the limit is allowed.
    assert clean(page, "--max-bytes", size)["status"] == "ok"


# --- usage errors ------------------------------------------------------------------------------


def test_directory_is_a_usage_error(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    proc = run("clean", folder)
    err = stderr_of(proc)
    assert proc.returncode == 2, err
    assert "Error" in err


def test_missing_file_is_a_usage_error(tmp_path):
    proc = run("clean", tmp_path / "no-such-page.html")
    err = stderr_of(proc)
    assert proc.returncode == 2, err
    assert "no-such-page.html" in err


# --- stdin ---------------------------------------------------------------------------------------


def test_page_from_stdin(tmp_path):
    page = article_page(UTF8_TITLE, UTF8_PARAGRAPHS, head='<meta charset="utf-8">')
    data = record(run("clean", "-", "--format", "json", stdin=page.encode("utf-8")))
    assert data["status"] == "ok"
    assert UTF8_PARAGRAPHS[1] in data["body"]


def test_stdin_is_read_as_bytes(tmp_path):
    """A GBK page piped in is decoded by its meta charset, not by the terminal's locale."""
    page = article_page(GBK_TITLE, GBK_PARAGRAPHS, head='<meta charset="gbk">')
    data = record(run("clean", "-", "--format", "json", stdin=page.encode("gbk")))
    assert GBK_PARAGRAPHS[1] in data["body"]


# --- encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head, encoding, title, paragraphs",
    [
        ('<meta charset="gbk">', "gbk", GBK_TITLE, GBK_PARAGRAPHS),
        # Pages that say gb2312 are decoded as GBK, as browsers do: 喆 is not in GB2312.
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
            "gbk",
            GBK_TITLE,
            GBK_PARAGRAPHS,
        ),
        ('<meta charset="big5">', "big5", BIG5_TITLE, BIG5_PARAGRAPHS),
        ("", "shift_jis", SJIS_TITLE, SJIS_PARAGRAPHS),
        ("", "utf-8-sig", UTF8_TITLE, UTF8_PARAGRAPHS),
    ],
    ids=["gbk-meta", "gb2312-label-gbk-bytes", "big5-meta", "shift-jis-undeclared", "utf8-bom"],
)
def test_page_encoding_is_decoded(tmp_path, head, encoding, title, paragraphs):
    raw = article_page(title, paragraphs, head=head).encode(encoding)
    if encoding == "utf-8-sig":
        assert raw.startswith(b"\xef\xbb\xbf")
    page = tmp_path / "page.html"
    page.write_bytes(raw)
    data = clean(page)
    assert data["status"] == "ok", data
    for paragraph in paragraphs[1:3]:
        assert paragraph in data["body"]
    assert "\ufffd" not in data["body"]
    assert "\ufeff" not in data["body"] + (data["title"] or "")


def test_a_device_without_a_size_is_read_only_to_the_limit():
    proc = run("clean", "/dev/zero", "--max-bytes", "100000", timeout=30)
    err = stderr_of(proc)
    assert proc.returncode == 1
    assert len(err.strip().splitlines()) == 1, err
    assert "/dev/zero" in err and "--max-bytes" in err
