"""Filters of the points pages and API (the same FilterSet serves both)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet, scoped
from hongqing.organization.models import PartyOrganization
from hongqing.people.filtersets import name_search

from . import triggers
from .choices import (
    EntryKind,
    HonorKind,
    NominationStatus,
    ProposalStatus,
    RoundStatus,
    ServedKind,
    VolunteeringKind,
)
from .models import Honor, HonorRound, Nomination, PointEntry, PointProposal, PointRule, Volunteering


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def points_organizations(request):
    """The organisations the user reads points of (the points area's grants), for the filters."""
    if request is None:
        return PartyOrganization.objects.none()
    return PartyOrganization.objects.restrict(request.user, "view", area="points").exclude(
        kind="discipline_committee"
    )


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """An organisation and everything below it (a branch's groups, a general branch's branches)."""

    def __init__(self, *args, path: str, **kwargs):
        self.path_lookup = path
        kwargs.setdefault("field_name", path.removesuffix("__path"))  # the relation (for the schema's type)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.path_lookup}__startswith": value.path})


class PointEntryFilterSet(HQFilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    organization = SubtreeFilter(
        queryset=points_organizations,
        path="person__membership__organization__path",
        label=_("Party organisation"),
    )
    rule = django_filters.ModelChoiceFilter(queryset=scoped(PointRule), label=_("item"))
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label=_("kind"))
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("from"), widget=date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("until"), widget=date_input()
    )
    person = django_filters.NumberFilter(field_name="person_id", widget=forms.HiddenInput, label=_("person"))

    def search(self, queryset, name, value):
        return queryset.filter(name_search("person__", value) | Q(label__icontains=value.strip()))

    class Meta:
        model = PointEntry
        fields = ["q", "year", "organization", "rule", "kind", "date_from", "date_to", "person"]


class PointRuleFilterSet(HQFilterSet):
    trigger = django_filters.ChoiceFilter(choices=triggers.choices, label=_("record type"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("in force"))

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value.strip()) | Q(description__icontains=value.strip()))

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        from django.utils import timezone

        today = timezone.localdate()
        q = Q(active_from__lte=today) & (Q(active_to__isnull=True) | Q(active_to__gte=today))
        return queryset.filter(q) if value else queryset.exclude(q)

    class Meta:
        model = PointRule
        fields = ["q", "trigger", "active"]


class PointProposalFilterSet(HQFilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices, label=_("status"))
    organization = SubtreeFilter(
        queryset=points_organizations, path="organization__path", label=_("proposed by")
    )
    rule = django_filters.ModelChoiceFilter(queryset=scoped(PointRule), label=_("item"))

    def search(self, queryset, name, value):
        return queryset.filter(name_search("person__", value) | Q(reason__icontains=value.strip()))

    class Meta:
        model = PointProposal
        fields = ["q", "status", "organization", "rule"]


class VolunteeringFilterSet(HQFilterSet):
    organizer = SubtreeFilter(queryset=points_organizations, path="organizer__path", label=_("organised by"))
    kind = django_filters.ChoiceFilter(choices=VolunteeringKind.choices, label=_("kind"))
    served_kind = django_filters.ChoiceFilter(choices=ServedKind.choices, label=_("served"))
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("from"), widget=date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("until"), widget=date_input()
    )

    def search(self, queryset, name, value):
        v = value.strip()
        return queryset.filter(Q(title__icontains=v) | Q(served_unit__icontains=v) | Q(place__icontains=v))

    class Meta:
        model = Volunteering
        fields = ["q", "organizer", "kind", "served_kind", "date_from", "date_to"]


class HonorFilterSet(HQFilterSet):
    kind = django_filters.ChoiceFilter(choices=HonorKind.choices, label=_("honour"))
    organization = SubtreeFilter(
        queryset=points_organizations, path="organization__path", label=_("Party organisation")
    )
    year = django_filters.NumberFilter(field_name="awarded_on", lookup_expr="year", label=_("year"))
    person = django_filters.NumberFilter(field_name="person_id", widget=forms.HiddenInput, label=_("person"))

    def search(self, queryset, name, value):
        return queryset.filter(
            name_search("person__", value)
            | Q(title__icontains=value.strip())
            | Q(organization__name__icontains=value.strip())
        )

    class Meta:
        model = Honor
        fields = ["q", "kind", "organization", "year", "person"]


class HonorRoundFilterSet(HQFilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, label=_("status"))

    class Meta:
        model = HonorRound
        fields = ["year", "status"]


class NominationFilterSet(HQFilterSet):
    round = django_filters.ModelChoiceFilter(queryset=scoped(HonorRound), label=_("round"))
    kind = django_filters.ChoiceFilter(choices=HonorKind.choices, label=_("honour"))
    status = django_filters.ChoiceFilter(choices=NominationStatus.choices, label=_("status"))
    organization = SubtreeFilter(
        queryset=points_organizations, path="organization__path", label=_("proposed by")
    )

    def search(self, queryset, name, value):
        return queryset.filter(
            name_search("person__", value) | Q(candidate_organization__name__icontains=value.strip())
        )

    class Meta:
        model = Nomination
        fields = ["q", "round", "kind", "status", "organization"]
