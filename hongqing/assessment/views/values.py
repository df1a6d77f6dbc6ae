"""The catalogue and the business values: indicators, the values list, the monthly grid, the Excel
import, and closing months.

The grid is the statistics office's page: a month of one hospital, departments × entered indicators,
typed or pasted from Excel (a block of cells lands where the cursor is), saved all or nothing. A
closed month shows its values and refuses every write until it is re-opened with a reason.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.import_views import ObjectImportView
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)
from hongqing.organization.models import Department

from .. import computations
from ..choices import EntryLevel, Source, ValueSource
from ..filtersets import IndicatorFilterSet, IndicatorValueFilterSet
from ..forms import IndicatorForm, ReopenForm
from ..imports import IndicatorValueImport
from ..models import Indicator, IndicatorValue, MonthClose
from ..periods import add_months, month_end, month_label, month_of, months
from ..services import catalogue
from ..services import values as services
from ..tables import IndicatorTable, IndicatorValueTable, number
from .common import chosen_hospital, chosen_month, chosen_year, hospitals_for, year_choices

# ---------------------------------------------------------------------------------------------
# Indicators


class IndicatorListView(ObjectListView):
    model = Indicator
    queryset = Indicator.objects.select_related("hospital")
    table_class = IndicatorTable
    filterset_class = IndicatorFilterSet
    template_name = "assessment/indicator_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["load_hospitals"] = hospitals_for(self.request.user, CHANGE)
        return ctx


class IndicatorDetailView(ObjectDetailView):
    model = Indicator
    queryset = Indicator.objects.select_related("hospital", "weight")
    template_name = "assessment/indicator_detail.html"
    detail_fields = [
        "hospital",
        "code",
        "name",
        "unit",
        "family",
        "direction",
        "source",
        "aggregation",
        "weight",
        "entry_level",
        "formula",
        "decimals",
        "min_value",
        "max_value",
        "dimension",
        "reference",
        "description",
        "headline",
        "is_active",
    ]

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ind = ctx["object"]
        ctx["computation"] = computations.get(ind.computation) if ind.source == Source.COMPUTED else None
        ctx["compare_url"] = f"{reverse('assessment:compare')}?indicator={ind.pk}"
        return ctx


class IndicatorEditView(ObjectEditView):
    model = Indicator
    form_class = IndicatorForm


class IndicatorDeleteView(ObjectDeleteView):
    model = Indicator


class IndicatorHistoryView(ObjectHistoryView):
    model = Indicator


class LoadDefaultsView(ScopedMixin, View):
    """Add the default catalogue's indicators the hospital does not have yet."""

    model = Indicator
    action = CHANGE

    def post(self, request):
        hospital = chosen_hospital(request, hospitals_for(request.user, CHANGE))
        added = catalogue.load_defaults(hospital, actor=request.user)
        if added:
            messages.success(
                request,
                _("%(n)d default indicators added to %(hospital)s.")
                % {"n": len(added), "hospital": hospital},
            )
        else:
            messages.info(
                request, _("%(hospital)s already has every default indicator.") % {"hospital": hospital}
            )
        return redirect(f"{reverse('assessment:indicator_list')}?hospital={hospital.pk}")


# ---------------------------------------------------------------------------------------------
# Values


class IndicatorValueListView(ObjectListView):
    model = IndicatorValue
    queryset = IndicatorValue.objects.select_related("indicator", "department")
    table_class = IndicatorValueTable
    filterset_class = IndicatorValueFilterSet

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["add_url"] = None  # values are entered in the grid, imported, or written through the API
        return ctx


