"""Filters of the talk pages and API (the same FilterSet serves both)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet, scoped
from hongqing.organization.models import Department, PartyOrganization

from .choices import TalkKind
from .filtersets_meetings import date_input
from .models import Talk


class TalkFilterSet(HQFilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=scoped(PartyOrganization), label=_("Party organisation")
    )
    kind = django_filters.ChoiceFilter(choices=TalkKind.choices, label=_("kind"))
    department = django_filters.ModelChoiceFilter(queryset=scoped(Department), label=_("department"))
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", label=_("year"))
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("from"), widget=date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("until"), widget=date_input()
    )
    # By id, without a list of choices: the person page links "all talks with …" here.
    person = django_filters.NumberFilter(field_name="person", widget=forms.HiddenInput)
    talker = django_filters.NumberFilter(field_name="talker", widget=forms.HiddenInput)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(talker__name__icontains=value) | Q(person__name__icontains=value) | Q(notes__icontains=value)
        )

    class Meta:
        model = Talk
        fields = [
            "q",
            "organization",
            "kind",
            "department",
            "year",
            "date_from",
            "date_to",
            "person",
            "talker",
        ]
