"""Party-work pages: meetings (组织生活), attendance, attachments, agenda items and 三重一大 matters.

Every page goes through the one scoping (``restrict``) of the generic views; the events (holding,
cancelling, attendance, attaching, an item's status) are service calls, never a flipped field.
"""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
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

from .. import filtersets_meetings as filtersets
from .. import forms_meetings as forms
from .. import tables_meetings as tables
from ..choices import AttendanceStatus, ItemStatus, MeetingKind, MeetingStatus
from ..models import AgendaItem, Attendance, MajorMatter, Meeting, MeetingAttachment
from ..services import meetings as services

T = "party/meetings/"
# The kind a new meeting of an organisation starts with (its most frequent one).
DEFAULT_KIND = {
    "committee": MeetingKind.COMMITTEE_MEETING,
    "group": MeetingKind.GROUP_MEETING,
}


def count_of(rows):
    """The number of ``rows`` (attendance) of each meeting, as a subquery."""
    counted = rows.filter(meeting=OuterRef("pk")).values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# Meetings
class MeetingListView(ObjectListView):
    model = Meeting
    # Counts by subquery: an aggregate (GROUP BY) would drop Meta.ordering, and an explicit order
    # cannot be re-applied to the export's slice.
    queryset = Meeting.objects.select_related("organization", "host").annotate(
        present_count=count_of(Attendance.objects.filter(status=AttendanceStatus.PRESENT)),
        expected_count=count_of(Attendance.objects.filter(expected=True)),
    )
    table_class = tables.MeetingTable
    filterset_class = filtersets.MeetingFilterSet


