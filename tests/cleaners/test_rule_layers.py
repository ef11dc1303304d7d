"""A user's rule files layered on the shipped ones: merged by name, validated at load time,
digested into the version, and passed to `clean()` as an argument.

The pages and phrases here are invented for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cleaners
from cleaners import RuleError, clean, load_rules
from cleaners.rulefiles import shipped_files
from cleaners.ruleschema import SECTIONS, describe

BLURB = "灯塔读书会出品，每周三与你相见"
PARAGRAPHS = [
    "城市的夜晚总有一些灯亮到很晚，图书馆的自习室里坐满了准备考试的年轻人。",
    "管理员说，这几年来借书的人少了，来这里安静坐一坐的人却越来越多。",
    "有人把这里当作第二个家，也有人只是想找一个不被打扰的角落读完一本书。",
]


def page(paragraphs: list[str], tail: str = "", host_class: str = "content") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs) + (f"<p>{tail}</p>" if tail else "")
    return (
        "<html><head><title>夜晚的图书馆</title></head><body><h1>夜晚的图书馆</h1>"
        f'<div class="{host_class}">{body}</div></body></html>'
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


MY_BLURB = """
[[boilerplate]]
name = "my.lighthouse-blurb"
kind = "blurb"
pattern = '^灯塔读书会出品'
"""


def test_without_user_rules_the_blurb_stays() -> None:
    assert BLURB in clean(page(PARAGRAPHS, BLURB)).body


def test_a_new_rule_adds_and_names_its_removals(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "mine.toml", MY_BLURB))
    article = clean(page(PARAGRAPHS, BLURB), rules=rules)
    assert BLURB not in article.body
    assert PARAGRAPHS[-1] in article.body
    assert ("blurb", "my.lighthouse-blurb") in {(r.kind, r.rule) for r in article.removed}


def test_the_default_rules_are_the_shipped_ones_and_cached() -> None:
    assert load_rules() is load_rules()
    assert clean(page(PARAGRAPHS, BLURB)).body == clean(page(PARAGRAPHS, BLURB), rules=None).body


def test_same_name_replaces_in_place(tmp_path: Path) -> None:
    shipped = load_rules()
    position = [r.name for r in shipped.blocks].index("zh.disclaimer")
    text = MY_BLURB.replace("my.lighthouse-blurb", "zh.disclaimer")
    rules = load_rules(write(tmp_path, "mine.toml", text))
    assert [r.name for r in rules.blocks] == [r.name for r in shipped.blocks]
    assert rules.blocks[position].pattern.pattern == "^灯塔读书会出品"
    info = next(
        i for i in rules.catalogue if i.name == "zh.disclaimer" and i.section == "boilerplate"
    )
    assert info.origin.endswith("mine.toml")


def test_enabled_false_turns_a_shipped_rule_off(tmp_path: Path) -> None:
    deleted = "<html><body><p>该内容已被发布者删除</p></body></html>"
    assert clean(deleted).status == "deleted"
    off = write(tmp_path, "off.toml", '[[status]]\nname = "wechat.deleted"\nenabled = false\n')
    rules = load_rules(off)
    assert clean(deleted, rules=rules).status != "deleted"
    info = next(i for i in rules.catalogue if i.name == "wechat.deleted")
    assert not info.enabled


def test_a_later_file_turns_it_back_on(tmp_path: Path) -> None:
    off = write(tmp_path, "a.toml", '[[status]]\nname = "wechat.deleted"\nenabled = false\n')
    on = write(tmp_path, "b.toml", '[[status]]\nname = "wechat.deleted"\nenabled = true\n')
    deleted = "<html><body><p>该内容已被发布者删除</p></body></html>"
    assert clean(deleted, rules=load_rules(off, on)).status == "deleted"


def test_a_user_site_rule_reads_its_content_selector(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        "portal.toml",
        '[[site]]\nname = "lighthouse-portal"\nhosts = ["portal.example"]\n'
        'content = ["div.story-text"]\naccount = [".desk-name"]\n',
    )
    html = page(PARAGRAPHS, host_class="story-text").replace(
        "<h1>", '<span class="desk-name">灯塔夜读</span><h1>'
    )
    article = clean(html, url="https://portal.example/a/1", rules=load_rules(site))
    assert article.reader == "mirror:lighthouse-portal"
    assert article.account == "灯塔夜读"
    assert article.origins["account"] == "dom:.desk-name"


def test_every_toml_in_a_folder_is_read_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", MY_BLURB)
    write(tmp_path, "b.toml", MY_BLURB.replace("^灯塔读书会出品", "^每周三与你相见"))
    write(tmp_path, "notes.txt", "not a rule file")
    rules = load_rules(tmp_path)
    blurb = next(r for r in rules.blocks if r.name == "my.lighthouse-blurb")
    assert blurb.pattern.pattern == "^每周三与你相见"
    assert {i.origin for i in rules.catalogue if i.name == "my.lighthouse-blurb"} == {
        str(tmp_path / "b.toml")
    }


def test_settings_merge_by_key_and_lists_extend(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        "settings.toml",
        '[tail]\ncue_max_chars = 250\n[ending]\nmarkers = ["—— 全文完 ——"]\n',
    )
    rules = load_rules(extra)
    assert rules.cue_max_chars == 250
    assert rules.head_share == load_rules().head_share
    assert rules.end_marker.fullmatch("—— 全文完 ——")
    assert rules.end_marker.fullmatch("END")


# ---- validation --------------------------------------------------------------------------

BAD = {
    "misspelt key": (
        '[[boilerplate]]\nname = "x.a"\nkind = "blurb"\npattern = "a"\nmax_char = 5\n',
        "x.a",
        "max_char",
        "unknown key",
    ),
    "unknown kind": (
        '[[boilerplate]]\nname = "x.b"\nkind = "promotion"\npattern = "a"\n',
        "x.b",
        "kind",
        "unknown value 'promotion'",
    ),
    "bad regex": (
        '[[cue]]\nname = "x.c"\nkind = "promo"\nweight = 1.0\npattern = "(unclosed"\n',
        "x.c",
        "pattern",
        "bad pattern",
    ),
    "missing kind": ('[[boilerplate]]\nname = "x.d"\npattern = "a"\n', "x.d", "kind", "missing"),
    "wrong type": (
        '[[boilerplate]]\nname = "x.e"\nkind = "blurb"\npattern = "a"\nmax_chars = "many"\n',
        "x.e",
        "max_chars",
        "must be an integer",
    ),
    "no name": ('[[section]]\nkind = "promo"\nheading = "a"\n', None, "name", "has no name"),
    "turn off nothing": (
        '[[cue]]\nname = "x.none"\nenabled = false\n',
        "x.none",
        None,
        "no [[cue]] rule of that name",
    ),
    "twice in a file": (
        '[[section]]\nname = "x.f"\nkind = "promo"\nheading = "a"\n' * 2,
        "x.f",
        None,
        "a second",
    ),
    "unknown setting": ("[tail]\ncue_max_char = 3\n", None, "tail.cue_max_char", "unknown setting"),
    "setting of wrong type": (
        '[tail]\ncue_max_chars = "3"\n',
        None,
        "tail.cue_max_chars",
        "must be a number",
    ),
    "unknown table": ("[footer]\nx = 1\n", None, "footer", "unknown table"),
    "site without hosts": (
        '[[site]]\nname = "x.g"\ncontent = ["main"]\n',
        "x.g",
        None,
        "needs one of: hosts, markers",
    ),
    "not toml": ("[[boilerplate]\nname = 1\n", None, None, "is not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_rules_raise_rule_error_with_file_rule_key_and_reason(
    tmp_path: Path, case: str
) -> None:
    text, rule, key, reason = BAD[case]
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(RuleError) as caught:
        load_rules(path)
    error = caught.value
    assert error.origin == str(path)
    assert error.rule == rule
    assert error.key == key
    assert reason in error.reason
    assert str(path) in str(error) and reason in str(error)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(RuleError, match="not UTF-8"):
        load_rules(path)


def test_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no such rule file or folder"):
        load_rules(tmp_path / "nowhere.toml")


def test_every_toml_in_the_shipped_folder_is_read() -> None:
    read = [f.origin for f in shipped_files()]
    folder = Path(cleaners.__file__).parent / "rules"
    assert sorted(read) == sorted(f"shipped:{p.name}" for p in folder.glob("*.toml"))
    assert read[:3] == ["shipped:zh.toml", "shipped:ja.toml", "shipped:en.toml"]


def test_the_schema_documents_every_section_and_kind() -> None:
    text = "\n".join(describe())
    for section in SECTIONS:
        assert f"[[{section}]]" in text
    for kind in ("blurb", "promo", "prompt", "disclaimer", "chrome"):
        assert kind in text


# ---- versions -----------------------------------------------------------------------------


def test_the_version_digests_the_user_files(tmp_path: Path) -> None:
    shipped = load_rules().version
    path = write(tmp_path, "mine.toml", MY_BLURB)
    first = load_rules(path).version
    assert first != shipped
    assert load_rules(path).version == first
    write(tmp_path, "mine.toml", MY_BLURB.replace("出品", "出品了"))
    assert load_rules(path).version not in (first, shipped)
    assert cleaners.cleaner_version() == shipped
