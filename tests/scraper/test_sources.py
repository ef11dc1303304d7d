"""Sources files: a good one is read with its defaults; each kind of bad one is a one-line
error naming the file, and `reprints crawl` exits 2 without a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from server import REPRINTS

from scraper.cli import cli
from scraper.errors import SourcesError
from scraper.sources import Source, load_sources

GOOD = """
[defaults]
delay = 2.0

[[source]]
name = "an outlet's feed"
feed = "https://example.com/feed.xml"

[[source]]
name = "a mirror's sitemap"
sitemap = "https://example.org/sitemap.xml"
limit = 500

[[source]]
name = "a listing page"
listing = "https://example.net/news/"
links = "ul.news-list a"
delay = 0.5

[[source]]
urls = ["https://mp.weixin.qq.com/s/AbCdEf", "https://example.com/a.html"]
refresh = true
"""


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "sources.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def test_good_file(tmp_path: Path):
    feed, sitemap, listing, urls = load_sources(write(tmp_path, GOOD))
    assert feed == Source(name="an outlet's feed", feed="https://example.com/feed.xml", delay=2.0)
    assert sitemap.sitemap == "https://example.org/sitemap.xml"
    assert sitemap.limit == 500
    assert sitemap.delay == 2.0
    assert listing.listing == "https://example.net/news/"
    assert listing.links == "ul.news-list a"
    assert listing.delay == 0.5
    assert urls.urls == ("https://mp.weixin.qq.com/s/AbCdEf", "https://example.com/a.html")
    assert urls.refresh is True
    assert urls.name == "urls"
    assert feed.refresh is False


BAD = {
    "not TOML": ("[[source]\nfeed = 'https://a.example/'", "not valid TOML"),
    "not UTF-8": (b'[[source]]\nname = "\xff\xfe"\nfeed = "https://a.example/"\n', "TOML"),
    "no sources": ("[defaults]\ndelay = 1\n", "no [[source]]"),
    "source is not a table list": ("source = 'https://a.example/'\n", "source"),
    "sources are not tables": ("source = [1, 2]\n", "source"),
    "defaults not a table": (
        "defaults = 3\n[[source]]\nfeed = 'https://a.example/'\n",
        "defaults",
    ),
    "unknown option": (
        "[[source]]\nfeed = 'https://a.example/'\nlimt = 5\n",
        "unknown option limt",
    ),
    "no kind": ("[[source]]\nname = 'x'\n", "exactly one of"),
    "two kinds": (
        "[[source]]\nfeed = 'https://a.example/f'\nsitemap = 'https://a.example/s'\n",
        "exactly one of",
    ),
    "listing without links": ("[[source]]\nlisting = 'https://a.example/'\n", "links"),
    "urls a string": ("[[source]]\nurls = 'https://a.example/'\n", "list of strings"),
    "urls with a number": ("[[source]]\nurls = ['https://a.example/', 3]\n", "list of strings"),
    "not http": ("[[source]]\nfeed = 'ftp://a.example/feed'\n", "not an http(s) URL"),
    "feed not a string": ("[[source]]\nfeed = 5\n", "feed"),
    "limit not a number": ("[[source]]\nfeed = 'https://a.example/'\nlimit = 'ten'\n", "ten"),
    "limit negative": ("[[source]]\nfeed = 'https://a.example/'\nlimit = -1\n", "limit"),
    "delay not a number": ("[[source]]\nfeed = 'https://a.example/'\ndelay = 'slow'\n", "slow"),
    "refresh not a boolean": (
        "[[source]]\nfeed = 'https://a.example/'\nrefresh = 'no'\n",
        "refresh",
    ),
    "delay infinite": ("[[source]]\nfeed = 'https://a.example/'\ndelay = inf\n", "line 3: delay"),
    "delay not a number at all": (
        "[[source]]\nfeed = 'https://a.example/'\n\ndelay = nan\n",
        "line 4: delay",
    ),
    "bad selector": (
        "[[source]]\nname = 'news'\nlisting = 'https://a.example/'\nlinks = 'ul.news a['\n",
        "line 4: links 'ul.news a[' is not a CSS selector",
    ),
    "bad selector in defaults": (
        "[defaults]\nlinks = '>>'\n[[source]]\nlisting = 'https://a.example/'\n",
        "line 2: links '>>' is not a CSS selector",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_file_is_a_one_line_error(tmp_path: Path, case: str):
    text, expected = BAD[case]
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "fifo"])
def test_a_device_or_fifo_is_refused_without_reading_it(tmp_path: Path, device: str):
    if device == "fifo":
        device = str(tmp_path / "sources.fifo")
        os.mkfifo(device)
    with pytest.raises(SourcesError, match="not a regular file"):
        load_sources(device)


def test_a_huge_file_is_refused_at_the_limit(tmp_path: Path):
    path = write(tmp_path, GOOD + "#" * 2000 + "\n")
    with pytest.raises(SourcesError, match="larger than 1000 bytes"):
        load_sources(path, max_bytes=1000)


def test_missing_file(tmp_path: Path):
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "nowhere.toml")


def test_error_names_the_entry_at_fault(tmp_path: Path):
    text = GOOD + "\n[[source]]\nname = 'broken one'\nfeed = 'ftp://x.example/'\n"
    with pytest.raises(SourcesError, match=r"source 5 \(broken one\)"):
        load_sources(write(tmp_path, text))


@pytest.mark.parametrize("case", list(BAD))
def test_cli_exits_2_on_a_bad_file(tmp_path: Path, case: str):
    path = write(tmp_path, BAD[case][0])
    result = CliRunner().invoke(cli, ["crawl", str(tmp_path / "a.db"), "--sources", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    assert not (tmp_path / "a.db").exists()


def test_cli_bad_file_in_a_real_process(tmp_path: Path):
    path = write(tmp_path, "[[source]]\nfeed = 'https://a.example/'\nlimt = 5\n")
    proc = subprocess.run(
        [REPRINTS, "crawl", str(tmp_path / "a.db"), "--sources", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"Error: {path}: source 1 (unnamed): unknown option limt"
    ]
    assert proc.returncode == 2


def test_cli_missing_sources_file_exits_2(tmp_path: Path):
    result = CliRunner().invoke(
        cli, ["crawl", str(tmp_path / "a.db"), "--sources", str(tmp_path / "nowhere.toml")]
    )
    assert result.exit_code == 2, result.output
    assert "cannot read" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["not-a-url"],
        ["--listing", "https://a.example/"],
        ["--listing", "https://a.example/", "--links", "a", "--links", "b"],
        ["--delay", "-1", "https://a.example/"],
        ["--concurrency", "0", "https://a.example/"],
    ],
)
def test_cli_usage_errors_exit_2(tmp_path: Path, args: list[str]):
    result = CliRunner().invoke(cli, ["crawl", str(tmp_path / "a.db"), *args])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    assert "Error" in result.stderr
    assert not (tmp_path / "a.db").exists()


def test_a_bad_links_selector_on_the_command_line_exits_2(tmp_path: Path):
    proc = subprocess.run(
        [REPRINTS, "crawl", str(tmp_path / "a.db"), "--listing", "http://127.0.0.1:9/"]
        + ["--links", "ul a["],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == "Error: --links: links 'ul a[' is not a CSS selector"
    assert not (tmp_path / "a.db").exists()


def test_the_sources_file_is_read_only_up_to_max_bytes(tmp_path: Path):
    path = write(tmp_path, GOOD)
    proc = subprocess.run(
        [REPRINTS, "crawl", str(tmp_path / "a.db"), "--sources", str(path), "--max-bytes", "100"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == f"Error: {path}: larger than 100 bytes; is it a sources file?"
