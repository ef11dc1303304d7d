"""An image's type is read from its bytes, whatever they are; and the default columns of a
table page apply only where no columns were chosen, whatever the query string holds."""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.datasette_columns import ALL_COLUMNS, DEFAULT_COLUMNS, with_default_columns
from db.image_types import EXTENSIONS, extension, image_type

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "200"))
SIGNED = {
    b"\xff\xd8\xff\xe0\x00\x10JFIF": "image/jpeg",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR": "image/png",
    b"GIF89a\x01\x00\x01\x00": "image/gif",
    b"RIFF\x24\x00\x00\x00WEBPVP8 ": "image/webp",
    b"\x00\x00\x00\x1cftypavif\x00\x00": "image/avif",
    b'<?xml version="1.0"?>\n<!-- drawn -->\n<svg xmlns="http://www.w3.org/2000/svg">': (
        "image/svg+xml"
    ),
}


@pytest.mark.parametrize(("data", "media"), SIGNED.items())
def test_known_formats_are_read_from_their_first_bytes(data: bytes, media: str) -> None:
    assert image_type(data + b"\x00" * 32) == media
    assert extension(media) == EXTENSIONS[media]


@pytest.mark.parametrize(
    "data", [b"", b"<html><body>hotlinking refused</body></html>", b"RIFF\x00\x00\x00\x00WAVE",
             b"%PDF-1.7", b"<svgx>", b"\x00" * 64]
)  # fmt: skip
def test_what_is_not_an_image_has_no_type(data: bytes) -> None:
    assert image_type(data) is None
    assert extension(None) == "bin"


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=512))
def test_any_bytes_get_a_known_type_or_none(data: bytes) -> None:
    assert image_type(data) in {None, *EXTENSIONS}


def scope(path: str, query: str, method: str = "GET") -> dict:
    return {"type": "http", "method": method, "path": path, "query_string": query.encode()}


def ours(name: str) -> bool:
    return name == "articles"


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["_col", "_nocol", "_sort", ALL_COLUMNS, "title", "_format", "x"]),
            st.text(max_size=8),
        ),
        max_size=5,
    )
)  # noqa: E501
def test_default_columns_apply_only_when_none_were_chosen(arguments: list) -> None:
    query = urlencode(arguments)
    result = with_default_columns(scope("/articles/articles", query), "/", ours)
    names = {name for name, _ in arguments}
    chosen = names & {"_col", ALL_COLUMNS, "_format"}
    added = parse_qsl(result["query_string"].decode("latin-1"), keep_blank_values=True)
    if chosen:
        assert result["query_string"] == query.encode()
    else:
        columns = [value for name, value in added if name == "_col"]
        assert columns == list(DEFAULT_COLUMNS["articles"])


@pytest.mark.parametrize(
    ("path", "base", "method"),
    [("/articles/articles.json", "/", "GET"), ("/other/articles", "/", "GET"),
     ("/articles/articles", "/", "POST"), ("/articles/runs", "/", "GET"),
     ("/articles/articles", "/prefix/", "GET")],
)  # fmt: skip
def test_other_requests_are_left_alone(path: str, base: str, method: str) -> None:
    request = scope(path, "", method)
    assert with_default_columns(request, base, ours) is request


def test_a_base_url_is_understood() -> None:
    result = with_default_columns(scope("/prefix/articles/articles", ""), "/prefix/", ours)
    assert b"_col=title" in result["query_string"]
