"""Publication dates: epoch seconds, common written forms, and dateparser as the last resort."""

from __future__ import annotations

import datetime as dt
import re

OFFSETS = {"zh": 8, "zh-Hans": 8, "zh-Hant": 8, "ja": 9}
_WRITTEN = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2}):(?P<M>\d\d)(?::(?P<S>\d\d))?(?:\.\d+)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d)?)?"
)


def from_epoch(seconds: str | int, hours: int = 8) -> str | None:
    """ISO 8601 for Unix seconds, in the given UTC offset (WeChat: +08:00)."""
    try:
        value = int(str(seconds).strip())
    except ValueError:
        return None
    if value > 10**11:
        value //= 1000
    if value <= 0:
        return None
    zone = dt.timezone(dt.timedelta(hours=hours))
    return dt.datetime.fromtimestamp(value, zone).isoformat()


def parse_date(text: str | None, language: str | None = None) -> str | None:
    """ISO 8601 from a written date; with an offset when a time is given, else YYYY-MM-DD."""
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{10}|\d{13}", text):
        return from_epoch(text, OFFSETS.get(language or "", 8))
    match = _WRITTEN.search(text)
    if match:
        return _from_match(match, language)
    return _dateparser(text, language)


def _from_match(match: re.Match[str], language: str | None) -> str | None:
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if match["H"] is None:
        return day.isoformat()
    try:
        moment = dt.datetime.combine(
            day, dt.time(int(match["H"]), int(match["M"]), int(match["S"] or 0))
        )
    except ValueError:
        return day.isoformat()
    tz = match["tz"]
    if tz == "Z":
        return moment.replace(tzinfo=dt.UTC).isoformat()
    if tz:
        sign = 1 if tz[0] == "+" else -1
        hours, minutes = int(tz[1:3]), int(tz[-2:])
        offset = dt.timedelta(hours=hours, minutes=minutes) * sign
        return moment.replace(tzinfo=dt.timezone(offset)).isoformat()
    hours = OFFSETS.get(language or "zh-Hans")
    if hours is None:
        return moment.isoformat()
    return moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=hours))).isoformat()


def _dateparser(text: str, language: str | None) -> str | None:
    if len(text) > 60 or not re.search(r"\d", text):
        return None
    import dateparser

    settings = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
    parsed = dateparser.parse(text, settings=settings)
    if parsed is None:
        return None
    if parsed.hour or parsed.minute:
        hours = OFFSETS.get(language or "")
        if hours is not None:
            parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=hours)))
        return parsed.isoformat()
    return parsed.date().isoformat()


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
