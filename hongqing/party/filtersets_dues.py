"""Filters of the dues lists (bases and payments); the same FilterSets serve the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet
from hongqing.organization.models import PartyOrganization
from hongqing.people.filtersets import name_search

from .choices import DuesCategory, PaymentKind
from .models import DuesBase, DuesPayment


def dues_organizations(request):
    """The organisations whose dues the user may see (the dues area's grants, not the tree's)."""
    if request is None:
        return PartyOrganization.objects.none()
    return PartyOrganization.objects.restrict(request.user, "view", area="dues").exclude(
        kind="discipline_committee"
    )


class _SubtreeFilter(django_filters.ModelChoiceFilter):
    """An organisation and everything below it (a branch's groups, a general branch's branches)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(membership__organization__path__startswith=value.path)


class DuesBaseFilterSet(HQFilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    organization = _SubtreeFilter(
        queryset=dues_organizations, field_name="membership__organization", label=_("Party organisation")
    )
    category = django_filters.ChoiceFilter(choices=DuesCategory.choices, label=_("category"))
    changed = django_filters.BooleanFilter(method="filter_changed", label=_("changed within the year"))

    def search(self, queryset, name, value):
        return queryset.filter(name_search("membership__person__", value))

    def filter_changed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(change_reason="") if value else queryset.filter(change_reason="")

    class Meta:
        model = DuesBase
        fields = ["q", "year", "organization", "category"]


class DuesPaymentFilterSet(HQFilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    month = django_filters.NumberFilter(label=_("month"))
    organization = _SubtreeFilter(
        queryset=dues_organizations, field_name="membership__organization", label=_("Party organisation")
    )
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices, label=_("kind"))

    def search(self, queryset, name, value):
        return queryset.filter(name_search("membership__person__", value))

    class Meta:
        model = DuesPayment
        fields = ["q", "year", "month", "organization", "kind"]
