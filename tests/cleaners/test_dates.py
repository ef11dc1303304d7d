"""Publication dates: epoch timestamps, written forms, ISO strings and the dateparser fallback."""

from __future__ import annotations

import datetime as dt

import pytest

from cleaners.dates import from_epoch, parse_date

# 2024-05-13 06:15:00 in Beijing.
STAMP = 1715552100


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (STAMP, "2024-05-13T06:15:00+08:00"),
        (str(STAMP), "2024-05-13T06:15:00+08:00"),
        (f" {STAMP}\n", "2024-05-13T06:15:00+08:00"),
        (STAMP * 1000, "2024-05-13T06:15:00+08:00"),
        (str(STAMP * 1000 + 999), "2024-05-13T06:15:00+08:00"),
        (1551254400, "2019-02-27T16:00:00+08:00"),
    ],
)
def test_from_epoch_gives_beijing_time(value, expected: str) -> None:
    assert from_epoch(value) == expected


def test_from_epoch_in_another_offset() -> None:
    assert from_epoch(STAMP, 9) == "2024-05-13T07:15:00+09:00"


@pytest.mark.parametrize("value", ["", "abc", "0", "-5", "12.5"])
def test_from_epoch_rejects_what_is_not_a_timestamp(value: str) -> None:
    assert from_epoch(value) is None


@pytest.mark.parametrize("value", [str(STAMP), str(STAMP * 1000)])
def test_parse_date_reads_epoch_strings(value: str) -> None:
    assert parse_date(value) == "2024-05-13T06:15:00+08:00"
    assert parse_date(value, "ja") == "2024-05-13T07:15:00+09:00"


@pytest.mark.parametrize("language", [None, "zh", "zh-Hans", "zh-Hant"])
def test_chinese_time_is_beijing_time(language: str | None) -> None:
    assert parse_date("2024-05-13 06:15", language) == "2024-05-13T06:15:00+08:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年2月27日", "2019-02-27"),
        ("2019年02月27日", "2019-02-27"),
        ("2019-02-27", "2019-02-27"),
        ("2019/2/27", "2019-02-27"),
        ("2019.02.27", "2019-02-27"),
        ("发布于 2019年2月27日", "2019-02-27"),
        ("2019年2月27日 18:10", "2019-02-27T18:10:00+08:00"),
        ("2019-02-27 18:10:05", "2019-02-27T18:10:05+08:00"),
    ],
)
def test_written_chinese_dates(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-13T06:15:00+02:00", "2024-05-13T06:15:00+02:00"),
        ("2024-05-13T06:15:00-05:30", "2024-05-13T06:15:00-05:30"),
        ("2024-05-13T06:15:00-0530", "2024-05-13T06:15:00-05:30"),
        ("2024-05-13T06:15:00.123+09:00", "2024-05-13T06:15:00+09:00"),
    ],
)
def test_iso_offsets_are_kept(text: str, expected: str) -> None:
    assert parse_date(text) == expected
    # The page's own offset wins over the language's usual zone.
    assert parse_date(text, "ja") == expected


@pytest.mark.parametrize("text", ["2024-05-13T06:15:00Z", "2024-05-13T06:15:00.000Z"])
def test_iso_utc_is_kept(text: str) -> None:
    result = parse_date(text)
    assert result in ("2024-05-13T06:15:00+00:00", "2024-05-13T06:15:00Z"), result
    parsed = dt.datetime.fromisoformat(result)
    assert parsed.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",
        "2023-02-29",
        "2024年13月1日",
        "2024-02-30 10:00",
        "2024-05-13 25:61",
        "February 30, 2019",
        "99:99",
        "0000-00-00 00:00:00",
    ],
)
def test_invalid_dates_give_none_or_the_day(text: str) -> None:
    result = parse_date(text)
    assert result is None or result == "2024-05-13", result


@pytest.mark.parametrize("text", [None, "", "   ", "yesterday's news", "no date here"])
def test_no_date_gives_none(text: str | None) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Feb 27, 2019", "2019-02-27"),
        ("February 27, 2019", "2019-02-27"),
        ("27 February 2019", "2019-02-27"),
    ],
)
def test_english_dates_via_dateparser(text: str, expected: str) -> None:
    assert parse_date(text, "en") == expected
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-13 06:15", "2024-05-13T06:15:00+09:00"),
        ("2024年5月13日 06:15", "2024-05-13T06:15:00+09:00"),
        ("2024年5月13日", "2024-05-13"),
    ],
)
def test_japanese_time_is_japan_time(text: str, expected: str) -> None:
    assert parse_date(text, "ja") == expected
