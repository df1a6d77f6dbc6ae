"""Schemes (考核方案) and dual scorecards (双目标考核): weights, targets, scoring, and the stored scores."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital, PartyOrganization

from ..choices import Method, PeriodKind
from .indicators import Indicator


class Scheme(HQModel):
    """A hospital's scheme of a year: the indicators scored, their weights, targets and methods.

    The Party-building items (their weights add up to 100) give each branch its Party-building score
    from its own records; the business items (also 100) give its business score from the departments
    it is built on. ``party_share`` is the Party score's share of the total.
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="schemes"
    )
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period = models.CharField(
        _("scored"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    party_share = models.DecimalField(
        _("Party building's share of the total (%)"),
        max_digits=5,
        decimal_places=2,
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope = ScopeLookups(hospital="hospital", organization="hospital__party_organizations")
    scope_area = "assessment_setup"

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "year", "name"], name="assessment_scheme_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def delete_blockers(self) -> list[str]:
        if self.scorecards.exists():
            return [_("Scores were computed with this scheme: make it inactive instead.")]
        return []


class SchemeItem(HQModel):
    """One indicator of a scheme: its weight within its family, its target and how it is scored.

    - linear to target: higher is better — (value − floor) / (target − floor), floor 0 by default;
      lower is better — (floor − value) / (floor − target), floor the value that scores nothing
      (twice the target by default); clamped to 0…1. A sum's target is for the whole period and is
      taken pro rata for the months scored so far.
    - threshold bands: ``bands`` = [[threshold, percent], …]; a value at a threshold is in its band
      (≥ for higher is better, ≤ for lower); below every band: 0.
    - rank within peers: the branches of the hospital ranked by the value (best first):
      (n − rank) / (n − 1); ties share the better rank.
    """

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="items"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="scheme_items"
    )
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    method = models.CharField(_("scoring"), max_length=10, choices=Method.choices, default=Method.LINEAR)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    floor = models.DecimalField(
        _("zero-score value"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Linear scoring: the value that scores nothing"),
    )
    bands = models.JSONField(
        _("bands"), default=list, blank=True, help_text=_("Threshold bands: [[threshold, percent], …]")
    )
    sort_order = models.PositiveIntegerField(_("order"), default=100)

    scope = ScopeLookups(hospital="scheme__hospital", organization="scheme__hospital__party_organizations")
    scope_area = "assessment_setup"

    class Meta:
        verbose_name = _("scheme item")
        verbose_name_plural = _("scheme items")
        ordering = ["scheme", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="assessment_schemeitem_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.weight}"

    def clean(self):
        from ..services.scoring import item_errors

        errors = item_errors(self)
        if errors:
            raise ValidationError(errors)


class DualScorecard(HQModel):
    """A branch's dual scorecard (双目标) of one period of a scheme, stored with what it came from.

    ``components`` holds, per scheme item, the indicator, its value and parts, the target, the
    method, the share of the weight earned and the points — each with the unit and months it was
    read from, so the page shows every component and links to its records.
    """

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="scorecards"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="scorecards"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    through = models.DateField(_("data through"), help_text=_("The last month scored"))
    party_score = models.DecimalField(_("Party-building score"), max_digits=6, decimal_places=2, null=True)
    business_score = models.DecimalField(_("business score"), max_digits=6, decimal_places=2, null=True)
    total_score = models.DecimalField(_("total score"), max_digits=6, decimal_places=2, null=True)
    party_grade = models.CharField(_("Party-building grade"), max_length=20, blank=True)
    business_grade = models.CharField(_("business grade"), max_length=20, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    party_rank = models.PositiveSmallIntegerField(_("Party-building rank"), null=True)
    business_rank = models.PositiveSmallIntegerField(_("business rank"), null=True)
    total_rank = models.PositiveSmallIntegerField(_("rank"), null=True)
    peers = models.PositiveSmallIntegerField(_("branches scored"), default=0)
    components = models.JSONField(_("components"), default=list)
    computed = models.DateTimeField(_("computed"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeLookups(hospital="hospital", organization="organization")
    scope_area = "assessment"
    # Derived from the scheme and the records; computing is the audited event (scores_computed).
    audit_exclude = True

    class Meta:
        verbose_name = _("dual scorecard")
        verbose_name_plural = _("dual scorecards")
        ordering = ["-period_start", "total_rank", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "organization", "period_start"], name="assessment_scorecard_once"
            )
        ]
        indexes = [models.Index(fields=["hospital", "period_start"], name="assessment_scorecard_period")]

    def __str__(self) -> str:
        from ..services.scoring import period_label

        return f"{self.organization} · {period_label(self.period_start, self.period_end)}"

    def clean(self):
        if self.period_end and self.period_start and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The end is before the start.")})
