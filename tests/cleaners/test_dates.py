"""Publication dates: epoch timestamps, written forms, ISO strings and the dateparser fallback."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from cleaners import dates
from cleaners.dates import from_epoch, parse_date, parse_date_with_kind

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


# ---- relative and year-less phrases: resolved against the fetch time only --------------------

# Fetched at 2024-05-13 10:00 in Beijing.
FETCHED = dt.datetime(2024, 5, 13, 2, 0, 0, tzinfo=dt.UTC)

RELATIVE = [
    ("6小时前", "zh", "2024-05-13T04:00:00+08:00"),
    ("3天前", "zh", "2024-05-10"),
    ("昨天 10:20", "zh", "2024-05-12T10:20:00+08:00"),
    ("前天", "zh", "2024-05-11"),
    ("刚刚", "zh", "2024-05-13T10:00:00+08:00"),
    ("5 minutes ago", "en", "2024-05-13T01:55:00+00:00"),
    ("5 minutes ago", None, "2024-05-13T09:55:00+08:00"),
    ("yesterday", "en", "2024-05-12"),
    ("2時間前", "ja", "2024-05-13T09:00:00+09:00"),
    ("10-29 08:00", "zh", "2023-10-29T08:00:00+08:00"),
    ("10月29日", "zh", "2023-10-29"),
    ("发布于 10月29日 08:00:09", "zh", "2023-10-29T08:00:09+08:00"),
    ("5月13日 09:30", "zh", "2024-05-13T09:30:00+08:00"),
    ("5月13日09:30", "zh", "2024-05-13T09:30:00+08:00"),
    ("5月13日 11:30", "zh", "2023-05-13T11:30:00+08:00"),
    ("Oct 29", "en", "2023-10-29"),
]


@pytest.mark.parametrize(("text", "language", "expected"), RELATIVE)
def test_relative_phrases_need_the_fetch_time(
    text: str, language: str | None, expected: str
) -> None:
    assert parse_date(text, language) is None
    assert parse_date_with_kind(text, language) == (None, "relative")


@pytest.mark.parametrize(("text", "language", "expected"), RELATIVE)
def test_relative_phrases_resolve_against_the_fetch_time(
    text: str, language: str | None, expected: str
) -> None:
    assert parse_date_with_kind(text, language, base=FETCHED) == (expected, "relative")
    assert parse_date(text, language, base=FETCHED) == expected


def test_relative_phrases_give_the_same_value_every_time() -> None:
    for text, language, _ in RELATIVE:
        values = {parse_date(text, language, base=FETCHED) for _ in range(3)}
        assert len(values) == 1, text


def test_a_relative_day_is_a_day_of_the_language_calendar() -> None:
    # 2024-05-13 04:00 in Beijing, still 2024-05-12 in UTC.
    base = dt.datetime(2024, 5, 12, 20, 0, tzinfo=dt.UTC)
    assert parse_date("昨天", "zh", base=base) == "2024-05-12"
    assert parse_date("yesterday", "en", base=base) == "2024-05-11"


def test_a_naive_fetch_time_is_utc() -> None:
    naive = FETCHED.replace(tzinfo=None)
    assert parse_date("6小时前", "zh", base=naive) == "2024-05-13T04:00:00+08:00"


@pytest.mark.parametrize(
    "base",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(1985, 1, 1, tzinfo=dt.UTC),
    ],
)
@pytest.mark.parametrize("text", ["6小时前", "昨天", "0 seconds ago", "10月29日", "10-29 08:00"])
def test_an_implausible_fetch_time_gives_none(text: str, base: dt.datetime) -> None:
    assert parse_date_with_kind(text, "zh", base=base) == (None, "relative")


def test_a_year_less_leap_day_takes_the_last_leap_year() -> None:
    base = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    assert parse_date("2月29日", "zh", base=base) == "2024-02-29"


@pytest.mark.parametrize(
    "text", ["明天", "3天后", "in 3 days", "2 years ago", "3周前", "10:20", "3600000000秒前"]
)
def test_future_vague_or_time_only_phrases_give_none(text: str) -> None:
    assert parse_date(text, "zh", base=FETCHED) is None


@pytest.mark.parametrize(
    "text", ["2019年2月27日", "2019-02-27 18:10", "Feb 27, 2019", str(STAMP), "18-08-0110:07"]
)
def test_absolute_dates_do_not_depend_on_the_fetch_time(text: str) -> None:
    value, kind = parse_date_with_kind(text)
    assert kind == "absolute"
    assert value is not None
    assert parse_date(text, base=FETCHED) == value


def test_the_module_never_reads_the_clock() -> None:
    source = Path(dates.__file__).read_text(encoding="utf-8")
    for call in ("now(", "today(", "time.time", "utcnow", "import time"):
        assert call not in source


# ---- two-digit years --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18-08-0110:07", "2018-08-01T10:07:00+08:00"),
        ("18-08-01 10:07", "2018-08-01T10:07:00+08:00"),
        ("时间：18-08-01 10:07:33 来源", "2018-08-01T10:07:33+08:00"),
        ("98-05-12", "1998-05-12"),
        ("2018-08-0110:07", "2018-08-01T10:07:00+08:00"),
    ],
)
def test_two_digit_years(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "18-08-01",  # also 18 August 2001
        "24-05-13",  # also 24 May 2013
        "18-13-01 10:07",
        "18-02-30 10:07",
        "118-08-01 10:07",
        "18-08-01-10:07",
        "02/03/2019",  # 2 March or 3 February
    ],
)
def test_ambiguous_or_invalid_short_dates_give_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/02/2019", "2019-02-27"),
        ("02/27/2019", "2019-02-27"),
        ("日期:27.02.2019 18:10", "2019-02-27T18:10:00+08:00"),
        ("03/03/2019", "2019-03-03"),
    ],
)
def test_year_last_dates_when_only_one_reading_exists(text: str, expected: str) -> None:
    assert parse_date(text) == expected


# ---- seconds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("2019年2月27日 18:10:05", None, "2019-02-27T18:10:05+08:00"),
        ("2019-02-27T18:10:05.250+08:00", None, "2019-02-27T18:10:05+08:00"),
        ("Feb 27, 2019 18:10:05", "en", "2019-02-27T18:10:05"),
        ("Feb 27, 2019 18:10:05", "zh", "2019-02-27T18:10:05+08:00"),
        ("Feb 27, 2019 00:00", "en", "2019-02-27T00:00:00"),
        (str(STAMP + 7), None, "2024-05-13T06:15:07+08:00"),
        (str((STAMP + 7) * 1000 + 5), None, "2024-05-13T06:15:07+08:00"),
    ],
)
def test_seconds_are_kept(text: str, language: str | None, expected: str) -> None:
    assert parse_date(text, language) == expected


# ---- out-of-range numbers and odd input -------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "12345678901234567890",
        10**30,
        -(10**30),
        "99999999999",  # 11 digits
        "20190227",  # 8 digits
        "100000000",  # 1973
        "9999999999",  # 2286
        "100000000000",  # 1973 in milliseconds
        "²",
        "１²３",
        "1715552100.0",
    ],
)
def test_out_of_range_epochs_give_none(value) -> None:
    assert from_epoch(value) is None
    assert parse_date(str(value)) is None


def test_from_epoch_with_an_impossible_offset_gives_none() -> None:
    assert from_epoch(STAMP, 99) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１７１５５５２１００", "2024-05-13T06:15:00+08:00"),
        ("２０１９年２月２７日", "2019-02-27"),
        ("２０１９－０２－２７　１８：１０", "2019-02-27T18:10:00+08:00"),
    ],
)
def test_fullwidth_digits_parse(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "٢٠١٩-٠٢-٢٧",
        "²⁰¹⁹",
        "9999年1月1日",
        "Feb 27, 9999",
        "x" * 100_000,
        "1 " * 50_000,
        "\x00\ud800",
    ],
)
def test_odd_input_gives_none(text: str) -> None:
    assert parse_date(text) is None


def test_a_date_in_a_long_text_is_found_quickly() -> None:
    text = "阅读 " * 100_000 + "2019-02-27 18:10"
    started = time.perf_counter()
    assert parse_date(text) == "2019-02-27T18:10:00+08:00"
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("yesterday", None),
        ("阅读 " * 20 + "3", None),
        ("Feb 27, 2019 " * 5, FETCHED),
        ("99:99", FETCHED),
    ],
)
def test_dateparser_is_left_out_when_it_cannot_help(text: str, base, monkeypatch) -> None:
    def refuse(*args):
        raise AssertionError("dateparser called")

    monkeypatch.setattr(dates, "_dateparser", refuse)
    assert parse_date(text, base=base) is None
