"""Where the commands' rules come from (--rules, REPRINTS_RULES, the config folder), what a bad
rule does to a command, and `reprints rules list/check/test/schema`. Real subprocesses.

The pages and phrases are invented for these tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from db_helpers import one_error_line, page_html, reprints, rows, scalar

BLURB = "灯塔读书会出品，每周三与你相见"
PARAGRAPHS = [
    "城市的夜晚总有一些灯亮到很晚，图书馆的自习室里坐满了准备考试的年轻人。",
    "管理员说，这几年来借书的人少了，来这里安静坐一坐的人却越来越多。",
    "有人把这里当作第二个家，也有人只是想找一个不被打扰的角落读完一本书。",
]


def rule(name: str, pattern: str) -> str:
    return f'[[boilerplate]]\nname = "{name}"\nkind = "blurb"\npattern = \'{pattern}\'\n'


@pytest.fixture
def night(tmp_path: Path) -> Path:
    path = tmp_path / "night.html"
    path.write_text(page_html("夜晚的图书馆", [*PARAGRAPHS, BLURB]), encoding="utf-8")
    return path


def removed_by(result, name: str) -> bool:
    assert result.returncode == 0, result.stderr
    return any(r["rule"] == name for r in json.loads(result.stdout)["removed"])


def config_home(tmp_path: Path) -> tuple[dict[str, str], Path]:
    home = tmp_path / "config"
    folder = home / "reprints" / "rules"
    folder.mkdir(parents=True)
    return {**os.environ, "XDG_CONFIG_HOME": str(home)}, folder


def test_rules_option_applies_a_file(tmp_path: Path, night: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(rule("my.blurb", "^灯塔读书会出品"), encoding="utf-8")
    assert not removed_by(reprints("clean", night), "my.blurb")
    assert removed_by(reprints("clean", night, "--rules", mine), "my.blurb")


def test_rules_env_holds_several_paths(tmp_path: Path, night: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.toml").write_text(rule("my.blurb", "^灯塔读书会出品"), "utf-8")
    other = tmp_path / "two.toml"
    other.write_text(rule("my.other", "^城市的夜晚"), "utf-8")
    env = {**os.environ, "REPRINTS_RULES": os.pathsep.join([str(tmp_path / "a"), str(other)])}
    result = reprints("clean", night, env=env)
    assert removed_by(result, "my.blurb") and removed_by(result, "my.other")


def test_the_config_folder_is_read(tmp_path: Path, night: Path) -> None:
    env, folder = config_home(tmp_path)
    (folder / "blurbs.toml").write_text(rule("my.blurb", "^灯塔读书会出品"), "utf-8")
    assert removed_by(reprints("clean", night, env=env), "my.blurb")


def test_later_layers_win_config_then_env_then_option(tmp_path: Path, night: Path) -> None:
    env, folder = config_home(tmp_path)
    (folder / "c.toml").write_text(rule("my.blurb", "^never-matches-config"), "utf-8")
    from_env = tmp_path / "env.toml"
    from_env.write_text(rule("my.blurb", "^灯塔读书会出品"), "utf-8")
    env["REPRINTS_RULES"] = str(from_env)
    assert removed_by(reprints("clean", night, env=env), "my.blurb")
    option = tmp_path / "option.toml"
    option.write_text('[[boilerplate]]\nname = "my.blurb"\nenabled = false\n', "utf-8")
    assert not removed_by(reprints("clean", night, "--rules", option, env=env), "my.blurb")


BAD_RULE = '[[boilerplate]]\nname = "my.bad"\npattern = "a"\n'


@pytest.mark.parametrize("command", ["clean", "import", "reclean", "crawl", "learn"])
def test_a_bad_rule_is_one_line_exit_2_before_any_run(
    tmp_path: Path, night: Path, command: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_RULE, "utf-8")
    database = tmp_path / "a.db"
    reprints("import", database, night)
    runs = scalar(database, "SELECT count(*) FROM runs")
    args = {
        "clean": [night],
        "import": [database, night],
        "reclean": [database],
        "crawl": [database, "http://127.0.0.1:9/never"],
        "learn": [database],
    }[command]
    result = reprints(command, *args, "--rules", bad)
    assert result.returncode == 2
    line = one_error_line(result)
    assert str(bad) in line and "'my.bad'" in line and "'kind'" in line and "missing" in line
    assert scalar(database, "SELECT count(*) FROM runs") == runs


def test_rules_list_names_kinds_origins_and_states(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        rule("my.blurb", "^x") + '[[status]]\nname = "wechat.deleted"\nenabled = false\n', "utf-8"
    )
    result = reprints("rules", "list", "--rules", mine, "--format", "json")
    assert result.returncode == 0, result.stderr
    listed = {(r["section"], r["name"]): r for r in json.loads(result.stdout)}
    assert listed[("boilerplate", "my.blurb")]["origin"] == str(mine)
    assert listed[("boilerplate", "my.blurb")]["kind"] == "blurb"
    assert listed[("status", "wechat.deleted")]["enabled"] is False
    assert listed[("boilerplate", "zh.disclaimer")]["origin"] == "shipped:zh.toml"
    text = reprints("rules", "list").stdout.splitlines()
    assert any(line.startswith("zh.disclaimer\tboilerplate\tdisclaimer\ton\t") for line in text)


def test_rules_check(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(rule("my.blurb", "^x"), "utf-8")
    result = reprints("rules", "check", good)
    assert result.returncode == 0 and result.stdout.startswith("ok: 1 rules"), result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(rule("my.blurb", "(^x").replace('kind = "blurb"', 'kind = "promotion"'), "utf-8")
    result = reprints("rules", "check", bad)
    assert result.returncode == 2
    assert "unknown value 'promotion'" in one_error_line(result)


def test_rules_test_shows_which_rule_removed_which_block(tmp_path: Path, night: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(rule("my.blurb", "^灯塔读书会出品"), "utf-8")
    result = reprints("rules", "test", night, "--rules", mine)
    assert result.returncode == 0, result.stderr
    assert f"my.blurb\tblurb\t{BLURB}" in result.stdout.splitlines()


def test_rules_schema_lists_the_keys() -> None:
    result = reprints("rules", "schema")
    assert result.returncode == 0
    assert "[[boilerplate]]" in result.stdout and "max_chars" in result.stdout


def test_reclean_outdated_notices_a_users_rule_change(tmp_path: Path, night: Path) -> None:
    database = tmp_path / "a.db"
    assert reprints("import", database, night).returncode == 0
    unchanged = reprints("reclean", database, "--outdated", "-v")
    assert "skipped 1" in unchanged.stderr
    mine = tmp_path / "mine.toml"
    mine.write_text(rule("my.blurb", "^灯塔读书会出品"), "utf-8")
    result = reprints("reclean", database, "--outdated", "--rules", mine, "-v")
    assert result.returncode == 0 and "updated 1" in result.stderr, result.stderr
    found = rows(database, "SELECT rule FROM removals WHERE rule = 'my.blurb'")
    assert len(found) == 1
    again = reprints("reclean", database, "--outdated", "--rules", mine, "-v")
    assert "skipped 1" in again.stderr
