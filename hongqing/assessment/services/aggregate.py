"""Reading indicators: an indicator's value for a unit (a department, a Party organisation, the
hospital) over a run of months, from the monthly aggregate table.

Every aggregate is Σnum / Σden of the rollups (times the computation's factor): a sum is Σnum, a
mean Σvalues / the number of values, a weighted mean Σ(value × weight) / Σweight, a computed rate
its numerator over its denominator — never an average of the months' or the departments' ratios.
``latest`` takes the last month of the run that has data. A formula is evaluated on its operands'
aggregates over the same unit and months (``prior(x)``: the same months a year earlier).

:func:`load` reads every rollup a page needs in one query; :class:`Aggregates` answers from memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from .. import computations
from ..choices import Aggregation, Source
from ..formulas import FormulaError, parse
from ..models import Indicator, Rollup
from ..periods import add_months
from ..periods import months as month_range

HOSPITAL = "hospital"
ORG = "org"
DEPT = "dept"
ONE = Decimal(1)


@dataclass(frozen=True)
class Unit:
    kind: str  # HOSPITAL, ORG or DEPT
    id: int

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass
class Result:
    value: Decimal | None
    num: Decimal | None = None
    den: Decimal | None = None
    count: int = 0
    months: list = field(default_factory=list)  # the months that had data
    operands: dict = field(default_factory=dict)  # a formula's: code → Result

    @property
    def has_data(self) -> bool:
        return self.value is not None


NO_DATA = Result(None)


def factor_of(ind) -> Decimal:
    if ind.source == Source.COMPUTED:
        comp = computations.get(ind.computation)
        return comp.factor if comp else ONE
    return ONE


class Aggregates:
    """Indicators' values from a set of rollup rows (see :func:`load`)."""

    def __init__(self, indicators: Iterable[Indicator], rows: Iterable[tuple], hospital_id: int):
        self.by_id = {i.pk: i for i in indicators}
        self.by_code = {i.code: i for i in self.by_id.values()}
        self.hospital_id = hospital_id
        # (indicator id, unit key) → {month: (num, den, count)}
        self.data: dict[tuple, dict[dt.date, tuple]] = defaultdict(dict)
        for ind_id, org_id, dept_id, month, num, den, count in rows:
            if dept_id is not None:
                unit = (DEPT, dept_id)
            elif org_id is not None:
                unit = (ORG, org_id)
            else:
                unit = (HOSPITAL, hospital_id)
            self.data[(ind_id, unit)][month] = (num, den, count)
        self._formulas: dict[int, object] = {}

    def months_with_data(self, ind, unit: Unit, _seen=None) -> list[dt.date]:
        """The months the unit has data of the indicator (a formula: of all its operands)."""
        if ind.source != Source.FORMULA:
            return sorted(self.data.get((ind.pk, unit.key), {}))
        seen = _seen or set()
        if ind.pk in seen:
            return []
        seen.add(ind.pk)
        try:
            codes = parse(ind.formula).codes
        except FormulaError:
            return []
        sets = [set(self.months_with_data(self.by_code[c], unit, seen)) for c in codes if c in self.by_code]
        return sorted(set.intersection(*sets)) if sets else []

    def result(self, ind, unit: Unit, months: list[dt.date]) -> Result:
        if ind.source == Source.FORMULA:
            return self._formula(ind, unit, months)
        cells = self.data.get((ind.pk, unit.key), {})
        present = [m for m in months if m in cells]
        if not present:
            return Result(None)
        if ind.aggregation == Aggregation.LATEST:
            present = [present[-1]]
        num, den, count = Decimal(0), None, 0
        for m in present:
            n, d, c = cells[m]
            num += n
            if d is not None:
                den = (den or Decimal(0)) + d
            count += c
        if ind.aggregation == Aggregation.SUM or (ind.aggregation == Aggregation.LATEST and den is None):
            value = num
        elif not den:
            value = None
        else:
            value = num / den * factor_of(ind)
        return Result(value, num, den, count, present)

    def _formula(self, ind, unit: Unit, months: list[dt.date]) -> Result:
        f = self._formulas.get(ind.pk)
        if f is None:
            try:
                f = self._formulas[ind.pk] = parse(ind.formula)
            except FormulaError:
                return Result(None)
        operands: dict[str, Result] = {}
        prior_months = [add_months(m, -12) for m in months]

        def value(code, prior):
            op = self.by_code.get(code)
            if op is None:
                return None
            r = self.result(op, unit, prior_months if prior else months)
            operands[f"prior({code})" if prior else code] = r
            return r.value

        result = f.evaluate(value)
        present = sorted({m for r in operands.values() for m in r.months if m in months})
        return Result(
            result, count=sum(r.count for r in operands.values()), months=present, operands=operands
        )

    def series(self, ind, unit: Unit, months: list[dt.date]) -> list[Result]:
        """The indicator month by month."""
        return [self.result(ind, unit, [m]) for m in months]


