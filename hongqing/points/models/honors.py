"""Honours (优秀共产党员, 党员示范岗, 示范党支部) and their selection rounds (每季度评选)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital, PartyOrganization
from hongqing.people.models import Person

from ..choices import DecisionMethod, HonorKind, NominationStatus, RoundStatus


class HonorRound(HQModel):
    """A selection round of one period (a quarter by default, ``points.honor_period_months``).

    The Party office opens it; branches nominate candidates with the points of the period as
    evidence, record their vote or committee decision; the office approves, then closes the round.
    Every branch of the hospital reads the hospital's rounds (to nominate), hence the lookups.
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="honor_rounds"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("period"), help_text=_("The period's number in the year"))
    period_months = models.PositiveSmallIntegerField(_("months per period"), default=3)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    scope = ScopeLookups(hospital="hospital", organization="hospital__party_organizations")
    scope_area = "points"

    class Meta:
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "start"], name="points_round_once_per_period"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="points_round_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_name(self) -> str:
        if self.period_months == 3:
            return _("%(year)d Q%(n)d") % {"year": self.year, "n": self.number}
        if self.period_months == 12:
            return _("%(year)d") % {"year": self.year}
        return _("%(year)d period %(n)d") % {"year": self.year, "n": self.number}

    @property
    def title(self) -> str:
        return _("%(period)s selection") % {"period": self.period_name}

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    def delete_blockers(self) -> list[str]:
        if self.pk and self.nominations.exists():
            return [_("The round has nominations: close it instead.")]
        return []


class Nomination(HQModel):
    """A branch's candidate in a round: a member (优秀共产党员, 党员示范岗) or a branch (示范党支部).

    ``organization`` is the proposing organisation (the scope); the branch records how it chose —
    the counts of a vote, or a committee decision — and the Party office approves or rejects.
    """

    round = models.ForeignKey(
        HonorRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="nominations"
    )
    kind = models.CharField(_("honour"), max_length=20, choices=HonorKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("candidate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    candidate_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("candidate branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidacies",
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PROPOSED
    )
    method = models.CharField(_("decided by"), max_length=10, choices=DecisionMethod.choices, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.CharField(_("decision"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    # Members do not read nominations: a selection in progress is the branches' and the office's.
    scope = ScopeLookups(hospital="round__hospital", organization="organization")
    scope_area = "points"

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["round", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "kind", "person"],
                condition=Q(person__isnull=False),
                name="points_nomination_person_once",
            ),
            models.UniqueConstraint(
                fields=["round", "kind", "candidate_organization"],
                condition=Q(candidate_organization__isnull=False),
                name="points_nomination_branch_once",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True) ^ Q(candidate_organization__isnull=True),
                name="points_nomination_one_candidate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_name} · {self.get_kind_display()}"

    @property
    def candidate_name(self) -> str:
        if self.person_id:
            return self.person.name
        return self.candidate_organization.name if self.candidate_organization_id else ""

    def delete_blockers(self) -> list[str]:
        if self.status in (NominationStatus.APPROVED, NominationStatus.REJECTED):
            return [_("A reviewed nomination is a record: it is kept.")]
        return []


class Honor(HQModel):
    """An honour on a person's or a branch's record; a person's earns points (trigger ``honor``).

    ``organization``: the branch honoured, or the honoured member's organisation at the time (the
    scope). Most come from an approved nomination; the Party office may record one from outside
    (a city's or the province's) directly.
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="honors"
    )
    kind = models.CharField(_("honour"), max_length=20, choices=HonorKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honors",
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.PROTECT,
        related_name="honors",
    )
    title = models.CharField(_("title"), max_length=200)
    awarded_on = models.DateField(_("awarded on"))
    round = models.ForeignKey(
        HonorRound,
        verbose_name=_("round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honors",
    )
    nomination = models.OneToOneField(
        Nomination,
        verbose_name=_("nomination"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honor",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = ScopeLookups(hospital="hospital", organization="organization", person="person")
    scope_area = "points"

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-awarded_on", "-pk"]
        indexes = [models.Index(fields=["hospital", "awarded_on"], name="points_honor_date")]

    def __str__(self) -> str:
        who = self.person.name if self.person_id else self.organization.name
        return f"{who} · {self.title}"

    @property
    def is_branch_honor(self) -> bool:
        return self.person_id is None

    def delete_blockers(self) -> list[str]:
        if self.nomination_id:
            return [_("The honour was approved in a selection round: it is kept.")]
        from ..services.ledger import closed_years
        from ..services.periods import cycle_year

        if self.person_id and cycle_year(self.awarded_on, self.hospital_id) in closed_years(self.hospital_id):
            return [_("Its points are in a closed year: the record is kept.")]
        return []
