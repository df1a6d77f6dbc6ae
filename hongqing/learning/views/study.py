"""Self-study, study hours and the member's own page.

- Self-study: the list (a secretary's pending records first), a record's page with confirm / reject,
  and the member's phone form ("My study" → record a self-study).
- Hours: each member's hours of a year against their requirement (sortable, filterable, exported),
  and each branch's completion rate with the people behind each figure one click away.
- My study: the member's hours this year, sessions open for check-in, open quizzes, their
  attendance and their self-study.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.urls_helpers import crud_urls
from hongqing.core.views import ObjectDetailView, ObjectHistoryView, ObjectListView, ScopedMixin
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.people.choices import MEMBER_STAGES, EmploymentStatus
from hongqing.people.models import Membership

from .. import filtersets, forms, tables
from ..choices import SelfStudyStatus
from ..models import QuizAttempt, SelfStudy, StudyAttendance
from ..services import hours as hours_services
from ..services import quizzes as quiz_services
from ..services import selfstudy as services
from ..services import sessions as session_services
from .common import errors_of, own_person

T = "learning/study/"


# ---------------------------------------------------------------------------------------------
# Self-study


class SelfStudyListView(ObjectListView):
    model = SelfStudy
    queryset = (
        SelfStudy.objects.select_related("person")
        .annotate(
            pending_first=Case(
                When(status=SelfStudyStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "-studied_on", "-pk")
    )
    table_class = tables.SelfStudyTable
    filterset_class = filtersets.SelfStudyFilterSet


class SelfStudyDetailView(ObjectDetailView):
    model = SelfStudy
    detail_fields = [
        "person",
        "kind",
        "title",
        "studied_on",
        "hours",
        "note",
        "status",
        "reviewed_by",
        "reviewed_at",
        "reject_reason",
    ]

    def get_template_names(self):
        return [T + "selfstudy_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("person", "reviewed_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        record = ctx["object"]
        person = own_person(self.request.user)
        mine = person is not None and person.pk == record.person_id
        writable = (
            ctx["edit_url"] is not None
            or SelfStudy.objects.restrict(self.request.user, CHANGE).filter(pk=record.pk).exists()
        )
        ctx["edit_url"] = ctx["delete_url"] = None  # reviewed through the services, withdrawn by the member
        ctx["can_review"] = writable and not mine and record.status == SelfStudyStatus.PENDING
        ctx["can_withdraw"] = mine and record.status == SelfStudyStatus.PENDING
        ctx["reject_form"] = forms.RejectForm()
        ctx["badges"] = tables.REVIEW_BADGES
        return ctx


class SelfStudyHistoryView(ObjectHistoryView):
    model = SelfStudy


class SelfStudyReviewView(ScopedMixin, View):
    """Confirm (``decision=confirm``) or reject with a reason (``decision=reject``)."""

    model = SelfStudy
    action = CHANGE

    def post(self, request, pk):
        record = get_object_or_404(self.get_queryset().select_related("person"), pk=pk)
        decision = request.POST.get("decision")
        try:
            if decision == "confirm":
                services.confirm_self_study(record, actor=request.user, request=request)
                messages.success(request, _("Confirmed: %(obj)s") % {"obj": record})
            elif decision == "reject":
                form = forms.RejectForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Give the reason for rejecting."))
                services.reject_self_study(
                    record, actor=request.user, reason=form.cleaned_data["reason"], request=request
                )
                messages.success(request, _("Returned to the member: %(obj)s") % {"obj": record})
            else:
                raise ValidationError(_("Choose to confirm or to reject."))
        except ValidationError as exc:
            for message in errors_of(exc):
                messages.error(request, message)
        nxt = request.POST.get("next")
        if nxt == "list":
            return redirect(reverse("learning:selfstudy_list") + "?status=pending")
        return redirect(record.get_absolute_url())


class MySelfStudyAddView(LoginRequiredMixin, View):
    """A member records a self-study on their phone (it waits for their secretary's confirmation)."""

    template_name = T + "selfstudy_form.html"

    def person(self, request):
        person = own_person(request.user)
        if person is None:
            raise PermissionDenied(_("Your account is not linked to a staff record."))
        return person

    def get(self, request):
        self.person(request)
        return render(request, self.template_name, {"form": forms.SelfStudyForm()})

    def post(self, request):
        person = self.person(request)
        form = forms.SelfStudyForm(request.POST)
        if form.is_valid():
            try:
                record = services.submit_self_study(
                    person=person, actor=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errs in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errs)
                else:
                    for message in errors_of(exc):
                        form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Recorded: %(obj)s. It counts once your branch confirms it.") % {"obj": record.title},
                )
                return redirect("learning:mine")
        return render(request, self.template_name, {"form": form}, status=422)


class MySelfStudyWithdrawView(LoginRequiredMixin, View):
    def post(self, request, pk):
        record = get_object_or_404(
            SelfStudy.objects.restrict(request.user, VIEW).filter(person__user=request.user), pk=pk
        )
        try:
            services.withdraw_self_study(record, actor=request.user, request=request)
        except ValidationError as exc:
            for message in errors_of(exc):
                messages.error(request, message)
            return redirect(record.get_absolute_url())
        messages.success(request, _("Withdrawn: %(obj)s") % {"obj": record.title})
        return redirect("learning:mine")


# ---------------------------------------------------------------------------------------------
# Hours


def selected_year(request) -> int:
    raw = request.GET.get("year") or ""
    this = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this + 1 else this


