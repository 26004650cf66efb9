"""Working days on the Chinese calendar, for public notices (公示) that run N working days.

Holidays and swapped workdays (调休) come from the ``chinesecalendar`` package, which knows the
years the State Council has published. For a year it does not know we fall back to Monday to
Friday and say so, so the notice can tell readers its end date is provisional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(is it a working day, did we have to guess because the year is not published)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


@dataclass(frozen=True)
class WorkingDaySpan:
    start: dt.date
    end: dt.date
    # True when some day in the span fell outside the published calendar (Mon–Fri assumed).
    estimated: bool


def working_day_span(start: dt.date, count: int) -> WorkingDaySpan:
    """The span from ``start`` to its ``count``-th working day (``start`` counts if it works)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day, seen, estimated = start, 0, False
    while True:
        working, guessed = is_working_day(day)
        estimated = estimated or guessed
        if working:
            seen += 1
            if seen == count:
                return WorkingDaySpan(start, day, estimated)
        day += ONE_DAY
