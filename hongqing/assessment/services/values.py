"""Entering business values: the checks of a value, the write (grid, import, API), closing months.

Every way of writing values ends in :func:`write_values`: all cells are checked first — the month
not closed, the indicator entered and of the hospital, the department of the hospital, the value a
number in the indicator's unit, with no more decimals than it has, within its range — and either
every cell is written, in one transaction, or none (:class:`ValuesRefused` names each cell).
A value that departs sharply from the department's history is written *and* flagged
(``deviation_*`` rules): a warning, never a refusal. One audit event records what changed.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.rules import RuleBook
from hongqing.core.scoping import CHANGE

from ..choices import EntryLevel, Source
from ..models import IndicatorValue, MonthClose
from ..periods import add_months, month_end, month_label, month_of
from . import rollups

MAX_ABS = Decimal("999999999999")  # the column: 16 digits, 4 after the point
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋，％", "0123456789.-+,%")


class CellError(ValueError):
    """A cell that cannot be read; the message names what is wrong (the caller names the cell)."""


def parse_value(indicator, raw) -> Decimal | None:
    """A typed or pasted cell → a Decimal in the indicator's unit; None for an empty cell.

    Accepts thousands separators and the indicator's own unit after the number (``85%``,
    ``3,200人次``); refuses another unit (``85元`` for a share) and anything that is not a number.
    """
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Decimal(str(raw))
    text = str(raw).translate(FULL_WIDTH).strip().replace(" ", "").replace("\u3000", "")
    if not text:
        return None
    unit = indicator.unit.strip()
    number, suffix = _split_unit(text)
    if not number:
        raise CellError(_("“%(raw)s” is not a number.") % {"raw": raw})
    if suffix and suffix != unit:
        raise CellError(
            _("“%(raw)s” is in %(suffix)s, but %(name)s is measured in %(unit)s.")
            % {"raw": raw, "suffix": suffix, "name": indicator.name, "unit": unit}
        )
    number = number.replace(",", "")
    if not NUMBER.match(number):
        raise CellError(_("“%(raw)s” is not a number.") % {"raw": raw})
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise CellError(_("“%(raw)s” is not a number.") % {"raw": raw}) from None
    if not value.is_finite():
        raise CellError(_("“%(raw)s” is not a number.") % {"raw": raw})
    return value


def _split_unit(text: str) -> tuple[str, str]:
    """``"85.5%"`` → ("85.5", "%"); ``"3,200人次"`` → ("3,200", "人次"); a bare number → (text, "")."""
    i = len(text)
    while i > 0 and not (text[i - 1].isdigit() or text[i - 1] == "."):
        i -= 1
    return text[:i], text[i:]


def value_errors(indicator, value, department_id=None) -> dict[str, str]:
    """The reasons a value cannot be kept for an indicator: its kind, level, decimals and range."""
    errors: dict[str, str] = {}
    if indicator.source != Source.ENTERED:
        errors["indicator"] = _("%(name)s is computed, not entered.") % {"name": indicator.name}
        return errors
    if indicator.entry_level == EntryLevel.HOSPITAL and department_id:
        errors["department"] = _("%(name)s is entered for the whole hospital, not per department.") % {
            "name": indicator.name
        }
    elif indicator.entry_level == EntryLevel.DEPARTMENT and not department_id:
        errors["department"] = _("%(name)s is entered per department.") % {"name": indicator.name}
    if value is None:
        return errors
    message = range_message(indicator, value)
    if message:
        errors["value"] = message
    return errors


def range_message(indicator, value: Decimal) -> str:
    if abs(value) > MAX_ABS:
        return _("The value is too large.")
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > indicator.decimals:
        if indicator.decimals == 0:
            return _("%(name)s is counted in whole %(unit)s.") % {
                "name": indicator.name,
                "unit": indicator.unit,
            }
        return _("%(name)s has at most %(n)d decimal places.") % {
            "name": indicator.name,
            "n": indicator.decimals,
        }
    low, high = indicator.min_value, indicator.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        shown = f"{value.normalize():f}"
        if low is not None and high is not None:
            return _("%(name)s is between %(low)s and %(high)s %(unit)s, not %(value)s.") % {
                "name": indicator.name,
                "low": f"{low.normalize():f}",
                "high": f"{high.normalize():f}",
                "unit": indicator.unit,
                "value": shown,
            }
        if low is not None:
            return _("%(name)s is at least %(low)s %(unit)s, not %(value)s.") % {
                "name": indicator.name,
                "low": f"{low.normalize():f}",
                "unit": indicator.unit,
                "value": shown,
            }
        return _("%(name)s is at most %(high)s %(unit)s, not %(value)s.") % {
            "name": indicator.name,
            "high": f"{high.normalize():f}",
            "unit": indicator.unit,
            "value": shown,
        }
    return ""


# ---------------------------------------------------------------------------------------------
# Closed months


def closed_months(hospital_id: int, months: Iterable[dt.date] | None = None) -> set[dt.date]:
    qs = MonthClose.objects.filter(hospital_id=hospital_id, closed=True)
    if months is not None:
        qs = qs.filter(month__in=list(set(months)))
    return set(qs.values_list("month", flat=True))


def closed_message(month: dt.date) -> str:
    return _("%(month)s is closed: re-open it (with a reason) to change its values.") % {
        "month": month_label(month)
    }


@transaction.atomic
def close_month(hospital, month: dt.date, *, actor, today: dt.date | None = None) -> MonthClose:
    """Close (lock) a month of a hospital: no value of it changes until it is re-opened."""
    month = month_of(month)
    today = today or timezone.localdate()
    if month_end(month) >= today:
        raise ValidationError(
            _("%(month)s has not ended yet: it can be closed from its last day on.")
            % {"month": month_label(month)}
        )
    row, _created = MonthClose.objects.select_for_update().get_or_create(
        hospital=hospital, month=month, defaults={"closed": False, "created_by": actor}
    )
    if row.closed:
        raise ValidationError(_("%(month)s is already closed.") % {"month": month_label(month)})
    row.closed, row.closed_at, row.closed_by = True, timezone.now(), actor
    row.save()
    log_event("month_closed", actor=actor, obj=row, data={"month": month.isoformat()})
    rollups.bump(hospital.pk)
    return row


@transaction.atomic
def reopen_month(hospital, month: dt.date, *, actor, reason: str) -> MonthClose:
    """Re-open a closed month: the reason is required and kept, and the event audited."""
    month = month_of(month)
    reason = (reason or "").strip()
    row = MonthClose.objects.select_for_update().filter(hospital=hospital, month=month, closed=True).first()
    if row is None:
        raise ValidationError(_("%(month)s is not closed.") % {"month": month_label(month)})
    if not reason:
        raise ValidationError({"reason": _("Give the reason for re-opening the month.")})
    row.closed, row.reopened_at, row.reopened_by, row.reopen_reason = (
        False,
        timezone.now(),
        actor,
        reason[:300],
    )
    row.save()
    log_event("month_reopened", actor=actor, obj=row, data={"month": month.isoformat(), "reason": reason})
    rollups.bump(hospital.pk)
    return row


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class Cell:
    """One value to write: ``raw`` as typed (or a Decimal); empty clears the value."""

    indicator: object
    department: object | None
    month: dt.date
    raw: object
    ref: str = ""  # how an error names the cell ("产科 · 门诊人次", "第 5 行「门诊人次」")
    value: Decimal | None = None


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    flagged: list[tuple[str, str]] = field(default_factory=list)  # (ref, warning)
    months: set = field(default_factory=set)
    values: list = field(default_factory=list)  # the written IndicatorValue rows
    pks: dict = field(
        default_factory=dict
    )  # (indicator, department, month) → the value's pk, unchanged ones too

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


class ValuesRefused(Exception):
    """Some cells are wrong: nothing was written. ``errors``: [(ref, message)]."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{r}: {m}" for r, m in errors[:5]))
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        return [f"{r}：{m}" if r else m for r, m in self.errors]


