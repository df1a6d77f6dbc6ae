"""Filters of the meeting pages and API (the same FilterSet serves both)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet, scoped
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Person

from .choices import AttendanceStatus, ItemStatus, MatterCategory, MeetingKind, MeetingStatus
from .models import AgendaItem, Attendance, MajorMatter, Meeting, MeetingAttachment


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingFilterSet(HQFilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=scoped(PartyOrganization), label=_("Party organisation")
    )
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, label=_("status"))
    date_from = django_filters.DateFilter(
        field_name="start", lookup_expr="date__gte", label=_("from"), widget=date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="start", lookup_expr="date__lte", label=_("until"), widget=date_input()
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(topic__icontains=value) | Q(place__icontains=value) | Q(host__name__icontains=value)
        )

    class Meta:
        model = Meeting
        fields = ["q", "organization", "kind", "status", "date_from", "date_to"]


class AttendanceFilterSet(HQFilterSet):
    meeting = django_filters.ModelChoiceFilter(queryset=scoped(Meeting), label=_("meeting"))
    person = django_filters.ModelChoiceFilter(queryset=scoped(Person), label=_("person"))
    status = django_filters.ChoiceFilter(choices=AttendanceStatus.choices, label=_("attendance"))

    def search(self, queryset, name, value):
        return queryset.filter(person__name__icontains=value.strip())

    class Meta:
        model = Attendance
        fields = ["q", "meeting", "person", "status", "is_guest"]


class MeetingAttachmentFilterSet(HQFilterSet):
    meeting = django_filters.ModelChoiceFilter(queryset=scoped(Meeting), label=_("meeting"))

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())

    class Meta:
        model = MeetingAttachment
        fields = ["q", "meeting"]


class AgendaItemFilterSet(HQFilterSet):
    meeting = django_filters.ModelChoiceFilter(queryset=scoped(Meeting), label=_("meeting"))
    matter = django_filters.ModelChoiceFilter(queryset=scoped(MajorMatter), label=_("三重一大 matter"))
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, label=_("status"))

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())

    class Meta:
        model = AgendaItem
        fields = ["q", "meeting", "matter", "status", "urgent"]


class MajorMatterFilterSet(HQFilterSet):
    category = django_filters.ChoiceFilter(choices=MatterCategory.choices, label=_("category"))

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())

    class Meta:
        model = MajorMatter
        fields = ["q", "category"]
