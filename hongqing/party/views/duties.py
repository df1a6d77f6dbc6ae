"""Duty lists (党务清单): the list and a duty's page, an organisation's duties by month, the hospital heat map.

Nothing here ticks a box: a duty is done when a record satisfies it (services.duties). Pages create
the rows of a year nobody has looked at yet (``ensure_obligations``); signals keep them right after.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from hongqing.core.rules import declared
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.urls_helpers import crud_urls
from hongqing.core.views import ObjectDetailView, ObjectListView, ScopedMixin, safe_reverse
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Hospital

from ..choices import MeetingStatus
from ..filtersets_duties import ObligationFilterSet
from ..models import DutyStatus, Meeting, Obligation, Reminder
from ..services import duties
from ..tables_duties import ObligationTable, detail_url

RELATED = (
    "organization",
    "satisfied_by",
    "satisfied_by_term__organization",
    "satisfied_by_appraisal__organization",
)


def selected_year(request) -> int:
    """The year asked for (?year=), within ten years back and two ahead; else the current year."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if today.year - 10 <= year <= today.year + 2 else today.year


def selected_month(request) -> int | None:
    try:
        month = int(request.GET.get("month", ""))
    except ValueError:
        return None
    return month if 1 <= month <= 12 else None


def year_choices(year: int) -> list[int]:
    current = timezone.localdate().year
    return sorted({current - 2, current - 1, current, current + 1, year})


def add_record_url(
    rule: duties.DutyRule | None, organization_id: int, year: int, period: tuple | None = None
) -> str | None:
    """Where to record what would satisfy the duty, prefilled (the meetings, appraisal or term page;
    for an outside satisfier, the page of its records)."""
    if rule is None:
        return None
    if rule.outside and period is not None:
        return duties.outside_url(rule.outside[0], organization_id, *period) or None
    if rule.meeting_kinds:
        base = safe_reverse("party:meeting_add")
        query = {"organization": organization_id, "kind": rule.meeting_kinds[0]}
    elif rule.is_appraisal:
        base = safe_reverse("party:appraisalcampaign_add")
        query = {"organization": organization_id, "year": year}
    elif rule.is_term_renewal:
        base = safe_reverse("organization:committeeterm_add")
        query = {"organization": organization_id}
    else:
        return None
    return f"{base}?{urlencode(query)}" if base else None


def decorate(rows, user, today: dt.date) -> list[dict]:
    """Each duty with what a page shows: status, colour, labels, the record and where to record it."""
    rows = list(rows)
    rules = duties.DutyRules({r.organization.hospital_id for r in rows})
    changeable = (
        set(
            duties.organizations_in_scope(user, CHANGE)
            .filter(pk__in={r.organization_id for r in rows})
            .values_list("pk", flat=True)
        )
        if rows
        else set()
    )
    out = []
    for row in rows:
        status = duties.status_of(row, today)
        record = row.record
        rule = rules.rule(row.code, row.organization.hospital_id, row.period_start)
        out.append(
            {
                "obj": row,
                "status": status,
                "status_label": DutyStatus(status).label,
                "css": duties.STATUS_CLASSES[status],
                "icon": duties.STATUS_ICONS[status],
                "label": duties.duty_label(row.code),
                "period": duties.period_label(row.period_start, row.period_end),
                "monthly": row.period_start.replace(day=1) == row.period_end.replace(day=1),
                "record": record,
                "url": detail_url(row),
                "record_url": detail_url(record),
                # An outside satisfier's records (the members' hours, the talks): its page, done or not.
                "records_url": duties.outside_url(
                    rule.outside[0], row.organization_id, row.period_start, row.period_end
                )
                if rule is not None and rule.outside
                else "",
                "add_url": add_record_url(
                    rule, row.organization_id, row.period_start.year, (row.period_start, row.period_end)
                )
                if status != DutyStatus.DONE and row.organization_id in changeable
                else None,
            }
        )
    return out


