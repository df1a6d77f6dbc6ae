"""The monthly aggregate table (``Rollup``): rebuilt from the entered values and the Party records.

- Entered indicators: :func:`refresh_entered` after every write of values (the grid, the import,
  the API): each department's value as additive parts, each Party organisation's (the departments
  it was built on that month, by the dated branch–department links), the hospital's.
- Computed (Party) indicators: :func:`refresh_party` runs the computations over a run of months.
  The records change through other apps' pages, so ``assessment.signals`` marks a hospital's Party
  rollups stale from the month a changed record touches, and :func:`ensure_fresh` — called by every
  page and job that reads them — rebuilds the stale months first.

``RollupState.version`` grows with every rebuild (and with closed months and scores): the cockpit's
cache key, so a cached cockpit never outlives the figures it shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hongqing.organization.models import BranchDepartment, PartyOrganization

from .. import computations
from ..choices import Aggregation, Source
from ..models import Indicator, IndicatorValue, Rollup, RollupState
from ..periods import add_months, month_end, month_of

ZERO = Decimal(0)
ONE = Decimal(1)
# How far back a stale mark reaches at most: the cockpit and the schemes look at three years.
KEEP_YEARS = 3


def state(hospital_id: int) -> RollupState:
    obj, _created = RollupState.objects.get_or_create(hospital_id=hospital_id)
    return obj


def bump(hospital_id: int) -> None:
    """A change the cockpit's cache must see (values, rollups, a closed month, scores)."""
    updated = RollupState.objects.filter(hospital_id=hospital_id).update(version=F("version") + 1)
    if not updated:
        RollupState.objects.get_or_create(hospital_id=hospital_id, defaults={"version": 1})


def versions(hospital_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        RollupState.objects.filter(hospital_id__in=list(hospital_ids)).values_list("hospital_id", "version")
    )


# ---------------------------------------------------------------------------------------------
# Entered values


def department_owners(hospital_id: int, months: Iterable[dt.date]) -> dict[dt.date, dict[int, int]]:
    """For each month: department → the Party organisation built on it that month.

    The link in force on the month's last day; a link that ended within the month counts only if no
    other covers the month's end.
    """
    months = sorted(set(months))
    if not months:
        return {}
    links = list(
        BranchDepartment.objects.filter(department__hospital_id=hospital_id, start__lte=month_end(months[-1]))
        .filter(Q(end__isnull=True) | Q(end__gte=months[0]))
        .order_by("start", "pk")
        .values_list("department_id", "organization_id", "start", "end")
    )
    out: dict[dt.date, dict[int, int]] = {}
    for m in months:
        last = month_end(m)
        owners: dict[int, tuple] = {}
        for dept, org, start, end in links:
            if start > last or (end is not None and end < m):
                continue
            at_end = end is None or end >= last
            current = owners.get(dept)
            if current is None or at_end >= current[1]:
                owners[dept] = (org, at_end)
        out[m] = {d: o for d, (o, _e) in owners.items()}
    return out


def entered_parts(ind, value: Decimal, weight: Decimal | None) -> tuple[Decimal, Decimal | None] | None:
    """A value's additive parts for its aggregation; None when a weighted value has no weight."""
    if ind.aggregation == Aggregation.MEAN:
        return value, ONE
    if ind.aggregation == Aggregation.WEIGHTED_MEAN:
        if weight is None:
            return None
        return value * weight, weight
    return value, None  # sum, latest


def _add(bucket: dict, key, num: Decimal, den: Decimal | None) -> None:
    t = bucket.get(key)
    if t is None:
        bucket[key] = [num, den, 1]
        return
    t[0] += num
    if den is not None:
        t[1] = (t[1] or ZERO) + den
    t[2] += 1


