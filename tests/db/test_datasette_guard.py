"""The Datasette plugin acts only on databases that reprints made, on a supported Datasette."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from datasette.app import Datasette  # noqa: E402
from datasette.plugins import pm  # noqa: E402
from datasette.version import __version__ as installed_datasette  # noqa: E402

import db  # noqa: E402
from db import datasette_plugin as plugin  # noqa: E402
from db.schema import SCHEMA_VERSION, migrate  # noqa: E402

# Look-alike tables: the names reprints uses, other columns.
LOOK_ALIKE_SQL = """
CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE articles (id INTEGER PRIMARY KEY, headline TEXT, body TEXT);
CREATE TABLE snapshots (id INTEGER PRIMARY KEY, content BLOB);
CREATE TABLE fetches (id INTEGER PRIMARY KEY, note TEXT);
CREATE TABLE removals (id INTEGER PRIMARY KEY, why TEXT);
INSERT INTO runs VALUES (1, 'nightly');
INSERT INTO articles VALUES (1, 'Headline', 'first

second');
INSERT INTO snapshots VALUES (1, x'00ff');
INSERT INTO fetches VALUES (1, 'a note');
INSERT INTO removals VALUES (1, 'because');
"""
LOOK_ALIKE_PAGES = [
    "/look",
    *(f"/look/{table}{suffix}" for table in plugin.REQUIRED_COLUMNS for suffix in ("", ".json")),
    *(f"/look/{table}/1{suffix}" for table in plugin.REQUIRED_COLUMNS for suffix in ("", ".json")),
]
TIMING = re.compile(r"took [\d.]+ms")


def get(ds: Datasette, path: str, **params: Any):
    """GET a page from Datasette's in-process client."""
    return asyncio.run(ds.client.get(path, params=params or None))


def look_alike(path: Path, user_version: int) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(LOOK_ALIKE_SQL)
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return path


def reprints_db(path: Path, version: int = SCHEMA_VERSION) -> Path:
    """A database made by reprints at a schema version, with one run and one article."""
    if version == SCHEMA_VERSION:
        store = db.open_database(path)
    else:
        store = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
        migrate(store, target=version)
    run_id = db.start_run(store, "import", ["pages"])
    store["articles"].insert(
        {"url": "file:///a.html", "status": "ok", "title": "标题", "body": "一\n\n二"}
        | {"account": "号", "published": "2024-01-01", "run_id": run_id}
    )
    store.conn.close()
    return path


@contextlib.contextmanager
def without_plugin() -> Iterator[None]:
    """Datasette as it is with the reprints plugin unregistered."""
    module = pm.unregister(name="reprints")
    try:
        yield
    finally:
        pm.register(module, name="reprints")


def features(ds: Datasette, name: str) -> dict[str, Any]:
    """What the plugin adds to a database: metadata, sorting, facets, descriptions, CSS."""
    meta = get(ds, "/-/metadata.json").json().get("databases", {}).get(name, {})
    data = get(ds, f"/{name}/articles.json").json()
    page = get(ds, f"/{name}/articles").text
    return {
        "metadata": bool(meta),
        "queries": sorted(meta.get("queries", {})),
        "sorted": data.get("human_description_en") or "",
        "facets": sorted(data.get("facet_results", {})),
        "description": "One row per article URL" in page,
        "css": plugin.CSS_PATH in page,
    }


NONE = {
    "metadata": False,
    "queries": [],
    "sorted": "",
    "facets": [],
    "description": False,
    "css": False,
}


@pytest.mark.parametrize("user_version", [0, SCHEMA_VERSION])
def test_look_alike_database_answers_200_as_datasette_shows_it(
    tmp_path: Path, user_version: int
) -> None:
    ds = Datasette([str(look_alike(tmp_path / "look.db", user_version))])
    seen = {path: get(ds, path) for path in LOOK_ALIKE_PAGES}
    assert {path: r.status_code for path, r in seen.items()} == dict.fromkeys(seen, 200)
    assert features(ds, "look") == NONE
    assert get(ds, "/look/search").status_code == 404
    with without_plugin():
        plain = {path: get(ds, path) for path in LOOK_ALIKE_PAGES}
    for path, response in seen.items():
        if path.endswith(".json"):
            ours, theirs = response.json(), plain[path].json()
            ours.pop("query_ms", None), theirs.pop("query_ms", None)
            assert ours == theirs, path
        else:
            assert TIMING.sub("", response.text) == TIMING.sub("", plain[path].text), path


def test_reprints_database_gets_the_features(tmp_path: Path) -> None:
    ds = Datasette([str(reprints_db(tmp_path / "articles.db"))])
    assert features(ds, "articles") == {
        "metadata": True,
        "queries": [
            "copies",
            "most_republished",
            "per_source",
            "recent",
            "republications",
            "search",
        ],
        "sorted": "sorted by published descending",
        "facets": ["account", "author", "source", "status"],
        "description": True,
        "css": True,
    }
    assert get(ds, "/articles/search.json", q="标题").status_code == 200


def test_older_reprints_schema_gets_the_features_it_can_run(tmp_path: Path) -> None:
    ds = Datasette([str(reprints_db(tmp_path / "v1.db", version=1))])
    found = features(ds, "v1")
    assert (
        found["metadata"]
        and found["facets"]
        and found["sorted"] == "sorted by published descending"
    )
    assert found["queries"] == ["per_source", "recent"]  # no articles_fts before version 2
    assert get(ds, "/v1/recent.json").status_code == 200


@pytest.mark.parametrize("user_version", [0, SCHEMA_VERSION + 1, 77])
def test_reprints_tables_with_another_user_version_are_left_alone(
    tmp_path: Path, user_version: int
) -> None:
    path = reprints_db(tmp_path / "other.db")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.close()
    ds = Datasette([str(path)])
    assert features(ds, "other") == NONE
    assert get(ds, "/other/runs").status_code == 200


def test_only_the_reprints_database_of_several_is_touched(tmp_path: Path) -> None:
    ours = reprints_db(tmp_path / "articles.db")
    ds = Datasette([str(ours), str(look_alike(tmp_path / "look.db", SCHEMA_VERSION))])
    assert features(ds, "articles")["metadata"]
    assert features(ds, "look") == NONE
    assert "title" not in get(ds, "/-/metadata.json").json()


def test_a_file_that_becomes_a_reprints_database_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "later.db"
    sqlite3.connect(path).close()
    ds = Datasette([str(path)])
    assert get(ds, "/-/metadata.json").json() == {}
    reprints_db(path)
    assert features(ds, "later")["metadata"]


def test_pyproject_pins_the_supported_datasette_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [dep for dep in project["dependencies"] if dep.startswith("datasette")]
    assert pins == [plugin.DATASETTE_REQUIREMENT]
    assert plugin.supported_datasette(installed_datasette), installed_datasette


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        ("0.64.8", False),
        ("0.65", True),
        ("0.65.5", True),
        ("0.99.1", True),
        ("1.0a0", False),
        ("1.0a41", False),
        ("1.0", False),
        ("unknown", False),
    ],
)
def test_supported_datasette_versions(version: str, supported: bool) -> None:
    assert plugin.supported_datasette(version) is supported


def test_unsupported_datasette_is_reported_at_startup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plugin, "datasette_version", "1.0a41")
    asyncio.run(Datasette([str(tmp_path / "x.db")]).invoke_startup())
    err = capsys.readouterr().err
    assert err.startswith("Warning: Datasette 1.0a41, reprints plugin:")
    assert err.count("\n") == 1 and plugin.DATASETTE_REQUIREMENT in err
    monkeypatch.setattr(plugin, "datasette_version", installed_datasette)
    asyncio.run(Datasette([str(tmp_path / "y.db")]).invoke_startup())
    assert capsys.readouterr().err == ""
