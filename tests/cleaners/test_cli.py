"""`reprints clean`: output formats, options and help, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPRINTS = Path(sys.executable).parent / "reprints"

RECORD_KEYS = {
    "url",
    "status",
    "title",
    "account",
    "author",
    "source",
    "editor",
    "translator",
    "published",
    "language",
    "body",
    "removed",
    "origins",
}

TITLE = "山区小学的第一间天文教室"
PARAGRAPHS = [
    "九月开学的时候，这所只有八十多名学生的山区小学迎来了一间特别的教室，屋顶可以向两侧打开。",
    "教室里的望远镜由一家城市天文馆捐赠，志愿者每个月会来两次，带着孩子们在晴朗的夜晚观察月亮和木星。",
    "五年级的学生小周说，她第一次在望远镜里看到土星的光环时，还以为是有人在镜头上画了一个圈。",
    "校长希望以后能和其他学校分享这间教室，让附近村子的孩子也有机会认识头顶的星空。",
]
URL = "https://news.example.org/2024/09/astronomy-classroom.html"


def article_page(canonical: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n{link}\n'
        f"<title>{TITLE}</title>\n</head>\n<body>\n"
        f"<article>\n<h1>{TITLE}</h1>\n{body}\n</article>\n</body>\n</html>\n"
    )


def run(*args: object) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(REPRINTS), *map(str, args)], capture_output=True, text=True, encoding="utf-8"
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def ok(*args: object) -> str:
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def page(tmp_path) -> Path:
    path = tmp_path / "astronomy.html"
    path.write_text(article_page(), encoding="utf-8")
    return path


def test_json_record(page):
    out = ok("clean", page, "--format", "json")
    data = json.loads(out)  # exactly one JSON object, nothing else on stdout
    assert data.keys() >= RECORD_KEYS, RECORD_KEYS - data.keys()
    assert data["status"] == "ok"
    assert data["title"] == TITLE
    assert isinstance(data["removed"], list)
    assert isinstance(data["origins"], dict)
    # Paragraphs are separated by blank lines.
    assert f"{PARAGRAPHS[1]}\n\n{PARAGRAPHS[2]}" in data["body"]
    # Chinese is printed as is, not as \\u escapes.
    assert TITLE in out


def test_text_format(page):
    out = ok("clean", page, "--format", "text")
    assert not out.lstrip().startswith("{")
    assert TITLE in out
    for paragraph in PARAGRAPHS:
        assert paragraph in out
    assert out.index(TITLE) < out.index(PARAGRAPHS[0])


def test_markdown_format(page):
    out = ok("clean", page, "--format", "markdown")
    lines = [line.strip() for line in out.splitlines()]
    assert f"# {TITLE}" in lines
    for paragraph in PARAGRAPHS:
        assert paragraph in lines
    assert lines.index(f"# {TITLE}") < lines.index(PARAGRAPHS[0])


def test_url_option_is_echoed(page):
    data = json.loads(ok("clean", page, "--format", "json", "--url", URL))
    assert data["url"] == URL


def test_url_found_in_the_page(tmp_path):
    path = tmp_path / "canonical.html"
    path.write_text(article_page(canonical=URL), encoding="utf-8")
    data = json.loads(ok("clean", path, "--format", "json"))
    assert data["url"] == URL


def test_help():
    out = ok("--help")
    assert "clean" in out


def test_clean_help():
    out = ok("clean", "--help")
    for option in ("--format", "--url", "--max-bytes"):
        assert option in out


@pytest.mark.parametrize(
    "options",
    [["--format", "yaml"], ["--max-bytes", "lots"], ["--no-such-option"]],
    ids=["bad-format", "bad-max-bytes", "unknown-option"],
)
def test_bad_option_is_a_usage_error(page, options):
    proc = run("clean", page, *options)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "Error" in proc.stderr
