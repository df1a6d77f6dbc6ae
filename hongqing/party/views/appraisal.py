"""Party-work pages: the democratic appraisal (民主评议党员).

- The branch's side (secretary, Party office): the campaigns, opening one, a campaign's page with
  each member's self-rating, the tallies of the ratings, the committee's proposal and the
  congress's decision (HTMX, with the one-third warning), and the move to the next stage.
- The member's side, on a phone: "My appraisal" — their self-assessment, their ballot in the peer
  and democratic rounds, their results. A member reaches a campaign only through their own entry
  (``AppraisalEntry.objects.restrict``); the ballot lists the names of the branch's other members
  being appraised, never anybody's ratings.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.scoping import CHANGE, VIEW, grants_for
from hongqing.core.urls_helpers import crud_urls
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)

from .. import filtersets_appraisal as filtersets
from .. import forms_appraisal as forms
from .. import tables_appraisal as tables
from ..choices import AppraisalStage, Rating
from ..models import AppraisalCampaign, AppraisalEntry
from ..services import appraisal as services


def manages(user, action: str = VIEW) -> bool:
    """Whether the user reads appraisals beyond their own entry (a secretary, the office, a reader)."""
    return any(g.applies(AppraisalCampaign.scope_area, action) and not g.personal for g in grants_for(user))


def own_person(user):
    try:
        return user.person
    except Exception:  # noqa: BLE001 (RelatedObjectDoesNotExist: no staff record)
        return None


def own_entries(user):
    """The user's own appraisal entries, through the one scoping."""
    return AppraisalEntry.objects.restrict(user, VIEW).filter(membership__person__user=user)


# ---------------------------------------------------------------------------------------------
# The branch's side


class AppraisalCampaignListView(ObjectListView):
    model = AppraisalCampaign
    queryset = AppraisalCampaign.objects.select_related("organization", "congress").annotate(
        entry_count=Count("entries")
    )
    table_class = tables.AppraisalCampaignTable
    filterset_class = filtersets.AppraisalCampaignFilterSet


class AppraisalOpenView(ScopedMixin, View):
    """Open a branch's appraisal of a year: a service (entries for every member), not a plain form."""

    model = AppraisalCampaign
    action = CHANGE
    template_name = "party/appraisal/open.html"

    def get(self, request):
        form = forms.OpenCampaignForm(
            user=request.user, initial={"organization": request.GET.get("organization")}
        )
        return render(request, self.template_name, {"form": form, **self.model_context()})

    def post(self, request):
        form = forms.OpenCampaignForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    campaign = services.open_campaign(
                        form.cleaned_data["organization"], year=form.cleaned_data["year"], actor=request.user
                    )
                    if (
                        not AppraisalCampaign.objects.restrict(request.user, CHANGE)
                        .filter(pk=campaign.pk)
                        .exists()
                    ):
                        raise ValidationError(
                            _("The record would be outside your scope, so nothing was saved.")
                        )
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Opened: %(obj)s") % {"obj": campaign})
                return redirect(campaign.get_absolute_url())
        return render(request, self.template_name, {"form": form, **self.model_context()}, status=422)