class MeetingDetailView(ObjectDetailView):
    model = Meeting
    detail_fields = [
        "organization",
        "kind",
        "status",
        "start",
        "place",
        "host",
        "topic",
        "agenda",
        "minutes",
        "resolutions",
    ]

    def get_template_names(self):
        return [T + "meeting_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("organization__hospital", "host", "department")

    def field_rows(self, obj):
        names = list(self.detail_fields)
        if obj.kind == MeetingKind.JOINT_MEETING:
            names += ["department", "department_decisions"]
        if obj.status == MeetingStatus.CANCELLED:
            names.append("cancel_reason")
        self.detail_fields = names
        return super().field_rows(obj)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meeting, user = ctx["object"], self.request.user
        all_rows = list(meeting.attendances.select_related("person"))
        visible = set(
            Attendance.objects.restrict(user, VIEW).filter(meeting=meeting).values_list("pk", flat=True)
        )
        ctx["attendances"] = [a for a in all_rows if a.pk in visible]
        ctx["counts"] = {s: sum(1 for a in all_rows if a.status == s) for s in AttendanceStatus.values}
        ctx["quorum"] = services.quorum(meeting, all_rows)
        ctx["items"] = (
            AgendaItem.objects.restrict(user, VIEW)
            .filter(meeting=meeting)
            .select_related("matter")
            .order_by("order", "pk")
        )
        ctx["attachments"] = MeetingAttachment.objects.restrict(user, VIEW).filter(meeting=meeting)
        writable = ctx["edit_url"] is not None
        if meeting.status == MeetingStatus.HELD:
            ctx["delete_url"] = None  # a record: cancelled, never deleted
        ctx["can_change"] = writable
        ctx["can_record"] = writable and meeting.status != MeetingStatus.CANCELLED
        ctx["can_cancel"] = writable and meeting.status == MeetingStatus.PLANNED
        ctx["item_statuses"] = [
            (ItemStatus.STUDIED, _("Studied")),
            (ItemStatus.DECIDED, _("Decided")),
            (ItemStatus.DEFERRED, _("Deferred")),
        ]
        ctx["status_badges"] = tables.STATUS_BADGES
        return ctx


class MeetingHistoryView(ObjectHistoryView):
    model = Meeting


class MeetingEditView(ObjectEditView):
    """Plan a meeting, or record one at once (held, with the attendance sheet on the same page)."""

    model = Meeting
    form_class = forms.MeetingForm
    template_name = T + "meeting_form.html"

    def new_object(self):
        user, get = self.request.user, self.request.GET
        obj = Meeting()
        orgs = services.meeting_organizations(user, CHANGE).exclude(kind="discipline_committee")
        org = None
        if (get.get("organization") or "").isdigit():
            org = orgs.filter(pk=get["organization"]).first()
        elif len(ids := list(orgs.values_list("pk", flat=True)[:2])) == 1:
            org = orgs.get(pk=ids[0])
        if org is not None:
            obj.organization = org
        kind = get.get("kind")
        obj.kind = (
            kind
            if kind in MeetingKind.values
            else DEFAULT_KIND.get(getattr(org, "kind", None), MeetingKind.BRANCH_COMMITTEE)
        )
        now = timezone.localtime()
        obj.start = now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
        return obj

    def sheet_for(self, obj, data=None):
        """The attendance sheet of a new meeting, from its (posted) organisation, kind and time."""
        org, kind, day = obj.organization if obj.organization_id else None, obj.kind, None
        if data is not None:
            org = (
                services.meeting_organizations(self.request.user, CHANGE)
                .filter(pk=data.get("organization") or 0)
                .first()
                if (data.get("organization") or "").isdigit()
                else None
            )
            kind = data.get("kind") if data.get("kind") in MeetingKind.values else None
            day = _parse_day(data.get("start"))
        elif obj.start:
            day = timezone.localtime(obj.start).date()
        return forms.AttendanceSheet(organization=org, kind=kind, day=day, user=self.request.user, data=data)

    def render_form(self, form, obj, status=200, sheet=None):
        ctx = self.model_context()
        if obj.pk is None and sheet is None:
            sheet = self.sheet_for(obj)
        ctx.update(
            {
                "form": form,
                "object": obj if obj.pk else None,
                "is_new": obj.pk is None,
                "sheet": sheet,
                "roster_url": reverse("party:meeting_roster"),
            }
        )
        return render(self.request, self.template_name, ctx, status=status)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        if obj.pk is not None:
            return super().post(request, *args, **kwargs)
        data = request.POST
        sheet = self.sheet_for(obj, data) if data.get("a-sheet") else None
        if "_roster" in data or "_add" in data:
            # Show the roster (or add a person) without saving: the JS-free path of the page.
            form = self.form_class(initial=data.dict(), instance=obj, user=request.user)
            return self.render_form(form, obj, sheet=sheet or self.sheet_for(obj, data))
        form = self.get_form(obj, data, request.FILES)
        form_ok = form.is_valid()
        held = form_ok and form.cleaned_data.get("held")
        sheet_ok = sheet.is_valid() if (held and sheet is not None) else True
        if not (form_ok and sheet_ok):
            return self.render_form(form, obj, status=422, sheet=sheet)
        try:
            with transaction.atomic():
                meeting = form.save(commit=False)
                meeting.created_by = request.user
                meeting.save()
                if not Meeting.objects.restrict(request.user, CHANGE).filter(pk=meeting.pk).exists():
                    raise ValidationError(_("The record would be outside your scope, so nothing was saved."))
                if held:
                    services.hold_meeting(
                        meeting,
                        actor=request.user,
                        attendance=sheet.cleaned_rows() if sheet is not None else None,
                        request=request,
                    )
        except services.AttendanceRefused as exc:
            self._reset(obj, form)
            if sheet is not None:
                sheet.add_errors(exc.rows)
            form.add_error(None, _("Some attendance rows need correcting."))
            return self.render_form(form, obj, status=422, sheet=sheet)
        except ValidationError as exc:
            self._reset(obj, form)
            for message in _errors(exc):
                form.add_error(None, message)
            return self.render_form(form, obj, status=422, sheet=sheet)
        messages.success(
            request,
            (_("Recorded as held: %(obj)s") if held else _("Planned: %(obj)s")) % {"obj": meeting},
        )
        return HttpResponseRedirect(meeting.get_absolute_url())

    @staticmethod
    def _reset(obj, form):
        obj.pk = form.instance.pk = None
        obj._state.adding = form.instance._state.adding = True
        obj.status = form.instance.status = MeetingStatus.PLANNED


def _parse_day(raw) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


class MeetingRosterView(ScopedMixin, View):
    """The attendance sheet of the record page for the chosen organisation, kind and time (HTMX)."""

    model = Meeting
    action = CHANGE

    def get(self, request):
        view = MeetingEditView()
        view.request = request
        sheet = view.sheet_for(Meeting(), request.GET)
        return render(request, T + "includes/sheet.html", {"sheet": sheet})


class MeetingDeleteView(ObjectDeleteView):
    model = Meeting


class MeetingObjectMixin(ScopedMixin):
    """A view of one meeting the user may change (404 outside the change scope)."""

    model = Meeting
    action = CHANGE

    def get_meeting(self, pk):
        return get_object_or_404(self.get_queryset().select_related("organization"), pk=pk)


class MeetingAttendanceView(MeetingObjectMixin, View):
    """Record the attendance of a meeting on one page; "save and record as held" holds it too."""

    template_name = T + "attendance.html"

    def render_sheet(self, meeting, sheet, status=200, errors=()):
        return render(
            self.request,
            self.template_name,
            {
                "object": meeting,
                "sheet": sheet,
                "can_hold": meeting.status == MeetingStatus.PLANNED and meeting.start <= timezone.now(),
                "errors": errors,
                "model_name_plural": Meeting._meta.verbose_name_plural,
                "list_url": reverse("party:meeting_list"),
            },
            status=status,
        )

    def get(self, request, pk):
        meeting = self.get_meeting(pk)
        if meeting.status == MeetingStatus.CANCELLED:
            messages.error(request, _("A cancelled meeting has no attendance."))
            return redirect(meeting.get_absolute_url())
        return self.render_sheet(meeting, forms.AttendanceSheet(meeting=meeting, user=request.user))

    def post(self, request, pk):
        meeting = self.get_meeting(pk)
        sheet = forms.AttendanceSheet(meeting=meeting, user=request.user, data=request.POST)
        if "_add" in request.POST:
            return self.render_sheet(meeting, sheet)
        if not sheet.is_valid():
            return self.render_sheet(meeting, sheet, status=422)
        hold = "hold" in request.POST and meeting.status == MeetingStatus.PLANNED
        try:
            if hold:
                services.hold_meeting(
                    meeting, actor=request.user, attendance=sheet.cleaned_rows(), request=request
                )
            else:
                services.record_attendance(meeting, sheet.cleaned_rows(), actor=request.user, request=request)
        except services.AttendanceRefused as exc:
            sheet.add_errors(exc.rows)
            return self.render_sheet(
                meeting, sheet, status=422, errors=[_("Some attendance rows need correcting.")]
            )
        except ValidationError as exc:
            return self.render_sheet(meeting, sheet, status=422, errors=_errors(exc))
        messages.success(
            request,
            (_("Recorded as held: %(obj)s") if hold else _("Attendance saved: %(obj)s")) % {"obj": meeting},
        )
        return redirect(meeting.get_absolute_url())


class MeetingHoldView(MeetingObjectMixin, View):
    """Record a planned meeting as held with the attendance already recorded."""

    def post(self, request, pk):
        meeting = self.get_meeting(pk)
        try:
            services.hold_meeting(meeting, actor=request.user, request=request)
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Recorded as held: %(obj)s") % {"obj": meeting})
        return redirect(meeting.get_absolute_url())


class MeetingCancelView(MeetingObjectMixin, View):
    template_name = T + "cancel.html"

    def get(self, request, pk):
        meeting = self.get_meeting(pk)
        return render(request, self.template_name, {"object": meeting, "form": forms.CancelForm()})

    def post(self, request, pk):
        meeting = self.get_meeting(pk)
        form = forms.CancelForm(request.POST)
        if form.is_valid():
            try:
                services.cancel_meeting(
                    meeting, actor=request.user, reason=form.cleaned_data["reason"], request=request
                )
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Cancelled: %(obj)s") % {"obj": meeting})
                return redirect(meeting.get_absolute_url())
        return render(request, self.template_name, {"object": meeting, "form": form}, status=422)


class MeetingAttachView(MeetingObjectMixin, View):
    """Upload an attachment (type, content and size checked)."""

    template_name = T + "attach.html"

    def get(self, request, pk):
        meeting = self.get_meeting(pk)
        return render(request, self.template_name, {"object": meeting, "form": forms.AttachmentForm()})

    def post(self, request, pk):
        meeting = self.get_meeting(pk)
        form = forms.AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                att = services.add_attachment(
                    meeting,
                    form.cleaned_data["file"],
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    request=request,
                )
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error("file", message)
            else:
                messages.success(request, _("Attached: %(obj)s") % {"obj": att})
                return redirect(meeting.get_absolute_url())
        return render(request, self.template_name, {"object": meeting, "form": form}, status=422)


# Attachments: downloaded through the scoping (media files are never served directly)
class MeetingAttachmentDetailView(ScopedMixin, View):
    model = MeetingAttachment

    def get(self, request, pk):
        att = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            handle = att.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404(_("The file is missing.")) from exc
        content_type = mimetypes.guess_type(att.name or att.file.name)[0] or "application/octet-stream"
        response = FileResponse(
            handle, as_attachment=not att.is_image, filename=att.name or None, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class MeetingAttachmentDeleteView(ObjectDeleteView):
    model = MeetingAttachment

    def post(self, request, *args, **kwargs):
        meeting = self.get_object().meeting
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302:
            return redirect(meeting.get_absolute_url())
        return response


# Agenda items
class AgendaItemDetailView(ObjectDetailView):
    model = AgendaItem
    detail_fields = [
        "meeting",
        "order",
        "title",
        "matter",
        "status",
        "urgent",
        "secretary_consent",
        "conclusion",
        "votes_yes",
        "votes_no",
        "votes_abstain",
    ]


class AgendaItemHistoryView(ObjectHistoryView):
    model = AgendaItem


class AgendaItemEditView(ObjectEditView):
    model = AgendaItem
    form_class = forms.AgendaItemForm

    def new_object(self):
        item = AgendaItem()
        meeting_id = self.request.GET.get("meeting") or self.request.POST.get("meeting")
        if meeting_id and str(meeting_id).isdigit():
            meeting = Meeting.objects.restrict(self.request.user, CHANGE).filter(pk=meeting_id).first()
            if meeting is not None:
                item.meeting = meeting
                item.order = meeting.items.count() + 1
        return item

    def success_url(self, obj):
        return obj.meeting.get_absolute_url()


class AgendaItemDeleteView(ObjectDeleteView):
    model = AgendaItem

    def post(self, request, *args, **kwargs):
        meeting = self.get_object().meeting
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302:
            return redirect(meeting.get_absolute_url())
        return response


class AgendaItemStatusView(ScopedMixin, View):
    """Mark an item studied, decided or deferred (the rules refuse a decision that did not pass)."""

    model = AgendaItem
    action = CHANGE

    def post(self, request, pk):
        item = get_object_or_404(self.get_queryset().select_related("meeting"), pk=pk)
        status = request.POST.get("status", "")
        try:
            services.set_item_status(item, status, actor=request.user, request=request)
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(
                request, _("%(item)s: %(status)s") % {"item": item, "status": ItemStatus(status).label}
            )
        return redirect(item.meeting.get_absolute_url())


# 三重一大 matters
def matter_queryset():
    decided = AgendaItem.objects.filter(matter=OuterRef("pk"), status=ItemStatus.DECIDED)
    items = (
        AgendaItem.objects.filter(matter=OuterRef("pk")).values("matter").annotate(n=Count("pk")).values("n")
    )
    return MajorMatter.objects.select_related("hospital").annotate(
        item_count=Coalesce(Subquery(items), 0), is_decided=Exists(decided)
    )


class MajorMatterListView(ObjectListView):
    model = MajorMatter
    queryset = matter_queryset()
    table_class = tables.MajorMatterTable
    filterset_class = filtersets.MajorMatterFilterSet


class MajorMatterDetailView(ObjectDetailView):
    model = MajorMatter
    detail_fields = ["hospital", "title", "category", "amount"]

    def get_template_names(self):
        return [T + "majormatter_detail.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["path_items"] = (
            AgendaItem.objects.restrict(self.request.user, VIEW)
            .filter(matter=ctx["object"])
            .select_related("meeting__organization")
            .order_by("meeting__start", "order")
        )
        return ctx


class MajorMatterHistoryView(ObjectHistoryView):
    model = MajorMatter


class MajorMatterEditView(ObjectEditView):
    model = MajorMatter
    form_class = forms.MajorMatterForm


class MajorMatterDeleteView(ObjectDeleteView):
    model = MajorMatter


urlpatterns = [
    path("meetings/roster/", MeetingRosterView.as_view(), name="meeting_roster"),
    path("meetings/<int:pk>/attendance/", MeetingAttendanceView.as_view(), name="meeting_attendance"),
    path("meetings/<int:pk>/hold/", MeetingHoldView.as_view(), name="meeting_hold"),
    path("meetings/<int:pk>/cancel/", MeetingCancelView.as_view(), name="meeting_cancel"),
    path("meetings/<int:pk>/attach/", MeetingAttachView.as_view(), name="meeting_attach"),
    *crud_urls(
        "meetings",
        Meeting,
        list_view=MeetingListView,
        detail_view=MeetingDetailView,
        edit_view=MeetingEditView,
        delete_view=MeetingDeleteView,
        history_view=MeetingHistoryView,
    ),
    *crud_urls(
        "meeting-attachments",
        MeetingAttachment,
        detail_view=MeetingAttachmentDetailView,
        delete_view=MeetingAttachmentDeleteView,
    ),
    path("agenda-items/<int:pk>/status/", AgendaItemStatusView.as_view(), name="agendaitem_status"),
    *crud_urls(
        "agenda-items",
        AgendaItem,
        detail_view=AgendaItemDetailView,
        edit_view=AgendaItemEditView,
        delete_view=AgendaItemDeleteView,
        history_view=AgendaItemHistoryView,
    ),
    *crud_urls(
        "major-matters",
        MajorMatter,
        list_view=MajorMatterListView,
        detail_view=MajorMatterDetailView,
        edit_view=MajorMatterEditView,
        delete_view=MajorMatterDeleteView,
        history_view=MajorMatterHistoryView,
    ),
]
