"""Dues (党费): each member's yearly base and monthly amount, and the monthly payments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.people.models import Membership

from ..choices import DuesCategory, PaymentKind


class DuesBase(HQModel):
    """A member's dues base for a year (fixed at the start of the year) and the monthly amount it gives."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="dues_bases"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    category = models.CharField(
        _("category"), max_length=10, choices=DuesCategory.choices, default=DuesCategory.SALARIED
    )
    base = models.DecimalField(
        _("monthly base (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    items = models.JSONField(
        _("pay items"), default=dict, blank=True, help_text=_("Included pay items and amounts")
    )
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4, default=0, editable=False)
    monthly = models.DecimalField(
        _("monthly dues (yuan)"), max_digits=10, decimal_places=2, default=0, editable=False
    )
    change_reason = models.CharField(_("reason for a change in the year"), max_length=200, blank=True)

    scope = ScopeLookups(
        hospital="membership__organization__hospital",
        organization="membership__organization",
        person="membership__person",
    )
    scope_area = "dues"

    class Meta:
        verbose_name = _("dues base")
        verbose_name_plural = _("dues bases")
        ordering = ["year", "membership__person__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "year"], name="party_duesbase_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.membership.person.name} {self.year}: {self.monthly}"

    def clean(self):
        if self.base is not None and self.base < 0:
            raise ValidationError({"base": _("The base cannot be negative.")})

    def delete_blockers(self) -> list[str]:
        if DuesPayment.objects.filter(membership_id=self.membership_id, year=self.year).exists():
            return [_("Dues of this year have been paid on this base.")]
        return []


class DuesPayment(HQModel):
    """One month's dues paid by a member (on time, in advance or made up)."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    paid_on = models.DateField(_("paid on"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=PaymentKind.choices, default=PaymentKind.REGULAR
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope = ScopeLookups(
        hospital="membership__organization__hospital",
        organization="membership__organization",
        person="membership__person",
    )
    scope_area = "dues"

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "year", "month"], name="party_duespayment_once_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership.person.name} {self.year}-{self.month:02d}: {self.amount}"

    def clean(self):
        from django.utils import timezone

        if self.paid_on and self.paid_on > timezone.localdate():
            raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