class IndicatorValueDetailView(ObjectDetailView):
    model = IndicatorValue
    queryset = IndicatorValue.objects.select_related("indicator", "department", "hospital", "created_by")
    detail_fields = [
        "hospital",
        "indicator",
        "department",
        "month",
        "value",
        "flagged",
        "flag_note",
        "source",
        "note",
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["edit_url"] = ctx["delete_url"] = None  # written through the grid, the import or the API
        return ctx


class IndicatorValueHistoryView(ObjectHistoryView):
    model = IndicatorValue


class IndicatorValueImportView(ObjectImportView):
    model = IndicatorValue
    spec_class = IndicatorValueImport


# ---------------------------------------------------------------------------------------------
# The monthly grid


def grid_departments(hospital):
    return list(
        Department.objects.filter(hospital=hospital, is_active=True, numchild=0)
        .only("pk", "name", "code", "path", "hospital_id")
        .order_by("path")
    )


def grid_indicators(hospital):
    return list(
        Indicator.objects.filter(hospital=hospital, source=Source.ENTERED, is_active=True).order_by(
            "family", "sort_order", "code"
        )
    )


def cell_name(ind_pk: int, dept_pk: int | None) -> str:
    return f"c-{ind_pk}-{dept_pk or 0}"


class GridView(ScopedMixin, View):
    """One month of one hospital: departments × entered indicators, typed or pasted, saved all or nothing."""

    model = IndicatorValue
    template_name = "assessment/grid.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not hospitals_for(request.user, VIEW):
            raise PermissionDenied(_("You have no permission for this page."))
        return super().dispatch(request, *args, **kwargs)

    def setup_grid(self, request):
        self.hospital = chosen_hospital(request, hospitals_for(request.user, VIEW))
        self.month = chosen_month(request)
        self.can_change = self.hospital in hospitals_for(request.user, CHANGE)
        self.closed = (
            MonthClose.objects.filter(hospital=self.hospital, month=self.month, closed=True)
            .select_related("closed_by")
            .first()
        )
        self.departments = grid_departments(self.hospital)
        self.indicators = grid_indicators(self.hospital)

    def stored(self) -> dict[tuple, IndicatorValue]:
        return {
            (v.indicator_id, v.department_id): v
            for v in IndicatorValue.objects.restrict(self.request.user, VIEW)
            .filter(hospital=self.hospital, month=self.month)
            .only("pk", "indicator_id", "department_id", "value", "flagged", "flag_note")
        }

    def context(self, raw=None, errors=None, flagged=None, summary=None) -> dict:
        stored = self.stored()
        errors = errors or {}
        rows = []
        dept_cols = [i for i in self.indicators if i.entry_level == EntryLevel.DEPARTMENT]
        hosp_cols = [i for i in self.indicators if i.entry_level == EntryLevel.HOSPITAL]
        columns = dept_cols + hosp_cols
        for r, dept in enumerate([*self.departments, None]):
            cells = []
            for c, ind in enumerate(columns):
                applies = (ind.entry_level == EntryLevel.DEPARTMENT) == (dept is not None)
                name = cell_name(ind.pk, dept.pk if dept else None)
                v = stored.get((ind.pk, dept.pk if dept else None))
                text = raw.get(name, "") if raw is not None else (number(v.value) if v else "")
                cells.append(
                    {
                        "name": name,
                        "label": ind.name,
                        "r": r,
                        "c": c,
                        "applies": applies,
                        "text": text,
                        "error": errors.get(name, ""),
                        "flag": v.flag_note
                        if v is not None and v.flagged and raw is None
                        else (flagged or {}).get(name, ""),
                    }
                )
            rows.append({"department": dept, "cells": cells})
        return {
            "hospital": self.hospital,
            "hospitals": hospitals_for(self.request.user, VIEW),
            "month": self.month,
            "month_label": month_label(self.month),
            "months": [add_months(self.month, n) for n in (-2, -1, 1)],
            "previous": add_months(self.month, -1),
            "next": add_months(self.month, 1),
            "columns": columns,
            "rows": rows,
            "closed": self.closed,
            "can_change": self.can_change
            and self.closed is None
            and self.month <= month_of(timezone.localdate()),
            "errors": errors,
            "summary": summary,
            "months_url": f"{reverse('assessment:months')}?hospital={self.hospital.pk}&year={self.month.year}",
            "import_url": reverse("assessment:indicatorvalue_import") if self.can_change else None,
            "values_url": f"{reverse('assessment:indicatorvalue_list')}?month={self.month:%Y-%m}",
            "stored_count": len(stored),
        }

    def template(self):
        if getattr(self.request, "htmx", False):
            return f"{self.template_name}#grid"
        return self.template_name

    def get(self, request):
        self.setup_grid(request)
        return render(request, self.template(), self.context())

    def post(self, request):
        self.setup_grid(request)
        if not self.can_change:
            raise PermissionDenied(_("You have no permission for this page."))
        names = {}
        cells = []
        columns = {i.pk: i for i in self.indicators}
        depts = {d.pk: d for d in self.departments}
        for key, text in request.POST.items():
            if not key.startswith("c-"):
                continue
            try:
                _c, ind_pk, dept_pk = key.split("-")
                ind, dept = columns[int(ind_pk)], (depts[int(dept_pk)] if int(dept_pk) else None)
            except (ValueError, KeyError):
                continue
            ref = f"{dept.name if dept else _('whole hospital')} · {ind.name}"
            names[ref] = key
            cells.append(services.Cell(ind, dept, self.month, text, ref=ref))
        if self.closed is not None:
            message = services.closed_message(self.month)
            ctx = self.context(raw=dict(request.POST.items()), errors={"": message})
            ctx["refused"] = [message]
            return render(request, self.template(), ctx, status=409)
        try:
            result = services.write_values(self.hospital, cells, actor=request.user, source=ValueSource.GRID)
        except services.ValuesRefused as exc:
            errors = {names.get(ref, ""): message for ref, message in exc.errors}
            ctx = self.context(raw=dict(request.POST.items()), errors=errors)
            ctx["refused"] = exc.messages
            return render(request, self.template(), ctx, status=422)
        summary = {
            "created": result.created,
            "updated": result.updated,
            "deleted": result.deleted,
            "flagged": [f"{ref}：{note}" for ref, note in result.flagged],
        }
        return render(request, self.template(), self.context(summary=summary))


# ---------------------------------------------------------------------------------------------
# Closing months


class MonthsView(ScopedMixin, View):
    """A hospital's months of a year: values entered and flagged, closed or open; close, or re-open with a reason."""

    model = MonthClose
    template_name = "assessment/months.html"

    def context(self, request, hospital, year, form=None, form_month=None):
        today = timezone.localdate()
        counts = defaultdict(lambda: [0, 0])
        rows = (
            IndicatorValue.objects.restrict(request.user, VIEW)
            .filter(hospital=hospital, month__year=year)
            .values("month")
            .annotate(n=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)))
            .order_by()
        )
        for r in rows:
            counts[r["month"]] = [r["n"], r["flagged"]]
        closes = {
            c.month: c
            for c in MonthClose.objects.restrict(request.user, VIEW)
            .filter(hospital=hospital, month__year=year)
            .select_related("closed_by", "reopened_by")
        }
        can_change = hospital in hospitals_for(request.user, CHANGE)
        out = []
        for m in months(
            month_of(today).replace(year=year, month=1), month_of(today).replace(year=year, month=12)
        ):
            c = closes.get(m)
            out.append(
                {
                    "month": m,
                    "label": month_label(m),
                    "values": counts[m][0],
                    "flagged": counts[m][1],
                    "close": c,
                    "closed": bool(c and c.closed),
                    "ended": month_end(m) < today,
                    "grid_url": f"{reverse('assessment:grid')}?hospital={hospital.pk}&month={m:%Y-%m}",
                    "flagged_url": f"{reverse('assessment:indicatorvalue_list')}?month={m:%Y-%m}&flagged=true",
                    "form": form if form_month == m else ReopenForm(),
                }
            )
        return {
            "hospital": hospital,
            "hospitals": hospitals_for(request.user, VIEW),
            "year": year,
            "years": year_choices(year),
            "rows": out,
            "can_change": can_change,
        }

    def get(self, request):
        hospitals = hospitals_for(request.user, VIEW)
        hospital = chosen_hospital(request, hospitals)
        return render(request, self.template_name, self.context(request, hospital, chosen_year(request)))

    def post(self, request):
        hospital = chosen_hospital(request, hospitals_for(request.user, CHANGE))
        month = chosen_month(request)
        back = f"{reverse('assessment:months')}?hospital={hospital.pk}&year={month.year}"
        try:
            if request.POST.get("action") == "reopen":
                form = ReopenForm(request.POST)
                if not form.is_valid():
                    request.GET = request.GET.copy()
                    ctx = self.context(request, hospital, month.year, form, month)
                    return render(request, self.template_name, ctx, status=422)
                services.reopen_month(hospital, month, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("%(month)s is open again.") % {"month": month_label(month)})
            else:
                services.close_month(hospital, month, actor=request.user)
                messages.success(request, _("%(month)s is closed.") % {"month": month_label(month)})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(back)