def check_cells(hospital, cells: list[Cell]) -> list[tuple[str, str]]:
    """Parse and check every cell (nothing written); fills ``cell.value``. Returns the errors."""
    errors: list[tuple[str, str]] = []
    closed = closed_months(hospital.pk, {month_of(c.month) for c in cells})
    seen: dict[tuple, str] = {}
    for c in cells:
        c.month = month_of(c.month)
        ind, dept = c.indicator, c.department
        if ind is None:
            errors.append((c.ref, _("Unknown indicator.")))
            continue
        if ind.hospital_id != hospital.pk:
            errors.append((c.ref, _("The indicator belongs to another hospital.")))
            continue
        if dept is not None and dept.hospital_id != hospital.pk:
            errors.append((c.ref, _("The department belongs to another hospital.")))
            continue
        if c.month in closed:
            errors.append((c.ref, closed_message(c.month)))
            continue
        key = (ind.pk, dept.pk if dept else None, c.month)
        if key in seen:
            errors.append((c.ref, _("The same value is also given at %(other)s.") % {"other": seen[key]}))
            continue
        seen[key] = c.ref
        try:
            c.value = parse_value(ind, c.raw)
        except CellError as exc:
            errors.append((c.ref, str(exc)))
            continue
        problems = value_errors(ind, c.value, dept.pk if dept else None)
        if problems:
            errors.append((c.ref, " ".join(problems.values())))
    return errors


