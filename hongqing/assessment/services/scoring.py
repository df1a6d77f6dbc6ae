"""Schemes and dual scorecards (双目标考核): checking a scheme, scoring each branch, grades and ranks.

A branch's Party-building score comes from its own records (the Party items over the branch and
its groups), its business score from the departments it was built on in each month (the business
items over the branch's rollups). Each item earns a share of its weight (``SchemeItem``'s methods);
an item without data for the branch (a department without operations, a yearly indicator in a
quarter) is left out and the family's other weights count in its place — the components say so.

Scores are stored (``DualScorecard``) with every component: the value and its parts, the months,
the target used, the share and the points, so the page shows each and links to its records.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.rules import RuleBook
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization

from ..choices import Aggregation, Direction, Family, Method
from ..models import DualScorecard, Indicator, Scheme, SchemeItem
from ..periods import (  # noqa: F401  (period_label re-exported)
    month_end,
    month_of,
    months,
    period_label,
    periods,
)
from . import aggregate, rollups

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def q2(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def _num(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except Exception:  # noqa: BLE001 - anything that is not a number
        return None


# ---------------------------------------------------------------------------------------------
# Checking a scheme


def item_errors(item: SchemeItem) -> dict[str, str]:
    """The reasons one item cannot be scored, by field."""
    errors: dict[str, str] = {}
    ind = item.indicator if item.indicator_id else None
    if item.weight is not None and item.weight < 0:
        errors["weight"] = _("A weight cannot be negative.")
    if ind is None:
        return errors
    if item.scheme_id and ind.hospital_id != item.scheme.hospital_id:
        errors["indicator"] = _("The indicator belongs to another hospital.")
    target, floor = item.target, item.floor
    lower = ind.direction == Direction.LOWER
    if item.method == Method.LINEAR:
        if target is None:
            errors["target"] = _("Linear scoring needs a target.")
        elif target == 0 and ind.is_ratio:
            errors["target"] = _(
                "A target of zero for a ratio (%(name)s) cannot be scored: give the share to reach, e.g. 95."
            ) % {"name": ind.name}
        elif lower:
            worst = floor if floor is not None else (target * 2 if target > 0 else None)
            if worst is None:
                errors["floor"] = _(
                    "Lower is better and the target is zero: give the value that scores nothing (e.g. 1)."
                )
            elif worst <= target:
                errors["floor"] = _("Lower is better: the value that scores nothing is above the target.")
        elif floor is not None and floor >= target:
            errors["floor"] = _("Higher is better: the value that scores nothing is below the target.")
    elif item.method == Method.BANDS:
        errors.update(band_errors(item.bands, ind))
        if target == 0 and ind.is_ratio:
            errors["target"] = _(
                "A target of zero for a ratio (%(name)s) cannot be scored: give the share to reach, e.g. 95."
            ) % {"name": ind.name}
    elif item.method == Method.RANK and floor is not None:
        errors["floor"] = _("Ranking within peers uses no zero-score value.")
    return errors


def band_errors(bands, ind) -> dict[str, str]:
    if not isinstance(bands, list) or not bands:
        return {
            "bands": _("Give the bands: [[threshold, percent], …], e.g. [[95, 100], [90, 80], [80, 60]].")
        }
    seen = set()
    for band in bands:
        ok = isinstance(band, list | tuple) and len(band) == 2
        threshold, percent = (_num(band[0]), _num(band[1])) if ok else (None, None)
        if threshold is None or percent is None:
            return {"bands": _("Each band is [threshold, percent], e.g. [90, 80].")}
        if not ZERO <= percent <= HUNDRED:
            return {"bands": _("A band's percent of the weight is from 0 to 100.")}
        if threshold == 0 and ind.is_ratio and ind.direction == Direction.HIGHER:
            return {"bands": _("A threshold of zero for a ratio scores every value: start above zero.")}
        if threshold in seen:
            return {"bands": _("Two bands have the threshold %(t)s.") % {"t": f"{threshold.normalize():f}"}}
        seen.add(threshold)
    return {}


def weight_errors(items: list[SchemeItem]) -> list[str]:
    """Each family's weights add up to 100 (an empty family is allowed, not a half-filled one)."""
    errors = []
    for family, label in Family.choices:
        weights = [i.weight or ZERO for i in items if i.indicator.family == family]
        if not weights:
            continue
        total = sum(weights, ZERO)
        if total != HUNDRED:
            errors.append(
                _("The weights of the %(family)s indicators add up to %(sum)s, not 100.")
                % {"family": label, "sum": f"{total.normalize():f}"}
            )
    if not items:
        errors.append(_("A scheme scores at least one indicator."))
    return errors


