"""Yearly study plans (学习清单): per level, with topics, months and hours; sessions cover the items."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization

from ..choices import PlanLevel, StudyMode


class StudyPlan(HQModel):
    """An organisation's study plan of a year for one level (committee study group, branches, members).

    The Party office publishes the hospital's plans (owned by the committee); a branch may publish its
    own. A draft is published once (``published_on``); the items are the topics to study.
    """

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.PROTECT,
        related_name="study_plans",
    )
    level = models.CharField(_("level"), max_length=20, choices=PlanLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)

    scope = ScopeLookups(hospital="organization__hospital", organization="organization")
    scope_area = "learning"

    class Meta:
        verbose_name = _("study plan")
        verbose_name_plural = _("study plans")
        ordering = ["-year", "organization__path", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "level", "year"], name="learning_plan_once_per_level_year"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_on is not None

    def clean(self):
        errors = {}
        if self.year is not None and not 2000 <= self.year <= 2100:
            errors["year"] = _("Enter a year from 2000 to 2100.")
        org = self.organization if self.organization_id else None
        if org is not None and self.level == PlanLevel.COMMITTEE_GROUP and org.kind != OrgKind.COMMITTEE:
            errors["level"] = _("The committee theory study group's plan belongs to the Party committee.")
        if org is not None and org.kind in (OrgKind.DISCIPLINE_COMMITTEE, OrgKind.GROUP):
            errors["organization"] = _(
                "A study plan is published by the committee, a general branch or a branch."
            )
        if errors:
            raise ValidationError(errors)

    def delete_blockers(self) -> list[str]:
        if self.pk and StudyPlanItem.objects.filter(plan=self, sessions__isnull=False).exists():
            return [_("Sessions have covered items of this plan: it is kept.")]
        return []


class StudyPlanItem(HQModel):
    """One topic of a plan: when (a month, or any), how many hours, and the sessions that covered it."""

    plan = models.ForeignKey(
        StudyPlan, verbose_name=_("study plan"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    topic = models.CharField(_("topic"), max_length=200)
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, help_text=_("Empty: any month")
    )
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, null=True, blank=True)
    mode = models.CharField(_("study mode"), max_length=20, choices=StudyMode.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = ScopeLookups(hospital="plan__organization__hospital", organization="plan__organization")
    scope_area = "learning"

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.topic

    def clean(self):
        errors = {}
        if self.month is not None and not 1 <= self.month <= 12:
            errors["month"] = _("Enter a month from 1 to 12.")
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = _("Hours must be more than zero.")
        if errors:
            raise ValidationError(errors)

    def delete_blockers(self) -> list[str]:
        if self.pk and self.sessions.exists():
            return [_("Sessions have covered this item: it is kept.")]
        return []