def deviation_notes(hospital_id: int, cells: list[Cell]) -> dict[int, str]:
    """For cells whose value departs sharply from the department's recent history: the warning, by index.

    History: the same indicator and department in the ``deviation_history_months`` months before,
    when at least ``deviation_min_months`` of them have a value; departs: more than
    ``deviation_ratio`` away from their median.
    """
    todo = [(i, c) for i, c in enumerate(cells) if c.value is not None]
    if not todo:
        return {}
    book = RuleBook("assessment.deviation_", [hospital_id])
    first = min(c.month for _i, c in todo)
    last = max(c.month for _i, c in todo)
    span = int(book.value("assessment.deviation_history_months", hospital_id, first))
    need = int(book.value("assessment.deviation_min_months", hospital_id, first))
    ratio = Decimal(str(book.value("assessment.deviation_ratio", hospital_id, first)))
    history: dict[tuple, dict] = defaultdict(dict)
    rows = IndicatorValue.objects.filter(
        hospital_id=hospital_id,
        indicator_id__in={c.indicator.pk for _i, c in todo},
        month__gte=add_months(first, -span),
        month__lt=last,
    ).values_list("indicator_id", "department_id", "month", "value")
    for ind_id, dept_id, month, value in rows.order_by():
        history[(ind_id, dept_id)][month] = value
    out = {}
    for i, c in todo:
        past = history.get((c.indicator.pk, c.department.pk if c.department else None), {})
        window = [v for m, v in past.items() if add_months(c.month, -span) <= m < c.month]
        if len(window) < need:
            continue
        median = Decimal(str(statistics.median(window)))
        if median == 0:
            continue
        gap = abs(c.value - median) / abs(median)
        if gap > ratio:
            out[i] = _("%(pct)s%% away from the median of the %(n)d months before (%(median)s)") % {
                "pct": f"{gap * 100:.0f}",
                "n": len(window),
                "median": f"{median.normalize():f}",
            }
    return out


