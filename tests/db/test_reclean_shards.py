"""Reclean across machines: copies recleaned by share (`--shard I/N`) and merged back give the
database one serial reclean gives; the README's Dask recipe does it on a local cluster."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from db_helpers import BIN, CHANGING_RULE, import_pages, reprints, rows

PAGES = Path(__file__).resolve().parents[1] / "cleaners" / "pages"
README = Path(__file__).resolve().parents[2] / "README.md"
# What a reclean writes, by natural keys (ids and times differ between the two ways).
CONTENT = {
    "articles": "SELECT url, status, title, body, body_markdown, content_hash, version, "
    "snapshot, cleaner_version FROM articles ORDER BY url",
    "article_versions": "SELECT url, version, content_hash, body, snapshot FROM article_versions "
    "ORDER BY url, version",
    "removals": "SELECT a.url, r.version, r.position, r.kind, r.rule, r.text FROM removals r "
    "JOIN articles a ON a.id = r.article_id ORDER BY a.url, r.version, r.position",
    "search": "SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
    "ORDER BY a.url",
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shards") / "articles.db"
    assert import_pages(path, PAGES).returncode in (0, 1)
    return path


@pytest.fixture
def user_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rule, in force for every command started (REPRINTS_RULES), and `reprints` on PATH."""
    rule = tmp_path / "rule.toml"
    rule.write_text(CHANGING_RULE, encoding="utf-8")
    monkeypatch.setenv("REPRINTS_RULES", str(rule))
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return rule


def serial(imported: Path, folder: Path) -> Path:
    path = folder / "serial.db"
    shutil.copy(imported, path)
    done = reprints("reclean", path)
    assert done.returncode == 0, done.stderr
    return path


def content(path: Path) -> dict[str, list[dict]]:
    return {name: rows(path, sql) for name, sql in CONTENT.items()}


def test_shares_recleaned_apart_and_merged_equal_one_reclean(
    imported: Path, tmp_path: Path, user_rule: Path
):
    copies = []
    for index in (1, 2, 3):
        copy = tmp_path / f"share-{index}.db"
        shutil.copy(imported, copy)
        assert reprints("reclean", copy, "--shard", f"{index}/3").returncode == 0
        copies.append(copy)
    target = tmp_path / "articles.db"
    shutil.copy(imported, target)
    done = reprints("merge", target, *copies)
    assert done.returncode == 0, done.stderr
    expected = content(serial(imported, tmp_path))
    assert len(expected["article_versions"]) >= 5, "the rule changes several articles"
    assert content(target) == expected


def test_the_readme_dask_recipe_gives_the_serial_reclean(
    imported: Path, tmp_path: Path, user_rule: Path
):
    pytest.importorskip("distributed", reason="the Dask recipe needs dask[distributed]")
    recipe = re.search(r"\*\*A batch engine\.\*\*.*?```python\n(.*?)```", README.read_text(), re.S)
    assert recipe, "the README shows the recipe"
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(imported, work / "articles.db")
    (work / "recipe.py").write_text(recipe.group(1), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "recipe.py"], cwd=work, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(list(work.glob("share-*.db"))) == 4
    assert content(work / "articles.db") == content(serial(imported, tmp_path))


def test_a_reclean_in_the_same_second_as_the_import_is_the_later_version(
    imported: Path, tmp_path: Path, user_rule: Path
):
    """Times have seconds only: a shard recleaned within the second of the import that
    filled the target is still later, since its history holds the target's version."""
    shard = tmp_path / "shard.db"
    shutil.copy(imported, shard)
    assert reprints("reclean", shard).returncode == 0
    with sqlite3.connect(imported) as source, sqlite3.connect(shard) as conn:
        when = dict(source.execute("SELECT url, updated_at FROM articles"))
        conn.executemany(
            "UPDATE articles SET updated_at = ? WHERE url = ?", [(t, u) for u, t in when.items()]
        )
    target = tmp_path / "articles.db"
    shutil.copy(imported, target)
    assert reprints("merge", target, shard).returncode == 0
    assert content(target) == content(serial(imported, tmp_path))


@pytest.mark.parametrize("seed", ["0", "1"])
def test_a_reclean_started_in_the_same_second_as_the_import_sets_the_rules(
    imported: Path, tmp_path: Path, user_rule: Path, seed: str
):
    """An article the reclean left as it was takes the reclean's rules, though both runs
    started in the same second; whatever order the process hashes the two versions in."""
    shard = tmp_path / "shard.db"
    shutil.copy(imported, shard)
    assert reprints("reclean", shard).returncode == 0
    with sqlite3.connect(shard) as conn:
        conn.execute("UPDATE runs SET started = (SELECT min(started) FROM runs)")
    target = tmp_path / "articles.db"
    shutil.copy(imported, target)
    merged = reprints("merge", target, shard, env={**os.environ, "PYTHONHASHSEED": seed})
    assert merged.returncode == 0, merged.stderr
    rules = rows(target, "SELECT DISTINCT cleaner_version FROM articles")
    assert rules == rows(shard, "SELECT DISTINCT cleaner_version FROM articles")
    assert content(target) == content(serial(imported, tmp_path))
