"""`reprints merge DB SHARD...`: shards crawled from a real server on 127.0.0.1 merge into
the database one crawl of the same pages makes; merging again, or after a kill, adds only
what is missing; a URL both shards hold keeps both versions, the later current; a shard that
cannot be read, or is damaged inside, is reported and the others are merged."""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from server import REPRINTS, TestServer, article_html, crawl, kill_when_counted, rows
from test_images import LOCAL, image_route, page_with_images, png

PAGES = 300
BATCH = 40  # rows to a transaction in the kill test: many batches, so a kill lands between
WITH_IMAGES = 3
WORDS = [
    "river",
    "harbour",
    "lantern",
    "archive",
    "winter",
    "orchard",
    "ledger",
    "signal",
    "meadow",
    "copper",
    "island",
    "thunder",
    "garden",
    "village",
    "market",
    "letter",
    "bridge",
    "forest",
    "candle",
    "mirror",
    "station",
    "valley",
]

# What a crawl stores, by natural keys (not ids, not the times of the crawl).
CONTENT = {
    "articles": "SELECT url, status, title, author, body, body_markdown, content_hash, "
    "snapshot, version, images FROM articles ORDER BY url",
    "snapshots": "SELECT sha256, bytes FROM snapshots ORDER BY sha256",
    "fetches": "SELECT url, status_code, sha256, page_status FROM fetches ORDER BY url, id",
    "removals": "SELECT a.url, r.version, r.position, r.kind, r.rule, r.text FROM removals r "
    "JOIN articles a ON a.id = r.article_id ORDER BY a.url, r.version, r.position",
    "article_images": "SELECT a.url, i.position, i.url, i.state, i.sha256 FROM article_images i "
    "JOIN articles a ON a.id = i.article_id ORDER BY a.url, i.position",
    "image_files": "SELECT sha256, content_type FROM image_files ORDER BY sha256",
    "search": "SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
    "ORDER BY a.url",
    "works": "SELECT group_concat(url, ' ') FROM (SELECT work_id, url FROM articles "
    "WHERE work_id IS NOT NULL ORDER BY url) GROUP BY work_id ORDER BY 1",
}
# The same, with when things were fetched: one merge against another of the same shards.
EXACT = {
    **CONTENT,
    "fetches": "SELECT url, fetched_at, last_seen, status_code, sha256 FROM fetches "
    "ORDER BY url, fetched_at",
    "runs": "SELECT command, started, pid, arguments, status FROM runs "
    "WHERE command != 'merge' ORDER BY started, pid",
}


COUNT = "SELECT count(*) FROM articles"


def content(db: Path, queries: dict[str, str] = CONTENT) -> dict[str, list[tuple]]:
    return {name: rows(db, sql) for name, sql in queries.items()}


