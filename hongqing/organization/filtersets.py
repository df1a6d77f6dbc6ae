import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from hongqing.core.filtersets import HQFilterSet, scoped

from .choices import DepartmentKind, OrgKind
from .models import Campus, CommitteeTerm, Department, DisciplineGroup, Hospital, PartyOrganization


class HospitalFilterSet(HQFilterSet):
    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))

    class Meta:
        model = Hospital
        fields = ["q", "level", "kind"]


class CampusFilterSet(HQFilterSet):
    hospital = django_filters.ModelChoiceFilter(queryset=scoped(Hospital), label=_("hospital"))

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)

    class Meta:
        model = Campus
        fields = ["q", "hospital"]


class DepartmentFilterSet(HQFilterSet):
    hospital = django_filters.ModelChoiceFilter(queryset=scoped(Hospital), label=_("hospital"))
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices, label=_("kind"))
    campus = django_filters.ModelChoiceFilter(queryset=scoped(Campus), label=_("campus"))
    branch = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            queryset=scoped(PartyOrganization), label=_("branch"), method="filter_branch"
        )
    )

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_branch(self, queryset, name, value):
        return queryset.filter(branch_links__organization=value, branch_links__end__isnull=True)

    class Meta:
        model = Department
        fields = ["q", "hospital", "kind", "campus", "branch", "is_active"]


class PartyOrganizationFilterSet(HQFilterSet):
    hospital = django_filters.ModelChoiceFilter(queryset=scoped(Hospital), label=_("hospital"))
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("kind"))

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))

    class Meta:
        model = PartyOrganization
        fields = ["q", "hospital", "kind"]


class CommitteeTermFilterSet(HQFilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=scoped(PartyOrganization), label=_("Party organisation")
    )
    current = django_filters.BooleanFilter(field_name="actual_end", lookup_expr="isnull", label=_("current"))

    def search(self, queryset, name, value):
        return queryset.filter(organization__name__icontains=value)

    class Meta:
        model = CommitteeTerm
        fields = ["q", "organization", "current"]


class DisciplineGroupFilterSet(HQFilterSet):
    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(departments__name__icontains=value)).distinct()

    class Meta:
        model = DisciplineGroup
        fields = ["q"]
