"""Filters of the duty list (page and API): organisation, year, month, duty and status (against today)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet, scoped
from hongqing.organization.models import PartyOrganization

from .models import DutyStatus, Obligation
from .services.duties import DUTY_LABELS, status_q

MONTHS = [(m, str(m)) for m in range(1, 13)]


class ObligationFilterSet(HQFilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=scoped(PartyOrganization), label=_("Party organisation")
    )
    year = django_filters.NumberFilter(field_name="period_start__year", label=_("year"))
    month = django_filters.ChoiceFilter(
        choices=MONTHS, field_name="period_end__month", label=_("ending in month")
    )
    code = django_filters.ChoiceFilter(choices=list(DUTY_LABELS.items()), label=_("duty"))
    status = django_filters.ChoiceFilter(choices=DutyStatus.choices, method="by_status", label=_("status"))

    def search(self, queryset, name, value):
        return queryset.filter(organization__name__icontains=value.strip())

    def by_status(self, queryset, name, value):
        return queryset.filter(status_q(value, timezone.localdate()))

    class Meta:
        model = Obligation
        fields = ["q", "organization", "year", "month", "code", "status"]
