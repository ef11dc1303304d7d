"""Reading WeChat's script variables from the page source (cleaners.scripts)."""

from __future__ import annotations

import pytest

from cleaners.scripts import PageScripts, read_first, read_list_values, read_scripts

PAGE = """<html><head>
<script src="/lib.js"></script>
<SCRIPT type="text/javascript">var msg_title = "第一个标题"; var ct = "1700000000";</SCRIPT>
<script>var library = "var nickname = 'not read: a script without an article marker'";</script>
<script>
window.cgiDataNew = {
  ori_create_time: '1600000000' * 1,
  create_time: '1700000001' * 1,
  title: JsDecode('\\u7b2c\\u4e8c'),
  picture_page_info_list: [ { cdn_url: JsDecode('https://x/1.png'), watermark: { cdn_url: 'no' } },
                            { cdn_url: JsDecode('https://x/2.png') } ],
};
</script>
<script>window.msg_desc = "desc from a later script"; var msg_title = "second definition";</script>
</head><body><p>text</p></body></html>"""


@pytest.fixture(params=["bytes", "str"])
def scripts(request) -> PageScripts:
    return PageScripts(PAGE.encode("utf-8") if request.param == "bytes" else PAGE)


def test_variables_are_read_from_bytes_and_text_alike(scripts):
    found = read_scripts(scripts, ["msg_title", "ct", "msg_desc", "cgi:title"])
    assert found == {
        "msg_title": "第一个标题",
        "ct": "1700000000",
        "msg_desc": "desc from a later script",
        "cgi:title": "第二",
    }


def test_only_scripts_with_an_article_marker_are_read(scripts):
    assert read_scripts(scripts, ["nickname"]) == {}


def test_a_cgi_key_is_matched_whole():
    found = read_scripts(PageScripts(PAGE), ["cgi:create_time", "cgi:ori_create_time"])
    assert found == {"cgi:create_time": "1700000001", "cgi:ori_create_time": "1600000000"}


def test_scripts_over_the_size_bound_are_not_read():
    scripts = PageScripts(PAGE)
    assert "msg_title" not in read_scripts(scripts, ["msg_title"], max_size=40)
    assert read_scripts(scripts, ["msg_title"])["msg_title"] == "第一个标题"


def test_read_first_stops_at_the_first_name_that_has_a_value(scripts):
    assert read_first(scripts, ["missing", "cgi:missing", "msg_desc", "msg_title"]) == (
        "msg_desc",
        "desc from a later script",
    )
    assert read_first(scripts, ["missing"]) is None


def test_list_values_are_the_items_own_keys(scripts):
    assert read_list_values(scripts, "picture_page_info_list", "cdn_url") == [
        "https://x/1.png",
        "https://x/2.png",
    ]


def test_an_unclosed_script_runs_to_the_end_of_the_page():
    scripts = PageScripts(b"<html><script>var msg_title = 'cut off'; var ct = '1")
    assert read_scripts(scripts, ["msg_title"]) == {"msg_title": "cut off"}
