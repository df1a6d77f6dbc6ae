"""Democratic appraisal of members (民主评议党员): a yearly campaign per branch."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Membership, Person

from ..choices import AppraisalStage, Rating


class AppraisalCampaign(HQModel):
    """A branch's appraisal of a year: self → peer → democratic → committee proposal → congress decision."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.PROTECT,
        related_name="appraisals",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    stage = models.CharField(
        _("stage"), max_length=12, choices=AppraisalStage.choices, default=AppraisalStage.SELF
    )
    congress = models.ForeignKey(
        "party.Meeting",
        verbose_name=_("congress"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeLookups(hospital="organization__hospital", organization="organization")
    scope_area = "party"

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="party_appraisal_once_per_year")
        ]

    def __str__(self) -> str:
        return _("%(org)s appraisal %(year)d") % {"org": self.organization, "year": self.year}

    def delete_blockers(self) -> list[str]:
        if self.stage != AppraisalStage.SELF:
            return [_("The appraisal is past the self-assessment: it is kept.")]
        return []


class AppraisalEntry(HQModel):
    """One member's appraisal in a campaign: self-assessment, the committee's proposal and the decision."""

    campaign = models.ForeignKey(
        AppraisalCampaign, verbose_name=_("appraisal"), on_delete=models.CASCADE, related_name="entries"
    )
    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="appraisals"
    )
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    self_rating = models.CharField(_("self rating"), max_length=20, choices=Rating.choices, blank=True)
    proposal = models.CharField(_("committee proposal"), max_length=20, choices=Rating.choices, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Rating.choices, blank=True)

    scope = ScopeLookups(
        hospital="campaign__organization__hospital",
        organization="campaign__organization",
        person="membership__person",
    )
    scope_area = "party"

    class Meta:
        verbose_name = _("appraisal entry")
        verbose_name_plural = _("appraisal entries")
        ordering = ["campaign", "membership__person__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "membership"], name="party_appraisal_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.membership.person.name} · {self.get_result_display() or '—'}"


class AppraisalVote(models.Model):
    """A peer's or member's rating of one entry (one vote per voter, entry and round).

    A secret ballot: no page or API shows one voter's ratings, and the change log leaves votes out
    (``audit_exclude``); the audit records each ballot as a named event without its ratings.
    """

    audit_exclude = True

    class Round(models.TextChoices):
        PEER = "peer", _("Peer assessment")
        DEMOCRATIC = "democratic", _("Democratic rating")

    entry = models.ForeignKey(AppraisalEntry, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    round = models.CharField(max_length=12, choices=Round.choices)
    rating = models.CharField(max_length=20, choices=Rating.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appraisal vote")
        verbose_name_plural = _("appraisal votes")
        constraints = [
            models.UniqueConstraint(fields=["entry", "voter", "round"], name="party_appraisal_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.voter_id}: {self.rating}"
