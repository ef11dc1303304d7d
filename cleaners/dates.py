"""Publication dates: epoch seconds, written forms, and dateparser for phrases; never the clock.

A relative or year-less phrase ("3天前", "yesterday", "10月29日") is resolved against `base`, the
fetch time, and gives None without one: nothing in this module reads the clock, so cleaning the
same saved page twice gives the same value.
"""

from __future__ import annotations

import datetime as dt
import re

from .nfkc import nfkc

OFFSETS = {"zh": 8, "zh-Hans": 8, "zh-Hant": 8, "ja": 9}
ABSOLUTE, RELATIVE = "absolute", "relative"

_YEARS = (1990, 2100)  # of epoch values, fetch times and relative results
_PHRASE_LANGUAGES = ("zh", "ja", "en")
_MAX_PHRASE = 40
# dateparser fills what a phrase leaves out from its base: from this one, far from any real
# publication date, a result before 1900 shows that it came from the base (a relative phrase).
_SENTINEL = dt.datetime(1805, 6, 15, 12, 0, 0)
_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "REQUIRE_PARTS": ["day", "month"],
    "RETURN_TIME_AS_PERIOD": True,
    "TIMEZONE": "UTC",
}

_TIME = (
    r"(?P<H>\d{1,2}):(?P<M>\d\d)(?::(?P<S>\d\d))?(?:\.\d+)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d)?"
)
_WRITTEN = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"
    # A day is followed by 日/号, or by no other word (2023年11月 3篇 is a count, not a day).
    r"(?:\s*[日号]|(?=\d{1,2}:\d\d)|(?![\u3400-\u9fff\d]))"
    rf"(?:[\sT]*{_TIME})?",
    re.ASCII,
)
# 18-08-01 10:07 and 18-08-0110:07 (portal pages): two-digit year first, dashes only.
_SHORT_YEAR = re.compile(
    r"(?<![\d./-])(?P<y>\d\d)-(?P<m>\d\d)-(?P<d>\d\d)"
    r"(?:\s*(?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d))?)?(?![\d./:-])",
    re.ASCII,
)
# 27/02/2019 or 02.27.2019: read only when one of day-month and month-day is a valid date.
_YEAR_LAST = re.compile(
    r"(?<![\d./-])(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d\d)"
    rf"(?![\d./-])(?:[\sT]+{_TIME})?",
    re.ASCII,
)
# Year-less: 10月29日 [08:00], and 10-29 08:00 (a dashed month-day only with a time).
_MONTH_DAY = re.compile(
    r"(?<![\d./年-])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})(?:\s*[日号]|(?!\d))"
    rf"(?:\s*{_TIME})?",
    re.ASCII,
)
_MONTH_DAY_TIMED = re.compile(
    rf"(?<![\d./-])(?P<m>\d{{1,2}})[-/](?P<d>\d{{1,2}})[\sT]+{_TIME}(?![\d:])",
    re.ASCII,
)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_EPOCH = re.compile(r"[0-9]{9,10}|[0-9]{12,13}", re.ASCII)
_LETTER = re.compile(r"[^\W\d_]")


def from_epoch(seconds: str | int, hours: int = 8) -> str | None:
    """ISO 8601 for Unix seconds or milliseconds, in the given UTC offset (WeChat: +08:00)."""
    text = nfkc(str(seconds)).strip()
    if not _EPOCH.fullmatch(text):
        return None
    value = int(text)
    if len(text) > 10:
        value //= 1000
    try:
        zone = dt.timezone(dt.timedelta(hours=hours))
    except (TypeError, ValueError, OverflowError):
        return None
    moment = dt.datetime.fromtimestamp(value, zone)
    if not _YEARS[0] <= moment.year <= _YEARS[1]:
        return None
    return moment.isoformat()


def parse_date(
    text: str | None, language: str | None = None, *, base: dt.datetime | None = None
) -> str | None:
    """ISO 8601 from a written date; with an offset when a time is given, else YYYY-MM-DD."""
    return parse_date_with_kind(text, language, base=base)[0]


def parse_date_with_kind(
    text: str | None, language: str | None = None, *, base: dt.datetime | None = None
) -> tuple[str | None, str]:
    """The date, and "relative" if it was resolved against `base` (the fetch time) or "absolute".

    A relative phrase gives (None, "relative") when there is no base.
    """
    if not text:
        return None, ABSOLUTE
    text = nfkc(text).strip()
    if _DIGITS.fullmatch(text):
        value = from_epoch(text, OFFSETS.get(language or "", 8)) if _EPOCH.fullmatch(text) else None
        return value, ABSOLUTE
    for pattern, read in (
        (_WRITTEN, _written),
        (_SHORT_YEAR, _short_year),
        (_YEAR_LAST, _year_last),
    ):
        match = pattern.search(text)
        if match:
            return read(match, language), ABSOLUTE
    match = _MONTH_DAY.search(text) or _MONTH_DAY_TIMED.search(text)
    if match:
        return _without_year(match, language, base), RELATIVE
    return _phrase(text, language, base)


def _written(match: re.Match[str], language: str | None) -> str | None:
    return _on_day(_day(match["y"], match["m"], match["d"]), match, language)


def _short_year(match: re.Match[str], language: str | None) -> str | None:
    """A yy-mm-dd date, unless it has no time and also reads as dd-mm-yy or mm-dd-yy."""
    y, m, d = match["y"], match["m"], match["d"]
    if match["H"] is None and (_day(d, m, y) or _day(d, y, m)):
        return None
    return _on_day(_day(y, m, d), match, language)


