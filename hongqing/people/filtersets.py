import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet, scoped
from hongqing.organization.models import Department, PartyOrganization

from .choices import EmploymentStatus, Stage, TitleGrade
from .models import Cadre, Membership, Person, TalentTag, Transfer


def name_search(prefix: str, value: str) -> Q:
    """Name, staff number, full pinyin or initials: ``zw`` and ``zhangwei`` both find 张伟."""
    value = value.strip()
    low = value.lower().replace(" ", "")
    q = Q(**{f"{prefix}name__icontains": value}) | Q(**{f"{prefix}staff_no__istartswith": value})
    if low.isascii() and low.isalpha():
        q |= Q(**{f"{prefix}name_pinyin__startswith": low}) | Q(**{f"{prefix}name_initials__startswith": low})
    return q


class PersonFilterSet(HQFilterSet):
    department = django_filters.ModelChoiceFilter(queryset=scoped(Department), label=_("department"))
    branch = django_filters.ModelChoiceFilter(
        queryset=scoped(PartyOrganization), field_name="membership__organization", label=_("branch")
    )
    stage = django_filters.ChoiceFilter(
        choices=Stage.choices, field_name="membership__stage", label=_("stage")
    )
    title_grade = django_filters.ChoiceFilter(choices=TitleGrade.choices, label=_("title grade"))
    talent_tag = django_filters.ModelChoiceFilter(
        queryset=scoped(TalentTag), field_name="talent_tags", label=_("talent tag")
    )
    status = django_filters.ChoiceFilter(choices=EmploymentStatus.choices, label=_("status"))

    def search(self, queryset, name, value):
        return queryset.filter(name_search("", value))

    class Meta:
        model = Person
        fields = ["q", "department", "branch", "stage", "title_grade", "talent_tag", "status"]


class MembershipFilterSet(HQFilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=scoped(PartyOrganization), label=_("Party organisation")
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("stage"))
    department = django_filters.ModelChoiceFilter(
        queryset=scoped(Department), field_name="person__department", label=_("department")
    )

    def search(self, queryset, name, value):
        return queryset.filter(name_search("person__", value))

    class Meta:
        model = Membership
        fields = ["q", "organization", "stage", "department"]


class TransferFilterSet(HQFilterSet):
    def search(self, queryset, name, value):
        return queryset.filter(name_search("membership__person__", value))

    class Meta:
        model = Transfer
        fields = ["q", "kind"]


class CadreFilterSet(HQFilterSet):
    department = django_filters.ModelChoiceFilter(queryset=scoped(Department), label=_("department"))
    current = django_filters.BooleanFilter(field_name="end", lookup_expr="isnull", label=_("current"))

    def search(self, queryset, name, value):
        return queryset.filter(name_search("person__", value) | Q(title__icontains=value))

    class Meta:
        model = Cadre
        fields = ["q", "department", "level", "current"]


class TalentTagFilterSet(HQFilterSet):
    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)

    class Meta:
        model = TalentTag
        fields = ["q"]