@transaction.atomic
def refresh_entered(hospital_id: int, months: Iterable[dt.date]) -> int:
    """Rebuild the rollups of every entered indicator of the hospital for ``months``; the rows written."""
    months = sorted({month_of(m) for m in months})
    if not months:
        return 0
    inds = {
        i.pk: i
        for i in Indicator.objects.filter(hospital_id=hospital_id, source=Source.ENTERED).only(
            "pk", "aggregation", "weight_id", "entry_level"
        )
    }
    values: dict[tuple, Decimal] = {}
    for ind_id, dept_id, month, value in (
        IndicatorValue.objects.filter(hospital_id=hospital_id, month__in=months)
        .order_by()
        .values_list("indicator_id", "department_id", "month", "value")
    ):
        values[(ind_id, dept_id, month)] = value
    owners = department_owners(hospital_id, months)
    dept_rows: dict[tuple, list] = {}
    org_rows: dict[tuple, list] = {}
    hosp_rows: dict[tuple, list] = {}
    for (ind_id, dept_id, month), value in values.items():
        ind = inds.get(ind_id)
        if ind is None:
            continue
        weight = values.get((ind.weight_id, dept_id, month)) if ind.weight_id else None
        parts = entered_parts(ind, value, weight)
        if parts is None:
            continue
        num, den = parts
        if dept_id is not None:
            _add(dept_rows, (ind_id, dept_id, month), num, den)
            org = owners.get(month, {}).get(dept_id)
            if org is not None:
                _add(org_rows, (ind_id, org, month), num, den)
        _add(hosp_rows, (ind_id, month), num, den)
    Rollup.objects.filter(hospital_id=hospital_id, indicator_id__in=list(inds), month__in=months).delete()
    objs = [
        Rollup(
            hospital_id=hospital_id, indicator_id=i, department_id=d, month=m, num=t[0], den=t[1], count=t[2]
        )
        for (i, d, m), t in dept_rows.items()
    ]
    objs += [
        Rollup(
            hospital_id=hospital_id,
            indicator_id=i,
            organization_id=o,
            month=m,
            num=t[0],
            den=t[1],
            count=t[2],
        )
        for (i, o, m), t in org_rows.items()
    ]
    objs += [
        Rollup(hospital_id=hospital_id, indicator_id=i, month=m, num=t[0], den=t[1], count=t[2])
        for (i, m), t in hosp_rows.items()
    ]
    Rollup.objects.bulk_create(objs, batch_size=2000)
    bump(hospital_id)
    return len(objs)


# ---------------------------------------------------------------------------------------------
# Party (computed) indicators


def party_query(
    hospital_id: int, first: dt.date, last: dt.date, *, today: dt.date | None = None, org_ids=None
):
    orgs = PartyOrganization.objects.filter(hospital_id=hospital_id)
    if org_ids is not None:
        orgs = orgs.filter(pk__in=list(org_ids))
    orgs = list(orgs.only("pk", "path", "kind", "hospital_id", "established", "name", "short_name"))
    return computations.Query(hospital_id, orgs, first, last, today or timezone.localdate())


@transaction.atomic
def refresh_party(hospital_id: int, first: dt.date, last: dt.date, *, today: dt.date | None = None) -> int:
    """Rebuild the rollups of the hospital's computed indicators from ``first``'s month to ``last``'s."""
    first, last = month_of(first), month_of(last)
    inds = list(
        Indicator.objects.filter(hospital_id=hospital_id, source=Source.COMPUTED).only("pk", "computation")
    )
    q = party_query(hospital_id, first, last, today=today)
    facts = computations.compute({i.computation for i in inds}, q)
    Rollup.objects.filter(
        hospital_id=hospital_id, indicator_id__in=[i.pk for i in inds], month__gte=first, month__lte=last
    ).delete()
    objs = []
    for ind in inds:
        rows = facts.get(ind.computation)
        if rows is None:
            continue
        per_org = computations.totals(rows)
        per_month: dict[dt.date, list] = {}
        for (org_id, month), (num, den, n) in per_org.items():
            objs.append(
                Rollup(
                    hospital_id=hospital_id,
                    indicator_id=ind.pk,
                    organization_id=org_id,
                    month=month,
                    num=num,
                    den=den,
                    count=n,
                )
            )
            t = per_month.setdefault(month, [ZERO, None, 0])
            t[0] += num
            if den is not None:
                t[1] = (t[1] or ZERO) + den
            t[2] += n
        objs += [
            Rollup(hospital_id=hospital_id, indicator_id=ind.pk, month=m, num=t[0], den=t[1], count=t[2])
            for m, t in per_month.items()
        ]
    Rollup.objects.bulk_create(objs, batch_size=2000)
    RollupState.objects.get_or_create(hospital_id=hospital_id)
    RollupState.objects.filter(hospital_id=hospital_id).update(
        party_refreshed=timezone.now(), version=F("version") + 1
    )
    return len(objs)


