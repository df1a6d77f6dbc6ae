"""The point catalogue (积分规则) of a hospital: what earns or deducts points, how much, up to what cap."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital

from ..choices import CapPeriod


class PointRule(HQModel):
    """One item of a hospital's catalogue: the record type that triggers it, the points, a cap per period.

    ``amount`` is per record (per hour for volunteering by hours); negative deducts. ``kinds`` narrows
    the records (meeting kinds, honour kinds, …; empty: all), ``min_score`` a quiz's passing score.
    Once the rule has ledger lines its trigger and conditions stay (end it and add a new rule to
    change them); its amount and cap may change, for the records awarded from then on.

    Everyone of the hospital reads the catalogue — a secretary to propose manual items, a member to
    see how points are earned — hence the organisation and person lookups through the hospital; only
    the Party office changes it (``points.access``).
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="point_rules"
    )
    name = models.CharField(_("item"), max_length=100)
    trigger = models.CharField(
        _("record type"), max_length=40, help_text=_("The kind of record that earns or deducts these points")
    )
    amount = models.DecimalField(
        _("points"),
        max_digits=7,
        decimal_places=2,
        help_text=_("Per record (per hour for volunteering by hours); negative deducts"),
    )
    cap = models.DecimalField(
        _("cap"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("At most this many points from this item per period; empty: no cap"),
    )
    cap_period = models.CharField(_("cap period"), max_length=10, choices=CapPeriod.choices, blank=True)
    kinds = models.JSONField(
        _("only these kinds"), default=list, blank=True, help_text=_("Empty: records of every kind")
    )
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("For a quiz: only an attempt with at least this score (out of 100)"),
    )
    active_from = models.DateField(_("effective from"))
    active_to = models.DateField(_("effective until"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    scope = ScopeLookups(
        hospital="hospital", organization="hospital__party_organizations", person="hospital__persons"
    )
    scope_area = "points"

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["hospital", "sort_order", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="points_rule_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gt=0), name="points_rule_cap_positive"
            ),
            models.CheckConstraint(
                condition=Q(cap__isnull=True, cap_period="") | (Q(cap__isnull=False) & ~Q(cap_period="")),
                name="points_rule_cap_has_period",
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="points_rule_active_to_after_from",
            ),
        ]
        indexes = [models.Index(fields=["hospital", "trigger"], name="points_rule_hospital_trigger")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deduction(self) -> bool:
        return self.amount is not None and self.amount < 0

    def trigger_obj(self):
        from ..triggers import get

        return get(self.trigger)

    def get_trigger_display(self) -> str:
        t = self.trigger_obj()
        return str(t.label) if t else self.trigger

    def active_on(self, day) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)

    def clean(self):
        from .. import triggers

        errors: dict = {}
        trigger = triggers.get(self.trigger) if self.trigger else None
        if self.trigger and trigger is None:
            errors["trigger"] = _("Unknown record type.")
        if self.amount is not None and self.amount == 0:
            errors["amount"] = _("Enter a number of points other than zero.")
        elif self.amount is not None and trigger is not None:
            if trigger.deduction and self.amount > 0:
                errors["amount"] = _("%(trigger)s deducts points: enter a negative number.") % {
                    "trigger": trigger.label
                }
            elif trigger.addition and self.amount < 0:
                errors["amount"] = _("%(trigger)s earns points: enter a positive number.") % {
                    "trigger": trigger.label
                }
        if self.cap is not None and self.cap <= 0:
            errors["cap"] = _("A cap is a positive number of points (leave it empty for no cap).")
        elif self.cap is not None and not self.cap_period:
            errors["cap_period"] = _("Choose the period the cap counts over.")
        elif self.cap is None and self.cap_period:
            errors["cap"] = _("Enter the cap of the period, or leave the period empty.")
        if self.active_from and self.active_to and self.active_to < self.active_from:
            errors["active_to"] = _("The end is before the start.")
        if trigger is not None:
            allowed = {value for value, _label in trigger.kind_choices()}
            kinds = self.kinds or []
            if not isinstance(kinds, list) or any(k not in allowed for k in kinds):
                errors["kinds"] = _("Choose kinds of %(trigger)s.") % {"trigger": trigger.label}
            if self.min_score is not None and not trigger.scored:
                errors["min_score"] = _("Only a quiz has a minimum score.")
            elif self.min_score is not None and self.min_score < 0:
                errors["min_score"] = _("A score cannot be negative.")
        if self.pk and self.trigger:
            old = type(self)._base_manager.filter(pk=self.pk).values("trigger", "kinds", "min_score").first()
            if old and self.entries.exists():
                changed = (
                    old["trigger"] != self.trigger
                    or sorted(old["kinds"] or []) != sorted(self.kinds or [])
                    or (old["min_score"] is None) != (self.min_score is None)
                    or (old["min_score"] is not None and Decimal(old["min_score"]) != self.min_score)
                )
                if changed:
                    errors["trigger"] = _(
                        "The rule has points on record: its record type and conditions stay. "
                        "End it and add a new rule instead."
                    )
        if errors:
            raise ValidationError(errors)

    def delete_blockers(self) -> list[str]:
        if self.pk and self.entries.exists():
            return [_("The rule has points on record: end it (effective until) instead of deleting it.")]
        if self.pk and self.proposals.exists():
            return [_("Proposals name this rule.")]
        return []
