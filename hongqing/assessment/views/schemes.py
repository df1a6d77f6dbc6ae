"""Schemes (考核方案) with their items, scoring a period, and the dual scorecards (双目标考核).

A scheme and its items are saved together (``scoring.save_scheme``): every family's weights add up
to 100, or nothing is saved and the sum is named. A scorecard shows each component — value, parts,
months, target, method, share, points — each linked to the drill-down of its value. The ranks are the
hospital's business: a branch's own roles see their scores, not where they stand among the others.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)

from ..choices import Family, Method
from ..filtersets import DualScorecardFilterSet, SchemeFilterSet
from ..forms import SchemeForm, SchemeItemFormSet, item_initial
from ..models import DualScorecard, Indicator, Scheme, SchemeItem
from ..periods import month_of, parse_month, period_label, periods
from ..services import scoring
from ..services.aggregate import ORG, Unit
from ..services.cockpit import drill_url
from ..tables import DualScorecardTable, SchemeTable
from .common import hospital_wide


class SchemeListView(ObjectListView):
    model = Scheme
    queryset = Scheme.objects.select_related("hospital")
    table_class = SchemeTable
    filterset_class = SchemeFilterSet


class SchemeDetailView(ObjectDetailView):
    model = Scheme
    queryset = Scheme.objects.select_related("hospital")
    template_name = "assessment/scheme_detail.html"
    detail_fields = ["hospital", "name", "year", "period", "party_share", "note", "is_active"]

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = ctx["object"]
        items = list(s.items.select_related("indicator").order_by("sort_order", "pk"))
        counts = {}
        for first, n in (
            DualScorecard.objects.filter(scheme=s).values_list("period_start", "computed").order_by()
        ):
            counts.setdefault(first, n)
        today = timezone.localdate()
        ctx["families"] = [
            (
                label,
                [i for i in items if i.indicator.family == fam],
                sum((i.weight for i in items if i.indicator.family == fam), Decimal(0)),
            )
            for fam, label in Family.choices
        ]
        ctx["periods"] = [
            {
                "first": first,
                "label": period_label(first, last),
                "computed": counts.get(first),
                "begun": first <= month_of(today),
                "cards_url": f"{reverse('assessment:dualscorecard_list')}?scheme={s.pk}&year={first.year}",
            }
            for first, last in periods(s.period, s.year)
        ]
        ctx["can_score"] = ctx["edit_url"] is not None
        return ctx


class SchemeHistoryView(ObjectHistoryView):
    model = Scheme


class SchemeDeleteView(ObjectDeleteView):
    model = Scheme


class SchemeEditView(ScopedMixin, View):
    """A scheme with its items (a formset), saved together or not at all."""

    model = Scheme
    action = CHANGE
    template_name = "assessment/scheme_form.html"

    def get_object(self):
        if "pk" in self.kwargs:
            return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return Scheme()

    def indicators(self, scheme):
        qs = Indicator.objects.restrict(self.request.user, VIEW).filter(is_active=True)
        if scheme.pk:
            qs = qs.filter(hospital_id=scheme.hospital_id)
        return qs.order_by("family", "sort_order", "code")

    def render_page(self, form, formset, scheme, status=200, errors=None):
        ctx = self.model_context()
        ctx.update(
            form=form,
            formset=formset,
            object=scheme if scheme.pk else None,
            is_new=scheme.pk is None,
            errors=errors or [],
        )
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request, pk=None):
        scheme = self.get_object()
        inds = self.indicators(scheme)
        initial = [item_initial(i) for i in scheme.items.order_by("sort_order", "pk")] if scheme.pk else []
        form = SchemeForm(instance=scheme, user=request.user, initial={"year": timezone.localdate().year})
        formset = SchemeItemFormSet(initial=initial, form_kwargs={"indicators": inds, "user": request.user})
        return self.render_page(form, formset, scheme)

    def post(self, request, pk=None):
        scheme = self.get_object()
        inds = self.indicators(scheme)
        form = SchemeForm(request.POST, instance=scheme, user=request.user)
        formset = SchemeItemFormSet(request.POST, form_kwargs={"indicators": inds, "user": request.user})
        if not (form.is_valid() & formset.is_valid()):
            return self.render_page(form, formset, scheme, status=422)
        scheme = form.save(commit=False)
        existing = {i.indicator_id: i for i in scheme.items.all()} if scheme.pk else {}
        items, forms_of = [], []
        for f in formset.forms:
            data = getattr(f, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("indicator"):
                continue
            item = existing.get(data["indicator"].pk) or SchemeItem()
            item.indicator = data["indicator"]
            item.weight = data["weight"]
            item.method = data["method"]
            item.target = data.get("target")
            item.floor = data.get("floor")
            item.bands = data.get("bands") or []
            items.append(item)
            forms_of.append(f)
        try:
            saved = scoring.save_scheme(scheme, items, actor=request.user)
            if not Scheme.objects.restrict(request.user, CHANGE).filter(pk=saved.pk).exists():
                raise ValidationError(_("The record would be outside your scope, so nothing was saved."))
        except ValidationError as exc:
            general = []
            for key, msgs in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [("items", exc.messages)]
            ):
                if key.startswith("items[") and "]." in key:
                    n, field = key[6:].split("].")
                    target = forms_of[int(n)]
                    target.add_error(field if field in target.fields else None, msgs)
                elif key in form.fields:
                    form.add_error(key, msgs)
                else:
                    general.extend(msgs)
            if scheme.pk and not Scheme.objects.filter(pk=scheme.pk).exists():
                scheme.pk = None
            return self.render_page(form, formset, scheme, status=422, errors=general)
        messages.success(request, _("Saved: %(obj)s") % {"obj": saved})
        return redirect(saved.get_absolute_url())


class SchemeScoreView(ScopedMixin, View):
    """Compute (again) the scores of a period of the scheme, or of every period that has begun."""

    model = Scheme
    action = CHANGE

    def post(self, request, pk):
        scheme = get_object_or_404(self.get_queryset(), pk=pk)
        first = parse_month(request.POST.get("period"))
        try:
            if first is None:
                cards = scoring.score_scheme(scheme, actor=request.user)
            else:
                cards = scoring.score_period(scheme, first, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)d scorecards computed.") % {"n": len(cards)})
        return redirect(scheme.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# Scorecards


class DualScorecardListView(ObjectListView):
    model = DualScorecard
    queryset = DualScorecard.objects.select_related("organization", "scheme")
    table_class = DualScorecardTable
    filterset_class = DualScorecardFilterSet

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        if not self.shows_ranks():
            table.columns.hide("total_rank")
        return table

    def shows_ranks(self) -> bool:
        from .common import hospitals_for

        return bool(hospitals_for(self.request.user, VIEW))


def component_rows(card) -> list[dict]:
    unit = Unit(ORG, card.organization_id)
    by_code = {
        i.code: i
        for i in Indicator.objects.filter(
            hospital_id=card.hospital_id, code__in=[c["code"] for c in card.components]
        )
    }
    out = []
    for c in card.components:
        ind = by_code.get(c["code"])
        out.append(
            {
                **c,
                "method_label": Method(c["method"]).label if c["method"] in Method.values else c["method"],
                "lower": c["direction"] == "lower",
                "url": drill_url(ind, unit, card.period_start, card.through) if ind else "",
            }
        )
    return out


class DualScorecardDetailView(ObjectDetailView):
    model = DualScorecard
    queryset = DualScorecard.objects.select_related("organization", "scheme", "hospital", "computed_by")
    template_name = "assessment/scorecard_detail.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        card = ctx["object"]
        ctx["edit_url"] = ctx["delete_url"] = None  # computed, never edited
        comps = component_rows(card)
        ctx["families"] = [(label, [c for c in comps if c["family"] == fam]) for fam, label in Family.choices]
        ctx["period"] = period_label(card.period_start, card.period_end)
        ctx["show_ranks"] = hospital_wide(self.request.user, card.hospital_id)
        ctx["history"] = (
            DualScorecard.objects.restrict(self.request.user, VIEW)
            .filter(organization_id=card.organization_id)
            .select_related("scheme")
            .order_by("period_start")
        )
        ctx["partial"] = card.through < card.period_end
        return ctx