def _year_last(match: re.Match[str], language: str | None) -> str | None:
    day_first = _day(match["y"], match["b"], match["a"])
    month_first = _day(match["y"], match["a"], match["b"])
    if day_first and month_first and day_first != month_first:
        return None
    return _on_day(day_first or month_first, match, language)


def _day(year: str, month: str, day: str) -> dt.date | None:
    """The date, with a two-digit year read as 1990..2089; None when it does not exist."""
    y = int(year)
    if len(year) == 2:
        y += 1900 if y >= 90 else 2000
    try:
        return dt.date(y, int(month), int(day))
    except ValueError:
        return None


def _on_day(day: dt.date | None, match: re.Match[str], language: str | None) -> str | None:
    """The day, or the moment on it when the match holds a valid time (in its zone if written)."""
    if day is None:
        return None
    moment = _at(day, match)
    if moment is None:
        return day.isoformat()
    written = _written_zone(match.groupdict().get("tz"))
    if written is not None:
        return moment.replace(tzinfo=written).isoformat()
    zone = _zone(language)
    return (moment.replace(tzinfo=zone) if zone else moment).isoformat()


def _at(day: dt.date, match: re.Match[str]) -> dt.datetime | None:
    if match["H"] is None:
        return None
    try:
        clock = dt.time(int(match["H"]), int(match["M"]), int(match["S"] or 0))
    except ValueError:
        return None
    return dt.datetime.combine(day, clock)


def _written_zone(tz: str | None) -> dt.tzinfo | None:
    if not tz:
        return None
    if tz == "Z":
        return dt.UTC
    offset = dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[-2:]))
    try:
        return dt.timezone(offset if tz[0] == "+" else -offset)
    except ValueError:
        return None


def _zone(language: str | None) -> dt.tzinfo | None:
    """The usual zone of the language (Chinese when unknown), None for languages without one."""
    hours = OFFSETS.get(language or "zh-Hans")
    return None if hours is None else dt.timezone(dt.timedelta(hours=hours))


def _local_base(language: str | None, base: dt.datetime | None) -> dt.datetime | None:
    """The fetch time in the language's zone (or its own); a naive base is taken as UTC."""
    if base is None or not _YEARS[0] <= base.year <= _YEARS[1]:
        return None
    if base.tzinfo is None:
        base = base.replace(tzinfo=dt.UTC)
    return base.astimezone(_zone(language) or base.tzinfo)


def _without_year(
    match: re.Match[str], language: str | None, base: dt.datetime | None
) -> str | None:
    """A month and day in the latest year that puts them no later than the fetch time."""
    local = _local_base(language, base)
    if local is None:
        return None
    for year in (local.year, local.year - 1):
        day = _day(str(year), match["m"], match["d"])
        if day is None:
            continue
        if match["H"] is None:
            if day <= local.date():
                return day.isoformat()
            continue
        moment = _at(day, match)
        if moment is None:
            return None
        moment = moment.replace(tzinfo=_written_zone(match["tz"]) or local.tzinfo)
        if moment <= local:
            return moment.isoformat()
    return None


def _phrase(text: str, language: str | None, base: dt.datetime | None) -> tuple[str | None, str]:
    """dateparser for a short phrase with letters ("Feb 27, 2019", "6小时前", "yesterday")."""
    text = " ".join(text.split())
    if len(text) > _MAX_PHRASE or not _LETTER.search(text):
        return None, ABSOLUTE
    if base is None and not re.search(r"[0-9]", text):
        return None, RELATIVE
    found = _dateparser(text, language, _SENTINEL)
    if found is None:
        return None, ABSOLUTE
    moment, period = found
    if moment.year >= 1900:
        return _absolute(moment, period, language), ABSOLUTE
    local = _local_base(language, base)
    if local is None:
        return None, RELATIVE
    found = _dateparser(text, language, local.replace(tzinfo=None))
    if found is None or found[0] == moment:
        return None, RELATIVE
    return _relative(*found, local), RELATIVE


def _dateparser(
    text: str, language: str | None, base: dt.datetime
) -> tuple[dt.datetime, str] | None:
    """dateparser's reading with its period ("time" when a time was given), or None."""
    from dateparser.date import DateDataParser

    first = (language or "").split("-")[0]
    languages = sorted(_PHRASE_LANGUAGES, key=lambda name: name != first)
    parser = DateDataParser(languages=languages, settings={**_SETTINGS, "RELATIVE_BASE": base})
    try:
        data = parser.get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd text; it is not a date then
        return None
    if data.date_obj is None:
        return None
    return data.date_obj.replace(microsecond=0), data.period or "day"


def _absolute(moment: dt.datetime, period: str, language: str | None) -> str | None:
    if moment.year > _YEARS[1]:
        return None
    if period != "time":
        return moment.date().isoformat()
    if moment.tzinfo is None:
        hours = OFFSETS.get(language or "")
        if hours is not None:
            moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=hours)))
    return moment.isoformat()


def _relative(moment: dt.datetime, period: str, local: dt.datetime) -> str | None:
    """A moment ("6小时前") or a day ("昨天") not after the fetch time; vaguer periods give None."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local.tzinfo)
    if moment > local or moment.year < _YEARS[0]:
        return None
    if period == "time":
        return moment.isoformat()
    if period == "day":
        return moment.astimezone(local.tzinfo).date().isoformat()
    return None


def localise(value: str | None, language: str | None) -> str | None:
    """A UTC timestamp shown in the article's local time (+08:00 for Chinese), same instant."""
    hours = OFFSETS.get(language or "")
    if not value or hours is None or len(value) <= 10:
        return value
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.utcoffset() != dt.timedelta(0):
        return value
    return moment.astimezone(dt.timezone(dt.timedelta(hours=hours))).isoformat()