def members_in_scope(user):
    """The memberships whose learning records the user reads: probationary and full members, not left."""
    return (
        Membership.objects.restrict(user, VIEW, area="learning")
        .filter(stage__in=MEMBER_STAGES)
        .exclude(person__status=EmploymentStatus.LEFT)
    )


class HoursListView(ObjectListView):
    """Each member's study hours of the year against their requirement (32 or 56)."""

    model = StudyAttendance  # the permission (the learning area); the rows are memberships
    table_class = tables.HoursTable
    filterset_class = filtersets.HoursFilterSet
    export_name = "study-hours"

    def get_queryset(self):
        qs = members_in_scope(self.request.user).select_related("person", "organization")
        hospital_ids = set(qs.order_by().values_list("organization__hospital_id", flat=True).distinct()[:100])
        return hours_services.with_hours(qs, selected_year(self.request), hospital_ids).order_by(
            "organization__path", "person__staff_no"
        )

    def model_context(self) -> dict:
        ctx = super().model_context()
        ctx.update(
            model_name=_("study hours"),
            model_name_plural=_("Study hours"),
            add_url=None,
            import_url=None,
            list_url=reverse("learning:hours"),
        )
        return ctx

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["year"] = selected_year(self.request)
        return ctx


class CompletionView(ScopedMixin, TemplateView):
    """Each branch's completion of the year: members at or above their requirement, one click to them."""

    model = StudyAttendance
    template_name = T + "completion.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = selected_year(self.request)
        user = self.request.user
        branches = list(
            PartyOrganization.objects.restrict(user, VIEW, area="learning")
            .filter(kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH))
            .select_related("hospital")
            .order_by("hospital__name", "path")
        )
        # Only the members the user may read are counted (the same scope as the hours list).
        scope_ids = members_in_scope(user).values("pk")
        result = hours_services.completion(
            branches, year, memberships=Membership.objects.filter(pk__in=scope_ids)
        )
        rows = []
        for b in branches:
            c = result[b.pk]
            query = {"organization": b.pk, "year": year}
            rows.append(
                {
                    "org": b,
                    "c": c,
                    "all_url": reverse("learning:hours") + "?" + urlencode(query),
                    "reached_url": reverse("learning:hours") + "?" + urlencode({**query, "reached": "yes"}),
                    "short_url": reverse("learning:hours") + "?" + urlencode({**query, "reached": "no"}),
                }
            )
        this = timezone.localdate().year
        ctx.update({"rows": rows, "year": year, "years": range(this - 2, this + 1)})
        return ctx


# ---------------------------------------------------------------------------------------------
# The member's own page


def open_sessions(person, now=None):
    """Sessions the person is invited to whose check-in window is open now (or opens within the day)."""
    now = now or timezone.now()
    candidates = (
        session_services.sessions_for(person)
        .filter(start__lte=now + dt.timedelta(hours=12), end__gte=now - dt.timedelta(hours=2))
        .select_related("organization")
        .order_by("start")[:10]
    )
    out = []
    for s in candidates:
        window = session_services.checkin_window(s)
        if window.closes >= now:
            out.append({"session": s, "window": window, "open": window.contains(now)})
    return out


def open_quizzes(person, now=None):
    now = now or timezone.now()
    quizzes = list(
        quiz_services.quizzes_for(person)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .order_by("closes_at")[:10]
    )
    done = dict(
        QuizAttempt.objects.filter(person=person, quiz__in=quizzes).values_list("quiz_id", "submitted_at")
    )
    return [{"quiz": q, "started": q.pk in done, "submitted": bool(done.get(q.pk))} for q in quizzes]


class MyStudyView(LoginRequiredMixin, TemplateView):
    template_name = T + "mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        person = own_person(user)
        year = selected_year(self.request)
        ctx.update({"person": person, "year": year})
        if person is None:
            return ctx
        ctx["hours"] = hours_services.person_hours(person, year)
        start, end = hours_services.year_range(year)
        ctx["attendances"] = list(
            StudyAttendance.objects.restrict(user, VIEW)
            .filter(person=person, session__start__gte=start, session__start__lt=end)
            .select_related("session")
            .order_by("-session__start")
        )
        ctx["self_studies"] = list(
            SelfStudy.objects.restrict(user, VIEW)
            .filter(person=person, studied_on__year=year)
            .order_by("-studied_on")
        )
        ctx["open_sessions"] = open_sessions(person)
        ctx["open_quizzes"] = open_quizzes(person)
        ctx["attempts"] = list(
            QuizAttempt.objects.restrict(user, VIEW)
            .filter(person=person, submitted_at__isnull=False)
            .select_related("quiz")
            .order_by("-submitted_at")[:10]
        )
        ctx["badges"] = tables.STATUS_BADGES
        ctx["review_badges"] = tables.REVIEW_BADGES
        return ctx


urlpatterns = [
    path("mine/", MyStudyView.as_view(), name="mine"),
    path("mine/self-study/add/", MySelfStudyAddView.as_view(), name="selfstudy_mine_add"),
    path("mine/self-study/<int:pk>/withdraw/", MySelfStudyWithdrawView.as_view(), name="selfstudy_withdraw"),
    path("hours/", HoursListView.as_view(), name="hours"),
    path("completion/", CompletionView.as_view(), name="completion"),
    path("self-study/<int:pk>/review/", SelfStudyReviewView.as_view(), name="selfstudy_review"),
    *crud_urls(
        "self-study",
        SelfStudy,
        list_view=SelfStudyListView,
        detail_view=SelfStudyDetailView,
        history_view=SelfStudyHistoryView,
    ),
]
