"""Forms of the dues pages: a member's yearly base (or its pay items) and one payment.

The forms check the input with the services' own rules (``services.dues.compute_base``), so the
page, the API and the import refuse the same things with the same messages; the views then write
through the services.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hongqing.core.forms import DateInput, HQForm, HQModelForm
from hongqing.core.rules import rule_value
from hongqing.core.scoping import CHANGE
from hongqing.organization.models import PartyOrganization
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from .models import DuesBase
from .services import dues as services

MONTHS = [(m, str(m)) for m in range(1, 13)]


def payable_memberships(user):
    """Members whose dues the user may record: the dues area's change grants."""
    return (
        Membership.objects.restrict(user, CHANGE, area="dues")
        .filter(stage__in=MEMBER_STAGES)
        .select_related("person", "organization")
        .order_by("organization__path", "person__staff_no")
    )


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.name}（{obj.person.staff_no}）· {obj.organization.name}"


def _add_errors(form, exc, fields=()) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on the form."""
    for name, messages in exc.message_dict.items():
        target = name if name in form.fields and name in fields else None
        for message in messages:
            form.add_error(target, message)


class DuesBaseForm(HQModelForm):
    base = forms.CharField(
        label=_("monthly base (yuan)"),
        required=False,
        help_text=_("Post-tax regular monthly pay; leave empty when the pay items are given."),
    )

    class Meta:
        model = DuesBase
        fields = ["membership", "year", "category", "change_reason"]
        field_classes = {"membership": MembershipChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        instance = self.instance
        self.fields["membership"].queryset = (
            payable_memberships(user) if user is not None else Membership.objects.none()
        )
        self.fields["year"].initial = services.today().year
        if instance.pk:
            self.fields["membership"].disabled = True
            self.fields["year"].disabled = True
            hospital_id = instance.membership.organization.hospital_id
            self.fields["change_reason"].help_text = _(
                "Required when the base changes once its year has begun; the change is audited."
            )
        else:
            hospital_id = (
                PartyOrganization.objects.restrict(user, CHANGE, area="dues")
                .values_list("hospital_id", flat=True)
                .first()
                if user is not None
                else None
            )
            del self.fields["change_reason"]
        self.item_names = [str(n) for n in rule_value("dues.included_items", hospital_id)]
        items = instance.items or {}
        for i, name in enumerate(self.item_names):
            self.fields[f"item_{i}"] = forms.CharField(
                label=name,
                required=False,
                initial=items.get(name, ""),
                widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
            )
        self.fields["base"].widget.attrs["inputmode"] = "decimal"
        if instance.pk and not items:
            self.fields["base"].initial = instance.base
        self.computed = None

    def item_values(self) -> dict:
        return {name: self.cleaned_data.get(f"item_{i}") for i, name in enumerate(self.item_names)}

    def clean(self):
        cleaned = super().clean()
        membership = cleaned.get("membership")
        year = cleaned.get("year")
        if membership is None or year is None:
            return cleaned
        if not self.instance.pk and DuesBase.objects.filter(membership=membership, year=year).exists():
            self.add_error(
                "year",
                _("%(name)s already has a base for %(year)d: edit it instead.")
                % {"name": membership.person.name, "year": year},
            )
            return cleaned
        items = {k: v for k, v in self.item_values().items() if v not in (None, "")}
        try:
            value, included, _ignored, amount = services.compute_base(
                membership,
                year,
                category=cleaned.get("category"),
                base=cleaned.get("base"),
                items=items or None,
            )
        except forms.ValidationError as exc:
            _add_errors(self, exc, fields=("membership", "year", "category", "base"))
            return cleaned
        self.computed = (value, included, amount)
        if (
            self.instance.pk
            and services.base_changes(self.instance, cleaned.get("category"), value, included, amount.monthly)
            and services.change_needs_reason(year)
            and not (cleaned.get("change_reason") or "").strip()
        ):
            self.add_error("change_reason", services.reason_required_message(year))
        return cleaned


class DuesPaymentForm(HQForm):
    membership = MembershipChoiceField(queryset=Membership.objects.none(), label=_("membership"))
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("month"), choices=MONTHS, coerce=int)
    amount = forms.CharField(
        label=_("amount (yuan)"), required=False, help_text=_("Leave empty for the month's dues.")
    )
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["membership"].queryset = (
            payable_memberships(user) if user is not None else Membership.objects.none()
        )
        today = services.today()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month
        self.fields["paid_on"].initial = today
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"

    def add_service_errors(self, exc) -> None:
        _add_errors(self, exc, fields=("membership", "year", "month", "amount", "paid_on"))
