"""Study-session pages: the list, a session's page (audience, plan items, batches, material, attendance),
recording attendance from the roster, the organiser's QR screen, batches, material, and the attendee's
check-in on their phone.

Every page goes through the one scoping (``restrict``). A member reaches a session they are invited
to through its check-in code (the audience rule), and afterwards through their own attendance.
"""

from __future__ import annotations

import datetime as dt
import mimetypes

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
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

from .. import filtersets, forms, tables
from ..choices import COUNTING_STATUSES
from ..models import CheckIn, StudyAttendance, StudyMaterial, StudySession
from ..services import hours as hours_services
from ..services import materials as material_services
from ..services import sessions as services
from .common import count_where, errors_of, own_person

T = "learning/sessions/"


def attended_count():
    rows = StudyAttendance.objects.filter(
        Q(session=OuterRef("pk")) | Q(session__batch_of=OuterRef("pk")), status__in=COUNTING_STATUSES
    )
    return count_where(rows)


class StudySessionListView(ObjectListView):
    model = StudySession
    queryset = StudySession.objects.select_related("organization").annotate(attended_count=attended_count())
    table_class = tables.StudySessionTable
    filterset_class = filtersets.StudySessionFilterSet


class StudySessionDetailView(ObjectDetailView):
    model = StudySession
    detail_fields = ["organization", "kind", "mode", "start", "end", "place", "hours", "description"]

    def get_template_names(self):
        return [T + "session_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("organization__hospital", "speaker", "batch_of")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s, user = ctx["object"], self.request.user
        writable = ctx["edit_url"] is not None
        rows = list(s.attendances.select_related("person").order_by("person__staff_no"))
        if not writable:
            visible = set(
                StudyAttendance.objects.restrict(user, VIEW).filter(session=s).values_list("pk", flat=True)
            )
            rows = [a for a in rows if a.pk in visible]
        batches = list(
            s.batches.annotate(attended_count=attended_count()).order_by("batch_number")
            if not s.batch_of_id
            else []
        )
        source = services.audience_source(s)
        ctx.update(
            {
                "attendances": rows,
                "counts": services.counts(s),
                "batches": batches,
                "is_activity": bool(batches),
                "audience_orgs": list(source.audience_organizations.all()),
                "audience_persons": list(source.audience_persons.all()[:50]),
                "audience_size": services.audience(s).count(),
                "plan_items": list((s.batch_of or s).plan_items.select_related("plan").restrict(user, VIEW)),
                "materials": list(
                    StudyMaterial.objects.restrict(user, VIEW).filter(Q(session=s) | Q(session=s.batch_of_id))
                ),
                "window": services.checkin_window(s),
                "can_change": writable,
                "can_record": writable and not batches,
                "can_batch": writable and not s.batch_of_id and not s.attendances.exists(),
                "status_badges": tables.STATUS_BADGES,
            }
        )
        if s.batch_of_id and writable is False:
            ctx["delete_url"] = None
        return ctx


class StudySessionHistoryView(ObjectHistoryView):
    model = StudySession


class StudySessionEditView(ObjectEditView):
    model = StudySession
    form_class = forms.StudySessionForm
    template_name = T + "session_form.html"

    def new_object(self):
        s = StudySession()
        orgs = forms.learning_organizations(self.request.user)
        get = self.request.GET
        if (get.get("organization") or "").isdigit():
            s.organization = orgs.filter(pk=get["organization"]).first()
        elif len(ids := list(orgs.values_list("pk", flat=True)[:2])) == 1:
            s.organization = orgs.get(pk=ids[0])
        now = timezone.localtime()
        s.start = now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
        s.end = s.start + dt.timedelta(hours=1)
        s.hours = 1
        return s

    def get_form(self, obj, data=None, files=None):
        form = super().get_form(obj, data, files)
        if obj.pk is None and data is None:
            item = self.request.GET.get("plan_item")
            if item and item.isdigit():
                form.initial["plan_items"] = [int(item)]
        return form


class StudySessionDeleteView(ObjectDeleteView):
    model = StudySession


class SessionObjectMixin(ScopedMixin):
    """A view of one session the user may change (404 outside the change scope)."""

    model = StudySession
    action = CHANGE

    def get_session(self, pk):
        return get_object_or_404(self.get_queryset().select_related("organization", "batch_of"), pk=pk)


class StudySessionAttendanceView(SessionObjectMixin, View):
    """Record the attendance of a session on one page: the roster, a toggle each."""

    template_name = T + "attendance.html"

    def render_sheet(self, session, sheet, status=200, errors=()):
        return render(
            self.request,
            self.template_name,
            {
                "object": session,
                "sheet": sheet,
                "errors": errors,
                "model_name_plural": StudySession._meta.verbose_name_plural,
                "list_url": reverse("learning:studysession_list"),
            },
            status=status,
        )

    def get(self, request, pk):
        session = self.get_session(pk)
        if session.batches.exists():
            messages.info(request, _("Record the attendance on the batches of this activity."))
            return redirect(session.get_absolute_url())
        return self.render_sheet(session, forms.AttendanceSheet(session, user=request.user))

    def post(self, request, pk):
        session = self.get_session(pk)
        sheet = forms.AttendanceSheet(session, user=request.user, data=request.POST)
        if "_add" in request.POST:
            return self.render_sheet(session, sheet)
        if not sheet.is_valid():
            return self.render_sheet(session, sheet, status=422)
        try:
            done = services.record_attendance(
                session, sheet.cleaned_rows(), actor=request.user, request=request
            )
        except services.AttendanceRefused as exc:
            sheet.add_errors(exc.rows)
            return self.render_sheet(
                session, sheet, status=422, errors=[_("Some attendance rows need correcting.")]
            )
        except ValidationError as exc:
            return self.render_sheet(session, sheet, status=422, errors=errors_of(exc))
        messages.success(
            request,
            _("Attendance saved: %(saved)d recorded, %(removed)d removed.") % done,
        )
        return redirect(session.get_absolute_url())


def qr_svg(text: str) -> str:
    """An inline SVG of a QR code (rendered here: no outside service, no script)."""
    return segno.make(text, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff")


class StudySessionQRView(SessionObjectMixin, View):
    """The organiser's screen: the current check-in code as a QR code, refreshed every few seconds."""

    template_name = T + "qr.html"

    def context(self, request, session):
        code = services.code_for(session)
        url = request.build_absolute_uri(reverse("learning:checkin", args=[code]))
        window = services.checkin_window(session)
        now = timezone.now()
        return {
            "object": session,
            "svg": mark_safe(qr_svg(url)),  # noqa: S308 (segno's own markup)
            "url": url,
            "window": window,
            "open": window.contains(now),
            "before": now < window.opens,
            "refresh": services.refresh_hint(session),
            "seconds_left": services.code_seconds_left(session, now),
            "checked_in": CheckIn.objects.filter(session=session, attendance__isnull=False).count(),
            "audience_size": services.audience(session).count(),
            "code_url": reverse("learning:studysession_qr_code", args=[session.pk]),
        }

    def get(self, request, pk, partial=False):
        session = self.get_session(pk)
        if session.batches.exists():
            messages.info(request, _("Each batch has its own check-in code."))
            return redirect(session.get_absolute_url())
        ctx = self.context(request, session)
        if partial:
            return render(request, T + "qr_code.html", ctx)
        return render(request, self.template_name, ctx)


class StudySessionAddBatchView(SessionObjectMixin, View):
    template_name = T + "batch.html"

    def get(self, request, pk):
        session = self.get_session(pk)
        initial = {"start": session.start, "end": session.end, "place": session.place}
        last = session.batches.order_by("-batch_number").first()
        if last is not None:
            initial = {
                "start": last.start + dt.timedelta(days=7),
                "end": last.end + dt.timedelta(days=7),
                "place": last.place,
            }
        form = forms.BatchForm(initial=initial, user=request.user)
        return render(request, self.template_name, {"object": session, "form": form})

    def post(self, request, pk):
        session = self.get_session(pk)
        form = forms.BatchForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                batch = services.add_batch(
                    session,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    place=form.cleaned_data["place"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errs in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errs)
                else:
                    for message in errors_of(exc):
                        form.add_error(None, message)
            else:
                messages.success(request, _("Added: %(obj)s") % {"obj": batch})
                return redirect(session.get_absolute_url())
        return render(request, self.template_name, {"object": session, "form": form}, status=422)


class StudySessionAddMaterialView(SessionObjectMixin, View):
    template_name = T + "material.html"

    def get(self, request, pk):
        session = self.get_session(pk)
        return render(request, self.template_name, {"object": session, "form": forms.MaterialForm()})

    def post(self, request, pk):
        session = self.get_session(pk)
        form = forms.MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                material = material_services.add_material(
                    session,
                    form.cleaned_data["file"],
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    request=request,
                )
            except ValidationError as exc:
                for message in errors_of(exc):
                    form.add_error("file", message)
            else:
                messages.success(request, _("Added: %(obj)s") % {"obj": material})
                return redirect(session.get_absolute_url())
        return render(request, self.template_name, {"object": session, "form": form}, status=422)


class StudyMaterialDetailView(ScopedMixin, View):
    """A material file, downloaded through the scoping (media files are never served directly)."""

    model = StudyMaterial

    def get(self, request, pk):
        material = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            handle = material.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404(_("The file is missing.")) from exc
        content_type = (
            mimetypes.guess_type(material.name or material.file.name)[0] or "application/octet-stream"
        )
        inline = material.is_image or material.extension in (".pdf", ".mp4", ".mp3")
        response = FileResponse(
            handle, as_attachment=not inline, filename=material.name or None, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class StudyMaterialDeleteView(ObjectDeleteView):
    model = StudyMaterial

    def post(self, request, *args, **kwargs):
        session = self.get_object().session
        response = super().post(request, *args, **kwargs)
        return redirect(session.get_absolute_url()) if response.status_code == 302 else response


class StudyAttendanceListView(ObjectListView):
    model = StudyAttendance
    queryset = StudyAttendance.objects.select_related("person", "session")
    table_class = tables.StudyAttendanceTable
    filterset_class = filtersets.StudyAttendanceFilterSet


class StudyAttendanceDetailView(ObjectDetailView):
    model = StudyAttendance
    detail_fields = ["session", "person", "status", "hours", "via", "reason", "makeup_on", "makeup_note"]

    def get_queryset(self):
        return super().get_queryset().select_related("session", "person")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["edit_url"] = ctx["delete_url"] = None  # changed on the session's attendance page
        return ctx


class StudyAttendanceHistoryView(ObjectHistoryView):
    model = StudyAttendance


# ---------------------------------------------------------------------------------------------
# The attendee's side: the check-in link of the QR code


class CheckInView(LoginRequiredMixin, View):
    """Scan → this page (the code checked) → tap "check in" → the attendance is recorded, once."""

    template_name = T + "checkin.html"

    def refused(self, request, exc, session=None):
        status = 200 if exc.reason == "already" else 422
        ctx = {"refused": exc.messages[0], "reason": exc.reason, "session": session}
        person = own_person(request.user)
        if exc.reason == "already" and person is not None:
            year = session.local_date.year if session is not None else timezone.localdate().year
            ctx["hours"] = hours_services.person_hours(person, year)
        return render(request, self.template_name, ctx, status=status)

    def get(self, request, code):
        person = own_person(request.user)
        try:
            session, step = services.read_code(code)
        except services.CheckInRefused as exc:
            return self.refused(request, exc)
        try:
            services.check_person(session, person)
        except services.CheckInRefused as exc:
            return self.refused(request, exc, session)
        ticket = services.ticket_for(session, person, step)
        return render(request, self.template_name, {"session": session, "ticket": ticket, "code": code})

    def post(self, request, code):
        person = own_person(request.user)
        try:
            att = services.check_in(
                request.POST.get("ticket", ""), person=person, actor=request.user, request=request
            )
        except services.CheckInRefused as exc:
            return self.refused(request, exc)
        total = hours_services.person_hours(person, att.session.local_date.year)
        messages.success(
            request,
            _(
                "Checked in to %(session)s: %(hours)s hours credited; %(total)s of %(required)s hours this year."
            )
            % {
                "session": att.session.title,
                "hours": f"{att.hours.normalize():f}",
                "total": f"{total.total.normalize():f}",
                "required": f"{total.required.normalize():f}",
            },
        )
        return HttpResponseRedirect(reverse("learning:mine") + f"?checked_in={att.session_id}")


urlpatterns = [
    path("check-in/<str:code>/", CheckInView.as_view(), name="checkin"),
    path(
        "sessions/<int:pk>/attendance/", StudySessionAttendanceView.as_view(), name="studysession_attendance"
    ),
    path("sessions/<int:pk>/qr/", StudySessionQRView.as_view(), name="studysession_qr"),
    path(
        "sessions/<int:pk>/qr/code/",
        StudySessionQRView.as_view(),
        {"partial": True},
        name="studysession_qr_code",
    ),
    path("sessions/<int:pk>/batches/add/", StudySessionAddBatchView.as_view(), name="studysession_batch"),
    path(
        "sessions/<int:pk>/materials/add/",
        StudySessionAddMaterialView.as_view(),
        name="studysession_material",
    ),
    *crud_urls(
        "sessions",
        StudySession,
        list_view=StudySessionListView,
        detail_view=StudySessionDetailView,
        edit_view=StudySessionEditView,
        delete_view=StudySessionDeleteView,
        history_view=StudySessionHistoryView,
    ),
    *crud_urls(
        "materials", StudyMaterial, detail_view=StudyMaterialDetailView, delete_view=StudyMaterialDeleteView
    ),
    *crud_urls(
        "attendances",
        StudyAttendance,
        list_view=StudyAttendanceListView,
        detail_view=StudyAttendanceDetailView,
        history_view=StudyAttendanceHistoryView,
    ),
]