class AppraisalCampaignDetailView(ObjectDetailView):
    model = AppraisalCampaign

    def get_template_names(self):
        return ["party/appraisal/campaign_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("organization", "congress")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        c = ctx["object"]
        writable = AppraisalCampaign.objects.restrict(self.request.user, CHANGE).filter(pk=c.pk).exists()
        ctx.update(campaign_context(c, writable, self.request.user))
        return ctx


def campaign_context(c, writable: bool, user) -> dict:
    entries = list(c.entries.select_related("membership__person").order_by("membership__person__staff_no"))
    counts = services.tally(c)
    rows = []
    for e in entries:
        t = counts.get(e.pk, {})
        rows.append(
            {
                "entry": e,
                "peer": _tally_cells(t.get("peer", {})),
                "democratic": _tally_cells(t.get("democratic", {})),
            }
        )
    nxt = services.next_stage(c)
    return {
        "rows": rows,
        "stages": [
            (s, AppraisalStage(s).label, services.STAGES.index(s) <= services.STAGES.index(c.stage))
            for s in services.STAGES
        ],
        "next_stage": nxt,
        "next_stage_label": AppraisalStage(nxt).label if nxt else "",
        "voters": services.voters(c),
        "self_done": sum(1 for e in entries if e.self_rating),
        "proposal_warning": services.excellent_warning(c, "proposal"),
        "result_warning": services.excellent_warning(c, "result"),
        "can_change": writable,
        "rating_choices": Rating.choices,
        "rating_field": {AppraisalStage.COMMITTEE: "proposal", AppraisalStage.CONGRESS: "result"}.get(c.stage)
        if writable
        else None,
        "close_form": forms.CloseForm(user=user, campaign=c)
        if writable and nxt == AppraisalStage.CLOSED
        else None,
    }


def _tally_cells(t: dict) -> list[tuple[str, str, int]]:
    return [(value, label, t.get(value, 0)) for value, label in Rating.choices]


class AppraisalCampaignHistoryView(ObjectHistoryView):
    model = AppraisalCampaign


class AppraisalCampaignDeleteView(ObjectDeleteView):
    model = AppraisalCampaign


class AppraisalMoveView(ScopedMixin, View):
    """Move a campaign to its next stage (closing may name the congress)."""

    model = AppraisalCampaign
    action = CHANGE

    def post(self, request, pk):
        c = get_object_or_404(self.get_queryset().select_related("organization"), pk=pk)
        congress = None
        if request.POST.get("congress"):
            form = forms.CloseForm(request.POST, user=request.user, campaign=c)
            if not form.is_valid():
                messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
                return redirect(c.get_absolute_url())
            congress = form.cleaned_data["congress"]
        try:
            services.move_to(c, request.POST.get("to_stage", ""), actor=request.user, congress=congress)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("The appraisal is now at the stage %(stage)s.") % {"stage": c.get_stage_display()}
            )
        return redirect(c.get_absolute_url())


