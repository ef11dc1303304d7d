"""The public surface of `cleaners`, the Article record, the errors, and package boundaries."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# pytest puts tests/ first on sys.path for this file, and tests/cleaners/ (no __init__.py)
# would then be imported as an empty namespace package called `cleaners`.
sys.path.insert(0, str(ROOT))

import cleaners  # noqa: E402

PUBLIC = {
    "FIELDS",
    "MAX_PAGE_BYTES",
    "STATUSES",
    "Article",
    "CleanerError",
    "Credit",
    "LearnedRule",
    "NotAPage",
    "PageTooLarge",
    "Place",
    "Removal",
    "RuleError",
    "Rules",
    "clean",
    "cleaner_version",
    "find_credits",
    "load_rules",
    "parse_credits",
    "source_key",
}
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

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>夜班车</title>
<script>var msg_title = '夜班车'; var nickname = "慢行笔记"; var ct = "1715552100";
var msg_link = "http://mp.weixin.qq.com/s?__biz=MzA5&amp;mid=1&amp;idx=1";</script></head>
<body><div id="js_article"><div id="img-content">
<h1 class="rich_media_title" id="activity-name">夜班车</h1><a id="js_name">慢行笔记</a>
<div class="rich_media_content" id="js_content">
<p>作者：林木</p>
<p>晚上十一点以后，城市里的大多数公交线路都停运了，只剩下几条夜班车在主干道上来回穿行。</p>
<p>乘客里最多的是刚下班的餐馆服务员和医院护士，其次是赶早班火车的外地人和夜里出摊的小贩。</p>
<p>司机说，这条线路开通十年，车上的面孔换了一批又一批，但凌晨两点那一站总是最热闹的。</p>
<p>点击上方蓝字关注我们</p>
</div></div></div></body></html>"""


def test_all_lists_exactly_the_public_names() -> None:
    assert len(cleaners.__all__) == len(set(cleaners.__all__)), "duplicates in __all__"
    assert set(cleaners.__all__) == PUBLIC


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_each_public_name_exists(name: str) -> None:
    assert hasattr(cleaners, name), f"cleaners.{name} is listed but missing"
    assert not isinstance(getattr(cleaners, name), types.ModuleType)


def test_no_public_name_is_left_out_of_all() -> None:
    public = {
        name
        for name, value in vars(cleaners).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(cleaners.__all__), f"public but not in __all__: {public - PUBLIC}"


def test_star_import_gives_the_public_names() -> None:
    namespace: dict = {}
    exec("from cleaners import *", namespace)
    assert {k for k in namespace if k != "__builtins__"} == PUBLIC


def test_article_is_a_frozen_dataclass() -> None:
    assert dataclasses.is_dataclass(cleaners.Article)
    assert cleaners.Article.__dataclass_params__.frozen
    article = cleaners.Article()
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.title = "changed"  # type: ignore[misc]
    assert dataclasses.is_dataclass(cleaners.Removal)
    assert cleaners.Removal.__dataclass_params__.frozen


def test_to_dict_of_an_empty_article() -> None:
    data = cleaners.Article().to_dict()
    assert set(data) >= RECORD_KEYS, f"missing keys: {RECORD_KEYS - set(data)}"
    json.dumps(data)


def test_to_dict_of_a_cleaned_page_is_json() -> None:
    article = cleaners.clean(PAGE)
    assert article.status == "ok"
    data = article.to_dict()
    assert set(data) >= RECORD_KEYS, f"missing keys: {RECORD_KEYS - set(data)}"
    text = json.dumps(data, ensure_ascii=False)
    again = json.loads(text)
    assert again == data, "to_dict() must hold only JSON types (lists, not tuples)"
    assert again["status"] in cleaners.STATUSES
    assert again["title"] == "夜班车"
    assert again["published"] == "2024-05-13T06:15:00+08:00"
    assert again["removed"], "the follow prompt should be recorded"
    for entry in again["removed"]:
        assert set(entry) == {"kind", "rule", "text"}
    assert isinstance(again["origins"], dict)
    assert all(isinstance(v, str) for v in again["origins"].values())


def test_to_dict_does_not_share_state_with_the_article() -> None:
    article = cleaners.clean(PAGE)
    data = article.to_dict()
    data["origins"]["title"] = "changed"
    assert article.origins.get("title") != "changed"


@pytest.mark.parametrize("name", ["NotAPage", "PageTooLarge", "RuleError"])
def test_errors_subclass_cleaner_error(name: str) -> None:
    error = getattr(cleaners, name)
    assert issubclass(error, cleaners.CleanerError)
    assert error is not cleaners.CleanerError
    assert error.__doc__ and len(error.__doc__.strip().splitlines()) == 1


def test_cleaner_error_is_an_exception() -> None:
    assert issubclass(cleaners.CleanerError, Exception)
    assert cleaners.CleanerError.__doc__


def modules_after(code: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_cleaners_does_not_import_fetching_or_storage() -> None:
    found = modules_after(
        "import cleaners, json, sys; print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'httpx', 'sqlite_utils', 'scraper', 'db'})))"
    )
    assert found == [], f"cleaners imports {found}"


def test_cleaning_a_page_does_not_import_fetching_or_storage() -> None:
    found = modules_after(
        "import cleaners, json, sys; cleaners.clean('<html><body><article><p>'"
        " + 'x ' * 100 + '</p></article></body></html>');"
        " print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'httpx', 'sqlite_utils', 'scraper', 'db'})))"
    )
    assert found == [], f"cleaners.clean imports {found}"


def test_db_does_not_import_httpx_or_scraper() -> None:
    found = modules_after(
        "import db, pkgutil, importlib, json, sys\n"
        "for m in pkgutil.walk_packages(db.__path__, 'db.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'httpx', 'scraper'})))"
    )
    assert found == [], f"db imports {found}"
