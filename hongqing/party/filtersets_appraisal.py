"""The appraisal list's filters (also the API's)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from hongqing.core.filtersets import HQFilterSet, scoped
from hongqing.organization.models import PartyOrganization

from .choices import AppraisalStage
from .models import AppraisalCampaign, AppraisalEntry


class AppraisalCampaignFilterSet(HQFilterSet):
    organization = django_filters.ModelChoiceFilter(queryset=scoped(PartyOrganization), label=_("branch"))
    stage = django_filters.ChoiceFilter(choices=AppraisalStage.choices, label=_("stage"))

    def search(self, queryset, name, value):
        return queryset.filter(organization__name__icontains=value)

    class Meta:
        model = AppraisalCampaign
        fields = ["q", "organization", "year", "stage"]


class AppraisalEntryFilterSet(HQFilterSet):
    campaign = django_filters.ModelChoiceFilter(queryset=scoped(AppraisalCampaign), label=_("appraisal"))

    def search(self, queryset, name, value):
        return queryset.filter(membership__person__name__icontains=value)

    class Meta:
        model = AppraisalEntry
        fields = ["q", "campaign", "result"]