def duplicate_errors(items: list[SchemeItem]) -> list[str]:
    seen, out = set(), []
    for i in items:
        if i.indicator_id in seen:
            out.append(_("%(name)s is in the scheme twice.") % {"name": i.indicator})
        seen.add(i.indicator_id)
    return out


@transaction.atomic
def save_scheme(scheme: Scheme, items: list[SchemeItem], *, actor) -> Scheme:
    """Save a scheme with its whole set of items, or nothing: every item valid, each family's weights 100."""
    errors: dict[str, list] = {}
    for n, item in enumerate(items):
        item.scheme = scheme
        for field, message in item_errors(item).items():
            errors.setdefault(f"items[{n}].{field}", []).append(message)
    general = weight_errors(items) + duplicate_errors(items)
    if general:
        errors.setdefault("items", []).extend(general)
    try:
        scheme.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    is_new = scheme.pk is None
    if is_new:
        scheme.created_by = actor
    scheme.save()
    keep = []
    for n, item in enumerate(items):
        item.scheme = scheme
        item.sort_order = n + 1
        if item.pk is None:
            item.created_by = actor
        item.save()
        keep.append(item.pk)
    scheme.items.exclude(pk__in=keep).delete()
    log_event(
        "scheme_saved",
        actor=actor,
        obj=scheme,
        data={
            "new": is_new,
            "items": [[i.indicator.code, str(i.weight), i.method, str(i.target)] for i in items],
        },
    )
    return scheme


# ---------------------------------------------------------------------------------------------
# Scoring one item


def prorated(
    item: SchemeItem, value: Decimal | None, months_with_data: int, months_in_period: int
) -> Decimal | None:
    """A sum's period target (or threshold) for the months that have data so far."""
    if value is None or item.indicator.aggregation != Aggregation.SUM or not months_in_period:
        return value
    return value * Decimal(months_with_data) / Decimal(months_in_period)


def linear_share(value: Decimal, target: Decimal, floor: Decimal | None, lower: bool) -> Decimal:
    if lower:
        worst = floor if floor is not None else target * 2
        share = (worst - value) / (worst - target) if worst != target else ZERO
    else:
        zero = floor if floor is not None else ZERO
        share = (value - zero) / (target - zero) if target != zero else ZERO
    return min(max(share, ZERO), ONE)


def band_share(value: Decimal, bands, lower: bool, scale=None) -> Decimal:
    """The percent of the first band the value reaches (a value at a threshold is in its band)."""
    parsed = [(_num(t), _num(p)) for t, p in bands]
    if scale is not None:
        parsed = [(scale(t), p) for t, p in parsed]
    parsed.sort(key=lambda b: b[0], reverse=not lower)
    for threshold, percent in parsed:
        if (value <= threshold) if lower else (value >= threshold):
            return percent / HUNDRED
    return ZERO


def ranks(values: dict[int, Decimal], lower: bool) -> dict[int, int]:
    """Competition ranks (1, 2, 2, 4) of the branches by value, best first."""
    out = {}
    for key, v in values.items():
        better = sum(1 for w in values.values() if (w < v if lower else w > v))
        out[key] = better + 1
    return out


def rank_share(rank: int, n: int) -> Decimal:
    return ONE if n <= 1 else Decimal(n - rank) / Decimal(n - 1)


