"""Property tests for dates: odd input never raises, values are ISO 8601, no clock leaks in."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator

import dateparser
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.dates import from_epoch, parse_date, parse_date_with_kind

EXAMPLES = int(os.environ.get("REPRINTS_FUZZ_EXAMPLES", "60"))
FETCHED = dt.datetime(2024, 5, 13, 2, 0, 0, tzinfo=dt.UTC)

# Digits of several kinds (ASCII, fullwidth, superscript, Arabic-Indic), separators and the
# characters of written dates, so that generated text often has a date's shape.
DATE_ALPHABET = (
    "0123456789０１２３４５６７８９²³¹٠١٢٣-/.:： T年月日号前后天小时分钟秒昨刚Z+ agomindaysFebOct"
)
date_like = st.text(alphabet=DATE_ALPHABET, max_size=30)
any_text = st.one_of(st.text(max_size=60), date_like)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=0, max_value=10**25).map(str),
    st.text(alphabet="0123456789０１２３²٣", min_size=1, max_size=22),
)
languages = st.sampled_from([None, "zh", "zh-Hans", "zh-Hant", "ja", "en", "fr"])
relative_phrases = st.one_of(
    st.builds("{}小时前".format, st.integers(1, 23)),
    st.builds("{}天前".format, st.integers(1, 9)),
    st.builds("{} minutes ago".format, st.integers(1, 59)),
    st.builds("{}時間前".format, st.integers(1, 23)),
    st.builds("昨天 {:02d}:{:02d}".format, st.integers(0, 23), st.integers(0, 59)),
    st.builds("{}月{}日".format, st.integers(1, 12), st.integers(1, 28)),
    st.builds(
        "{}-{} {:02d}:{:02d}".format,
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 23),
        st.integers(0, 59),
    ),
    st.sampled_from(["刚刚", "前天", "昨天", "yesterday", "just now"]),
)


def assert_iso(value: str | None) -> None:
    """None, a YYYY-MM-DD day, or a full ISO 8601 moment."""
    if value is None:
        return
    if len(value) == 10:
        dt.date.fromisoformat(value)
    else:
        dt.datetime.fromisoformat(value)


class _AnyDatetime(type):
    """Lets every datetime pass dateparser's isinstance checks against the frozen class."""

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, dt.datetime)


class _Frozen(dt.datetime, metaclass=_AnyDatetime):
    """A datetime class whose clock reads a fixed moment."""

    moment = dt.datetime(2000, 1, 1)

    @classmethod
    def now(cls, tz=None):
        return cls.moment if tz is None else cls.moment.replace(tzinfo=dt.UTC).astimezone(tz)

    @classmethod
    def today(cls):
        return cls.moment

    @classmethod
    def utcnow(cls):
        return cls.moment


@contextlib.contextmanager
def clock(moment: dt.datetime) -> Iterator[None]:
    """dateparser's modules see `moment` as the current time."""
    patched = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("dateparser") and getattr(module, "datetime", None) is dt.datetime
    ]
    _Frozen.moment = moment
    for module in patched:
        module.datetime = _Frozen
    try:
        yield
    finally:
        for module in patched:
            module.datetime = dt.datetime


def test_the_clock_patch_reaches_dateparser() -> None:
    parse_date("Feb 27, 2019", "en")  # loads dateparser's modules
    with clock(dt.datetime(2001, 1, 1, 12)):
        first = dateparser.parse("yesterday", languages=["en"])
    with clock(dt.datetime(2011, 6, 6, 12)):
        second = dateparser.parse("yesterday", languages=["en"])
    assert first != second


bases = st.one_of(
    st.none(),
    st.just(FETCHED),
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-11))])),
)


def not_after(value: str, base: dt.datetime) -> bool:
    """A relative value is no later than the fetch time (a day: in some zone's calendar)."""
    if base.tzinfo is None:
        base = base.replace(tzinfo=dt.UTC)
    if len(value) == 10:
        return dt.date.fromisoformat(value) <= base.date() + dt.timedelta(days=1)
    return dt.datetime.fromisoformat(value) <= base


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=any_text, language=languages, base=bases)
def test_text_never_raises_and_gives_iso(text: str, language: str | None, base) -> None:
    value, kind = parse_date_with_kind(text, language, base=base)
    assert kind in ("absolute", "relative")
    assert_iso(value)
    if value is not None and kind == "relative":
        assert not_after(value, base)


@settings(max_examples=EXAMPLES, deadline=None)
@given(value=numbers, hours=st.integers(-30, 30))
def test_numbers_never_raise(value, hours: int) -> None:
    result = from_epoch(value, hours)
    assert_iso(result)
    if result is not None:
        assert 1990 <= dt.datetime.fromisoformat(result).year <= 2100
    assert_iso(parse_date(str(value)))


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=st.one_of(date_like, relative_phrases), language=languages)
def test_no_value_depends_on_the_clock(text: str, language: str | None) -> None:
    with clock(dt.datetime(2003, 3, 3, 3, 3)):
        first = parse_date(text, language), parse_date(text, language, base=FETCHED)
    with clock(dt.datetime(2019, 9, 19, 19, 19)):
        second = parse_date(text, language), parse_date(text, language, base=FETCHED)
    assert first == second


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=relative_phrases, language=st.sampled_from([None, "zh", "ja", "en"]))
def test_relative_phrases_need_a_base(text: str, language: str | None) -> None:
    assert parse_date_with_kind(text, language) == (None, "relative")
    value, kind = parse_date_with_kind(text, language, base=FETCHED)
    assert kind == "relative"
    assert value is not None, text
    assert_iso(value)
    assert value == parse_date(text, language, base=FETCHED)
