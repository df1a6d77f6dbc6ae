"""Values (指标值): what the statistics office enters each month, closed months, and the monthly rollups."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel, ScopedManager
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Department, Hospital, PartyOrganization

from ..choices import ValueSource
from .indicators import Indicator


class IndicatorValue(HQModel):
    """One entered value: one indicator, one department (or the whole hospital), one month.

    Written only through ``services.values`` (the grid, the import, the API): they refuse a closed
    month and a value out of range or of the wrong unit, and flag one that departs sharply from the
    department's history (``flagged``: a warning, never a refusal).
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_values",
        help_text=_("Empty: the whole hospital"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    flagged = models.BooleanField(_("departs from history"), default=False)
    flag_note = models.CharField(_("warning"), max_length=200, blank=True)
    source = models.CharField(_("entered through"), max_length=10, choices=ValueSource.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope = ScopeLookups(hospital="hospital", department="department")
    scope_area = "assessment"

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["-month", "indicator__sort_order", "department__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "department", "month"],
                condition=Q(department__isnull=False),
                name="assessment_value_once_per_department_month",
            ),
            models.UniqueConstraint(
                fields=["indicator", "month"],
                condition=Q(department__isnull=True),
                name="assessment_value_once_per_hospital_month",
            ),
        ]
        indexes = [models.Index(fields=["hospital", "month"], name="assessment_value_month")]

    def __str__(self) -> str:
        where = self.department.name if self.department_id else _("whole hospital")
        return f"{self.indicator.name} · {where} · {self.month:%Y-%m}: {self.value.normalize():f}"

    def clean(self):
        from ..services.values import value_errors

        errors = {}
        if self.month and self.month.day != 1:
            self.month = self.month.replace(day=1)
        if self.indicator_id and self.hospital_id and self.indicator.hospital_id != self.hospital_id:
            errors["indicator"] = _("The indicator belongs to another hospital.")
        if self.department_id and self.hospital_id and self.department.hospital_id != self.hospital_id:
            errors["department"] = _("The department belongs to another hospital.")
        if self.indicator_id and "indicator" not in errors:
            errors.update(value_errors(self.indicator, self.value, self.department_id))
        if errors:
            raise ValidationError(errors)


class MonthClose(HQModel):
    """A month closed (locked) for a hospital: no value of it changes until it is re-opened with a reason."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="closed_months"
    )
    month = models.DateField(_("month"))
    closed = models.BooleanField(_("closed"), default=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("re-opened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("re-opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_reason = models.CharField(_("reason for re-opening"), max_length=300, blank=True)

    scope = ScopeLookups(hospital="hospital")
    scope_area = "assessment_setup"

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "month"], name="assessment_monthclose_once")
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.month:%Y-%m}"


class Rollup(models.Model):
    """The monthly aggregate table: an indicator's additive parts for one unit and month.

    Units: a department (``department``), a Party organisation (``organization``: a branch with its
    groups; for entered indicators the departments it was built on that month), or the whole
    hospital (both empty). ``num`` and ``den`` add up over units and months — a sum has ``den``
    empty, a mean ``den`` = the number of values, a weighted mean ``num`` = Σ value × weight and
    ``den`` = Σ weight, a computed rate its numerator and denominator — so any aggregate is
    Σnum / Σden and never an average of ratios. Rebuilt from the records and values
    (``services.rollups``); the drill-down pages show those, and they add up to the rollups.
    """

    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="rollups")
    organization = models.ForeignKey(
        PartyOrganization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    num = models.DecimalField(max_digits=22, decimal_places=6)
    den = models.DecimalField(max_digits=22, decimal_places=6, null=True, blank=True)
    count = models.PositiveIntegerField(default=0)  # records or values behind it
    computed = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope = ScopeLookups(hospital="hospital", organization="organization", department="department")
    scope_area = "assessment"
    audit_exclude = True  # derived data: the values and records it comes from are audited

    class Meta:
        verbose_name = _("monthly aggregate")
        verbose_name_plural = _("monthly aggregates")
        indexes = [
            models.Index(fields=["hospital", "month"], name="assessment_rollup_month"),
            models.Index(fields=["indicator", "organization", "month"], name="assessment_rollup_org"),
            models.Index(fields=["indicator", "department", "month"], name="assessment_rollup_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.organization_id}/{self.department_id} {self.month}: {self.num}/{self.den}"


class RollupState(models.Model):
    """Per hospital: from which month the Party rollups are stale, and a version for caches.

    Signals on the records the Party indicators read (meetings, attendance, dues, development, …)
    move ``party_stale_from`` back; pages refresh the stale months before reading. ``version``
    grows with every change of values, rollups or scores (the cockpit's cache key).
    """

    hospital = models.OneToOneField(Hospital, on_delete=models.CASCADE, related_name="+")
    party_stale_from = models.DateField(null=True, blank=True)
    entered_stale_from = models.DateField(null=True, blank=True)  # a branch–department link changed
    party_refreshed = models.DateTimeField(null=True, blank=True)
    version = models.PositiveBigIntegerField(default=0)

    audit_exclude = True

    def __str__(self) -> str:
        return f"{self.hospital_id}: stale from {self.party_stale_from}, v{self.version}"