def base_indicators(indicators: Iterable[Indicator], by_code: dict[str, Indicator]) -> tuple[set[int], bool]:
    """The ids of the stored indicators that ``indicators`` read (formula operands, transitively),
    and whether any reads a prior year."""
    ids: set[int] = set()
    prior = False
    stack = list(indicators)
    seen: set[int] = set()
    while stack:
        ind = stack.pop()
        if ind.pk in seen:
            continue
        seen.add(ind.pk)
        if ind.source != Source.FORMULA:
            ids.add(ind.pk)
            continue
        try:
            f = parse(ind.formula)
        except FormulaError:
            continue
        prior = prior or bool(f.prior_codes)
        stack.extend(by_code[c] for c in f.codes if c in by_code)
    return ids, prior


def load(
    hospital_id: int,
    units: Iterable[Unit],
    first: dt.date,
    last: dt.date,
    *,
    indicators: Iterable[Indicator] | None = None,
    user=None,
    all_indicators: list[Indicator] | None = None,
) -> Aggregates:
    """One query: every rollup of ``units`` from ``first``'s month to ``last``'s that the indicators read.

    ``user``: read through their scope (a page); None: a service reading for itself (scoring).
    """
    catalogue = (
        all_indicators
        if all_indicators is not None
        else list(Indicator.objects.filter(hospital_id=hospital_id))
    )
    by_code = {i.code: i for i in catalogue}
    wanted = catalogue if indicators is None else list(indicators)
    ids, prior = base_indicators(wanted, by_code)
    units = list(units)
    start = add_months(first, -12) if prior else first
    qs = Rollup.objects.restrict(user, "view") if user is not None else Rollup.objects.all()
    where = Q()
    org_ids = [u.id for u in units if u.kind == ORG]
    dept_ids = [u.id for u in units if u.kind == DEPT]
    if org_ids:
        where |= Q(organization_id__in=org_ids)
    if dept_ids:
        where |= Q(department_id__in=dept_ids)
    if any(u.kind == HOSPITAL for u in units):
        where |= Q(organization__isnull=True, department__isnull=True)
    if not units or not ids:
        return Aggregates(catalogue, [], hospital_id)
    rows = (
        qs.filter(where, hospital_id=hospital_id, indicator_id__in=ids, month__gte=start, month__lte=last)
        .order_by()
        .values_list("indicator_id", "organization_id", "department_id", "month", "num", "den", "count")
    )
    return Aggregates(catalogue, rows, hospital_id)


def value_of(hospital_id: int, ind, unit: Unit, first: dt.date, last: dt.date, *, user=None) -> Result:
    """One indicator for one unit over a run of months (a convenience for single figures)."""
    agg = load(hospital_id, [unit], first, last, indicators=[ind], user=user)
    return agg.result(ind, unit, month_range(first, last))
