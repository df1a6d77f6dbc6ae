"""The points year (积分年度) and its periods.

A cycle starts on the first day of ``points.cycle_start_month`` and is named by the calendar year
it starts in (a cycle from July 2025 to June 2026 is "2025"). Caps count over a month, a quarter
(three months from the cycle's start) or the cycle; selection rounds over
``points.honor_period_months`` months from the cycle's start.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from hongqing.core.rules import rule_value

from ..choices import CapPeriod

HONOR_PERIODS = (1, 3, 6, 12)


def start_month(hospital_id: int | None) -> int:
    """The month a hospital's points year starts, as the rule says today (a change re-labels past
    years too: change it only between two cycles)."""
    return valid_month(rule_value("points.cycle_start_month", hospital_id))


def valid_month(value) -> int:
    try:
        month = int(value)
    except (TypeError, ValueError):
        return 1
    return month if 1 <= month <= 12 else 1


def year_of(day: dt.date, month: int) -> int:
    """The cycle (named by its first day's year) ``day`` falls in, for cycles starting in ``month``."""
    return day.year if day.month >= month else day.year - 1


def cycle_year(day: dt.date, hospital_id: int | None) -> int:
    return year_of(day, start_month(hospital_id))


def bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    return first, first + relativedelta(years=1) - dt.timedelta(days=1)


def cycle_bounds(year: int, hospital_id: int | None) -> tuple[dt.date, dt.date]:
    return bounds(year, start_month(hospital_id))


def block_bounds(day: dt.date, months: int, month: int) -> tuple[dt.date, dt.date]:
    """The block of ``months`` months (counted from the cycle's first month) that holds ``day``."""
    first, _last = bounds(year_of(day, month), month)
    offset = (day.year - first.year) * 12 + day.month - first.month
    start = first + relativedelta(months=(offset // months) * months)
    return start, start + relativedelta(months=months) - dt.timedelta(days=1)


def period_bounds(day: dt.date, period: str, month: int) -> tuple[dt.date, dt.date]:
    """The cap period (month / quarter / year) that holds ``day``."""
    months = {CapPeriod.MONTH: 1, CapPeriod.QUARTER: 3, CapPeriod.YEAR: 12}[period]
    return block_bounds(day, months, month)


def honor_months(hospital_id: int | None, on: dt.date | None = None) -> int:
    value = rule_value("points.honor_period_months", hospital_id, on)
    try:
        months = int(value)
    except (TypeError, ValueError):
        return 3
    return months if months in HONOR_PERIODS else 3


def honor_periods(year: int, hospital_id: int | None) -> list[tuple[int, dt.date, dt.date]]:
    """The selection periods of a cycle: (number, first day, last day)."""
    month = start_month(hospital_id)
    months = honor_months(hospital_id, dt.date(year, month, 1))
    first, _last = bounds(year, month)
    out = []
    for n in range(12 // months):
        start = first + relativedelta(months=n * months)
        out.append((n + 1, start, start + relativedelta(months=months) - dt.timedelta(days=1)))
    return out
