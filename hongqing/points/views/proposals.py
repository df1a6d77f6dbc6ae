"""Manual items: a branch proposes (one page), the Party office approves or rejects on the proposal's
page; the proposals list is the office's queue (pending first)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.urls_helpers import crud_urls
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)

from .. import access, filtersets, forms, tables
from ..choices import ProposalStatus
from ..models import PointEntry, PointProposal
from ..services import proposals as services


class PointProposalListView(ObjectListView):
    model = PointProposal
    queryset = (
        PointProposal.objects.select_related("person", "organization", "rule")
        .annotate(
            waiting=Case(
                When(status=ProposalStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-created", "-pk")
    )
    table_class = tables.PointProposalTable
    filterset_class = filtersets.PointProposalFilterSet


class PointProposalAddView(ScopedMixin, View):
    """Propose a manual item for a member of one's branch."""

    model = PointProposal
    action = CHANGE
    template_name = "points/proposal_form.html"

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "model_name_plural": PointProposal._meta.verbose_name_plural},
            status=status,
        )

    def get(self, request):
        initial = {k: request.GET[k] for k in ("person", "rule") if (request.GET.get(k) or "").isdigit()}
        return self.render_form(forms.ProposalForm(user=request.user, initial=initial))

    def post(self, request):
        form = forms.ProposalForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                p = services.propose(
                    person=data["person"],
                    rule=data["rule"],
                    amount=data["amount"],
                    date=data["date"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for m in exc.messages:
                    form.add_error(None, m)
            else:
                messages.success(
                    request, _("Proposed: %(obj)s. The Party office decides on it.") % {"obj": p}
                )
                return redirect(p.get_absolute_url())
        return self.render_form(form, status=422)


class PointProposalDetailView(ObjectDetailView):
    model = PointProposal
    detail_fields = [
        "person",
        "organization",
        "rule",
        "amount",
        "date",
        "reason",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ]

    def get_template_names(self):
        return ["points/proposal_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("person", "organization", "rule", "decided_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        p, user = ctx["object"], self.request.user
        ctx["edit_url"] = None
        if not p.is_pending:
            ctx["delete_url"] = None
        ctx["may_decide"] = p.is_pending and access.is_office(user, p.hospital_id)
        ctx["note_form"] = forms.NoteForm(user=user)
        ctx["lines"] = list(
            PointEntry.objects.restrict(user, VIEW)
            .filter(source_type=ContentType.objects.get_for_model(PointProposal), source_id=p.pk)
            .order_by("pk")
        )
        return ctx


class DecideView(ScopedMixin, View):
    """The Party office approves or rejects a proposal (``decision`` = approve | reject)."""

    model = PointProposal
    action = CHANGE

    def post(self, request, pk):
        p = get_object_or_404(self.get_queryset(), pk=pk)
        if not access.is_office(request.user, p.hospital_id):
            raise PermissionDenied(_("Only the Party office decides on proposals."))
        decision = request.POST.get("decision")
        note = (request.POST.get("note") or "").strip()
        try:
            if decision == "approve":
                services.approve(p, actor=request.user, note=note)
                messages.success(
                    request, _("Approved: %(obj)s. The points are in the member's total.") % {"obj": p}
                )
            elif decision == "reject":
                services.reject(p, actor=request.user, note=note)
                messages.success(request, _("Rejected: %(obj)s") % {"obj": p})
            else:
                messages.error(request, _("Approve or reject."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        nxt = request.POST.get("next")
        if nxt == "queue":
            return redirect("points:pointproposal_list")
        return redirect(p.get_absolute_url())


class PointProposalHistoryView(ObjectHistoryView):
    model = PointProposal


class PointProposalDeleteView(ObjectDeleteView):
    """A pending proposal may be withdrawn by its branch (a decided one is a record)."""

    model = PointProposal


urlpatterns = [
    path("proposals/add/", PointProposalAddView.as_view(), name="pointproposal_add"),
    path("proposals/<int:pk>/decide/", DecideView.as_view(), name="pointproposal_decide"),
    *crud_urls(
        "proposals",
        PointProposal,
        list_view=PointProposalListView,
        detail_view=PointProposalDetailView,
        delete_view=PointProposalDeleteView,
        history_view=PointProposalHistoryView,
    ),
]
