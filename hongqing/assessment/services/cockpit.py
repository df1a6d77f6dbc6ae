"""The cockpit (驾驶舱): what the committee sees of a hospital's year, and a secretary of their branch.

Everything shown is read from what is stored — the monthly aggregate table and the dual scorecards —
and every figure and chart point carries the link of the drill-down page that lists the records or
values making it. The hospital's figures are assembled once per data version (``RollupState.version``
grows with every change of values, rollups or scores) and day, and cached; the heat map of the duty
lists is the party app's (``party.services.duties.heatmap``).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization

from ..choices import Family
from ..models import DualScorecard, Indicator, Scheme
from ..periods import add_months, month_label, month_of, months, period_label
from . import aggregate, rollups

CACHE_SECONDS = 6 * 3600
HEADLINES = 8


def drill_url(ind, unit: aggregate.Unit, first: dt.date, last: dt.date) -> str:
    query = urlencode(
        {
            "indicator": ind.pk,
            "unit": f"{unit.kind}:{unit.id}",
            "from": f"{first:%Y-%m}",
            "to": f"{last:%Y-%m}",
        }
    )
    return f"{reverse('assessment:drill')}?{query}"


def fmt(value: Decimal | None, places: int = 1) -> float | int | None:
    if value is None:
        return None
    return int(round(value)) if places == 0 else round(float(value), places)


def places_of(ind) -> int:
    return 1 if ind.unit.strip() == "%" else min(ind.decimals, 2)


def last_month_with_data(agg, inds, unit, year: int, today: dt.date) -> dt.date:
    """The last month of ``year`` (up to this one) any of the indicators has data for: what "so far" means."""
    end = min(dt.date(year, 12, 1), month_of(today))
    latest = None
    for ind in inds:
        for m in agg.months_with_data(ind, unit):
            if m.year == year and m <= end and (latest is None or m > latest):
                latest = m
    return latest or end


def figures(agg, inds, unit, year: int, today: dt.date) -> tuple[list[dict], dt.date]:
    """Headline figures: each indicator so far this year (to its last month with data), the same
    months a year earlier, the change."""
    through = last_month_with_data(agg, inds, unit, year, today)
    end = min(dt.date(year, 12, 1), month_of(today))
    out = []
    for ind in inds:
        have = [m for m in agg.months_with_data(ind, unit) if m.year == year and m <= end]
        run = months(dt.date(year, 1, 1), have[-1] if have else end)
        before = [add_months(m, -12) for m in run]
        now = agg.result(ind, unit, run)
        prior = agg.result(ind, unit, before)
        change = None
        if now.value is not None and prior.value not in (None, 0):
            change = float((now.value - prior.value) / abs(prior.value) * 100)
        better = None
        if change is not None and abs(change) >= 0.05:
            better = (change < 0) if ind.lower_is_better else (change > 0)
        out.append(
            {
                "code": ind.code,
                "label": ind.label,
                "name": ind.name,
                "unit": ind.unit,
                "family": ind.family,
                "lower": ind.lower_is_better,
                "value": fmt(now.value, places_of(ind)),
                "prior": fmt(prior.value, places_of(ind)),
                "change": None if change is None else round(change, 1),
                "better": better,
                "through": month_label(run[-1]),
                "url": drill_url(ind, unit, run[0], run[-1]),
            }
        )
    return out, through


def trends(agg, inds, unit, year: int, today: dt.date) -> list[dict]:
    """Each indicator month by month this year (and last year's, for comparison), each point linked."""
    run = [m for m in months(dt.date(year, 1, 1), dt.date(year, 12, 1)) if m <= month_of(today)]
    out = []
    for ind in inds:
        points, prior = [], []
        for m in run:
            r = agg.result(ind, unit, [m])
            points.append({"v": fmt(r.value, places_of(ind)), "url": drill_url(ind, unit, m, m)})
            p = agg.result(ind, unit, [add_months(m, -12)])
            prior.append(fmt(p.value, places_of(ind)))
        out.append(
            {
                "code": ind.code,
                "label": ind.label,
                "unit": ind.unit,
                "family": ind.family,
                "lower": ind.lower_is_better,
                "points": points,
                "prior": prior,
            }
        )
    return out


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if not sx or not sy:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sx * sy)


def card_url(card) -> str:
    return reverse("assessment:dualscorecard_detail", kwargs={"pk": card.pk})


