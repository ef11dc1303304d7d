"""A crawl applies the rules already learned for a page's source, and a user's --rules.

One invented source (灯塔夜读) served on 127.0.0.1: six articles crawled and learned from, then a
seventh crawled with what was learned.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from server import REPRINTS, TestServer, crawl, rows

SLOGAN = "每一盏灯下，都有一个认真读书的人，我们下周同一时间再见。"
PLACES = ["图书馆", "旧书店", "自习室", "阅览室", "书房", "报刊亭", "借阅处"]


def article(i: int) -> bytes:
    place = PLACES[i]
    text = [
        f"第{i}个故事发生在城东的{place}，那里每天晚上都亮着一盏灯，直到凌晨两点才熄灭。",
        f"在{place}值班的人换了好几茬，每一位都留下了自己的习惯和一本写满字的登记簿。",
        f"后来{place}要搬迁了，常来的人自发组织起来，把书一箱一箱地搬到了新的地方。",
    ]
    body = "".join(f"<p>{p}</p>" for p in [*text, SLOGAN])
    title = f"{place}里的夜晚"
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        '<meta property="og:site_name" content="灯塔夜读"></head><body><article>'
        f"<h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def body(db_path: Path, url: str) -> str:
    return rows(db_path, "SELECT body FROM articles WHERE url = ?", [url])[0][0]


def test_a_crawl_cleans_with_the_rules_learned_for_the_source(
    server: TestServer, db_path: Path
) -> None:
    urls = [server.page(f"/p/{i}.html", article(i)) for i in range(6)]
    assert crawl(db_path, *urls).returncode == 0
    assert SLOGAN in body(db_path, urls[0])
    learned = subprocess.run(
        [REPRINTS, "learn", str(db_path)], capture_output=True, text=True, timeout=60
    )
    assert learned.returncode == 0, learned.stderr
    later = server.page("/p/6.html", article(6))
    result = crawl(db_path, later)
    assert result.returncode == 0, result.stderr
    assert SLOGAN not in body(db_path, later)
    assert PLACES[6] in body(db_path, later)
    removed = rows(
        db_path,
        "SELECT removals.rule FROM removals JOIN articles ON articles.id = article_id "
        "WHERE articles.url = ? AND removals.text = ?",
        [later, SLOGAN],
    )
    assert [rule for (rule,) in removed][0].startswith("learned:灯塔夜读:")


def test_a_crawl_takes_the_users_rules(server: TestServer, db_path: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[boilerplate]]\nname = "my.slogan"\nkind = "blurb"\npattern = \'^每一盏灯下\'\n', "utf-8"
    )
    url = server.page("/p/0.html", article(0))
    assert crawl(db_path, url, "--rules", str(mine)).returncode == 0
    assert SLOGAN not in body(db_path, url)
    version = rows(db_path, "SELECT cleaner_version FROM runs ORDER BY id DESC LIMIT 1")[0][0]
    assert version == rows(db_path, "SELECT cleaner_version FROM articles")[0][0]