def summary(items: list[dict]) -> list[dict]:
    counts = dict.fromkeys((DutyStatus.OVERDUE, DutyStatus.DUE_SOON, DutyStatus.OPEN, DutyStatus.DONE), 0)
    for item in items:
        counts[item["status"]] += 1
    return [
        {"status": s, "label": DutyStatus(s).label, "count": n, "css": duties.STATUS_CLASSES[s]}
        for s, n in counts.items()
    ]


class ObligationListView(ObjectListView):
    model = Obligation
    queryset = Obligation.objects.select_related(*RELATED)
    table_class = ObligationTable
    filterset_class = ObligationFilterSet

    def get(self, request, *args, **kwargs):
        duties.ensure_obligations(duties.organizations_in_scope(request.user), selected_year(request))
        return super().get(request, *args, **kwargs)


class ObligationDetailView(ObjectDetailView):
    model = Obligation
    queryset = Obligation.objects.select_related(*RELATED, "organization__hospital")
    template_name = "party/duties/obligation_detail.html"
    detail_fields = ["organization", "period_start", "period_end", "due", "remind_from", "done_on"]

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = ctx["object"]
        user, today = self.request.user, timezone.localdate()
        item = decorate([obj], user, today)[0]
        rule = duties.DutyRules([obj.organization.hospital_id]).rule(
            obj.code, obj.organization.hospital_id, obj.period_start
        )
        meetings = Meeting.objects.none()
        if rule is not None and rule.meeting_kinds:
            meetings = (
                Meeting.objects.restrict(user, VIEW)
                .filter(
                    organization_id=obj.organization_id,
                    kind__in=rule.meeting_kinds,
                    start__gte=duties.day_start(obj.period_start),
                    start__lt=duties.day_start(obj.period_end + dt.timedelta(days=1)),
                )
                .order_by("start")
            )
        can_change = obj.organization_id in item_changeable(user, obj)
        ctx.update(
            item=item,
            rule=rule,
            rule_description=getattr(declared().get(obj.code), "description", ""),
            meetings=meetings,
            held=MeetingStatus.HELD,
            reminders=Reminder.objects.filter(obligation=obj).select_related("recipient").order_by("sent")
            if can_change
            else [],
            board_url=reverse("party:duty_board", kwargs={"pk": obj.organization_id})
            + f"?year={obj.period_start.year}&month={obj.period_end.month}",
            schedule_missing=duties.schedule_missing([obj.due.year]),
        )
        return ctx


def item_changeable(user, obj) -> set[int]:
    return set(
        duties.organizations_in_scope(user, CHANGE)
        .filter(pk=obj.organization_id)
        .values_list("pk", flat=True)
    )


class DutyBoardView(ScopedMixin, TemplateView):
    """One organisation's duties of a year (its Party groups' too), month by month, or one month's."""

    model = Obligation
    template_name = "party/duties/board.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        year, month = selected_year(self.request), selected_month(self.request)
        scope = duties.organizations_in_scope(user, VIEW)
        org = get_object_or_404(scope.select_related("hospital"), pk=self.kwargs["pk"])
        orgs = [org]
        if org.kind == OrgKind.BRANCH:
            orgs += list(scope.filter(path__startswith=org.path, kind=OrgKind.GROUP).exclude(pk=org.pk))
        duties.ensure_obligations(orgs, year)
        rows = (
            Obligation.objects.restrict(user, VIEW)
            .filter(organization__in=orgs, period_start__year=year)
            .select_related(*RELATED)
            .order_by("period_end", "due", "organization__path", "code")
        )
        if month:
            rows = rows.filter(period_end__month=month)
        items = decorate(rows, user, today)
        groups: dict[int, dict] = {}
        for item in items:
            end = item["obj"].period_end
            group = groups.setdefault(
                end.month,
                {
                    "month": end.month,
                    "label": date_format(end.replace(day=1), "YEAR_MONTH_FORMAT"),
                    "items": [],
                    "current": (end.year, end.month) == (today.year, today.month),
                },
            )
            group["items"].append(item)
        cells = {m: duties.HeatCell(m) for m in range(1, 13)}
        for item in items:
            cell = cells[item["obj"].period_end.month]
            cell.total += 1
            cell.done += item["status"] == DutyStatus.DONE
            cell.overdue += item["status"] == DutyStatus.OVERDUE
            cell.due_soon += item["status"] == DutyStatus.DUE_SOON
        base = reverse("party:duty_board", kwargs={"pk": org.pk})
        ctx.update(
            organization=org,
            year=year,
            month=month,
            month_label=date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT") if month else "",
            years=year_choices(year),
            base_url=base,
            groups=list(groups.values()),
            months=list(cells.values()),
            summary=summary(items),
            today=today,
            schedule_missing=duties.schedule_missing([year]),
            heatmap_url=f"{reverse('party:duty_heatmap')}?{urlencode({'hospital': org.hospital_id, 'year': year})}",
            calendar_url=safe_reverse("core:calendar"),
        )
        return ctx