def merge(target: Path, *args: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [REPRINTS, "merge", str(target), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def distinct_page(n: int) -> bytes:
    """An article page whose text is its own (pages that share their text are copies)."""
    pick = random.Random(n).choices
    text = " ".join(pick(WORDS, k=60))
    return article_html(n, text)


def serve_pages(server: TestServer) -> list[str]:
    """The pages (a few with images, one a copy of another) and their URLs."""
    urls = [server.page(f"/p/{n}.html", distinct_page(n)) for n in range(PAGES)]
    urls.append(server.page("/copy.html", distinct_page(7)))
    for n in range(WITH_IMAGES):
        image = image_route(server, f"/img/{n}.png", png(n))
        urls.append(server.page(f"/i/{n}.html", page_with_images(f"Figures {n}", [image])))
    return urls


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One crawl of every page, and two shards that crawled half each."""
    folder = tmp_path_factory.mktemp("merge")
    server = TestServer().start()
    try:
        urls = serve_pages(server)
        made = {}
        for name, share in (("single", urls), ("a", urls[0::2]), ("b", urls[1::2])):
            sources = folder / f"{name}.toml"
            listed = ", ".join(f'"{url}"' for url in share)
            sources.write_text(f'[[source]]\nname = "pages"\nurls = [{listed}]\n', "utf-8")
            made[name] = folder / f"{name}.db"
            done = crawl(made[name], "--sources", str(sources), "--images", *LOCAL, timeout=600)
            assert done.returncode == 0, done.stderr
        return made
    finally:
        server.stop()


def test_merged_shards_equal_one_crawl_of_the_same_pages(crawled, tmp_path: Path):
    target = tmp_path / "merged.db"
    done = merge(target, crawled["a"], crawled["b"])
    assert done.returncode == 0 and done.stderr == "", done.stderr
    merged, single = content(target), content(crawled["single"])
    for table, found in merged.items():
        assert found == single[table], table
    assert len(merged["articles"]) == PAGES + 1 + WITH_IMAGES
    assert len(merged["image_files"]) == WITH_IMAGES
    copy = [work for (work,) in merged["works"] if "/copy.html" in work]
    assert copy and "/p/7.html" in copy[0], "the copy is linked to its original"


def test_merging_again_adds_nothing(crawled, tmp_path: Path):
    target = tmp_path / "merged.db"
    assert merge(target, crawled["a"], crawled["b"]).returncode == 0
    first = content(target, EXACT)
    again = merge(target, crawled["b"], crawled["a"])
    assert again.returncode == 0, again.stderr
    assert content(target, EXACT) == first
    commands = rows(target, "SELECT command, new, updated FROM runs ORDER BY id")
    assert commands[-1] == ("merge", 0, 0)


def test_a_merge_killed_mid_way_is_finished_by_the_next(crawled, tmp_path: Path):
    whole = tmp_path / "whole.db"
    assert merge(whole, crawled["a"], crawled["b"]).returncode == 0
    target = tmp_path / "killed.db"
    shards = [str(crawled["a"]), str(crawled["b"]), "--batch", str(BATCH)]
    kill_when_counted([REPRINTS, "merge", str(target), *shards], target, COUNT, BATCH, 120)
    assert BATCH <= rows(target, COUNT)[0][0] < PAGES
    resumed = merge(target, *shards)
    assert resumed.returncode == 0, resumed.stderr
    assert content(target, EXACT) == content(whole, EXACT)


def test_a_url_in_both_shards_keeps_both_versions_the_later_current(
    server: TestServer, tmp_path: Path
):
    url = server.page("/news.html", article_html("first"))
    early, late = tmp_path / "early.db", tmp_path / "late.db"
    assert crawl(early, url, *LOCAL).returncode == 0
    time.sleep(1.1)  # fetch times are kept to the second
    server.page("/news.html", article_html("second"))
    assert crawl(late, url, *LOCAL).returncode == 0
    for order in ((early, late), (late, early)):
        target = tmp_path / f"{order[0].stem}-first.db"
        assert merge(target, *order).returncode == 0
        (current,) = rows(target, "SELECT title, version FROM articles")
        (kept,) = rows(target, "SELECT title, version, replaced_by_run FROM article_versions")
        assert current[0] == "Test article second" and kept[0] == "Test article first"
        assert {current[1], kept[1]} == {1, 2}, "numbered in the order they were merged"
        assert kept[2] is not None, "the run that replaced it"
        assert merge(target, *order).returncode == 0
        assert rows(target, "SELECT count(*) FROM article_versions") == [(1,)], "merged once"


def test_a_bad_shard_is_reported_and_the_others_merged(server: TestServer, tmp_path: Path):
    good = tmp_path / "good.db"
    assert crawl(good, server.page("/ok.html", article_html("ok")), *LOCAL).returncode == 0
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100, encoding="utf-8")
    target = tmp_path / "merged.db"
    done = merge(target, text, good)
    assert done.returncode == 1
    assert f"failed {text}:" in done.stderr and "Traceback" not in done.stderr
    assert rows(target, "SELECT title FROM articles") == [("Test article ok",)]
    itself = merge(target, target)
    assert itself.returncode == 1 and "being merged into" in itself.stderr


def damage(path: Path, table: str) -> None:
    """Overwrite the leaf pages of `table` in the file at `path` (the file still opens)."""
    ((size,),) = rows(path, "PRAGMA page_size")
    leaves = rows(path, "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", [table])
    assert leaves, f"{table} has leaf pages to damage"
    with path.open("r+b") as file:
        for (page,) in leaves:
            file.seek((page - 1) * size)
            file.write(b"\xff" * size)


def test_a_shard_damaged_inside_is_reported_as_that_shard(crawled, tmp_path: Path):
    broken = tmp_path / "broken.db"
    shutil.copy(crawled["a"], broken)
    damage(broken, "articles")
    target = tmp_path / "merged.db"
    done = merge(target, broken, crawled["b"])
    assert done.returncode == 1, done.stderr
    assert f"failed {broken}: damaged (database disk image is malformed)" in done.stderr
    assert ".recover" in done.stderr and "Traceback" not in done.stderr
    assert rows(target, COUNT) == rows(crawled["b"], COUNT), "the other shard is merged"
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]


def test_an_older_shard_is_migrated_first(server: TestServer, tmp_path: Path):
    shard = tmp_path / "old.db"
    assert crawl(shard, server.page("/old.html", article_html("old")), *LOCAL).returncode == 0
    conn = sqlite3.connect(shard)
    conn.execute("PRAGMA user_version = 8")
    conn.execute("DROP TABLE archive_records")
    conn.close()
    target = tmp_path / "merged.db"
    done = merge(target, shard)
    assert done.returncode == 0, done.stderr
    assert rows(target, "SELECT title FROM articles") == [("Test article old",)]
    copy = tmp_path / "copy.db"
    shutil.copy(target, copy)
    assert merge(copy, shard).returncode == 0
    assert content(copy, EXACT) == content(target, EXACT)