def grade_of(score: Decimal | None, bands) -> str:
    if score is None:
        return ""
    for lowest, grade in bands:
        if score >= Decimal(str(lowest)):
            return str(grade)
    return str(bands[-1][1]) if bands else ""


def dense(values: dict[int, Decimal | None]) -> dict[int, int]:
    present = {k: v for k, v in values.items() if v is not None}
    return ranks(present, lower=False)


# ---------------------------------------------------------------------------------------------
# Scoring a period


def _fmt(value: Decimal | None) -> str | None:
    return (
        None if value is None else f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    )


def branches_of(hospital_id: int, period_last: dt.date):
    return list(
        PartyOrganization.objects.filter(hospital_id=hospital_id, kind=OrgKind.BRANCH)
        .exclude(established__gt=month_end(period_last))
        .order_by("path")
    )


def score_period(
    scheme: Scheme, first: dt.date, *, actor=None, today: dt.date | None = None, catalogue=None
) -> list[DualScorecard]:
    """Score every branch of the scheme's hospital for the period starting ``first`` (stored, audited)."""
    today = today or timezone.localdate()
    first = month_of(first)
    match = [p for p in periods(scheme.period, scheme.year) if p[0] == first]
    if not match:
        raise ValidationError(
            _("%(month)s does not start a period of this scheme.") % {"month": first.isoformat()}
        )
    first, last = match[0]
    if first > month_of(today):
        raise ValidationError(_("The period has not begun."))
    through = min(last, month_of(today))
    hospital_id = scheme.hospital_id
    rollups.ensure_fresh([hospital_id], today=today)
    items = list(scheme.items.select_related("indicator").order_by("sort_order", "pk"))
    catalogue = (
        catalogue if catalogue is not None else list(Indicator.objects.filter(hospital_id=hospital_id))
    )
    branches = branches_of(hospital_id, last)
    units = {b.pk: aggregate.Unit(aggregate.ORG, b.pk) for b in branches}
    agg = aggregate.load(
        hospital_id,
        units.values(),
        first,
        through,
        indicators=[i.indicator for i in items],
        all_indicators=catalogue,
    )
    run = months(first, through)
    n_months = len(months(first, last))
    results = {(i.pk, b.pk): agg.result(i.indicator, units[b.pk], run) for i in items for b in branches}
    item_ranks = {}
    for i in items:
        if i.method == Method.RANK:
            vals = {
                b.pk: results[(i.pk, b.pk)].value for b in branches if results[(i.pk, b.pk)].value is not None
            }
            item_ranks[i.pk] = (ranks(vals, i.indicator.lower_is_better), len(vals))
    bands = RuleBook("assessment.grade_bands", [hospital_id]).value(
        "assessment.grade_bands", hospital_id, first
    )
    cards: dict[int, dict] = {}
    for b in branches:
        comps, points = [], {Family.PARTY: ZERO, Family.BUSINESS: ZERO}
        weights = {Family.PARTY: ZERO, Family.BUSINESS: ZERO}
        for i in items:
            ind = i.indicator
            r = results[(i.pk, b.pk)]
            comp = {
                "item": i.pk,
                "code": ind.code,
                "name": ind.name,
                "unit": ind.unit,
                "family": ind.family,
                "direction": ind.direction,
                "method": i.method,
                "weight": _fmt(i.weight),
                "target": _fmt(i.target),
                "floor": _fmt(i.floor),
                "bands": i.bands,
                "value": _fmt(q2(r.value) if r.value is not None else None),
                "num": _fmt(r.num),
                "den": _fmt(r.den),
                "count": r.count,
                "months": [m.strftime("%Y-%m") for m in r.months],
            }
            if r.value is None:
                comp.update(share=None, points=None, note="no_data")
                comps.append(comp)
                continue
            lower = ind.lower_is_better
            if i.method == Method.LINEAR:
                target = prorated(i, i.target, len(r.months), n_months)
                floor = prorated(i, i.floor, len(r.months), n_months)
                share = linear_share(r.value, target, floor, lower)
                comp["target_used"] = _fmt(q2(target))
            elif i.method == Method.BANDS:
                share = band_share(
                    r.value, i.bands, lower, scale=lambda t, i=i, r=r: prorated(i, t, len(r.months), n_months)
                )
            else:
                rank_map, n = item_ranks[i.pk]
                comp["rank"], comp["peers"] = rank_map[b.pk], n
                share = rank_share(rank_map[b.pk], n)
            earned = share * (i.weight or ZERO)
            comp.update(share=_fmt(q2(share * HUNDRED)), points=_fmt(q2(earned)))
            points[ind.family] += earned
            weights[ind.family] += i.weight or ZERO
            comps.append(comp)
        scores = {
            fam: (points[fam] / weights[fam] * HUNDRED if weights[fam] else None)
            for fam in (Family.PARTY, Family.BUSINESS)
        }
        party, business = q2(scores[Family.PARTY]), q2(scores[Family.BUSINESS])
        share = scheme.party_share / HUNDRED
        total = (
            q2(party * share + business * (ONE - share))
            if party is not None and business is not None
            else None
        )
        cards[b.pk] = {
            "party_score": party,
            "business_score": business,
            "total_score": total,
            "party_grade": grade_of(party, bands),
            "business_grade": grade_of(business, bands),
            "grade": grade_of(total, bands),
            "components": comps,
        }
    for field, rank_field in (
        ("party_score", "party_rank"),
        ("business_score", "business_rank"),
        ("total_score", "total_rank"),
    ):
        rk = dense({k: c[field] for k, c in cards.items()})
        for k, c in cards.items():
            c[rank_field] = rk.get(k)
    return _store(scheme, first, last, through, cards, actor=actor)


