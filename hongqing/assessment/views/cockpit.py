"""The cockpit (驾驶舱) and its big-screen mode (大屏).

- Hospital-wide readers (the committee, the Party office, the discipline inspector, the regional
  reader for every hospital): the year's headline figures, Party-building and business trends by
  month, the duty heat map, the branches ranked by each score, and the 同频共振 quadrant with the
  correlation of the two scores over the periods. The figures are the hospital's as a whole, so they
  are served only to a user whose grant covers the whole hospital (and cached per data version).
- A branch's secretary or committee member: their branch's scorecard, its history, its trends and a
  link to its duty list — never another branch's, nor the ranking.
- Anyone else (a member, the admins): 403.

Every figure and chart point carries the link of its drill-down page (``drill``).
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.rules import rule_value
from hongqing.party.models import DutyStatus

from ..services import cockpit
from .common import chosen_hospital, chosen_year, hospitals_for, manages, year_choices


def labels() -> dict:
    return {
        "party": _("Party-building score"),
        "business": _("business score"),
        "total": _("total score"),
        "r": _("correlation"),
        "done": _("duties done"),
        "lastYear": _("a year earlier"),
        "noData": _("No data yet"),
        "mean": _("mean"),
        "statusDone": str(DutyStatus.DONE.label),
        "statusDueSoon": str(DutyStatus.DUE_SOON.label),
        "statusOpen": str(DutyStatus.OPEN.label),
        "statusOverdue": str(DutyStatus.OVERDUE.label),
    }


class CockpitView(View):
    template_name = "assessment/cockpit.html"
    screen_template = "assessment/cockpit_screen.html"
    screen = False

    def get(self, request):
        from django.contrib.auth.views import redirect_to_login

        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        year = chosen_year(request)
        hospitals = hospitals_for(user)
        ctx = {"year": year, "years": year_choices(year), "screen": self.screen, "labels": labels()}
        if hospitals:
            hospital = chosen_hospital(request, hospitals)
            payload = cockpit.hospital_payload(hospital, year)
            ctx.update(
                mode="hospital",
                hospital=hospital,
                hospitals=hospitals,
                payload=payload,
                refresh=int(rule_value("assessment.screen_refresh_seconds", hospital.pk) or 300),
                screen_url=f"{reverse('assessment:cockpit_screen')}?hospital={hospital.pk}&year={year}",
                cockpit_url=f"{reverse('assessment:cockpit')}?hospital={hospital.pk}&year={year}",
            )
        else:
            if not manages(user):
                raise PermissionDenied(_("You have no permission for this page."))
            branches = list(cockpit.branches_of_user(user).select_related("hospital"))
            if not branches:
                raise PermissionDenied(_("You have no permission for this page."))
            wanted = request.GET.get("branch", "")
            branch = next((b for b in branches if str(b.pk) == wanted), branches[0])
            payload = cockpit.branch_payload(branch, year, user=user)
            ctx.update(
                mode="branch",
                branch=branch,
                branches=branches,
                payload=payload,
                refresh=int(rule_value("assessment.screen_refresh_seconds", branch.hospital_id) or 300),
                duties_url=f"{reverse('party:duty_board', kwargs={'pk': branch.pk})}?year={year}",
                screen_url=f"{reverse('assessment:cockpit_screen')}?branch={branch.pk}&year={year}",
                cockpit_url=f"{reverse('assessment:cockpit')}?branch={branch.pk}&year={year}",
            )
        ctx["body"] = body_html(request, ctx)
        return render(request, self.screen_template if self.screen else self.template_name, ctx)


def body_html(request, ctx: dict) -> str:
    """The figures, charts and their data, rendered once per payload (its key names the data version,
    the day, the language and, for a branch, the user): most of the page's time was this part."""
    key = f"{ctx['payload'].cache_key}:body:{ctx['mode']}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("assessment/cockpit_body.html", ctx, request)
        cache.set(key, str(html), cockpit.CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  (rendered by the template engine, which escaped it)


class CockpitScreenView(CockpitView):
    screen = True