def scores(hospital, year: int) -> dict:
    """The scorecards of the hospital's schemes of this year and last: the current period's cards, the
    quadrant, and the correlation of the two scores over the periods."""
    cards = list(
        DualScorecard.objects.filter(
            hospital=hospital, period_start__year__gte=year - 1, period_start__year__lte=year
        )
        .select_related("organization", "scheme")
        .order_by("period_start", "organization__path")
    )
    periods: dict[tuple, list] = {}
    for c in cards:
        periods.setdefault((c.period_start, c.period_end, c.scheme_id), []).append(c)
    history = []
    for (first, last, scheme_id), group in sorted(periods.items()):
        pairs = [
            (float(c.party_score), float(c.business_score))
            for c in group
            if c.party_score is not None and c.business_score is not None
        ]
        r = pearson([p for p, _b in pairs], [b for _p, b in pairs])
        history.append(
            {
                "label": period_label(first, last),
                "r": None if r is None else round(r, 2),
                "n": len(pairs),
                "url": f"{reverse('assessment:dualscorecard_list')}?{urlencode({'scheme': scheme_id, 'year': first.year})}",
                "first": first.isoformat(),
            }
        )
    current = []
    if periods:
        this_year = [k for k in periods if k[0].year == year] or list(periods)
        key = max(this_year)
        current = periods[key]
        label = period_label(key[0], key[1])
    else:
        label = ""
    branches = [
        {
            "name": c.organization.short_name or c.organization.name,
            "party": fmt(c.party_score, 1),
            "business": fmt(c.business_score, 1),
            "total": fmt(c.total_score, 1),
            "grade": c.grade or c.party_grade or c.business_grade,
            "url": card_url(c),
        }
        for c in current
    ]
    return {"period": label, "branches": branches, "history": history}


def heat(hospital, year: int, today: dt.date) -> dict:
    """The duty heat map (the party app's): organisations × months, done / due, each cell to that month."""
    from hongqing.party.models import Obligation
    from hongqing.party.services import duties

    orgs = list(
        PartyOrganization.objects.filter(hospital=hospital).only(
            "pk", "name", "short_name", "kind", "path", "hospital_id", "established"
        )
    )
    duties.ensure_obligations(orgs, year)
    values = (
        Obligation.objects.filter(organization__hospital=hospital, period_end__year=year)
        .order_by()
        .values_list(*duties.HEAT_FIELDS)
    )
    rows = duties.heatmap(orgs, values, today)
    board = reverse("party:duty_board", kwargs={"pk": 0})
    names, cells = [], []
    for y, row in enumerate(rows):
        names.append(row.organization.short_name or row.organization.name)
        url = f"{board.replace('/0/', f'/{row.organization.pk}/')}?year={year}"
        for c in row.cells:
            if not c.total:
                continue
            cells.append(
                {
                    "x": c.month - 1,
                    "y": y,
                    "v": {"done": 3, "due_soon": 2, "open": 1, "overdue": 0}.get(str(c.status), 1),
                    "label": f"{c.done}/{c.total}",
                    "status": c.status,
                    "url": f"{url}&month={c.month}",
                }
            )
    return {"rows": names, "cells": cells}


class Payload(dict):
    """A cockpit's figures with the cache key they are kept under (what the rendered page body is
    cached under too: the same data version, day, language and, for a branch, user)."""

    def __init__(self, data: dict, cache_key: str):
        super().__init__(data)
        self.cache_key = cache_key


def hospital_payload(hospital, year: int, *, today: dt.date | None = None) -> dict:
    """The hospital's cockpit of a year (cached per data version, day and language)."""
    today = today or timezone.localdate()
    rollups.ensure_fresh([hospital.pk], today=today)
    version = rollups.versions([hospital.pk]).get(hospital.pk, 0)
    # The hospital's creation time too: a test database reuses primary keys, a cache outlives it.
    stamp = hospital.created.timestamp() if hospital.created else 0
    key = (
        f"hq:cockpit:{hospital.pk}:{stamp}:{year}:{version}:{today.isoformat()}:{translation.get_language()}"
    )
    payload = cache.get(key)
    if payload is None:
        payload = build_hospital(hospital, year, today)
        cache.set(key, payload, CACHE_SECONDS)
    return Payload(payload, key)


