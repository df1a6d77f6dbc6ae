"""Volunteering and assistance: the activities (with the report figures of the filtered list), an
activity's page, and recording its participants from the organiser's roster on one page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
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
from ..models import Volunteering, VolunteeringParticipant
from ..services import volunteering as services


def _participants(field, agg, output=None):
    rows = (
        VolunteeringParticipant.objects.filter(volunteering=OuterRef("pk"))
        .order_by()
        .values("volunteering")
        .annotate(v=agg(field))
        .values("v")
    )
    return Coalesce(Subquery(rows, output_field=output), 0, output_field=output)


class VolunteeringListView(ObjectListView):
    model = Volunteering
    queryset = Volunteering.objects.select_related("organizer").annotate(
        participant_count=_participants("pk", Count),
        hours_total=_participants("hours", Sum, DecimalField(max_digits=8, decimal_places=1)),
    )
    table_class = tables.VolunteeringTable
    filterset_class = filtersets.VolunteeringFilterSet


class VolunteeringDetailView(ObjectDetailView):
    model = Volunteering
    detail_fields = [
        "organizer",
        "kind",
        "date",
        "hours",
        "place",
        "served_kind",
        "served_unit",
        "people_served",
        "description",
    ]

    def get_template_names(self):
        return ["points/volunteering_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("organizer")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        v, user = ctx["object"], self.request.user
        ctx["participants"] = list(
            VolunteeringParticipant.objects.restrict(user, VIEW)
            .filter(volunteering=v)
            .select_related("person")
        )
        ctx["figures"] = services.figures(Volunteering.objects.filter(pk=v.pk))
        ctx["may_record"] = ctx["edit_url"] is not None and services.closed_year_of(v) is None
        return ctx


class VolunteeringEditView(ObjectEditView):
    model = Volunteering
    form_class = forms.VolunteeringForm

    def success_url(self, obj):
        if not obj.participants.exists():  # a new activity: its participants next
            return reverse("points:volunteering_participants", args=[obj.pk])
        return obj.get_absolute_url()


class VolunteeringDeleteView(ObjectDeleteView):
    model = Volunteering


class VolunteeringHistoryView(ObjectHistoryView):
    model = Volunteering


class ParticipantsView(ScopedMixin, View):
    """Who took part: the organiser's members ticked off with their hours, on one page (JS-free)."""

    model = Volunteering
    action = CHANGE
    template_name = "points/participants.html"

    def render_sheet(self, v, sheet, status=200, errors=()):
        return render(
            self.request,
            self.template_name,
            {"object": v, "sheet": sheet, "errors": errors, "list_url": reverse("points:volunteering_list")},
            status=status,
        )

    def get(self, request, pk):
        v = get_object_or_404(self.get_queryset().select_related("organizer"), pk=pk)
        return self.render_sheet(v, forms.ParticipantsSheet(v, user=request.user))

    def post(self, request, pk):
        v = get_object_or_404(self.get_queryset().select_related("organizer"), pk=pk)
        sheet = forms.ParticipantsSheet(v, user=request.user, data=request.POST)
        if "_add" in request.POST:
            return self.render_sheet(v, sheet)
        if not sheet.is_valid():
            return self.render_sheet(v, sheet, status=422, errors=[_("Some rows need correcting.")])
        try:
            rows = services.record_participants(v, sheet.cleaned_rows(), actor=request.user, request=request)
        except services.ParticipantsRefused as exc:
            sheet.add_errors(exc.rows)
            return self.render_sheet(v, sheet, status=422, errors=[_("Some rows need correcting.")])
        except ValidationError as exc:
            return self.render_sheet(v, sheet, status=422, errors=exc.messages)
        messages.success(request, _("%(n)d participants recorded: %(obj)s") % {"n": len(rows), "obj": v})
        return redirect(v.get_absolute_url())


urlpatterns = [
    path("volunteering/<int:pk>/participants/", ParticipantsView.as_view(), name="volunteering_participants"),
    *crud_urls(
        "volunteering",
        Volunteering,
        list_view=VolunteeringListView,
        detail_view=VolunteeringDetailView,
        edit_view=VolunteeringEditView,
        delete_view=VolunteeringDeleteView,
        history_view=VolunteeringHistoryView,
    ),
]
