"""Manual point items (手工积分): proposed by a branch, approved or rejected by the Party office."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital, PartyOrganization
from hongqing.people.models import Person

from ..choices import ProposalStatus
from .rules import PointRule


class PointProposal(HQModel):
    """A branch's proposal of a manual item for one member (a good deed, an outside commendation, a
    breach…). Not in the member's total until the Party office approves it; a rejected one never is.
    The approved proposal is the record its ledger line leads to.
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="point_proposals"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="point_proposals"
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="point_proposals",
    )
    rule = models.ForeignKey(
        PointRule, verbose_name=_("item"), on_delete=models.PROTECT, related_name="proposals"
    )
    amount = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    date = models.DateField(_("date"), help_text=_("When it happened"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    scope = ScopeLookups(hospital="hospital", organization="organization", person="person")
    scope_area = "points"

    class Meta:
        verbose_name = _("points proposal")
        verbose_name_plural = _("points proposals")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="points_proposal_amount_not_zero"),
        ]
        indexes = [models.Index(fields=["hospital", "status"], name="points_proposal_status")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.rule.name} {self.amount:+}"

    @property
    def is_pending(self) -> bool:
        return self.status == ProposalStatus.PENDING

    def delete_blockers(self) -> list[str]:
        if self.status != ProposalStatus.PENDING:
            return [_("A decided proposal is a record: it is kept.")]
        return []
