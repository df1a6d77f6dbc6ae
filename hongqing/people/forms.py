from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hongqing.core.forms import DateInput, HQForm, HQModelForm
from hongqing.organization.models import PartyOrganization

from .models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition


class PersonForm(HQModelForm):
    class Meta:
        model = Person
        fields = [
            "hospital",
            "staff_no",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "department",
            "post",
            "title_grade",
            "education",
            "employment_start",
            "status",
            "talent_tags",
        ]
        widgets = {
            "birth_date": DateInput(),
            "employment_start": DateInput(),
            "talent_tags": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].help_text = _(
            "18 characters; the birth date and gender are checked against it."
        )
        self.fields["gender"].required = False
        if self.instance.pk and self.instance.id_number:
            # The ID number is sensitive: the form never shows it; leave empty to keep it.
            self.initial["id_number"] = ""
            self.fields["id_number"].widget.attrs["placeholder"] = self.instance.masked_id_number
            self.fields["id_number"].help_text = _("Leave empty to keep the current number.")

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        if not value and self.instance.pk:
            return (
                Person.objects.filter(pk=self.instance.pk).values_list("id_number", flat=True).first() or ""
            )
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("gender") and not cleaned.get("id_number"):
            self.add_error("gender", _("Enter the gender, or an ID number to derive it from."))
        return cleaned


class MembershipForm(HQModelForm):
    class Meta:
        model = Membership
        fields = [
            "person",
            "organization",
            "stage",
            "application_date",
            "activist_date",
            "candidate_date",
            "admission_date",
            "conversion_date",
            "note",
        ]
        widgets = {
            f: DateInput()
            for f in (
                "application_date",
                "activist_date",
                "candidate_date",
                "admission_date",
                "conversion_date",
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = self.fields["organization"].queryset.exclude(
            kind="discipline_committee"
        )
        if self.instance.pk:
            # Moving a member between organisations is a transfer, which keeps the history; a stage
            # changes only through development's "advance", which checks the rules.
            self.fields["organization"].disabled = True
            self.fields["person"].disabled = True
            self.fields["stage"].disabled = True
            self.fields["stage"].help_text = _("Changes through “Advance” on the development timeline.")


class TransferForm(HQForm):
    to_organization = forms.ModelChoiceField(
        queryset=PartyOrganization.objects.all(), label=pgettext_lazy("transfer", "to")
    )
    date = forms.DateField(label=_("date"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        if membership is not None:
            self.fields["to_organization"].queryset = (
                self.fields["to_organization"]
                .queryset.filter(hospital_id=membership.organization.hospital_id)
                .exclude(pk=membership.organization_id)
                .exclude(kind="discipline_committee")
            )


class CadreForm(HQModelForm):
    class Meta:
        model = Cadre
        fields = ["person", "department", "title", "level", "start", "end", "appointment"]
        widgets = {"start": DateInput(), "end": DateInput()}


class RotationForm(HQModelForm):
    class Meta:
        model = Rotation
        fields = ["person", "kind", "from_department", "to_department", "start", "end", "note"]
        widgets = {"start": DateInput(), "end": DateInput()}


class TalentTagForm(HQModelForm):
    class Meta:
        model = TalentTag
        fields = ["hospital", "name", "description"]


class TermPositionForm(HQModelForm):
    class Meta:
        model = TermPosition
        fields = ["term", "person", "post", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}
