"""The time relative dates count from: strict HTTP-dates, the Date header against the local
clock, and ISO 8601 values for --fetched-at."""

from __future__ import annotations

import datetime as dt
import email.utils
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.clock import http_date, instant, response_time

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "100"))
NOV_6 = dt.datetime(1994, 11, 6, 8, 49, 37, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "text",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",  # IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  # obsolete RFC 850
        "Sun Nov  6 08:49:37 1994",  # obsolete asctime
        "  Sun, 06 Nov 1994 08:49:37 GMT ",
    ],
)
def test_the_three_http_date_forms(text: str):
    assert http_date(text, now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)) == NOV_6


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "yesterday",
        "Mon, 06 Nov 1994 08:49:37 GMT",  # the 6th was a Sunday
        "Sun, 06 Nov 1994 08:49:37 +0000",  # an email date, not an HTTP-date
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT",  # one-digit day
        "sun, 06 nov 1994 08:49:37 gmt",  # names are case-sensitive
        "Sun, 31 Nov 1994 08:49:37 GMT",  # no such day
        "Sun, 06 Nov 1994 24:49:37 GMT",
        "1994-11-06T08:49:37Z",
        "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",  # two headers joined
    ],
)
def test_anything_else_is_not_an_http_date(text: str | None):
    assert http_date(text) is None


def test_two_digit_years_are_at_most_fifty_years_ahead():
    now = dt.datetime(2030, 6, 1, tzinfo=dt.UTC)
    assert http_date("Wednesday, 01-Jan-70 00:00:00 GMT", now=now).year == 2070
    assert http_date("Friday, 01-Jan-99 00:00:00 GMT", now=now).year == 1999


@settings(max_examples=EXAMPLES)
@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 1, 1)))
def test_formatted_dates_read_back(moment: dt.datetime):
    moment = moment.replace(microsecond=0, tzinfo=dt.UTC)
    assert http_date(email.utils.format_datetime(moment, usegmt=True)) == moment


@settings(max_examples=EXAMPLES)
@given(st.text(max_size=40))
def test_any_text_gives_an_aware_utc_time_or_none(text: str):
    found = http_date(text)
    assert found is None or found.utcoffset() == dt.timedelta(0)


ARRIVED = dt.datetime(2024, 5, 1, 12, 0, 7, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"date": "Wed, 01 May 2024 11:58:00 GMT"}, dt.datetime(2024, 5, 1, 11, 58, tzinfo=dt.UTC)),
        ({"Date": "Thu, 02 May 2024 11:00:00 GMT"}, dt.datetime(2024, 5, 2, 11, tzinfo=dt.UTC)),
        ({"date": "Thu, 02 May 2024 12:00:08 GMT"}, ARRIVED),  # a day and a second ahead
        ({"date": "Mon, 01 Jan 1990 00:00:00 GMT"}, ARRIVED),
        ({"date": "soon"}, ARRIVED),
        ({}, ARRIVED),
        (None, ARRIVED),
    ],
)
def test_response_time_believes_a_date_header_near_the_local_clock(headers, expected):
    assert response_time(headers, ARRIVED.isoformat()) == expected
    assert response_time(headers, ARRIVED.astimezone(dt.timezone(dt.timedelta(hours=8)))) == (
        expected
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", dt.datetime(2024, 5, 1, tzinfo=dt.UTC)),
        ("2024-05-01T08:30:00Z", dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.UTC)),
        (
            "2024-05-01T08:30:00+08:00",
            dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ),
        (" 2024-05-01 08:30+08:00 ", dt.datetime(2024, 5, 1, 0, 30, tzinfo=dt.UTC)),
    ],
)
def test_instant_reads_iso_8601_with_an_offset(text: str, expected: dt.datetime):
    assert instant(text) == expected


def test_instant_keeps_the_offset_given():
    assert instant("2024-05-01T08:30:00+08:00").utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(
    "text", ["2024-05-01T08:30:00", "2024-05-01 08:30", "2024-13-01", "yesterday", "", "1714550000"]
)
def test_instant_refuses_values_without_an_offset_or_not_iso(text: str):
    with pytest.raises(ValueError, match=r"ISO 8601|offset"):
        instant(text)
