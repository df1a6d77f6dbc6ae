"""Filters of the learning pages and API (the same FilterSet serves both)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet, scoped
from hongqing.organization.models import PartyOrganization
from hongqing.people.filtersets import name_search
from hongqing.people.models import Membership, Person

from .choices import (
    PlanLevel,
    QuestionKind,
    RecordedVia,
    SelfStudyKind,
    SelfStudyStatus,
    SessionKind,
    StudyAttendanceStatus,
    StudyMode,
)
from .models import (
    CheckIn,
    Question,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    SelfStudy,
    StudyAttendance,
    StudyMaterial,
    StudyPlan,
    StudyPlanItem,
    StudySession,
)


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def learning_organizations(request):
    """The organisations whose learning records the user may see (the learning area's grants)."""
    if request is None:
        return PartyOrganization.objects.none()
    return PartyOrganization.objects.restrict(request.user, "view", area="learning").exclude(
        kind="discipline_committee"
    )


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """An organisation and everything below it (a branch's groups, a general branch's branches);
    ``field_name`` is the path to the organisation."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", learning_organizations)
        kwargs.setdefault("label", _("Party organisation"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


class StudyPlanFilterSet(HQFilterSet):
    organization = SubtreeFilter(field_name="organization")
    level = django_filters.ChoiceFilter(choices=PlanLevel.choices, label=_("level"))
    year = django_filters.NumberFilter(label=_("year"))

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value.strip()) | Q(items__topic__icontains=value.strip())
        ).distinct()

    class Meta:
        model = StudyPlan
        fields = ["q", "organization", "level", "year"]


class StudyPlanItemFilterSet(HQFilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=scoped(StudyPlan), label=_("study plan"))
    month = django_filters.NumberFilter(label=_("month"))

    def search(self, queryset, name, value):
        return queryset.filter(topic__icontains=value.strip())

    class Meta:
        model = StudyPlanItem
        fields = ["q", "plan", "month", "mode"]


class StudySessionFilterSet(HQFilterSet):
    organization = SubtreeFilter(field_name="organization", label=_("organiser"))
    kind = django_filters.ChoiceFilter(choices=SessionKind.choices, label=_("kind"))
    mode = django_filters.ChoiceFilter(choices=StudyMode.choices, label=_("study mode"))
    date_from = django_filters.DateFilter(
        field_name="start", lookup_expr="date__gte", label=_("from"), widget=date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="start", lookup_expr="date__lte", label=_("until"), widget=date_input()
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value)
            | Q(place__icontains=value)
            | Q(speaker_name__icontains=value)
            | Q(speaker__name__icontains=value)
        )

    class Meta:
        model = StudySession
        fields = ["q", "organization", "kind", "mode", "date_from", "date_to"]


class StudyMaterialFilterSet(HQFilterSet):
    session = django_filters.ModelChoiceFilter(queryset=scoped(StudySession), label=_("study session"))

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())

    class Meta:
        model = StudyMaterial
        fields = ["q", "session"]


class StudyAttendanceFilterSet(HQFilterSet):
    session = django_filters.ModelChoiceFilter(queryset=scoped(StudySession), label=_("study session"))
    person = django_filters.ModelChoiceFilter(queryset=scoped(Person), label=_("person"))
    organization = SubtreeFilter(field_name="person__membership__organization")
    status = django_filters.ChoiceFilter(choices=StudyAttendanceStatus.choices, label=_("attendance"))
    via = django_filters.ChoiceFilter(choices=RecordedVia.choices, label=_("recorded by"))
    year = django_filters.NumberFilter(field_name="session__start", lookup_expr="year", label=_("year"))

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(person__name__icontains=value) | Q(session__title__icontains=value))

    class Meta:
        model = StudyAttendance
        fields = ["q", "session", "person", "organization", "status", "via", "year"]


class CheckInFilterSet(HQFilterSet):
    session = django_filters.ModelChoiceFilter(queryset=scoped(StudySession), label=_("study session"))
    person = django_filters.ModelChoiceFilter(queryset=scoped(Person), label=_("person"))

    def search(self, queryset, name, value):
        return queryset.filter(person__name__icontains=value.strip())

    class Meta:
        model = CheckIn
        fields = ["q", "session", "person"]


class SelfStudyFilterSet(HQFilterSet):
    person = django_filters.ModelChoiceFilter(queryset=scoped(Person), label=_("person"))
    organization = SubtreeFilter(field_name="person__membership__organization")
    status = django_filters.ChoiceFilter(choices=SelfStudyStatus.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=SelfStudyKind.choices, label=_("kind"))
    year = django_filters.NumberFilter(field_name="studied_on", lookup_expr="year", label=_("year"))

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(person__name__icontains=value))

    class Meta:
        model = SelfStudy
        fields = ["q", "person", "organization", "status", "kind", "year"]


class QuestionFilterSet(HQFilterSet):
    kind = django_filters.ChoiceFilter(choices=QuestionKind.choices, label=_("kind"))
    tag = django_filters.CharFilter(method="by_tag", label=_("tags"))

    def by_tag(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(tag_index__contains=f"|{value}|") if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(text__icontains=value) | Q(explanation__icontains=value))

    class Meta:
        model = Question
        fields = ["q", "kind", "tag", "active"]


class QuizFilterSet(HQFilterSet):
    organization = SubtreeFilter(field_name="organization", label=_("taken by"))
    state = django_filters.ChoiceFilter(
        choices=[("upcoming", _("Not yet open")), ("open", _("Open")), ("closed", _("Closed"))],
        method="by_state",
        label=_("status"),
    )

    def by_state(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(opens_at__gt=now)
        if value == "open":
            return queryset.filter(opens_at__lte=now, closes_at__gt=now)
        if value == "closed":
            return queryset.filter(closes_at__lte=now)
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())

    class Meta:
        model = Quiz
        fields = ["q", "organization", "state"]


class QuizAttemptFilterSet(HQFilterSet):
    quiz = django_filters.ModelChoiceFilter(queryset=scoped(Quiz), label=_("quiz"))
    person = django_filters.ModelChoiceFilter(queryset=scoped(Person), label=_("person"))
    organization = SubtreeFilter(field_name="person__membership__organization")

    def search(self, queryset, name, value):
        return queryset.filter(person__name__icontains=value.strip())

    class Meta:
        model = QuizAttempt
        fields = ["q", "quiz", "person", "organization", "timed_out"]


class QuizAnswerFilterSet(HQFilterSet):
    attempt = django_filters.ModelChoiceFilter(queryset=scoped(QuizAttempt), label=_("quiz attempt"))

    class Meta:
        model = QuizAnswer
        fields = ["attempt", "correct"]


class HoursFilterSet(HQFilterSet):
    """The study-hours list: members (a membership each), by organisation, year and completion."""

    organization = SubtreeFilter(field_name="organization")
    year = django_filters.NumberFilter(method="by_year", label=_("year"))  # read by the view
    reached = django_filters.ChoiceFilter(
        choices=[("yes", _("Reached the requirement")), ("no", _("Short of it"))],
        method="by_reached",
        label=_("completion"),
    )

    def by_year(self, queryset, name, value):
        return queryset

    def by_reached(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(reached=value == "yes")
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(name_search("person__", value))

    class Meta:
        model = Membership
        fields = ["q", "organization", "year", "reached"]