def heat_cells(row) -> str:
    """A heat-map row's twelve cells, rendered here: 200 cells through the template language cost more
    than the rest of the page (each figure localised, each attribute looked up)."""
    name, url = escape(str(row.organization)), escape(row.url)
    out = []
    for c in row.cells:
        if c.total:
            inner = (
                f'<a class="text-bg-{c.css}" href="{url}&amp;month={c.month}" '
                f'title="{name} {c.month}: {c.done}/{c.total}">{c.done}/{c.total}</a>'
            )
        else:
            inner = '<span class="text-muted">·</span>'
        out.append(f'<td class="hq-cell" data-month="{c.month}" data-status="{c.status}">{inner}</td>')
    return mark_safe("".join(out))  # noqa: S308  (every value above is escaped or a number)


class DutyHeatmapView(ScopedMixin, TemplateView):
    """A hospital's organisations × 12 months: done / total of the duties ending in each month."""

    model = Obligation
    template_name = "party/duties/heatmap.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        year = selected_year(self.request)
        scope = duties.organizations_in_scope(user, VIEW)
        hospitals = list(Hospital.objects.filter(pk__in=scope.values("hospital_id")).order_by("pk"))
        if not hospitals:  # a member's own-records grant reaches no organisation's duties
            raise PermissionDenied(_("You have no permission for this page."))
        hospital = hospitals[0]
        wanted = self.request.GET.get("hospital", "")
        for h in hospitals:
            if str(h.pk) == wanted:
                hospital = h
        orgs = list(
            scope.filter(hospital=hospital).only(
                "pk", "name", "short_name", "kind", "path", "hospital_id", "established"
            )
        )
        duties.ensure_obligations(orgs, year)
        values = (
            Obligation.objects.restrict(user, VIEW)
            .filter(Q(organization__hospital=hospital), period_end__year=year)
            .order_by()
            .values_list(*duties.HEAT_FIELDS)
        )
        rows = duties.heatmap(orgs, values, today)
        board = reverse("party:duty_board", kwargs={"pk": 0})
        for row in rows:
            row.url = f"{board.replace('/0/', f'/{row.organization.pk}/')}?year={year}"
            row.cells_html = heat_cells(row)
        columns = [
            {
                "month": m,
                "total": sum(r.cells[m - 1].total for r in rows),
                "done": sum(r.cells[m - 1].done for r in rows),
            }
            for m in range(1, 13)
        ]
        ctx.update(
            hospital=hospital,
            hospitals=hospitals,
            year=year,
            years=year_choices(year),
            rows=rows,
            columns=columns,
            total=sum(r.total for r in rows),
            done=sum(r.done for r in rows),
            overdue=sum(r.overdue for r in rows),
            schedule_missing=duties.schedule_missing([year]),
            list_url=reverse("party:obligation_list"),
            calendar_url=safe_reverse("core:calendar"),
            statuses=[
                (DutyStatus(s).label, duties.STATUS_CLASSES[s])
                for s in (DutyStatus.DONE, DutyStatus.DUE_SOON, DutyStatus.OVERDUE, DutyStatus.OPEN)
            ],
        )
        return ctx


urlpatterns = [
    path("duties/heatmap/", DutyHeatmapView.as_view(), name="duty_heatmap"),
    path("duties/organizations/<int:pk>/", DutyBoardView.as_view(), name="duty_board"),
    *crud_urls("duties", Obligation, list_view=ObligationListView, detail_view=ObligationDetailView),
]
