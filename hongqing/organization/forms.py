from django import forms
from django.utils.translation import gettext_lazy as _

from hongqing.core.forms import DateInput, HQModelForm

from .models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    Hospital,
    PartyOrganization,
    placement_errors,
)


class HospitalForm(HQModelForm):
    class Meta:
        model = Hospital
        fields = ["name", "short_name", "code", "level", "kind", "address"]


class CampusForm(HQModelForm):
    class Meta:
        model = Campus
        fields = ["hospital", "name", "address"]


class TreeFormMixin:
    """A ``parent`` field for treebeard models; moving a node under its own descendant is refused."""

    def init_parent(self, model):
        if self.instance.pk and not self.instance.is_root():
            self.initial["parent"] = model.objects.get_parent(self.instance).pk
        self.fields["parent"] = forms.ModelChoiceField(
            # The current parent stays a valid choice: a secretary may edit their branch, whose
            # parent (the committee) they cannot list.
            queryset=self.scoped_choices("parent", model.objects.all(), self.user)
            if self.user
            else model.objects.none(),
            required=False,
            label=_("parent"),
        )
        if "hospital" in self.fields:
            # A node under a parent is in the parent's hospital: a secretary, who cannot list
            # hospitals, adds a Party group under their branch without choosing one.
            self.fields["hospital"].required = False
            self.fields["hospital"].help_text = _("Empty: the parent's hospital")
        order = ["parent"] + [n for n in self.fields if n != "parent"]
        self.order_fields(order)

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        node = self.instance
        if parent and node.pk and (parent.pk == node.pk or parent.path.startswith(node.path)):
            raise forms.ValidationError(_("A node cannot be moved under itself or one of its descendants."))
        return parent

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        hospital = cleaned.get("hospital")
        if parent and hospital and parent.hospital_id != hospital.pk:
            self.add_error("parent", _("The parent belongs to another hospital."))
        elif parent and not hospital and "hospital" not in self.errors:
            cleaned["hospital"] = parent.hospital
        elif not parent and not hospital and "hospital" not in self.errors:
            self.add_error("hospital", forms.Field.default_error_messages["required"])
        return cleaned


class DepartmentForm(TreeFormMixin, HQModelForm):
    class Meta:
        model = Department
        fields = ["hospital", "name", "code", "kind", "campus", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_parent(Department)

    def clean(self):
        cleaned = super().clean()
        campus, hospital = cleaned.get("campus"), cleaned.get("hospital")
        if campus and hospital and campus.hospital_id != hospital.pk:
            self.add_error("campus", _("The campus belongs to another hospital."))
        return cleaned


class PartyOrganizationForm(TreeFormMixin, HQModelForm):
    class Meta:
        model = PartyOrganization
        fields = ["hospital", "name", "short_name", "kind", "discipline_group", "established", "sort_order"]
        widgets = {"established": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_parent(PartyOrganization)

    def clean(self):
        cleaned = super().clean()
        parent, kind = cleaned.get("parent"), cleaned.get("kind")
        for field, messages in placement_errors(kind, parent, self.instance).items():
            # No parent because the chosen one was refused is not "at the top of the tree".
            if field == "parent" and "parent" in self.errors:
                continue
            for message in messages:
                self.add_error(field, message)
        group = cleaned.get("discipline_group")
        hospital = cleaned.get("hospital")
        if group and hospital and group.hospital_id != hospital.pk:
            self.add_error("discipline_group", _("The discipline group belongs to another hospital."))
        return cleaned


class DisciplineGroupForm(HQModelForm):
    class Meta:
        model = DisciplineGroup
        fields = ["hospital", "name", "departments"]


class BranchDepartmentForm(HQModelForm):
    """The rules (same hospital, a branch, one current link per department) are BranchDepartment.clean."""

    class Meta:
        model = BranchDepartment
        fields = ["organization", "department", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}


class CommitteeTermForm(HQModelForm):
    """The rules (due end after the start, one current term) are CommitteeTerm.clean."""

    class Meta:
        model = CommitteeTerm
        fields = ["organization", "number", "start", "due_end", "actual_end", "note"]
        widgets = {"start": DateInput(), "due_end": DateInput(), "actual_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_end"].required = False
