"""Drill-down (穿透): the records or values behind a number, whose rows add up to it.

``?indicator=<id>&unit=<hospital|org|dept>:<id>&from=YYYY-MM&to=YYYY-MM``. An entered indicator lists
the values of the unit's departments month by month (a weighted mean with each weight and product),
a computed one the records its computation counted (each with its part of the numerator and the
denominator), a formula its operands, each one click further. The footer is the total, computed
from the rows, beside the stored figure; when the records changed since it was stored, the page
says so.

Rows are read through the user's scope; records beyond it (a department a branch was built on
before) are counted in the total but not listed, and the page says how many.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.scoping import VIEW
from hongqing.organization.models import Department, Hospital, PartyOrganization

from .. import computations
from ..choices import Aggregation, Source
from ..models import Indicator, IndicatorValue
from ..periods import add_months, month_label, month_of, months, parse_month, period_label
from ..services import aggregate, rollups
from ..services.aggregate import DEPT, HOSPITAL, ORG, Unit
from ..services.cockpit import drill_url
from .common import AREA, hospital_wide, manages

PAGE = 200


def parse_unit(text: str | None) -> Unit:
    kind, _sep, ident = (text or "").partition(":")
    if kind not in (HOSPITAL, ORG, DEPT) or not ident.isdigit():
        raise Http404
    return Unit(kind, int(ident))


def unit_label(unit: Unit) -> str:
    if unit.kind == HOSPITAL:
        return str(Hospital.objects.filter(pk=unit.id).first() or "")
    if unit.kind == ORG:
        return str(PartyOrganization.objects.filter(pk=unit.id).first() or "")
    return str(Department.objects.filter(pk=unit.id).first() or "")


def check_unit(user, ind, unit: Unit) -> None:
    """404 unless the user may see the unit (a hospital: as a whole)."""
    if unit.kind == HOSPITAL:
        ok = unit.id == ind.hospital_id and hospital_wide(user, unit.id)
    elif unit.kind == ORG:
        ok = (
            PartyOrganization.objects.restrict(user, VIEW, area=AREA)
            .filter(pk=unit.id, hospital_id=ind.hospital_id)
            .exists()
        )
    else:
        ok = (
            Department.objects.restrict(user, VIEW, area=AREA)
            .filter(pk=unit.id, hospital_id=ind.hospital_id)
            .exists()
        )
    if not ok:
        raise Http404


class DrillView(View):
    template_name = "assessment/drill.html"

    def get(self, request):
        from django.contrib.auth.views import redirect_to_login

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not manages(request.user):
            raise PermissionDenied(_("You have no permission for this page."))
        try:
            pk = int(request.GET.get("indicator", ""))
        except ValueError:
            raise Http404 from None
        ind = get_object_or_404(
            Indicator.objects.restrict(request.user, VIEW, area=AREA).select_related("weight"), pk=pk
        )
        unit = parse_unit(request.GET.get("unit"))
        check_unit(request.user, ind, unit)
        first = parse_month(request.GET.get("from")) or month_of(dt.date.today())
        last = parse_month(request.GET.get("to")) or first
        if last < first or len(months(first, last)) > 36:
            raise Http404
        rollups.ensure_fresh([ind.hospital_id])
        stored = aggregate.value_of(ind.hospital_id, ind, unit, first, last, user=request.user)
        ctx = {
            "indicator": ind,
            "unit": unit,
            "unit_label": unit_label(unit),
            "first": first,
            "last": last,
            "period": period_label(first, last),
            "stored": stored,
            "stored_value": shown(stored.value),
        }
        if ind.source == Source.FORMULA:
            ctx.update(self.formula(ind, unit, first, last, stored))
        elif ind.source == Source.COMPUTED:
            ctx.update(self.computed(request, ind, unit, first, last))
        else:
            ctx.update(self.entered(request, ind, unit, first, last))
        total = ctx.get("total")
        ctx["mismatch"] = (
            ind.source != Source.FORMULA
            and total is not None
            and stored.value is not None
            and abs(total - stored.value) > Decimal("0.0001")
        ) or (
            ind.source != Source.FORMULA
            and (total is None) != (stored.value is None)
            and not ctx.get("hidden")
        )
        ctx["total_shown"] = shown(total)
        ctx["compare_url"] = f"{reverse('assessment:compare')}?indicator={ind.pk}&year={last.year}"
        return render(request, self.template_name, ctx)

    # -- a formula: its operands --------------------------------------------------------------
    def formula(self, ind, unit, first, last, stored) -> dict:
        by_code = {i.code: i for i in Indicator.objects.filter(hospital_id=ind.hospital_id)}
        operands = []
        for key, r in stored.operands.items():
            prior = key.startswith("prior(")
            code = key[6:-1] if prior else key
            op = by_code.get(code)
            f, t = (add_months(first, -12), add_months(last, -12)) if prior else (first, last)
            operands.append(
                {
                    "key": key,
                    "indicator": op,
                    "value": shown(r.value),
                    "period": period_label(f, t),
                    "url": drill_url(op, unit, f, t) if op else "",
                }
            )
        return {"mode": "formula", "operands": operands, "total": stored.value}

    # -- entered values: the departments' values, month by month --------------------------------
    def entered(self, request, ind, unit, first, last) -> dict:
        run = months(first, last)
        if unit.kind == DEPT:
            wanted = {m: {unit.id} for m in run}
        elif unit.kind == ORG:
            owners = rollups.department_owners(ind.hospital_id, run)
            wanted = {m: {d for d, o in owners.get(m, {}).items() if o == unit.id} for m in run}
        else:
            wanted = None
        qs = IndicatorValue.objects.filter(hospital_id=ind.hospital_id, indicator=ind, month__in=run)
        if ind.weight_id:
            qs = qs | IndicatorValue.objects.filter(
                hospital_id=ind.hospital_id, indicator_id=ind.weight_id, month__in=run
            )
        rows_all = list(qs.select_related("department").order_by("month", "department__path"))
        visible = set(
            IndicatorValue.objects.restrict(request.user, VIEW)
            .filter(pk__in=[v.pk for v in rows_all])
            .values_list("pk", flat=True)
        )

        def counts(v) -> bool:
            if wanted is None:
                return True
            return v.department_id is not None and v.department_id in wanted.get(v.month, set())

        weights = {(v.department_id, v.month): v for v in rows_all if v.indicator_id == ind.weight_id}
        rows, hidden = [], 0
        num, den, present = Decimal(0), None, []
        mains = [v for v in rows_all if v.indicator_id == ind.pk and counts(v)]
        if ind.aggregation == Aggregation.LATEST and mains:
            latest = max(v.month for v in mains)
            mains = [v for v in mains if v.month == latest]
        for v in mains:
            w = weights.get((v.department_id, v.month)) if ind.weight_id else None
            if ind.aggregation == Aggregation.WEIGHTED_MEAN and w is None:
                rows.append(
                    {
                        "value": v,
                        "weight": None,
                        "product": None,
                        "left_out": True,
                        "visible": v.pk in visible,
                    }
                )
                continue
            if ind.aggregation == Aggregation.WEIGHTED_MEAN:
                product = v.value * w.value
                num += product
                den = (den or Decimal(0)) + w.value
            elif ind.aggregation == Aggregation.MEAN:
                product = None
                num += v.value
                den = (den or Decimal(0)) + 1
            else:
                product = None
                num += v.value
            present.append(v.month)
            if v.pk not in visible:
                hidden += 1
                continue
            rows.append({"value": v, "weight": w, "product": product, "left_out": False, "visible": True})
        if not present:
            total = None
        elif ind.aggregation in (Aggregation.SUM, Aggregation.LATEST):
            total = num
        else:
            total = num / den if den else None
        page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
        return {
            "mode": "entered",
            "rows": page,
            "hidden": hidden,
            "num": shown(num),
            "den": shown(den),
            "total": total,
            "weighted": ind.aggregation == Aggregation.WEIGHTED_MEAN,
            "mean": ind.aggregation == Aggregation.MEAN,
            "latest": ind.aggregation == Aggregation.LATEST,
        }

    # -- computed: the records the computation counted --------------------------------------------
    def computed(self, request, ind, unit, first, last) -> dict:
        comp = computations.get(ind.computation)
        if comp is None or not comp.available():
            return {"mode": "unavailable", "total": None}
        if unit.kind == DEPT:
            return {"mode": "no_department", "total": None}
        org_ids = None
        if unit.kind == ORG:
            org = PartyOrganization.objects.get(pk=unit.id)
            org_ids = list(
                PartyOrganization.objects.filter(
                    hospital_id=ind.hospital_id, path__startswith=org.path
                ).values_list("pk", flat=True)
            )
        q = rollups.party_query(ind.hospital_id, first, last, org_ids=org_ids)
        facts = comp.facts(q)
        if unit.kind == ORG:
            facts = [f for f in facts if f.org_id == unit.id]
        if comp.aggregation == Aggregation.LATEST and facts:
            latest = max(f.month for f in facts)
            facts = [f for f in facts if f.month == latest]
        facts.sort(key=lambda f: (f.month, str(f.key)))
        num = sum((f.num for f in facts), Decimal(0))
        den = (
            sum((f.den for f in facts if f.den is not None), Decimal(0))
            if any(f.den is not None for f in facts)
            else None
        )
        if not facts:
            total = None
        elif comp.aggregation == Aggregation.SUM or den is None:
            total = num
        else:
            total = num / den * comp.factor if den else None
        page = Paginator(facts, PAGE).get_page(request.GET.get("page"))
        described = comp.describe(list(page.object_list), request.user)
        hidden = sum(1 for r in described if not r.visible)
        page.object_list = [r for r in described if r.visible]
        return {
            "mode": "computed",
            "computation": comp,
            "rows": page,
            "hidden": hidden,
            "num": shown(num),
            "den": shown(den),
            "total": total,
            "factor": comp.factor,
            "month_label": month_label,
        }


def shown(value) -> str:
    if value is None:
        return "—"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