def headline_indicators(hospital) -> list[Indicator]:
    inds = list(
        Indicator.objects.filter(hospital=hospital, is_active=True).order_by("family", "sort_order", "code")
    )
    chosen = [i for i in inds if i.headline]
    return inds, chosen


def build_hospital(hospital, year: int, today: dt.date) -> dict:
    catalogue, chosen = headline_indicators(hospital)
    unit = aggregate.Unit(aggregate.HOSPITAL, hospital.pk)
    agg = aggregate.load(
        hospital.pk,
        [unit],
        dt.date(year - 1, 1, 1),
        dt.date(year, 12, 1),
        indicators=chosen,
        all_indicators=catalogue,
    )
    party = [i for i in chosen if i.family == Family.PARTY][:HEADLINES]
    business = [i for i in chosen if i.family == Family.BUSINESS][:HEADLINES]
    heads, through = figures(agg, party + business, unit, year, today)
    return {
        "hospital": {"id": hospital.pk, "name": str(hospital)},
        "year": year,
        "through": month_label(through),
        "figures": heads,
        "months": [month_label(m) for m in months(dt.date(year, 1, 1), dt.date(year, 12, 1))],
        "party": trends(agg, party, unit, year, today),
        "business": trends(agg, business, unit, year, today),
        "heat": heat(hospital, year, today),
        "scores": scores(hospital, year),
        "schemes": Scheme.objects.filter(hospital=hospital, year=year).count(),
    }


def branch_payload(branch, year: int, *, user, today: dt.date | None = None) -> dict:
    """A secretary's cockpit: their branch's scorecard, duties and trends (no other branch's).

    Read through the user's scope, so cached per user (and data version, day and language)."""
    today = today or timezone.localdate()
    hospital = branch.hospital
    rollups.ensure_fresh([hospital.pk], today=today)
    version = rollups.versions([hospital.pk]).get(hospital.pk, 0)
    stamp = hospital.created.timestamp() if hospital.created else 0
    key = (
        f"hq:cockpit:branch:{branch.pk}:{stamp}:{user.pk}:{year}:{version}:{today.isoformat()}:"
        f"{translation.get_language()}"
    )
    payload = cache.get(key)
    if payload is None:
        payload = build_branch(branch, year, user=user, today=today)
        cache.set(key, payload, CACHE_SECONDS)
    return Payload(payload, key)


def build_branch(branch, year: int, *, user, today: dt.date) -> dict:
    hospital = branch.hospital
    catalogue, chosen = headline_indicators(hospital)
    unit = aggregate.Unit(aggregate.ORG, branch.pk)
    agg = aggregate.load(
        hospital.pk,
        [unit],
        dt.date(year - 1, 1, 1),
        dt.date(year, 12, 1),
        indicators=chosen,
        all_indicators=catalogue,
        user=user,
    )
    party = [i for i in chosen if i.family == Family.PARTY][:HEADLINES]
    business = [i for i in chosen if i.family == Family.BUSINESS][:HEADLINES]
    heads, through = figures(agg, party + business, unit, year, today)
    cards = list(
        DualScorecard.objects.restrict(user, "view")
        .filter(organization=branch, period_start__year__gte=year - 1)
        .select_related("scheme")
        .order_by("period_start")
    )
    current = cards[-1] if cards else None
    return {
        "branch": {"id": branch.pk, "name": str(branch)},
        "year": year,
        "through": month_label(through),
        "figures": heads,
        "months": [month_label(m) for m in months(dt.date(year, 1, 1), dt.date(year, 12, 1))],
        "party": trends(agg, party, unit, year, today),
        "business": trends(agg, business, unit, year, today),
        "card": None
        if current is None
        else {
            "period": period_label(current.period_start, current.period_end),
            "party": fmt(current.party_score),
            "business": fmt(current.business_score),
            "total": fmt(current.total_score),
            "grade": current.grade,
            "url": card_url(current),
        },
        "history": [
            {
                "label": period_label(c.period_start, c.period_end),
                "party": fmt(c.party_score),
                "business": fmt(c.business_score),
                "url": card_url(c),
            }
            for c in cards
        ],
    }


def branches_of_user(user):
    """The branches whose cockpit a branch role reads (their own)."""
    return PartyOrganization.objects.restrict(user, "view", area="assessment").filter(kind=OrgKind.BRANCH)
