import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hongqing.core.tables import HQTable

from .models import Campus, CommitteeTerm, Department, DisciplineGroup, Hospital, PartyOrganization


class HospitalTable(HQTable):
    name = tables.Column(linkify=True)

    class Meta(HQTable.Meta):
        model = Hospital
        fields = ["name", "short_name", "code", "level", "kind"]


class CampusTable(HQTable):
    name = tables.Column(linkify=True)

    class Meta(HQTable.Meta):
        model = Campus
        fields = ["name", "hospital", "address"]


class DepartmentTable(HQTable):
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name=_("parent"), accessor="parent_name", orderable=False, empty_values=())

    class Meta(HQTable.Meta):
        model = Department
        fields = ["code", "name", "parent", "kind", "campus", "hospital", "is_active"]


class PartyOrganizationTable(HQTable):
    name = tables.Column(linkify=True)
    members = tables.Column(verbose_name=_("members"), accessor="member_count", orderable=False)

    class Meta(HQTable.Meta):
        model = PartyOrganization
        fields = ["name", "kind", "hospital", "members", "established"]


class CommitteeTermTable(HQTable):
    number = tables.Column(linkify=True)
    status = tables.Column(verbose_name=_("status"), accessor="get_status_display", orderable=False)

    class Meta(HQTable.Meta):
        model = CommitteeTerm
        fields = ["organization", "number", "start", "due_end", "actual_end", "status"]


class DisciplineGroupTable(HQTable):
    name = tables.Column(linkify=True)
    departments = tables.Column(
        verbose_name=_("departments"), accessor="departments", orderable=False, empty_values=()
    )

    def render_departments(self, record):
        return "、".join(d.name for d in record.departments.all())

    def value_departments(self, record):
        return self.render_departments(record)

    class Meta(HQTable.Meta):
        model = DisciplineGroup
        fields = ["name", "departments", "hospital"]
