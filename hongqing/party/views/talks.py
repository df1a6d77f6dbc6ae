"""Talks (谈话): the list, a talk's page and form, who still owes a heart-to-heart talk, growth talks
per department."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.urls_helpers import crud_urls
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)
from hongqing.people.models import Person

from ..choices import TalkKind
from ..filtersets_talks import TalkFilterSet
from ..forms_talks import TalkForm
from ..models import Talk
from ..services import duties
from ..services.talks import coverage, growth_counts
from ..tables_talks import TalkTable
from .duties import selected_year, year_choices

T = "party/talks/"
RELATED = ("organization", "talker", "person", "department")


class TalkListView(ObjectListView):
    model = Talk
    queryset = Talk.objects.select_related(*RELATED)
    table_class = TalkTable
    filterset_class = TalkFilterSet


class TalkDetailView(ObjectDetailView):
    model = Talk
    queryset = Talk.objects.select_related(*RELATED)
    detail_fields = [
        "kind",
        "date",
        "talker",
        "person",
        "organization",
        "department",
        "place",
        "notes",
        "goals",
    ]


class TalkHistoryView(ObjectHistoryView):
    model = Talk


class TalkEditView(ObjectEditView):
    """Record a talk; from the coverage page the organisation, the kind and the two people come filled."""

    model = Talk
    form_class = TalkForm

    def new_object(self):
        get, user = self.request.GET, self.request.user
        obj = Talk(date=timezone.localdate())
        obj.kind = get.get("kind") if get.get("kind") in TalkKind.values else TalkKind.HEART_TO_HEART
        orgs = duties.organizations_in_scope(user, CHANGE)
        if (get.get("organization") or "").isdigit():
            obj.organization = orgs.filter(pk=get["organization"]).first()
        elif len(ids := list(orgs.values_list("pk", flat=True)[:2])) == 1:
            obj.organization = orgs.get(pk=ids[0])
        people = Person.objects.restrict(user, VIEW)
        for name in ("talker", "person"):
            if (get.get(name) or "").isdigit():
                setattr(obj, name, people.filter(pk=get[name]).first())
        if obj.talker_id is None and getattr(user, "person", None) is not None:
            obj.talker = user.person  # usually the user holds the talk
        return obj


class TalkDeleteView(ObjectDeleteView):
    model = Talk


class TalkCoverageView(ScopedMixin, TemplateView):
    """Heart-to-heart talks of one organisation's year: each committee member, whom they have talked
    with and whom not yet (the duty's progress, pair by pair)."""

    model = Talk
    template_name = T + "coverage.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        year = selected_year(self.request)
        org = get_object_or_404(duties.organizations_in_scope(user, VIEW), pk=self.kwargs["pk"])
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        cov = coverage([org.pk], [(start, end)])[(org.pk, start)]
        names = dict(Person.objects.filter(pk__in=cov.members | cov.committee).values_list("pk", "name"))
        people = sorted(cov.members | cov.committee, key=lambda pk: (names.get(pk, ""), pk))
        may_record = duties.organizations_in_scope(user, CHANGE).filter(pk=org.pk).exists()
        add = reverse("party:talk_add") if may_record else None
        rows = []
        for c in sorted(cov.committee, key=lambda pk: (names.get(pk, ""), pk)):
            done, todo = [], []
            for m in people:
                if m == c:
                    continue
                day = cov.first_talk.get(frozenset((c, m)))
                entry = {"pk": m, "name": names.get(m, "?"), "date": day}
                if day is None and add:
                    query = {
                        "organization": org.pk,
                        "kind": TalkKind.HEART_TO_HEART,
                        "talker": c,
                        "person": m,
                    }
                    entry["add_url"] = f"{add}?{urlencode(query)}"
                (done if day else todo).append(entry)
            rows.append(
                {
                    "pk": c,
                    "name": names.get(c, "?"),
                    "done": done,
                    "todo": todo,
                    "owed": len(done) + len(todo),
                }
            )
        sat = cov.satisfaction()
        list_query = urlencode({"organization": org.pk, "kind": TalkKind.HEART_TO_HEART, "year": year})
        ctx.update(
            organization=org,
            year=year,
            years=year_choices(year),
            rows=rows,
            satisfaction=sat,
            percent=int(100 * sat.done_count / sat.required) if sat.required else 0,
            list_url=f"{reverse('party:talk_list')}?{list_query}",
            board_url=f"{reverse('party:duty_board', kwargs={'pk': org.pk})}?year={year}",
        )
        return ctx


class GrowthTalkSummaryView(ScopedMixin, TemplateView):
    """Growth talks (成长对话) of a year per department: monthly talks, yearly reviews, people reached."""

    model = Talk
    template_name = T + "growth.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = selected_year(self.request)
        rows = growth_counts(Talk.objects.restrict(self.request.user, VIEW), year)
        base = reverse("party:talk_list")
        for row in rows:
            query = {"year": year, "department": row["department_id"] or ""}
            row["monthly_url"] = f"{base}?{urlencode({**query, 'kind': TalkKind.GROWTH_MONTHLY})}"
            row["reviews_url"] = f"{base}?{urlencode({**query, 'kind': TalkKind.GROWTH_REVIEW})}"
        ctx.update(
            year=year,
            years=year_choices(year),
            rows=rows,
            totals={k: sum(r[k] for r in rows) for k in ("monthly", "reviews", "people")},
        )
        return ctx


urlpatterns = [
    path("talks/coverage/<int:pk>/", TalkCoverageView.as_view(), name="talk_coverage"),
    path("talks/growth/", GrowthTalkSummaryView.as_view(), name="talk_growth"),
    *crud_urls(
        "talks",
        Talk,
        list_view=TalkListView,
        detail_view=TalkDetailView,
        edit_view=TalkEditView,
        delete_view=TalkDeleteView,
        history_view=TalkHistoryView,
    ),
]
