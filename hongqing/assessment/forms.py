"""Forms of the assessment pages: indicators, schemes with their items, responsibility lists and items."""

from __future__ import annotations

import json

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongqing.core.forms import DateInput, HQForm, HQModelForm
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Department, Hospital, PartyOrganization
from hongqing.party.models import Obligation
from hongqing.people.models import Person

from . import computations
from .choices import Method, Source
from .models import Indicator, ResponsibilityItem, ResponsibilityList, Scheme, SchemeItem


def computation_choices():
    return [("", "—")] + [
        (code, f"{c.label}{'' if c.available() else ' · ' + _('not available yet')}")
        for code, c in sorted(computations.registry().items())
    ]


class IndicatorForm(HQModelForm):
    computation = forms.ChoiceField(label=gettext_lazy("computation"), required=False, choices=())

    class Meta:
        model = Indicator
        fields = [
            "hospital",
            "code",
            "name",
            "short_name",
            "unit",
            "family",
            "direction",
            "source",
            "aggregation",
            "weight",
            "entry_level",
            "computation",
            "formula",
            "decimals",
            "min_value",
            "max_value",
            "dimension",
            "reference",
            "description",
            "headline",
            "sort_order",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["computation"].choices = computation_choices()
        self.fields["computation"].widget.attrs["class"] = "form-select"
        if self.user is not None:
            self.fields["hospital"].queryset = self._hospitals()
        hospitals = list(self.fields["hospital"].queryset[:2])
        if len(hospitals) == 1 and not self.instance.pk:
            self.initial.setdefault("hospital", hospitals[0].pk)
        weights = Indicator.objects.filter(source=Source.ENTERED)
        if self.user is not None:
            weights = weights.restrict(self.user, VIEW)
        if self.instance.pk:
            weights = weights.filter(hospital_id=self.instance.hospital_id).exclude(pk=self.instance.pk)
            self.fields["hospital"].disabled = True
        self.fields["weight"].queryset = weights

    def _hospitals(self):
        from hongqing.core.views import rule_hospitals

        return Hospital.objects.filter(pk__in=rule_hospitals(self.user, CHANGE))


class SchemeForm(HQModelForm):
    class Meta:
        model = Scheme
        fields = ["hospital", "name", "year", "period", "party_share", "note", "is_active"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from hongqing.core.views import rule_hospitals

        if self.user is not None:
            self.fields["hospital"].queryset = Hospital.objects.filter(
                pk__in=rule_hospitals(self.user, CHANGE)
            )
        hospitals = list(self.fields["hospital"].queryset[:2])
        if len(hospitals) == 1 and not self.instance.pk:
            self.initial.setdefault("hospital", hospitals[0].pk)
        if self.instance.pk:
            self.fields["hospital"].disabled = True


class SchemeItemForm(HQForm):
    indicator = forms.ModelChoiceField(label=gettext_lazy("indicator"), queryset=Indicator.objects.none())
    weight = forms.DecimalField(label=gettext_lazy("weight"), max_digits=6, decimal_places=2, min_value=0)
    method = forms.ChoiceField(label=gettext_lazy("scoring"), choices=Method.choices)
    target = forms.DecimalField(label=gettext_lazy("target"), max_digits=16, decimal_places=4, required=False)
    floor = forms.DecimalField(
        label=gettext_lazy("zero-score value"), max_digits=16, decimal_places=4, required=False
    )
    bands = forms.CharField(
        label=gettext_lazy("bands"),
        required=False,
        help_text=gettext_lazy("Threshold bands: [[threshold, percent], …]"),
    )

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators if indicators is not None else Indicator.objects.none()
        for name in ("weight", "target", "floor", "bands"):
            self.fields[name].widget.attrs.update({"class": "form-control form-control-sm"})
        for name in ("indicator", "method"):
            self.fields[name].widget.attrs.update({"class": "form-select form-select-sm"})

    def clean_bands(self):
        raw = (self.cleaned_data.get("bands") or "").strip()
        if not raw:
            return []
        try:
            value = json.loads(raw.replace("，", ","))
        except ValueError:
            raise forms.ValidationError(_("Each band is [threshold, percent], e.g. [90, 80].")) from None
        return value


SchemeItemFormSet = formset_factory(SchemeItemForm, extra=3, can_delete=True)


def item_initial(item: SchemeItem) -> dict:
    return {
        "indicator": item.indicator_id,
        "weight": item.weight,
        "method": item.method,
        "target": item.target,
        "floor": item.floor,
        "bands": json.dumps(item.bands, ensure_ascii=False) if item.bands else "",
    }


class ResponsibilityListForm(HQModelForm):
    class Meta:
        model = ResponsibilityList
        fields = ["year", "owner", "role", "organization", "department", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["organization"].queryset = PartyOrganization.objects.restrict(
                self.user, CHANGE, area=ResponsibilityList.scope_area
            ).filter(kind=OrgKind.BRANCH)
            self.fields["owner"].queryset = Person.objects.restrict(self.user, VIEW)
            self.fields["department"].queryset = Department.objects.restrict(self.user, VIEW)

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("organization")
        if org is not None:
            self.instance.hospital_id = org.hospital_id
        return cleaned


class ResponsibilityItemForm(HQModelForm):
    # The hospital's indicators, read under the assessment area (a branch reaches them through its
    # lists, not through the catalogue): offered by id, so the catalogue's scope is not the choices'.
    indicator = forms.TypedChoiceField(
        label=gettext_lazy("indicator"), coerce=int, required=False, empty_value=None
    )

    class Meta:
        model = ResponsibilityItem
        fields = [
            "responsibility_list",
            "kind",
            "title",
            "indicator",
            "target",
            "obligation",
            "due",
            "sort_order",
        ]
        widgets = {"due": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is None:
            return
        lists = ResponsibilityList.objects.restrict(self.user, CHANGE).select_related("owner", "organization")
        self.fields["responsibility_list"].queryset = lists
        self._indicators = {
            i.pk: i
            for i in Indicator.objects.restrict(self.user, VIEW, area=ResponsibilityItem.scope_area)
            .filter(is_active=True)
            .order_by("family", "sort_order", "code")
        }
        self.fields["indicator"].choices = [("", "—")] + [
            (pk, f"{i.name}（{i.unit}）") for pk, i in self._indicators.items()
        ]
        self.fields["indicator"].widget.attrs["class"] = "form-select"
        if self.instance.pk and self.instance.indicator_id:
            self.initial["indicator"] = self.instance.indicator_id
        self.fields["obligation"].queryset = (
            Obligation.objects.restrict(self.user, VIEW)
            .filter(period_start__year__gte=timezone.localdate().year - 1)
            .select_related("organization")
            .order_by("organization__path", "period_end", "code")
        )

    def clean_indicator(self):
        pk = self.cleaned_data.get("indicator")
        if pk is None:
            return None
        ind = getattr(self, "_indicators", {}).get(pk)
        if ind is None:
            raise forms.ValidationError(_("Choose an indicator of the list."))
        return ind


class MarkDoneForm(forms.Form):
    evidence = forms.CharField(
        label=gettext_lazy("evidence"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=gettext_lazy("What was done, when, with whom"),
    )
    evidence_file = forms.FileField(
        label=gettext_lazy("evidence file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )
    done_on = forms.DateField(
        label=gettext_lazy("done on"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason for re-opening"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
