"""The working-day calendar: Chinese holidays and adjusted working weekends (调休).

Order of precedence for a date: an admin override (CalendarOverride) → the ``chinese_calendar``
package for the years it knows → plain weekdays. A year that only the last rule covers is *missing
its official schedule*; pages that count working days say so (``schedule_missing``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

DAY = dt.timedelta(days=1)


def _overrides_for(year: int) -> dict[dt.date, bool]:
    from .models import CalendarOverride

    return dict(CalendarOverride.objects.filter(date__year=year).values_list("date", "is_working_day"))


@lru_cache(maxsize=64)
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Answers working-day questions; loads each year's overrides once (one query a year)."""

    def __init__(self):
        self._overrides: dict[int, dict[dt.date, bool]] = {}

    def _year(self, year: int) -> dict[dt.date, bool]:
        if year not in self._overrides:
            self._overrides[year] = _overrides_for(year)
        return self._overrides[year]

    def is_working_day(self, day: dt.date) -> bool:
        override = self._year(day.year).get(day)
        if override is not None:
            return override
        if _package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def schedule_missing(self, year: int) -> bool:
        """True when neither the package nor an override gives this year's official holidays."""
        return not _package_knows(year) and not self._year(year)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
        step = DAY if days >= 0 else -DAY
        remaining = abs(days)
        current = start
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        count, current = 0, start
        while current < end:
            current += DAY
            count += self.is_working_day(current)
        return count


def calendar() -> WorkingCalendar:
    """A fresh calendar (override cache per use: call once per request or job)."""
    return WorkingCalendar()
