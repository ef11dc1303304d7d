"""Property tests: the script readers never raise and never return surrogates."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.scripts import PageScripts, js_unescape, read_list_values, read_scripts

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "100"))

ESCAPES = st.sampled_from(
    [
        "\\",
        "\\x",
        "\\x4",
        "\\x41",
        "\\u",
        "\\u12",
        "\\u00e9",
        "\\ud83d",
        "\\ude00",
        "\\ud83d\\ude00",
        "\\u{1F600}",
        "\\u{}",
        "\\u{110000}",
        "\\u{FFFFFFFFF}",
        "\\n",
        "\\0",
        "'",
        '"',
        "&#xD83D;",
        "&#99999999999;",
        "&amp;",
        "\n",
        "JsDecode('",
        "' * 1",
    ]
)
PIECES = st.one_of(ESCAPES, st.text(max_size=8), st.sampled_from(["\ud83d", "\ude00"]))
SCRIPT_TEXT = st.lists(PIECES, max_size=30).map("".join)


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


@settings(max_examples=EXAMPLES)
@given(SCRIPT_TEXT)
def test_js_unescape_never_raises_nor_returns_surrogates(value):
    result = js_unescape(value)
    assert not has_surrogate(result)
    result.encode("utf-8")


@settings(max_examples=EXAMPLES)
@given(SCRIPT_TEXT, st.sampled_from(["'", '"']))
def test_read_scripts_never_raises_nor_returns_surrogates(value, quote):
    body = value.replace("<", "&lt;")
    script = (
        f"var msg_title = {quote}{body}{quote};\nvar ct = {quote}{body}\n"
        f"window.cgiDataNew = {{ title: JsDecode('{body}'), item_show_type: '{body}' * 1,"
        f" picture_page_info_list: [ {{ cdn_url: JsDecode('{body}') }}, {body}"
    )
    page = f"<html><body><script>{script}</script></body></html>"
    scripts = PageScripts(page.encode("utf-8", "surrogatepass") if quote == "'" else page)
    found = read_scripts(scripts, ["msg_title", "ct", "cgi:title", "cgi:item_show_type"])
    images = read_list_values(scripts, "picture_page_info_list", "cdn_url")
    for text in [*found.values(), *images]:
        assert not has_surrogate(text)
        text.encode("utf-8")
