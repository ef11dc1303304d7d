"""Translations found in bulk (one pass over the credited names) are those linking article by
article finds, and the SQL work of a rebuild grows linearly with the reprints of one source in
one language, which never need comparing with each other."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import db
from db.schema import transaction

COLUMNS = (
    "id, url, status, title, account, account_id, author, source, source_account_id, "
    "published, language, body, content_hash, version, first_seen, last_seen, updated_at"
)
SEEN = "2024-03-01T00:00:00+00:00"
NAMES = ("Ada Lovelace", "Grace Hopper", "Linux", "Raspberry Pi", "Hong Kong")


def han(draw: random.Random, length: int) -> str:
    return "".join(chr(0x4E00 + draw.randrange(3000)) for _ in range(length))


def article(number: int, draw: random.Random) -> tuple:
    """One invented article: a work's numbers and names (its anchors), text of its own, in one
    of several languages, crediting one of a few accounts or none, now and then deleted or
    empty."""
    work = random.Random(f"work-{draw.randrange(60)}")
    anchors = [str(work.randrange(10**6)) for _ in range(5)] + work.sample(NAMES, 2)
    status = "deleted" if draw.random() < 0.05 else "ok"
    body = "" if draw.random() < 0.03 else f"{' '.join(anchors)} {han(draw, 120)}"
    published = f"2024-0{1 + work.randrange(3)}-{1 + work.randrange(20) + draw.randrange(3):02d}"
    return (
        number,
        f"https://example.com/{number}",
        status,
        f"title {number}",
        f"account-{draw.randrange(12)}",
        draw.choice([None, f"gh_{draw.randrange(12)}"]),
        draw.choice([None, "张三", "Jane Doe"]),
        draw.choice([None, "", f"account-{work.randrange(12)}", "popular source"]),
        draw.choice([None, None, f"gh_{work.randrange(12)}"]),
        draw.choice([None, f"{published}T08:00:00+08:00"]),
        draw.choices(["zh-Hans", "zh-Hant", "en", "ja", None], [60, 10, 12, 12, 6])[0],
        body if status == "ok" else None,
        hashlib.sha256(f"{number} {body}".encode()).hexdigest(),
        1,
        SEEN,
        SEEN,
        SEEN,
    )


def insert(store, rows: list[tuple]) -> None:
    marks = ", ".join("?" * len(rows[0]))
    with transaction(store):
        store.conn.executemany(f"INSERT INTO articles ({COLUMNS}) VALUES ({marks})", rows)


def translations(store) -> set[tuple]:
    query = "SELECT small, large, round(jaccard, 9) FROM copy_edges WHERE kind = 'translation'"
    return set(store.execute(query).fetchall())


def test_bulk_translations_are_those_found_article_by_article(tmp_path: Path):
    draw = random.Random(5)
    rows = [article(number, draw) for number in range(1, 601)]
    bulk = db.open_database(tmp_path / "bulk.db")
    insert(bulk, rows)
    db.link(bulk)
    stepwise = db.open_database(tmp_path / "stepwise.db")
    insert(stepwise, rows[:100])
    db.link(stepwise)
    for start in range(100, len(rows), 50):
        insert(stepwise, rows[start : start + 50])
        db.link(stepwise, [row[0] for row in rows[start : start + 50]])
    found = translations(bulk)
    assert len(found) >= 100, "the articles have translations to find"
    assert found == translations(stepwise)


def sql_steps_of_a_rebuild(path: Path, reprints: int) -> int:
    """SQLite's virtual machine steps (in thousands) that rebuilding takes when `reprints`
    articles in one language credit one source."""
    draw = random.Random(1)
    rows = [
        (n, f"https://example.com/{n}", "ok", f"title {n}", f"account-{n % 50}", None, None,
         "popular source", None, None, "zh-Hans", han(draw, 100), f"{n:064x}", 1, SEEN, SEEN,
         SEEN)
        for n in range(1, reprints + 1)
    ]  # fmt: skip
    store = db.open_database(path)
    insert(store, rows)
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.conn.set_progress_handler(count, 1000)
    db.link(store)
    store.conn.set_progress_handler(None, 0)
    return steps[0]


def test_reprints_of_one_source_cost_a_rebuild_linear_sql_work(tmp_path: Path):
    """Looking up each article's credits in turn made this quadratic (3.8 times the steps for
    twice the reprints); the pass over credited names keeps it about twice."""
    small = sql_steps_of_a_rebuild(tmp_path / "small.db", 500)
    large = sql_steps_of_a_rebuild(tmp_path / "large.db", 1000)
    assert large / small < 2.5, (small, large)
