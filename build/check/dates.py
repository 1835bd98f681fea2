"""Dates as the seeds give them: whole days, and partial dates read as ranges of days."""

import calendar
import datetime
import re

# The dates the seeds may give, in ASCII digits: YYYY, YYYY-MM, YYYY-MM-DD or
# YYYY-MM-DDTHH:MM with its UTC offset (Z or +HH:MM), as the schema's pattern says.
PARTIAL_DATE = re.compile(
    r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?:Z|[+-](?P<offset_hours>[0-9]{2}):(?P<offset_minutes>[0-9]{2})))?)?)?"
)


def parse_date(value):
    """A datetime.date from YYYY-MM-DD (a real day, ASCII digits), or None."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def date_range(value):
    """(first day, last day, precision) of an ISO 8601 date at year, month, day or minute
    precision (a minute with its UTC offset; the day is the day as written); None unless
    the value is one of those forms and a real date and time."""
    match = PARTIAL_DATE.fullmatch(str(value))
    if not match:
        return None
    year, month, day = (
        int(match[name]) if match[name] else None for name in ("year", "month", "day")
    )
    try:
        if day is not None:
            moment = datetime.date(year, month, day)
            if match["hour"] is None:
                return moment, moment, "day"
            numbers = [
                int(match[name] or 0)
                for name in ("hour", "minute", "offset_hours", "offset_minutes")
            ]
            if numbers[0] > 23 or numbers[1] > 59 or numbers[2] > 23 or numbers[3] > 59:
                return None
            return moment, moment, "minute"
        if month is not None:
            return (
                datetime.date(year, month, 1),
                datetime.date(year, month, calendar.monthrange(year, month)[1]),
                "month",
            )
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year"
    except ValueError:
        return None


def date_order(articles_by_id):
    """Sort key putting article ids in date order: earliest possible day, latest, then id."""
    return lambda article_id: (
        articles_by_id[article_id]["not_before"],
        articles_by_id[article_id]["not_after"],
        article_id,
    )
