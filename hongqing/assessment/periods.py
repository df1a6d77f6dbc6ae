"""Months and periods: every value belongs to a month (its first day); periods are runs of months."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    out, current, last = [], month_of(first), month_of(last)
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def parse_month(text: str | None) -> dt.date | None:
    """``2026-03`` (or ``2026-3``, ``2026/03``, ``2026-03-01``) → 2026-03-01; None when not a month."""
    if not text:
        return None
    raw = str(text).strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "")
    parts = [p for p in raw.split("-") if p]
    try:
        year, month = int(parts[0]), int(parts[1])
        return dt.date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
    except (ValueError, IndexError):
        return None


def month_label(month: dt.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def quarter_of(month: dt.date) -> int:
    return (month.month - 1) // 3 + 1


def periods(kind: str, year: int) -> list[tuple[dt.date, dt.date]]:
    """The periods of a scheme's year: the year, or its four quarters (first and last month)."""
    if kind == "year":
        return [(dt.date(year, 1, 1), dt.date(year, 12, 1))]
    return [(dt.date(year, m, 1), dt.date(year, m + 2, 1)) for m in (1, 4, 7, 10)]


def period_label(first: dt.date, last: dt.date) -> str:
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    if n == 12 and first.month == 1:
        return _("Year %(year)d") % {"year": first.year}
    if n == 3 and first.month in (1, 4, 7, 10):
        return _("Q%(quarter)d %(year)d") % {"quarter": quarter_of(first), "year": first.year}
    if n == 1:
        return month_label(first)
    return f"{month_label(first)} – {month_label(last)}"