def write_values(hospital, cells: list[Cell], *, actor, source: str, clear_empty: bool = True) -> WriteResult:
    """Check every cell, then write them all in one transaction (or refuse them all).

    ``clear_empty``: an empty cell deletes the value it had (the grid); otherwise it is skipped.
    Rebuilds the month's rollups, and records one audit event with every change.
    """
    errors = check_cells(hospital, cells)
    if errors:
        raise ValuesRefused(errors)
    months = {c.month for c in cells}
    existing = {
        (v.indicator_id, v.department_id, v.month): v
        for v in IndicatorValue.objects.filter(
            hospital=hospital, month__in=months, indicator_id__in={c.indicator.pk for c in cells}
        )
    }
    notes = deviation_notes(hospital.pk, cells)
    result = WriteResult()
    to_create, to_update, to_delete, changes = [], [], [], []
    now = timezone.now()
    for i, c in enumerate(cells):
        key = (c.indicator.pk, c.department.pk if c.department else None, c.month)
        old = existing.get(key)
        dept_code = (c.department.code or c.department.name) if c.department else ""
        if c.value is None:
            if old is not None and clear_empty:
                to_delete.append(old.pk)
                changes.append([c.indicator.code, dept_code, c.month.isoformat(), str(old.value), None])
            continue
        note = notes.get(i, "")
        if note:
            result.flagged.append((c.ref, note))
        if old is None:
            obj = IndicatorValue(
                hospital=hospital,
                indicator=c.indicator,
                department=c.department,
                month=c.month,
                value=c.value,
                flagged=bool(note),
                flag_note=note[:200],
                source=source,
                created_by=actor,
            )
            to_create.append(obj)
            changes.append([c.indicator.code, dept_code, c.month.isoformat(), None, str(c.value)])
        elif old.value != c.value or old.flagged != bool(note):
            if old.value != c.value:
                changes.append(
                    [c.indicator.code, dept_code, c.month.isoformat(), str(old.value), str(c.value)]
                )
            old.value, old.flagged, old.flag_note, old.source, old.updated = (
                c.value,
                bool(note),
                note[:200],
                source,
                now,
            )
            to_update.append(old)
        else:
            result.unchanged += 1
    with transaction.atomic():
        # Closed again under the lock of the write: a month closed since the check refuses the whole write.
        still_closed = closed_months(hospital.pk, months)
        if still_closed:
            raise ValuesRefused([("", closed_message(m)) for m in sorted(still_closed)])
        if to_delete:
            IndicatorValue.objects.filter(pk__in=to_delete).delete()
        if to_create:
            IndicatorValue.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            IndicatorValue.objects.bulk_update(
                to_update, ["value", "flagged", "flag_note", "source", "updated"], batch_size=500
            )
        written = [*to_create, *to_update]
        if actor is not None and written:
            allowed = set(
                IndicatorValue.objects.restrict(actor, CHANGE)
                .filter(pk__in=[v.pk for v in written])
                .values_list("pk", flat=True)
            )
            outside = [v for v in written if v.pk not in allowed]
            if outside:
                raise ValuesRefused(
                    [("", _("The values would be outside your scope, so nothing was saved."))]
                )
        result.created, result.updated, result.deleted = len(to_create), len(to_update), len(to_delete)
        result.months = months
        result.values = written
        for key, old in existing.items():
            if old.pk not in to_delete:
                result.pks[key] = old.pk
        for v in to_create:
            result.pks[(v.indicator_id, v.department_id, v.month)] = v.pk
        if result.changed:
            log_event(
                "indicator_values",
                actor=actor,
                obj=hospital,
                repr_=f"{hospital} {', '.join(sorted(m.strftime('%Y-%m') for m in months))[:150]}",
                data={
                    "source": source,
                    "months": sorted(m.isoformat() for m in months),
                    "created": result.created,
                    "updated": result.updated,
                    "deleted": result.deleted,
                    "flagged": len(result.flagged),
                    "changes": changes[:5000],
                },
            )
            rollups.refresh_entered(hospital.pk, months)
    return result
