"""Filters of the assessment lists (the pages and the API share them)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet, scoped
from hongqing.organization.models import Department, Hospital, PartyOrganization

from .choices import Family, ItemKind, OwnerRole, PeriodKind, Source
from .models import DualScorecard, Indicator, IndicatorValue, ResponsibilityItem, ResponsibilityList, Scheme
from .periods import parse_month


def set_choices(filterset, name: str, choices) -> None:
    """Choices computed for the request (read under another area than the model's: a branch reads its
    hospital's indicators and schemes through its scorecards, not the catalogue)."""
    field = filterset.form.fields[name]
    field.choices = [("", _("All")), *choices]
    field.widget.choices = field.choices


def indicator_choices(user):
    return (
        Indicator.objects.restrict(user, "view", area="assessment")
        .order_by("family", "sort_order", "code")
        .values_list("code", "name")
        .distinct()
    )


class IndicatorFilterSet(HQFilterSet):
    hospital = django_filters.ModelChoiceFilter(queryset=scoped(Hospital), label=_("hospital"))
    family = django_filters.ChoiceFilter(choices=Family.choices, label=_("family"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("source"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    def search(self, queryset, name, value):
        v = value.strip()
        return queryset.filter(Q(code__icontains=v) | Q(name__icontains=v) | Q(short_name__icontains=v))

    class Meta:
        model = Indicator
        fields = ["q", "hospital", "family", "source", "is_active"]


class MonthFilter(django_filters.CharFilter):
    """A month written 2026-03 (the first day of it)."""

    def __init__(self, *args, lookup="exact", **kwargs):
        self.month_lookup = lookup
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        month = parse_month(value)
        if not value or month is None:
            return qs
        return qs.filter(**{f"month__{self.month_lookup}": month})


class IndicatorValueFilterSet(HQFilterSet):
    indicator = django_filters.ChoiceFilter(field_name="indicator__code", choices=(), label=_("indicator"))
    department = django_filters.ModelChoiceFilter(queryset=scoped(Department), label=_("department"))
    month = MonthFilter(label=_("month"), help_text="2026-03")
    since = MonthFilter(lookup="gte", label=_("from month"))
    until = MonthFilter(lookup="lte", label=_("until month"))
    flagged = django_filters.BooleanFilter(label=_("departs from history"))

    def search(self, queryset, name, value):
        v = value.strip()
        return queryset.filter(
            Q(indicator__code__icontains=v)
            | Q(indicator__name__icontains=v)
            | Q(department__name__icontains=v)
        )

    class Meta:
        model = IndicatorValue
        fields = ["q", "indicator", "department", "month", "since", "until", "flagged"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None:
            set_choices(self, "indicator", indicator_choices(self.request.user))


class SchemeFilterSet(HQFilterSet):
    hospital = django_filters.ModelChoiceFilter(queryset=scoped(Hospital), label=_("hospital"))
    year = django_filters.NumberFilter(label=_("year"))
    period = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("scored"))

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())

    class Meta:
        model = Scheme
        fields = ["q", "hospital", "year", "period"]


class DualScorecardFilterSet(HQFilterSet):
    scheme = django_filters.ChoiceFilter(field_name="scheme_id", choices=(), label=_("scheme"))
    organization = django_filters.ModelChoiceFilter(queryset=scoped(PartyOrganization), label=_("branch"))
    year = django_filters.NumberFilter(field_name="period_start__year", label=_("year"))
    grade = django_filters.CharFilter(label=_("grade"))

    def search(self, queryset, name, value):
        return queryset.filter(organization__name__icontains=value.strip())

    class Meta:
        model = DualScorecard
        fields = ["q", "scheme", "organization", "year", "grade"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None:
            schemes = Scheme.objects.restrict(self.request.user, "view", area="assessment").order_by(
                "-year", "name"
            )
            set_choices(self, "scheme", [(str(s.pk), str(s)) for s in schemes])


class ResponsibilityListFilterSet(HQFilterSet):
    organization = django_filters.ModelChoiceFilter(queryset=scoped(PartyOrganization), label=_("branch"))
    year = django_filters.NumberFilter(label=_("year"))
    role = django_filters.ChoiceFilter(choices=OwnerRole.choices, label=_("as"))

    def search(self, queryset, name, value):
        return queryset.filter(owner__name__icontains=value.strip())

    class Meta:
        model = ResponsibilityList
        fields = ["q", "organization", "year", "role"]


class ResponsibilityItemFilterSet(HQFilterSet):
    responsibility_list = django_filters.ModelChoiceFilter(
        queryset=scoped(ResponsibilityList), label=_("responsibility list")
    )
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices, label=_("kind"))

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())

    class Meta:
        model = ResponsibilityItem
        fields = ["q", "responsibility_list", "kind"]
