"""Year on year and peers: any indicator, this year against last, and the units of one level side by side.

The unit and the direction are always shown, and a change is coloured by what it means: a fall of
the average stay is good news (green), a fall of the outpatient visits is not. Peers are the units of
the user's scope: departments or branches of a hospital, or — for the regional reader — the
hospitals, each by its own indicator of the same code.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.scoping import VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Department, PartyOrganization

from ..models import Indicator
from ..periods import add_months, month_label, month_of, months
from ..services import aggregate, rollups
from ..services.aggregate import DEPT, HOSPITAL, ORG, Unit
from ..services.cockpit import drill_url, fmt, places_of
from .common import AREA, chosen_year, hospitals_for, manages, year_choices

LEVELS = (DEPT, ORG, HOSPITAL)


def change_of(now, before) -> float | None:
    if now is None or before in (None, 0):
        return None
    return round(float((now - before) / abs(before) * 100), 1)


def judged(change, lower: bool):
    if change is None or abs(change) < 0.05:
        return None
    return (change < 0) if lower else (change > 0)


class CompareView(View):
    template_name = "assessment/compare.html"

    def get(self, request):
        from django.contrib.auth.views import redirect_to_login

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not manages(request.user):
            raise PermissionDenied(_("You have no permission for this page."))
        user = request.user
        choices = list(
            Indicator.objects.restrict(user, VIEW, area=AREA)
            .filter(is_active=True)
            .select_related("hospital")
            .order_by("hospital_id", "family", "sort_order", "code")
        )
        if not choices:
            return render(request, self.template_name, {"choices": [], "year": chosen_year(request)})
        try:
            wanted = int(request.GET.get("indicator") or choices[0].pk)
        except ValueError:
            raise Http404 from None
        ind = next((i for i in choices if i.pk == wanted), None)
        if ind is None:
            raise Http404
        year = chosen_year(request)
        wide = hospitals_for(user, VIEW)
        level = request.GET.get("level") or ORG
        if level not in LEVELS or (level == HOSPITAL and not wide):
            level = ORG
        rollups.ensure_fresh({ind.hospital_id} | ({h.pk for h in wide} if level == HOSPITAL else set()))
        today = timezone.localdate()
        last = min(dt.date(year, 12, 1), month_of(today))
        run = months(dt.date(year, 1, 1), last)
        before = [add_months(m, -12) for m in run]
        peers = self.peers(user, ind, level, wide, year, last, run, before)
        # The year's months for the first unit (the hospital for hospital-wide readers, else their branch).
        home = (
            Unit(HOSPITAL, ind.hospital_id) if ind.hospital in wide else (peers[0]["unit"] if peers else None)
        )
        series = []
        if home is not None:
            agg = aggregate.load(
                ind.hospital_id, [home], add_months(run[0], -12), last, indicators=[ind], user=user
            )
            for m in run:
                now, prior = (
                    agg.result(ind, home, [m]).value,
                    agg.result(ind, home, [add_months(m, -12)]).value,
                )
                change = change_of(now, prior)
                series.append(
                    {
                        "month": month_label(m),
                        "now": fmt(now, places_of(ind)),
                        "prior": fmt(prior, places_of(ind)),
                        "change": change,
                        "better": judged(change, ind.lower_is_better),
                        "url": drill_url(ind, home, m, m),
                    }
                )
        chart = {
            "months": [s["month"][-3:] if len(s["month"]) > 3 else s["month"] for s in series],
            "now": [s["now"] for s in series],
            "prior": [s["prior"] for s in series],
            "urls": [s["url"] for s in series],
            "unit": ind.unit,
            "labels": [str(year), str(year - 1)],
        }
        return render(
            request,
            self.template_name,
            {
                "choices": choices,
                "indicator": ind,
                "year": year,
                "years": year_choices(year),
                "level": level,
                "levels": [(DEPT, _("departments")), (ORG, _("branches"))]
                + ([(HOSPITAL, _("hospitals"))] if len(wide) > 1 else []),
                "peers": sorted(
                    peers,
                    key=lambda p: (
                        p["now"] is None,
                        -(p["now"] or 0) if not ind.lower_is_better else (p["now"] or 0),
                    ),
                ),
                "series": series,
                "chart_json": json.dumps(chart, ensure_ascii=False),
                "home_label": _("whole hospital") if home and home.kind == HOSPITAL else "",
                "period": f"{month_label(run[0])} – {month_label(run[-1])}",
                "many_hospitals": len({i.hospital_id for i in choices}) > 1,
            },
        )

    def peers(self, user, ind, level, wide, year, last, run, before) -> list[dict]:
        out = []
        if level == HOSPITAL:
            same = {
                i.hospital_id: i
                for i in Indicator.objects.filter(hospital__in=wide, code=ind.code).select_related("hospital")
            }
            for h_id, peer_ind in same.items():
                unit = Unit(HOSPITAL, h_id)
                agg = aggregate.load(h_id, [unit], before[0], last, indicators=[peer_ind], user=user)
                out.append(self.row(agg, peer_ind, unit, str(peer_ind.hospital), run, before))
            return out
        if level == DEPT:
            units = [
                (Unit(DEPT, d.pk), d.name)
                for d in Department.objects.restrict(user, VIEW, area=AREA)
                .filter(hospital_id=ind.hospital_id, numchild=0)
                .order_by("path")
            ]
        else:
            units = [
                (Unit(ORG, o.pk), o.short_name or o.name)
                for o in PartyOrganization.objects.restrict(user, VIEW, area=AREA)
                .filter(hospital_id=ind.hospital_id, kind=OrgKind.BRANCH)
                .order_by("path")
            ]
        agg = aggregate.load(
            ind.hospital_id, [u for u, _n in units], before[0], last, indicators=[ind], user=user
        )
        for unit, name in units:
            out.append(self.row(agg, ind, unit, name, run, before))
        return out

    def row(self, agg, ind, unit, name, run, before) -> dict:
        now = agg.result(ind, unit, run).value
        prior = agg.result(ind, unit, before).value
        change = change_of(now, prior)
        return {
            "unit": unit,
            "name": name,
            "now": fmt(now, places_of(ind)),
            "prior": fmt(prior, places_of(ind)),
            "change": change,
            "better": judged(change, ind.lower_is_better),
            "url": drill_url(ind, unit, run[0], run[-1]),
        }
