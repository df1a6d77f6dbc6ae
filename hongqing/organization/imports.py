"""Excel import of departments, and the hospital choice every hospital-bound import shares."""

from __future__ import annotations

from functools import cached_property

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongqing.core.imports import Choice, ImportColumn, ImportFileError, ImportSpec, Row
from hongqing.core.scoping import CHANGE, VIEW

from .choices import DepartmentKind
from .models import Campus, Department, Hospital, PartyOrganization


def import_hospitals(user) -> list[Hospital]:
    """The hospitals a user may write records into (whole-hospital grants, or a Party organisation's)."""
    ids = set(Hospital.objects.restrict(user, CHANGE).values_list("pk", flat=True))
    for model in (PartyOrganization, Department):
        rows = model.objects.restrict(user, CHANGE).order_by().values_list("hospital_id", flat=True)
        ids |= set(rows.distinct())
    return list(Hospital.objects.filter(pk__in=ids).order_by("name"))


class HospitalChoiceForm(forms.Form):
    """The hospital the rows go into: asked only when the user's scope spans several."""

    hospital = forms.ModelChoiceField(queryset=Hospital.objects.none(), label=gettext_lazy("hospital"))

    def __init__(self, *args, hospitals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.hospitals = list(hospitals)
        field = self.fields["hospital"]
        field.queryset = Hospital.objects.filter(pk__in=[h.pk for h in self.hospitals])
        field.widget.attrs["class"] = "form-select"
        field.widget.attrs["id"] = "import-hospital"
        if len(self.hospitals) <= 1:
            field.required = False
            field.widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if not self.hospitals:
            raise forms.ValidationError(_("You may not import records into any hospital."))
        if len(self.hospitals) == 1:
            cleaned["hospital"] = self.hospitals[0]
        return cleaned


class HospitalImport(ImportSpec):
    """An import whose rows all belong to one hospital, chosen on the upload form if need be."""

    @cached_property
    def hospitals(self) -> list[Hospital]:
        return import_hospitals(self.user)

    def options_form(self, data=None):
        return HospitalChoiceForm(data, hospitals=self.hospitals)

    def options_from_form(self, form) -> dict:
        return {"hospital": form.cleaned_data["hospital"].pk}

    @cached_property
    def hospital(self) -> Hospital:
        wanted = self.options.get("hospital")
        for h in self.hospitals:
            if h.pk == wanted or (wanted is None and len(self.hospitals) == 1):
                return h
        raise ImportFileError(_("Choose a hospital you may import records into."))


DEPARTMENT_KIND = Choice(
    DepartmentKind,
    {
        "临床": DepartmentKind.CLINICAL,
        "临床科室": DepartmentKind.CLINICAL,
        "医技": DepartmentKind.MEDTECH,
        "医技科室": DepartmentKind.MEDTECH,
        "护理": DepartmentKind.NURSING,
        "护理单元": DepartmentKind.NURSING,
        "行政": DepartmentKind.ADMINISTRATIVE,
        "职能": DepartmentKind.ADMINISTRATIVE,
        "行政职能": DepartmentKind.ADMINISTRATIVE,
        "后勤": DepartmentKind.LOGISTICS,
        "后勤保障": DepartmentKind.LOGISTICS,
    },
)


class DepartmentImport(HospitalImport):
    model = Department
    columns = [
        ImportColumn(
            "名称", "name", required=True, help=gettext_lazy("Unique in the hospital."), example="心血管内科"
        ),
        ImportColumn(
            "编码", "code", help=gettext_lazy("The hospital's own code; orders siblings."), example="0101"
        ),
        ImportColumn(
            "上级科室",
            "parent",
            help=gettext_lazy(
                "Empty for a top-level department; else an existing department or one on an earlier row."
            ),
            example="内科",
        ),
        ImportColumn(
            "类型", "kind", parser=DEPARTMENT_KIND, help=gettext_lazy("Empty: clinical."), example="临床"
        ),
        ImportColumn("院区", "campus", help=gettext_lazy("The name of an existing campus."), example="本部"),
    ]
    clean_fields_exclude = ("path", "depth", "numchild")

    def prepare(self) -> None:
        h = self.hospital
        # Names are unique in the hospital whoever may see them; parents must be in the user's scope.
        self.existing_names = set(Department.objects.filter(hospital=h).values_list("name", flat=True))
        self.visible = {d.name: d for d in Department.objects.restrict(self.user, VIEW).filter(hospital=h)}
        self.campuses = {c.name: c for c in Campus.objects.restrict(self.user, VIEW).filter(hospital=h)}
        self.in_file: dict[str, Department] = {}

    def build(self, row: Row, values: dict):
        name = values["name"]
        if name and self.unique_in_file(row, "name", name) and name in self.existing_names:
            row.error("名称", _("A department named “%(name)s” already exists.") % {"name": name})
        parent = None
        if values["parent"]:
            parent = self.in_file.get(values["parent"]) or self.visible.get(values["parent"])
            if parent is None:
                row.error(
                    "上级科室",
                    _("No department “%(name)s” in your scope, nor on an earlier row of this file.")
                    % {"name": values["parent"]},
                )
        campus = None
        if values["campus"]:
            campus = self.campuses.get(values["campus"])
            if campus is None:
                row.error("院区", _("No campus “%(name)s” in this hospital.") % {"name": values["campus"]})
        obj = Department(
            hospital=self.hospital,
            name=name or "",
            code=values["code"] or "",
            kind=values["kind"] or DepartmentKind.CLINICAL,
            campus=campus,
            created_by=self.user,
        )
        obj._import_parent = parent
        if name and name not in self.in_file:
            self.in_file[name] = obj
        return obj

    def save_objects(self, objects, progress) -> None:
        # A tree: each node goes in under its parent (sorted), so one by one rather than in bulk.
        manager = Department.objects
        for i, obj in enumerate(objects, start=1):
            parent = obj._import_parent
            if parent is None:
                manager.add_root(instance=obj)
            else:
                # Re-read the parent: inserting sorted siblings may have moved its path.
                manager.add_child(Department._base_manager.get(pk=parent.pk), instance=obj)
            progress(i)