@transaction.atomic
def _store(scheme, first, last, through, cards: dict[int, dict], *, actor) -> list[DualScorecard]:
    now = timezone.now()
    existing = {c.organization_id: c for c in DualScorecard.objects.filter(scheme=scheme, period_start=first)}
    to_create, to_update = [], []
    fields = [
        "party_score",
        "business_score",
        "total_score",
        "party_grade",
        "business_grade",
        "grade",
        "party_rank",
        "business_rank",
        "total_rank",
        "components",
    ]
    for org_id, values in cards.items():
        card = existing.pop(org_id, None)
        if card is None:
            card = DualScorecard(
                scheme=scheme,
                hospital_id=scheme.hospital_id,
                organization_id=org_id,
                period_start=first,
                period_end=last,
                created_by=actor,
            )
            to_create.append(card)
        else:
            to_update.append(card)
        for f in fields:
            setattr(card, f, values[f])
        card.through, card.peers, card.computed, card.computed_by, card.updated = (
            through,
            len(cards),
            now,
            actor,
            now,
        )
    if existing:
        DualScorecard.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    DualScorecard.objects.bulk_create(to_create)
    DualScorecard.objects.bulk_update(
        to_update, [*fields, "through", "peers", "computed", "computed_by", "updated"], batch_size=500
    )
    log_event(
        "scores_computed",
        actor=actor,
        obj=scheme,
        data={"period": first.isoformat(), "through": through.isoformat(), "branches": len(cards)},
        repr_=f"{scheme} · {period_label(first, last)}",
    )
    rollups.bump(scheme.hospital_id)
    return [*to_create, *to_update]


def score_scheme(scheme: Scheme, *, actor=None, today: dt.date | None = None) -> list[DualScorecard]:
    """Score every period of the scheme that has begun."""
    today = today or timezone.localdate()
    catalogue = list(Indicator.objects.filter(hospital_id=scheme.hospital_id))
    out = []
    for first, _last in periods(scheme.period, scheme.year):
        if first <= month_of(today):
            out += score_period(scheme, first, actor=actor, today=today, catalogue=catalogue)
    return out