def keep_from(today: dt.date) -> dt.date:
    return dt.date(today.year - KEEP_YEARS + 1, 1, 1)


def _mark(field: str, hospital_ids: Iterable[int], month: dt.date) -> None:
    month = month_of(month)
    ids = set(hospital_ids)
    if not ids:
        return
    existing = set(RollupState.objects.filter(hospital_id__in=ids).values_list("hospital_id", flat=True))
    missing = ids - existing
    if missing:
        RollupState.objects.bulk_create(
            [RollupState(hospital_id=h, **{field: month}) for h in missing], ignore_conflicts=True
        )
    RollupState.objects.filter(hospital_id__in=ids).filter(
        Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": month})
    ).update(**{field: month})


def mark_stale(hospital_ids: Iterable[int], month: dt.date) -> None:
    """The Party rollups of these hospitals are stale from ``month`` on."""
    _mark("party_stale_from", hospital_ids, month)


def mark_entered_stale(hospital_ids: Iterable[int], month: dt.date) -> None:
    """The entered values' rollups are stale from ``month`` on (a branch–department link changed)."""
    _mark("entered_stale_from", hospital_ids, month)


def ensure_fresh(hospital_ids: Iterable[int], *, today: dt.date | None = None) -> list[int]:
    """Rebuild the stale rollups of these hospitals first (one query when none is stale)."""
    today = today or timezone.localdate()
    ids = set(hospital_ids)
    states = {
        h: (p, e, refreshed)
        for h, p, e, refreshed in RollupState.objects.filter(hospital_id__in=ids).values_list(
            "hospital_id", "party_stale_from", "entered_stale_from", "party_refreshed"
        )
    }
    stale = []
    for h in sorted(ids):
        stored, e, refreshed = states.get(h, (None, None, None))
        # Never computed (a new hospital, or records older than this app): all the years kept.
        p = keep_from(today) if refreshed is None else stored
        if p is not None or e is not None:
            stale.append((h, p, e, stored))
    done = []
    now = month_of(today)
    for hospital_id, party_since, entered_since, stored in stale:
        if entered_since is not None:
            first = max(entered_since, keep_from(today))
            months = [m for m in entered_months(hospital_id) if m >= first]
            refresh_entered(hospital_id, months)
            RollupState.objects.filter(hospital_id=hospital_id, entered_stale_from=entered_since).update(
                entered_stale_from=None
            )
        if party_since is not None:
            first = max(party_since, keep_from(today))
            if first <= now:
                refresh_party(hospital_id, first, now, today=today)
            else:
                RollupState.objects.get_or_create(hospital_id=hospital_id)
                RollupState.objects.filter(hospital_id=hospital_id).update(party_refreshed=timezone.now())
            # Cleared only if no newer mark moved it since it was read.
            RollupState.objects.filter(hospital_id=hospital_id, party_stale_from=stored).update(
                party_stale_from=None
            )
        done.append(hospital_id)
    return done


def refresh_all(hospital_id: int, *, today: dt.date | None = None, years: int = KEEP_YEARS) -> int:
    """Rebuild every rollup of a hospital over the last ``years`` years (the demo, the daily job)."""
    today = today or timezone.localdate()
    first = dt.date(today.year - years + 1, 1, 1)
    months = []
    m = first
    while m <= month_of(today):
        months.append(m)
        m = add_months(m, 1)
    n = refresh_entered(hospital_id, months)
    n += refresh_party(hospital_id, first, month_of(today), today=today)
    RollupState.objects.filter(hospital_id=hospital_id).update(party_stale_from=None, entered_stale_from=None)
    return n


def entered_months(hospital_id: int) -> list[dt.date]:
    return sorted(
        set(IndicatorValue.objects.filter(hospital_id=hospital_id).values_list("month", flat=True).distinct())
    )
