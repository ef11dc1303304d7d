"""The time a page's relative dates ("3小时前", "昨天 10:20") are counted from.

A crawled page's is the response's `Date` header when it is a valid HTTP-date near the time
the response arrived, else that arrival time; an imported file has one only when the import
was given it (`--fetched-at`). It is stored with the fetch (`fetches.date_base`), so that a
re-cleaning counts from the same time as the first cleaning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

# How far a Date header may be from the local clock before it is taken for a wrong clock.
MAX_SKEW = dt.timedelta(days=1)

_DAY = r"(?P<wkday>Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_LONG_DAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME = r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)"
# RFC 7231 section 7.1.1.1: IMF-fixdate, then the obsolete RFC 850 and asctime forms.
_HTTP_DATES = (
    re.compile(rf"{_DAY}, (?P<day>\d\d) {_MONTH} (?P<year>\d{{4}}) {_TIME} GMT"),
    re.compile(rf"{_LONG_DAY}, (?P<day>\d\d)-{_MONTH}-(?P<year>\d\d) {_TIME} GMT"),
    re.compile(rf"{_DAY} {_MONTH} (?P<day>[ \d]\d) {_TIME} (?P<year>\d{{4}})"),
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DATE_ONLY = re.compile(r"\d{4}-\d\d-\d\d")


def http_date(value: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """An HTTP-date (RFC 7231) as an aware UTC datetime; None for anything else, including a
    weekday that does not match the date. A two-digit RFC 850 year is the latest year with
    those digits not more than 50 years after `now`."""
    text = (value or "").strip()
    match = next((m for p in _HTTP_DATES if (m := p.fullmatch(text))), None)
    if match is None:
        return None
    parts = match.groupdict()
    year = int(parts["year"])
    if len(parts["year"]) == 2:
        this_year = (now or dt.datetime.now(dt.UTC)).year
        year += this_year - this_year % 100
        if year > this_year + 50:
            year -= 100
    try:
        moment = dt.datetime(
            year,
            _MONTHS.index(parts["month"]) + 1,
            int(parts["day"]),
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"]),
            tzinfo=dt.UTC,
        )
    except ValueError:
        return None
    weekday = parts.get("wkday") or parts.get("weekday") or ""
    return moment if _WEEKDAYS[moment.weekday()].startswith(weekday) else None


def response_time(headers: Mapping[str, str] | None, arrived: str | dt.datetime) -> dt.datetime:
    """A response's time: its Date header, unless that is not an HTTP-date or is more than a
    day from `arrived` (the local time the response arrived), which is then the answer."""
    local = instant(arrived) if isinstance(arrived, str) else arrived.astimezone(dt.UTC)
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    stated = http_date(lowered.get("date"), local)
    if stated is None or abs(stated - local) > MAX_SKEW:
        return local
    return stated


def instant(value: str) -> dt.datetime:
    """An ISO 8601 timestamp with an offset or `Z`, or a date alone (midnight UTC), as an
    aware datetime keeping its offset. Raises ValueError for anything else."""
    text = value.strip()
    try:
        if _DATE_ONLY.fullmatch(text):
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO 8601 timestamp (e.g. 2024-05-01T08:30:00+08:00)"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no offset: add Z or one such as +08:00")
    return moment
