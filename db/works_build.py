"""Works from copy edges: the connected copies, each work with its original and every copy's
role. A page that holds parts of two or more texts that are not copies of each other (a
digest, a compilation) links none of them: its `part` edges are left out of the works.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import sqlite_utils

from .works_edges import MAX_PARAMETERS, EdgeKind, by_ids
from .works_original import choose_original, role_of

MEMBER_COLUMNS = (
    "articles.id, title, account, account_id, source, source_account_id, published, "
    "language, is_original, reader, first_seen, work_id, coalesce(fingerprints.shingles, 0) "
    "AS shingles"
)
MEMBERS = (
    f"SELECT {MEMBER_COLUMNS} FROM articles LEFT JOIN fingerprints ON "
    "fingerprints.article_id = articles.id WHERE articles.status = 'ok' AND "
    "articles.id IN ({marks})"
)


def rebuild_works(db: sqlite_utils.Database, touched: set[int]) -> int:
    """Recompute the works of every article connected to `touched`; the works written."""
    nodes, edges = _neighbourhood(db, touched)
    members = {m["id"]: m for m in by_ids(db, MEMBERS, nodes)}
    old_works = {m["work_id"] for m in members.values() if m["work_id"]}
    claimed: set[int] = set()
    for component in components(members, valid_edges(edges)):
        claimed.add(work_for(db, [members[i] for i in component], claimed))
    for stale in old_works - claimed:
        if not db.execute("SELECT 1 FROM articles WHERE work_id = ?", [stale]).fetchone():
            db.execute("DELETE FROM works WHERE id = ?", [stale])
    return len(claimed)


def _neighbourhood(
    db: sqlite_utils.Database, start: set[int]
) -> tuple[set[int], list[tuple[int, int, str]]]:
    """Every article connected to `start` by copy edges, and those edges."""
    nodes, frontier = set(start), set(start)
    edges: set[tuple[int, int, str]] = set()
    while frontier:
        batch = sorted(frontier)[:MAX_PARAMETERS]
        frontier -= set(batch)
        marks = ", ".join("?" * len(batch))
        for small, large, kind in db.execute(
            f"SELECT small, large, kind FROM copy_edges "
            f"WHERE small IN ({marks}) OR large IN ({marks})",
            batch + batch,
        ):
            edges.add((small, large, kind))
            for node in (small, large):
                if node not in nodes:
                    nodes.add(node)
                    frontier.add(node)
    return nodes, sorted(edges)


def valid_edges(edges: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """The edges works are made of: a page that holds parts of two texts that are not copies
    of each other (a digest) is linked to neither."""
    joined = {frozenset((a, b)) for a, b, _ in edges}
    digests = compilations(
        part_texts(edges),
        lambda smalls: all(
            frozenset((a, b)) in joined for i, a in enumerate(smalls) for b in smalls[i + 1 :]
        ),
    )
    return list(without_digest_parts(edges, digests))


def part_texts(edges: Iterable[tuple[int, int, str]]) -> dict[int, list[int]]:
    """Each page that holds parts of other texts, with those texts, from its `part` edges."""
    parts: dict[int, list[int]] = defaultdict(list)
    for small, large, kind in edges:
        if kind == EdgeKind.PART:
            parts[large].append(small)
    return parts


def without_digest_parts(
    edges: Iterable[tuple[int, int, str]], digests: set[int]
) -> Iterator[tuple[int, int]]:
    """The ends of `edges`, less the part edges of the `digests`."""
    return (
        (small, large)
        for small, large, kind in edges
        if not (kind == EdgeKind.PART and large in digests)
    )


def compilations(parts: dict[int, list[int]], all_joined: Callable[[list[int]], bool]) -> set[int]:
    """Of the pages in `parts` (each with the texts it holds parts of), those that hold parts
    of two texts that are not copies of each other (digests): whose texts `all_joined` does
    not find to be copies of each other, every two of them."""
    return {large for large, smalls in parts.items() if len(smalls) > 1 and not all_joined(smalls)}


def components(nodes: Iterable[int], edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The connected groups of `nodes` (each sorted), in the order of their lowest node."""
    parent = {node: node for node in nodes}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for node in sorted(parent):
        groups[root(node)].append(node)
    return list(groups.values())


def work_for(db: sqlite_utils.Database, members: list[dict[str, Any]], claimed: set[int]) -> int:
    """Write the work of these copies (keeping a work id one of them had); its id."""
    original_id, rule = choose_original(members)
    original = next(m for m in members if m["id"] == original_id)
    published = sorted(m["published"] for m in members if m["published"])
    values = [
        original_id,
        rule.value,
        original["title"],
        len(members),
        published[0] if published else None,
        published[-1] if published else None,
    ]
    existing = sorted({m["work_id"] for m in members if m["work_id"]} - claimed)
    if existing:
        work_id = existing[0]
        db.execute(
            "UPDATE works SET original_article_id = ?, original_rule = ?, title = ?, copies = ?, "
            "first_published = ?, last_published = ? WHERE id = ?",
            [*values, work_id],
        )
    else:
        work_id = db.execute(
            "INSERT INTO works (original_article_id, original_rule, title, copies, "
            "first_published, last_published) VALUES (?, ?, ?, ?, ?, ?)",
            values,
        ).lastrowid
    db.conn.executemany(
        "UPDATE articles SET work_id = ?, copy_role = ? WHERE id = ?",
        [(work_id, role_of(member, original).value, member["id"]) for member in members],
    )
    return work_id
