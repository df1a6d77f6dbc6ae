"""The point catalogue: everyone of the hospital reads it; only the Party office changes it, and
loads the default catalogue into a hospital that has none."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.scoping import CHANGE
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
from ..models import PointRule
from ..services import catalogue


class OfficeOnlyMixin:
    """Changes are the Party office's: a branch's grant reads the catalogue, never edits it."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.action == CHANGE and not access.is_office(request.user):
            raise PermissionDenied(_("Only the Party office changes the point catalogue."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == CHANGE:
            qs = qs.filter(hospital_id__in=access.office_hospitals(self.request.user))
        return qs


class PointRuleListView(ObjectListView):
    model = PointRule
    queryset = PointRule.objects.select_related("hospital")
    table_class = tables.PointRuleTable
    filterset_class = filtersets.PointRuleFilterSet

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not access.is_office(self.request.user):
            ctx["add_url"] = None  # a branch reads the catalogue; the office changes it
        return ctx


class PointRuleDetailView(ObjectDetailView):
    model = PointRule
    detail_fields = [
        "hospital",
        "name",
        "trigger",
        "amount",
        "cap",
        "cap_period",
        "kinds",
        "min_score",
        "active_from",
        "active_to",
        "description",
    ]

    def field_rows(self, obj):
        rows = super().field_rows(obj)
        trigger = obj.trigger_obj()
        labels = dict(trigger.kind_choices()) if trigger else {}
        for row in rows:
            if row["label"] == PointRule._meta.get_field("trigger").verbose_name:
                row["value"] = obj.get_trigger_display()
            elif row["label"] == PointRule._meta.get_field("kinds").verbose_name:
                row["value"] = "、".join(str(labels.get(k, k)) for k in obj.kinds) or _("every kind")
        return rows

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = ctx["object"]
        if not access.is_office(self.request.user, obj.hospital_id):
            ctx["edit_url"] = ctx["delete_url"] = None
        return ctx


class PointRuleEditView(OfficeOnlyMixin, ObjectEditView):
    model = PointRule
    form_class = forms.PointRuleForm


class PointRuleDeleteView(OfficeOnlyMixin, ObjectDeleteView):
    model = PointRule


class PointRuleHistoryView(ObjectHistoryView):
    model = PointRule


class LoadCatalogueView(ScopedMixin, View):
    model = PointRule
    action = CHANGE

    def post(self, request):
        if not access.is_office(request.user):
            raise PermissionDenied(_("Only the Party office changes the point catalogue."))
        form = forms.LoadCatalogueForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Choose a hospital without a catalogue."))
            return redirect("points:pointrule_list")
        try:
            rules = catalogue.load_default_catalogue(form.cleaned_data["hospital"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The default catalogue is loaded: %(n)d items. Edit them as your hospital's rules say.")
                % {"n": len(rules)},
            )
        return redirect("points:pointrule_list")


urlpatterns = [
    path("rules/load-default/", LoadCatalogueView.as_view(), name="pointrule_load"),
    *crud_urls(
        "rules",
        PointRule,
        list_view=PointRuleListView,
        detail_view=PointRuleDetailView,
        edit_view=PointRuleEditView,
        delete_view=PointRuleDeleteView,
        history_view=PointRuleHistoryView,
    ),
]
