"""Forms of the democratic appraisal: open a campaign, the self-assessment, a ballot, a rating."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.forms import HQForm
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization

from .choices import MeetingKind, MeetingStatus, Rating
from .models import AppraisalCampaign, Meeting

# Radio buttons drawn as a row of buttons (Bootstrap's btn-check): big enough for a thumb.
RADIO = {"class": "btn-check", "autocomplete": "off"}


class OpenCampaignForm(HQForm):
    organization = forms.ModelChoiceField(queryset=PartyOrganization.objects.none(), label=_("branch"))
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The branches whose appraisals the user may change (the party area's grants).
        self.fields["organization"].queryset = PartyOrganization.objects.restrict(
            self.user, CHANGE, area=AppraisalCampaign.scope_area
        ).filter(kind=OrgKind.BRANCH)
        self.initial.setdefault("year", timezone.localdate().year)


class SelfAssessmentForm(HQForm):
    text = forms.CharField(
        label=_("self-assessment"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("How you studied, worked and kept the Party's rules this year."),
    )
    rating = forms.ChoiceField(
        label=_("self rating"), choices=Rating.choices, widget=forms.RadioSelect(attrs=RADIO)
    )


class BallotForm(HQForm):
    """One optional rating per member to rate (``rating_<entry id>``); a rated member is left out."""

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = []
        for entry, rated in entries:
            if rated:
                continue
            name = f"rating_{entry.pk}"
            self.fields[name] = forms.ChoiceField(
                label=entry.membership.person.name,
                choices=Rating.choices,
                required=False,
                widget=forms.RadioSelect(attrs=RADIO),
            )
            self.entries.append((entry, self[name]))

    def ratings(self) -> dict[int, str]:
        return {
            int(name.removeprefix("rating_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("rating_") and value
        }


class RatingForm(HQForm):
    rating = forms.ChoiceField(label=_("rating"), choices=Rating.choices)


class CloseForm(HQForm):
    congress = forms.ModelChoiceField(
        queryset=Meeting.objects.none(),
        label=_("congress"),
        required=False,
        help_text=_("The held branch member congress that decided the appraisal."),
    )

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["congress"].queryset = (
            Meeting.objects.restrict(self.user, VIEW)
            .filter(
                organization=campaign.organization,
                kind=MeetingKind.MEMBER_CONGRESS,
                status=MeetingStatus.HELD,
                start__year__in=(campaign.year, campaign.year + 1),
            )
            .order_by("-start")
        )
