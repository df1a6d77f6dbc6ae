"""Duty lists (党务清单): what each organisation owes in each period, generated from the duty rules.

A duty is done when a record satisfies it (a held meeting of the right kind in the period) — nobody
ticks a box. Rows exist so that reminders can be sent once and the heat map reads one table.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import CommitteeTerm, PartyOrganization

from .appraisal import AppraisalCampaign
from .meetings import Meeting


class DutyStatus(models.TextChoices):
    DONE = "done", _("Done")
    OPEN = "open", _("Open")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Obligation(HQModel):
    """One duty of one organisation for one period (e.g. 产科党支部, monthly committee meeting, 2026-11)."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    code = models.CharField(_("duty"), max_length=60, help_text=_("The duty rule's key"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    due = models.DateField(_("due"))
    remind_from = models.DateField(
        _("reminded from"), null=True, blank=True, help_text=_("Due soon (amber) from this day")
    )
    required = models.PositiveSmallIntegerField(_("required"), default=1)
    done_count = models.PositiveSmallIntegerField(_("done"), default=0)
    satisfied_by = models.ForeignKey(
        Meeting,
        verbose_name=_("satisfied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    satisfied_by_term = models.ForeignKey(
        CommitteeTerm,
        verbose_name=_("satisfied by the term"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    satisfied_by_appraisal = models.ForeignKey(
        AppraisalCampaign,
        verbose_name=_("satisfied by the appraisal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    satisfied_by_other = models.CharField(
        _("satisfied by other records"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("The outside satisfier that decides the duty (study hours, talks …)"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    scope = ScopeLookups(hospital="organization__hospital", organization="organization")
    scope_area = "party"

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["period_start", "organization__path", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code", "period_start"], name="party_obligation_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["due", "done_on"], name="party_obligation_due")]

    def __str__(self) -> str:
        from ..services.duties import duty_label, period_label

        return f"{self.organization} · {duty_label(self.code)} · {period_label(self.period_start, self.period_end)}"

    def status_on(self, today: dt.date, remind_from: dt.date | None = None) -> str:
        remind_from = remind_from or self.remind_from
        if self.done_on:
            return DutyStatus.DONE
        if today > self.due:
            return DutyStatus.OVERDUE
        if remind_from is not None and today >= remind_from:
            return DutyStatus.DUE_SOON
        return DutyStatus.OPEN

    @property
    def record(self):
        """The record that satisfied the duty (a meeting, a new term, a closed appraisal, or the outside
        records of a satisfier such as the members' study hours), or None."""
        if self.satisfied_by_other:
            from ..services.duties import outside_record

            return outside_record(self)
        return self.satisfied_by or self.satisfied_by_term or self.satisfied_by_appraisal


class Reminder(models.Model):
    """A reminder sent for a duty: at most one of each kind per duty and recipient (a job may run twice)."""

    class Kind(models.TextChoices):
        AHEAD = "ahead", _("Ahead of the deadline")
        OVERDUE = "overdue", _("Overdue")

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent = models.DateTimeField(auto_now_add=True)
    emailed = models.BooleanField(default=False)

    audit_exclude = True

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["obligation", "recipient", "kind"], name="party_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id} → {self.recipient_id} ({self.kind})"
