import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hongqing.core.tables import HQTable

from .models import Cadre, Membership, Person, Rotation, TalentTag, Transfer


class PersonTable(HQTable):
    name = tables.Column(linkify=True)
    stage = tables.Column(
        verbose_name=_("stage"),
        accessor="membership__get_stage_display",
        order_by="membership__stage",
        default="",
    )
    branch = tables.Column(verbose_name=_("branch"), accessor="membership__organization__name", default="")
    talent = tables.Column(
        verbose_name=_("talent tags"), accessor="talent_tags", orderable=False, empty_values=()
    )

    def render_talent(self, record):
        return "、".join(t.name for t in record.talent_tags.all())

    def value_talent(self, record):
        return self.render_talent(record)

    class Meta(HQTable.Meta):
        model = Person
        fields = [
            "staff_no",
            "name",
            "gender",
            "department",
            "post",
            "title_grade",
            "stage",
            "branch",
            "talent",
            "status",
        ]


class MembershipTable(HQTable):
    person = tables.Column(
        linkify=lambda record: record.get_absolute_url(),
        accessor="person__name",
        verbose_name=pgettext_lazy("person", "name"),
    )
    staff_no = tables.Column(accessor="person__staff_no", verbose_name=_("staff number"))
    department = tables.Column(accessor="person__department__name", verbose_name=_("department"), default="")
    party_age = tables.Column(
        verbose_name=_("Party age"), accessor="conversion_date", order_by="conversion_date"
    )

    def render_party_age(self, record):
        age = record.party_age()
        return "" if age is None else age

    def value_party_age(self, record):
        return self.render_party_age(record)

    class Meta(HQTable.Meta):
        model = Membership
        fields = [
            "staff_no",
            "person",
            "department",
            "organization",
            "stage",
            "application_date",
            "admission_date",
            "conversion_date",
            "party_age",
        ]


class TransferTable(HQTable):
    date = tables.Column(linkify=True)
    person = tables.Column(accessor="membership__person__name", verbose_name=pgettext_lazy("person", "name"))

    class Meta(HQTable.Meta):
        model = Transfer
        fields = ["date", "person", "kind", "from_organization", "to_organization", "external_unit", "reason"]


class CadreTable(HQTable):
    person = tables.Column(linkify=True, accessor="person", verbose_name=_("person"))
    title = tables.Column(linkify=True)

    class Meta(HQTable.Meta):
        model = Cadre
        fields = ["person", "title", "level", "department", "start", "end", "appointment"]


class RotationTable(HQTable):
    class Meta(HQTable.Meta):
        model = Rotation
        fields = ["person", "kind", "from_department", "to_department", "start", "end"]


class TalentTagTable(HQTable):
    name = tables.Column(linkify=True)
    count = tables.Column(verbose_name=_("persons"), accessor="person_count")

    class Meta(HQTable.Meta):
        model = TalentTag
        fields = ["name", "description", "count", "hospital"]
