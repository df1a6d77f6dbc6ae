"""Points pages: the member's own points (phone first), the ledger, a line and its correction, the
branch's members and the hospital's branches, and the points years (closing one).

Every figure comes from ledger lines the user may read (``restrict``); the office's acts (a
correction, closing a year) are services, checked there and here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.exports import xlsx_response
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.urls_helpers import crud_urls
from hongqing.core.views import ObjectDetailView, ObjectListView, ScopedMixin
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Hospital, PartyOrganization

from .. import access, filtersets, forms, tables
from ..choices import EntryKind
from ..models import ClosedYear, PointEntry, PointProposal
from ..notes import line_note
from ..services import ledger, periods, totals

T = "points/"


def _year(request, hospital_id) -> int:
    raw = request.GET.get("year") or ""
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return totals.current_year(hospital_id)


def _years(hospital_id, year) -> list[int]:
    this = totals.current_year(hospital_id)
    return sorted({this, this - 1, this - 2, year}, reverse=True)


# ---------------------------------------------------------------------------------------------
# The member's own points


class MyPointsView(LoginRequiredMixin, View):
    """The member's points of a year: the total, each month, and every line with the record behind it.

    A phone page every member opens: its rules in one read (a RuleBook), the months from the lines
    themselves, the closed year and the waiting proposals in one query, and the lines rendered here
    rather than cell by cell in the template (bench/points.py).
    """

    template_name = T + "mine.html"

    def get(self, request):
        from django.db.models import Exists, OuterRef, Subquery

        from hongqing.core.rules import RuleBook
        from hongqing.people.models import Person

        person = access.own_person(request.user)
        if person is None:
            return render(request, self.template_name, {"person": None})
        h = person.hospital_id
        book = RuleBook("points.", [h])
        month = periods.valid_month(book.value("points.cycle_start_month", h))
        this_year = periods.year_of(timezone.localdate(), month)
        raw = request.GET.get("year") or ""
        year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else this_year
        entries = list(
            PointEntry.objects.restrict(request.user, VIEW)
            .filter(person=person, year=year)
            .select_related("rule")
            .only(*LINE_FIELDS)
            .order_by("-date", "-pk")
        )
        # The user's own proposals and their hospital's closed year: one query.
        flags = (
            Person.objects.filter(pk=person.pk)
            .annotate(
                closed=Exists(ClosedYear.objects.filter(hospital_id=h, year=year)),
                pending=Subquery(
                    PointProposal.objects.filter(person=OuterRef("pk"), status="pending")
                    .order_by()
                    .values("person")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
            )
            .values("closed", "pending")
            .first()
        )
        months = totals.months_of(entries, year, month)
        by_month: dict = {}
        for e in entries:
            by_month.setdefault(e.date.replace(day=1), []).append(e)
        groups = [
            {"month": m, "total": s, "html": _lines_html(by_month[m])}
            for m, s, _n in reversed(months)
            if by_month.get(m)
        ]
        top = max((abs(s) for _m, s, _n in months), default=0) or 1
        ranking = totals.rankings(h, book.value("points.rankings", h))
        return render(
            request,
            self.template_name,
            {
                "person": person,
                "year": year,
                "years": sorted({this_year, this_year - 1, this_year - 2, year}, reverse=True),
                "total": sum((e.amount for e in entries), 0),
                "months": [(m, s, n, int(100 * abs(s) / top)) for m, s, n in months],
                "groups": groups,
                "rank": totals.rank_of(person, year, ranking) if ranking["enabled"] else None,
                "closed": flags["closed"],
                "pending": flags["pending"] or 0,
            },
        )


# What a member's line shows (the rest of a line's and its rule's columns are not read).
LINE_FIELDS = (
    "date",
    "year",
    "kind",
    "amount",
    "requested",
    "cut",
    "why",
    "reason",
    "label",
    "record_type",
    "record_id",
    "rule__name",
    "rule__cap",
    "rule__cap_period",
)
LINE = (
    '<li class="list-group-item px-2 py-2 points-line" id="line-{}"><div class="d-flex align-items-baseline gap-2">'
    '<span class="small text-muted text-nowrap">{}</span><span class="me-auto text-break">{}</span>'
    '<span class="fw-semibold text-nowrap {}">{}</span></div><div class="small text-muted">{}</div></li>'
)


def _lines_html(entries):
    from django.utils.html import format_html, format_html_join

    from ..templatetags.points_tags import signed, tone

    def rows():
        for e in entries:
            url = e.record_url()
            record = (
                format_html('<a href="{}" class="points-record">{}</a>', url, e.label) if url else e.label
            )
            note = line_note(e)
            detail = f"{e.rule.name} · {note}" if note else e.rule.name
            yield (e.pk, f"{e.date:%m-%d}", record, tone(e.amount), signed(e.amount), detail)

    return format_html_join("", LINE, rows())


def _line(e) -> dict:
    return {"entry": e, "url": e.record_url(), "note": line_note(e)}


# ---------------------------------------------------------------------------------------------
# The ledger


class PointEntryListView(ObjectListView):
    model = PointEntry
    queryset = PointEntry.objects.select_related("person", "rule")
    table_class = tables.PointEntryTable
    filterset_class = filtersets.PointEntryFilterSet
    export_name = "积分台账"


class PointEntryDetailView(ObjectDetailView):
    model = PointEntry
    detail_fields = ["person", "date", "year", "rule", "kind", "amount", "requested", "quantity", "label"]

    def get_template_names(self):
        return [T + "entry_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("person", "rule", "reverses", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        e, user = ctx["object"], self.request.user
        ctx["edit_url"] = ctx["delete_url"] = ctx["history_url"] = None  # a line is never edited
        ctx["note"] = line_note(e)
        ctx["record_url"] = e.record_url()
        ctx["reversed_by"] = PointEntry.objects.restrict(user, VIEW).filter(reverses=e).first()
        ctx["may_correct"] = (
            e.kind == EntryKind.AWARD
            and ctx["reversed_by"] is None
            and access.is_office(user, e.hospital_id)
            and not ledger.is_closed(e.hospital_id, e.year)
        )
        ctx["correction_form"] = forms.CorrectionForm(user=user) if ctx["may_correct"] else None
        return ctx


class CorrectView(ScopedMixin, View):
    """The Party office reverses an award with a reason."""

    model = PointEntry
    action = CHANGE

    def post(self, request, pk):
        entry = get_object_or_404(self.get_queryset(), pk=pk)
        if not access.is_office(request.user, entry.hospital_id):
            raise PermissionDenied(_("Only the Party office corrects points."))
        form = forms.CorrectionForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Give the reason for the correction."))
            return redirect(entry.get_absolute_url())
        try:
            rev = ledger.correct(entry, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(entry.get_absolute_url())
        messages.success(request, _("Corrected: %(obj)s") % {"obj": entry})
        return redirect(rev.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# Branches and their members


def _may_manage(user):
    if not access.manages(user):
        raise PermissionDenied(_("You have no permission for this page."))


class BranchesView(LoginRequiredMixin, View):
    """The office's (or a reader's) branches of a hospital; a secretary goes to their branch."""

    template_name = T + "branches.html"

    def get(self, request):
        user = request.user
        _may_manage(user)
        hospitals = list(Hospital.objects.restrict(user, VIEW).filter(pk__in=_points_hospitals(user)))
        branches = list(
            PartyOrganization.objects.restrict(user, VIEW, area="points")
            .filter(kind=OrgKind.BRANCH)
            .order_by("path")
        )
        if not hospitals or (len(branches) == 1 and not any(access.is_office(user, h.pk) for h in hospitals)):
            if branches:
                return redirect(reverse("points:branch", args=[branches[0].pk]) + _keep_year(request))
            raise PermissionDenied(_("You have no permission for this page."))
        raw = request.GET.get("hospital") or ""
        hospital = next((h for h in hospitals if str(h.pk) == raw), hospitals[0])
        year = _year(request, hospital.pk)
        rows = totals.branch_totals(user, hospital.pk, year)
        total, people = totals.hospital_total(user, hospital.pk, year)
        return render(
            request,
            self.template_name,
            {
                "hospital": hospital,
                "hospitals": hospitals,
                "year": year,
                "years": _years(hospital.pk, year),
                "rows": rows,
                "total": total,
                "people": people,
                "members": sum(r.members for r in rows),
                "closed": ledger.is_closed(hospital.pk, year),
                "rankings": totals.rankings(hospital.pk),
            },
        )


def _keep_year(request) -> str:
    return f"?year={request.GET['year']}" if (request.GET.get("year") or "").isdigit() else ""


def _points_hospitals(user) -> list[int]:
    """The hospitals the user reads as a whole (office, committee, inspector, region)."""
    from hongqing.core.scoping import ALL, HOSPITAL, grants_for

    ids: set[int] = set()
    for g in grants_for(user):
        if not g.applies("points", VIEW):
            continue
        if g.kind == ALL:
            return list(Hospital.objects.values_list("pk", flat=True))
        if g.kind == HOSPITAL:
            ids |= set(g.hospital_ids)
    return sorted(ids)


class BranchMembersView(LoginRequiredMixin, View):
    """A branch's members with their totals of the year; ranked only when the hospital turned
    rankings on (and then in the branch, or the hospital when so configured) — RULES.md §8."""

    template_name = T + "branch.html"

    def get(self, request, pk):
        user = request.user
        _may_manage(user)
        org = get_object_or_404(
            PartyOrganization.objects.restrict(user, VIEW, area="points").exclude(
                kind=OrgKind.DISCIPLINE_COMMITTEE
            ),
            pk=pk,
        )
        year = _year(request, org.hospital_id)
        ranking = totals.rankings(org.hospital_id)
        rows = totals.members_of(user, org, year, with_ranks=ranking["enabled"])
        if request.GET.get("export") == "xlsx":
            header = [_("rank")] if ranking["enabled"] else []
            data = [[*header, _("staff number"), _("name"), _("Party organisation"), _("points")]]
            for r in rows:
                p = r.membership.person
                data.append(
                    [
                        *([r.rank] if ranking["enabled"] else []),
                        p.staff_no,
                        p.name,
                        str(r.membership.organization),
                        float(r.total),
                    ]
                )
            return xlsx_response(data, f"{org.name}-{year}积分")
        total = sum((r.total for r in rows), 0)
        may_propose = (
            PartyOrganization.objects.restrict(user, CHANGE, area="points").filter(pk=org.pk).exists()
        )
        return render(
            request,
            self.template_name,
            {
                "organization": org,
                "year": year,
                "years": _years(org.hospital_id, year),
                "rows": rows,
                "total": total,
                "average": (total / len(rows)).quantize(totals.Decimal("0.1")) if rows else 0,
                "ranking": ranking,
                "may_propose": may_propose,
                "closed": ledger.is_closed(org.hospital_id, year),
            },
        )


# ---------------------------------------------------------------------------------------------
# Points years


class YearsView(LoginRequiredMixin, View):
    """Each year's totals of a hospital; the Party office closes a year that has ended."""

    template_name = T + "years.html"

    def context(self, request, form=None):
        user = request.user
        hospitals = _points_hospitals(user)
        if not hospitals:
            raise PermissionDenied(_("You have no permission for this page."))
        rows = (
            PointEntry.objects.restrict(user, VIEW)
            .filter(hospital_id__in=hospitals)
            .order_by()
            .values("hospital_id", "year")
            .annotate(total=Sum("amount"), lines=Count("pk"), people=Count("person", distinct=True))
            .order_by("hospital_id", "-year")
        )
        closed = {
            (c.hospital_id, c.year): c
            for c in ClosedYear.objects.restrict(user, VIEW)
            .filter(hospital_id__in=hospitals)
            .select_related("closed_by")
        }
        names = dict(Hospital.objects.filter(pk__in=hospitals).values_list("pk", "name"))
        today = timezone.localdate()
        out = []
        for r in rows:
            _start, end = periods.cycle_bounds(r["year"], r["hospital_id"])
            out.append(
                {
                    **r,
                    "hospital": names.get(r["hospital_id"], ""),
                    "closed": closed.get((r["hospital_id"], r["year"])),
                    "ended": end < today,
                    "end": end,
                    "may_close": end < today
                    and (r["hospital_id"], r["year"]) not in closed
                    and access.is_office(user, r["hospital_id"]),
                }
            )
        return {
            "rows": out,
            "form": form or forms.CloseYearForm(user=user),
            "is_office": access.is_office(user),
        }

    def get(self, request):
        return render(request, self.template_name, self.context(request))

    def post(self, request):
        if not access.is_office(request.user):
            raise PermissionDenied(_("Only the Party office closes a points year."))
        form = forms.CloseYearForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                ledger.close_year(
                    form.cleaned_data["hospital"],
                    form.cleaned_data["year"],
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for m in exc.messages:
                    form.add_error(None, m)
            else:
                messages.success(
                    request, _("The points year %(year)d is closed.") % {"year": form.cleaned_data["year"]}
                )
                return redirect("points:years")
        return render(request, self.template_name, self.context(request, form), status=422)


urlpatterns = [
    path("", MyPointsView.as_view(), name="mine"),
    path("branches/", BranchesView.as_view(), name="branches"),
    path("branches/<int:pk>/", BranchMembersView.as_view(), name="branch"),
    path("years/", YearsView.as_view(), name="years"),
    path("entries/<int:pk>/correct/", CorrectView.as_view(), name="pointentry_correct"),
    *crud_urls("entries", PointEntry, list_view=PointEntryListView, detail_view=PointEntryDetailView),
]