class AppraisalEntryDetailView(ObjectDetailView):
    model = AppraisalEntry

    def get_template_names(self):
        return ["party/appraisal/entry_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("campaign__organization", "membership__person")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        e = ctx["object"]
        ctx["edit_url"] = ctx["delete_url"] = None  # entries change through the services only
        # The tallies are the branch's to see; a member sees their self-assessment and their result.
        if manages(self.request.user):
            t = services.tally(e.campaign).get(e.pk, {})
            ctx["peer"] = _tally_cells(t.get("peer", {}))
            ctx["democratic"] = _tally_cells(t.get("democratic", {}))
        ctx["campaign_url"] = (
            e.campaign.get_absolute_url()
            if AppraisalCampaign.objects.restrict(self.request.user, VIEW).filter(pk=e.campaign_id).exists()
            else None
        )
        return ctx


class AppraisalRateView(ScopedMixin, View):
    """The committee's proposal (at its stage) or the congress's decision (at its stage) of one entry."""

    model = AppraisalEntry
    action = CHANGE

    def post(self, request, pk):
        e = get_object_or_404(
            self.get_queryset().select_related("campaign__organization", "membership__person"), pk=pk
        )
        form = forms.RatingForm(request.POST, user=request.user)
        error = warning = None
        if not form.is_valid():
            error = _("Choose a rating.")
        else:
            rate = services.decide if e.campaign.stage == AppraisalStage.CONGRESS else services.propose
            try:
                warning = rate(e, rating=form.cleaned_data["rating"], actor=request.user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
        if request.htmx:
            c = e.campaign
            ctx = campaign_context(c, True, request.user)
            row = next(r for r in ctx["rows"] if r["entry"].pk == e.pk)
            return render(
                request,
                "party/appraisal/entry_row.html",
                {**ctx, "row": row, "object": c, "error": error, "oob": True},
            )
        if error:
            messages.error(request, error)
        elif warning:
            messages.warning(request, warning)
        return redirect(e.campaign.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# The member's side


class MyAppraisalView(LoginRequiredMixin, View):
    """The member's appraisals: the self-assessment to write, the ballots to cast, the results."""

    def get(self, request):
        person = own_person(request.user)
        entries = list(
            own_entries(request.user).select_related("campaign__organization").order_by("-campaign__year")
        )
        items = []
        for e in entries:
            c = e.campaign
            item = {"entry": e, "campaign": c}
            if c.stage in services.VOTING_STAGES:
                round_ = c.stage
                rows = services.ballot(c, person, round_)
                item.update(round=round_, to_rate=sum(1 for _e, rated in rows if not rated), total=len(rows))
            items.append(item)
        return render(request, "party/appraisal/mine.html", {"items": items})


class SelfAssessmentView(LoginRequiredMixin, View):
    template_name = "party/appraisal/self_assessment.html"

    def entry(self, request, pk):
        return get_object_or_404(own_entries(request.user).select_related("campaign__organization"), pk=pk)

    def get(self, request, pk):
        e = self.entry(request, pk)
        form = forms.SelfAssessmentForm(
            user=request.user, initial={"text": e.self_assessment, "rating": e.self_rating}
        )
        return render(request, self.template_name, {"entry": e, "form": form})

    def post(self, request, pk):
        e = self.entry(request, pk)
        form = forms.SelfAssessmentForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.submit_self_assessment(
                    e, text=form.cleaned_data["text"], rating=form.cleaned_data["rating"], actor=request.user
                )
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Your self-assessment is saved."))
                return redirect("party:appraisal_mine")
        return render(request, self.template_name, {"entry": e, "form": form}, status=422)


class BallotView(LoginRequiredMixin, View):
    """A member rates the branch's other members in the open round, once each (a secret ballot)."""

    template_name = "party/appraisal/ballot.html"

    def setup_ballot(self, request, pk):
        own = get_object_or_404(
            own_entries(request.user).select_related("campaign__organization"), campaign_id=pk
        )
        c = own.campaign
        if c.stage not in services.VOTING_STAGES:
            raise PermissionDenied(_("No round of ratings is open."))
        person = own_person(request.user)
        return c, person, c.stage, services.ballot(c, person, c.stage)

    def get(self, request, pk):
        c, person, round_, rows = self.setup_ballot(request, pk)
        form = forms.BallotForm(user=request.user, entries=rows)
        return render(request, self.template_name, self.context(c, round_, rows, form))

    def context(self, c, round_, rows, form):
        return {
            "campaign": c,
            "round_label": AppraisalStage(round_).label,
            "form": form,
            "rated": sum(1 for _e, rated in rows if rated),
            "total": len(rows),
        }

    def post(self, request, pk):
        c, person, round_, rows = self.setup_ballot(request, pk)
        form = forms.BallotForm(request.POST, user=request.user, entries=rows)
        if form.is_valid():
            try:
                n = services.cast_ballot(
                    c, person=person, round_=round_, ratings=form.ratings(), actor=request.user
                )
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Your ratings of %(n)d members are recorded.") % {"n": n})
                return HttpResponseRedirect(reverse("party:appraisal_mine"))
        return render(request, self.template_name, self.context(c, round_, rows, form), status=422)


urlpatterns = [
    path("appraisals/add/", AppraisalOpenView.as_view(), name="appraisalcampaign_add"),
    path("appraisals/mine/", MyAppraisalView.as_view(), name="appraisal_mine"),
    path("appraisals/<int:pk>/move/", AppraisalMoveView.as_view(), name="appraisalcampaign_move"),
    path("appraisals/<int:pk>/ballot/", BallotView.as_view(), name="appraisal_ballot"),
    path("appraisal-entries/<int:pk>/rate/", AppraisalRateView.as_view(), name="appraisalentry_rate"),
    path("appraisal-entries/<int:pk>/self/", SelfAssessmentView.as_view(), name="appraisalentry_self"),
    *crud_urls(
        "appraisals",
        AppraisalCampaign,
        list_view=AppraisalCampaignListView,
        detail_view=AppraisalCampaignDetailView,
        delete_view=AppraisalCampaignDeleteView,
        history_view=AppraisalCampaignHistoryView,
    ),
    *crud_urls("appraisal-entries", AppraisalEntry, detail_view=AppraisalEntryDetailView),
]

# The app's ready() imports it too; here as well so the menu and panels exist wherever the URLs load.
from .. import panels_appraisal  # noqa: E402, F401
