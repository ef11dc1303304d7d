"""The README stays true: its offline commands run as written, its sources file parses."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.sources import load_sources

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
# Commands that need the network, a server that keeps running, or ../shared are not run here.
NOT_OFFLINE = (
    "crawl", "reprints images", "datasette", "../shared", "bench_", "pip install", "pytest"
)  # fmt: skip
COMMAND = re.compile(r"^ {4}((?:cat \S+ \| )?(?:reprints|sqlite-utils) .*?)(?:\s{2,}#.*)?$")


def readme_commands() -> list[str]:
    """The commands shown in the README's indented code blocks that run offline."""
    commands = []
    for line in README.splitlines():
        match = COMMAND.match(line)
        if match and not any(word in match.group(1) for word in NOT_OFFLINE):
            commands.append(match.group(1).strip())
    return commands


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder where the README's relative paths resolve, and articles.db is imported."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "tests").symlink_to(ROOT / "tests")
    subprocess.run(
        [BIN / "reprints", "import", "articles.db", "tests/cleaners/pages"], cwd=folder, check=True
    )
    return folder


def test_the_readme_has_commands_to_check():
    commands = readme_commands()
    assert any(c.startswith("reprints clean") for c in commands)
    assert any(c.startswith("reprints search") for c in commands)
    assert any(c.startswith("sqlite-utils") for c in commands)


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs(command: str, workdir: Path):
    words = command.replace("reprints ", f"{BIN / 'reprints'} ", 1)
    words = words.replace("sqlite-utils ", f"{BIN / 'sqlite-utils'} ", 1)
    proc = subprocess.run(words, shell=True, cwd=workdir, capture_output=True, text=True)
    assert proc.returncode == 0, f"{command}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    quiet = (
        "import",
        "merge",
        "reclean",
        "learn",
        "link",
        "--format markdown",
        "--out",
        "--warc",
        "--wacz",
    )
    assert proc.stdout.strip() or any(word in command for word in quiet)


def test_readme_sources_file_parses(tmp_path: Path):
    block = re.search(r"```toml\n(.*?)```", README, re.S)
    assert block, "the README shows a sources file"
    path = tmp_path / "sources.toml"
    path.write_text(block.group(1), encoding="utf-8")
    sources = load_sources(path)
    assert {s.feed or s.sitemap or s.listing or s.urls[0] for s in sources}
    assert len(sources) == 4


def test_readme_commands_are_shell_words():
    for command in readme_commands():
        assert shlex.split(command)


@pytest.mark.parametrize("name", ["blurb.toml", "portal.toml"])
def test_readme_rule_examples_are_the_files_its_commands_use(name: str):
    shown = re.search(rf"\(`tests/rules/{name}`\):\n\n```toml\n(.*?)```", README, re.S)
    assert shown, f"the README shows tests/rules/{name}"
    assert shown.group(1) == (ROOT / "tests" / "rules" / name).read_text(encoding="utf-8")
