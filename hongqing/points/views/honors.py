"""Honours: the records, the selection rounds (the office opens and closes them), a round's
nominations by honour, nominating from one's branch, a nomination's evidence (the candidate's points
of the period and the records behind them), the branch's decision and the office's review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

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

from .. import access, filtersets, forms, tables
from ..choices import HonorKind, NominationStatus
from ..models import Honor, HonorRound, Nomination
from ..notes import line_note
from ..services import honors as services
from ..services import totals


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Honours ------------------------------------------------------------------------------------------
class HonorListView(ObjectListView):
    model = Honor
    queryset = Honor.objects.select_related("person", "organization")
    table_class = tables.HonorTable
    filterset_class = filtersets.HonorFilterSet

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not access.is_office(self.request.user):
            ctx["add_url"] = None
        return ctx


class HonorDetailView(ObjectDetailView):
    model = Honor
    detail_fields = ["kind", "person", "organization", "title", "awarded_on", "round", "nomination", "note"]

    def get_queryset(self):
        return super().get_queryset().select_related("person", "organization", "round", "nomination")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not access.is_office(self.request.user, ctx["object"].hospital_id):
            ctx["edit_url"] = ctx["delete_url"] = None
        return ctx


class _OfficeOnly:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.is_office(request.user):
            raise PermissionDenied(_("Only the Party office records honours directly."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(hospital_id__in=access.office_hospitals(self.request.user))


class HonorEditView(_OfficeOnly, ObjectEditView):
    model = Honor
    form_class = forms.HonorForm


class HonorDeleteView(_OfficeOnly, ObjectDeleteView):
    model = Honor


class HonorHistoryView(ObjectHistoryView):
    model = Honor


# Rounds -------------------------------------------------------------------------------------------
class HonorRoundListView(ObjectListView):
    model = HonorRound
    queryset = HonorRound.objects.select_related("hospital").annotate(nomination_count=Count("nominations"))
    table_class = tables.HonorRoundTable
    filterset_class = filtersets.HonorRoundFilterSet

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["add_url"] = None  # the office opens a round from the panel above the list
        return ctx


class OpenRoundView(ScopedMixin, View):
    model = HonorRound
    action = CHANGE

    def post(self, request):
        if not access.is_office(request.user):
            raise PermissionDenied(_("Only the Party office opens a selection round."))
        form = forms.OpenRoundForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Choose the hospital and a period that has begun."))
            return redirect("points:honorround_list")
        year, number = form.year_number()
        try:
            rnd = services.open_round(
                form.cleaned_data["hospital"], year=year, number=number, actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("points:honorround_list")
        messages.success(request, _("Opened: %(obj)s. The branches may nominate now.") % {"obj": rnd})
        return redirect(rnd.get_absolute_url())


class HonorRoundDetailView(ObjectDetailView):
    model = HonorRound
    detail_fields = ["hospital", "year", "number", "start", "end", "status", "closed_at"]

    def get_template_names(self):
        return ["points/round_detail.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rnd, user = ctx["object"], self.request.user
        ctx["edit_url"] = None
        if not access.is_office(user, rnd.hospital_id):
            ctx["delete_url"] = None
        noms = list(
            Nomination.objects.restrict(user, VIEW)
            .filter(round=rnd)
            .select_related("person", "candidate_organization", "organization")
            .order_by("kind", "status", "pk")
        )
        person_ids = [n.person_id for n in noms if n.person_id]
        period_points = _period_totals(user, person_ids, rnd)
        groups = []
        for kind, label in HonorKind.choices:
            rows = [
                {"n": n, "points": period_points.get(n.person_id) if n.person_id else None}
                for n in noms
                if n.kind == kind
            ]
            groups.append({"kind": kind, "label": label, "rows": rows})
        ctx["groups"] = groups
        ctx["is_office"] = access.is_office(user, rnd.hospital_id)
        may_nominate = (
            rnd.is_open
            and services.nominating_organizations(user).filter(hospital_id=rnd.hospital_id).exists()
        )
        ctx["nominate_form"] = (
            forms.NominationForm(user=user, hospital_id=rnd.hospital_id) if may_nominate else None
        )
        ctx["waiting"] = sum(1 for n in noms if n.status in services.OPEN_STATUSES)
        return ctx


def _period_totals(user, person_ids, rnd) -> dict:
    from django.db.models import Sum

    from ..models import PointEntry

    rows = (
        PointEntry.objects.restrict(user, VIEW)
        .filter(person_id__in=person_ids, date__gte=rnd.start, date__lte=rnd.end)
        .order_by()
        .values_list("person_id")
        .annotate(s=Sum("amount"))
    )
    return dict(rows)


class CloseRoundView(ScopedMixin, View):
    model = HonorRound
    action = CHANGE

    def post(self, request, pk):
        rnd = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.close_round(rnd, actor=request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Closed: %(obj)s") % {"obj": rnd})
        return redirect(rnd.get_absolute_url())


class HonorRoundDeleteView(ObjectDeleteView):
    model = HonorRound

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.is_office(request.user):
            raise PermissionDenied(_("Only the Party office removes a selection round."))
        return super().dispatch(request, *args, **kwargs)


# Nominations --------------------------------------------------------------------------------------
class NominateView(ScopedMixin, View):
    """A branch nominates a candidate in an open round (from the round's page)."""

    model = Nomination
    action = CHANGE
    template_name = "points/nominate.html"

    def post(self, request, pk):
        rnd = get_object_or_404(HonorRound.objects.restrict(request.user, VIEW), pk=pk)
        form = forms.NominationForm(request.POST, user=request.user, hospital_id=rnd.hospital_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                n = services.nominate(
                    rnd,
                    kind=data["kind"],
                    person=data["person"],
                    branch=data["branch"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for m in exc.messages:
                    form.add_error(None, m)
            else:
                messages.success(request, _("Nominated: %(obj)s") % {"obj": n})
                return redirect(n.get_absolute_url())
        return render(request, self.template_name, {"form": form, "round": rnd}, status=422)


class NominationListView(ObjectListView):
    model = Nomination
    queryset = Nomination.objects.select_related("round", "person", "candidate_organization", "organization")
    table_class = tables.NominationTable
    filterset_class = filtersets.NominationFilterSet

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["add_url"] = None
        return ctx


class NominationDetailView(ObjectDetailView):
    model = Nomination
    detail_fields = [
        "round",
        "kind",
        "organization",
        "reason",
        "status",
        "method",
        "decided_on",
        "decision_note",
        "reviewed_by",
        "review_note",
    ]

    def get_template_names(self):
        return ["points/nomination_detail.html"]

    def get_queryset(self):
        return (
            super().get_queryset().select_related("round", "person", "candidate_organization", "organization")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        n, user = ctx["object"], self.request.user
        ctx["edit_url"] = None
        if n.status in (NominationStatus.APPROVED, NominationStatus.REJECTED):
            ctx["delete_url"] = None
        ev = services.evidence(user, n)
        ctx["evidence"] = ev
        ctx["lines"] = [{"entry": e, "url": e.record_url(), "note": line_note(e)} for e in ev.lines]
        open_ = n.round.is_open and n.status in services.OPEN_STATUSES
        writable = (
            ctx["delete_url"] is not None
            or Nomination.objects.restrict(user, CHANGE).filter(pk=n.pk).exists()
        )
        ctx["decision_form"] = forms.DecisionForm(user=user) if open_ and writable else None
        ctx["may_review"] = n.status not in (
            NominationStatus.APPROVED,
            NominationStatus.REJECTED,
        ) and access.is_office(user, n.round.hospital_id)
        ctx["note_form"] = forms.NoteForm(user=user)
        ctx["year_total"] = totals.person_total(user, n.person, n.round.year) if n.person_id else None
        return ctx


class DecisionView(ScopedMixin, View):
    """The branch records its vote or its committee's decision."""

    model = Nomination
    action = CHANGE

    def post(self, request, pk):
        n = get_object_or_404(self.get_queryset(), pk=pk)
        form = forms.DecisionForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect(n.get_absolute_url())
        d = form.cleaned_data
        try:
            services.record_decision(
                n,
                method=d["method"],
                votes_for=d["votes_for"],
                votes_against=d["votes_against"],
                votes_abstain=d["votes_abstain"],
                decided_on=d["decided_on"],
                note=d["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Recorded: %(status)s") % {"status": n.get_status_display()})
        return redirect(n.get_absolute_url())


class ReviewView(ScopedMixin, View):
    """The Party office approves (the honour goes on the record) or rejects a nomination."""

    model = Nomination
    action = CHANGE

    def post(self, request, pk):
        n = get_object_or_404(self.get_queryset().select_related("round"), pk=pk)
        if not access.is_office(request.user, n.round.hospital_id):
            raise PermissionDenied(_("Only the Party office approves honours."))
        note = (request.POST.get("note") or "").strip()
        try:
            if request.POST.get("decision") == "approve":
                honor = services.approve(n, actor=request.user, note=note)
                messages.success(request, _("Approved: %(obj)s") % {"obj": honor})
            elif request.POST.get("decision") == "reject":
                services.reject(n, actor=request.user, note=note)
                messages.success(request, _("Rejected: %(obj)s") % {"obj": n})
            else:
                messages.error(request, _("Approve or reject."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        if request.POST.get("next") == "round":
            return redirect(n.round.get_absolute_url())
        return redirect(n.get_absolute_url())


class NominationDeleteView(ObjectDeleteView):
    """Withdraw a nomination not yet reviewed."""

    model = Nomination


class NominationHistoryView(ObjectHistoryView):
    model = Nomination


urlpatterns = [
    path("rounds/open/", OpenRoundView.as_view(), name="honorround_open"),
    path("rounds/<int:pk>/close/", CloseRoundView.as_view(), name="honorround_close"),
    path("rounds/<int:pk>/nominate/", NominateView.as_view(), name="honorround_nominate"),
    path("nominations/<int:pk>/decision/", DecisionView.as_view(), name="nomination_decision"),
    path("nominations/<int:pk>/review/", ReviewView.as_view(), name="nomination_review"),
    *crud_urls(
        "honors",
        Honor,
        list_view=HonorListView,
        detail_view=HonorDetailView,
        edit_view=HonorEditView,
        delete_view=HonorDeleteView,
        history_view=HonorHistoryView,
    ),
    *crud_urls(
        "rounds",
        HonorRound,
        list_view=HonorRoundListView,
        detail_view=HonorRoundDetailView,
        delete_view=HonorRoundDeleteView,
    ),
    *crud_urls(
        "nominations",
        Nomination,
        list_view=NominationListView,
        detail_view=NominationDetailView,
        delete_view=NominationDeleteView,
        history_view=NominationHistoryView,
    ),
]
