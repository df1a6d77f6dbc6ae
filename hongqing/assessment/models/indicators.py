"""The indicator catalogue (指标): what a hospital measures, how, and how the values add up."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital

from ..choices import Aggregation, Direction, EntryLevel, Family, Source
from ..formulas import CODE_RE

code_validator = RegexValidator(
    CODE_RE,
    _("Lower-case letters, digits and _, starting with a letter (it is how formulas name the indicator)."),
)

# Aggregations an entered indicator may have (a ratio is written as a formula over its parts).
ENTERED_AGGREGATIONS = (Aggregation.SUM, Aggregation.MEAN, Aggregation.WEIGHTED_MEAN, Aggregation.LATEST)


class Indicator(HQModel):
    """A measured quantity of one hospital: Party building (computed from records) or business (entered).

    - ``source = entered``: the statistics office enters a value per department (or for the whole
      hospital) and month; ``aggregation`` says how they add up over departments and months (sum,
      mean, weighted mean by the ``weight`` indicator, latest).
    - ``source = computed``: ``computation`` names a function of ``assessment.computations`` over
      HongQing's records (meetings, duties, dues, …); it gives the parts (numerator, denominator) of
      every organisation and month, and the records behind them.
    - ``source = formula``: ``formula`` over other indicators' codes, evaluated on their aggregates
      (a share of a year is the year's numerator over the year's denominator).
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. %, 人次, 天, 元"))
    family = models.CharField(_("family"), max_length=10, choices=Family.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    aggregation = models.CharField(
        _("aggregation"), max_length=20, choices=Aggregation.choices, default=Aggregation.SUM
    )
    weight = models.ForeignKey(
        "self",
        verbose_name=_("weighted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a weighted mean: the indicator whose values weigh each department's value"),
    )
    entry_level = models.CharField(
        _("entered"), max_length=10, choices=EntryLevel.choices, default=EntryLevel.DEPARTMENT
    )
    computation = models.CharField(_("computation"), max_length=40, blank=True)
    formula = models.CharField(
        _("formula"),
        max_length=300,
        blank=True,
        help_text=_(
            "Indicator codes with + - * / and brackets; prior(code) is the same period a year earlier"
        ),
    )
    decimals = models.PositiveSmallIntegerField(
        _("decimal places"), default=2, help_text=_("0 for counts: values are whole numbers")
    )
    min_value = models.DecimalField(_("minimum"), max_digits=16, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=16, decimal_places=4, null=True, blank=True)
    dimension = models.CharField(
        _("dimension"), max_length=30, blank=True, help_text=_("e.g. 医疗质量, 运营效率, 满意度评价")
    )
    description = models.TextField(_("description"), blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True, help_text=_("Its source"))
    headline = models.BooleanField(_("on the cockpit"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    scope = ScopeLookups(hospital="hospital", organization="hospital__party_organizations")
    # The catalogue is the hospital's: only hospital-wide roles change it (accounts.roles). Pages of
    # a branch read it under the "assessment" area (an organisation's grant reaches its hospital's).
    scope_area = "assessment_setup"

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["family", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "code"], name="assessment_indicator_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def is_entered(self) -> bool:
        return self.source == Source.ENTERED

    @property
    def is_share(self) -> bool:
        return self.unit.strip() == "%"

    @property
    def is_ratio(self) -> bool:
        """A value that is a quotient (a share, a rate): a target of zero means nothing for it."""
        from ..computations import registry

        if self.source == Source.FORMULA:
            return "/" in self.formula
        if self.source == Source.COMPUTED:
            comp = registry().get(self.computation)
            return bool(comp and comp.is_ratio)
        return self.is_share or self.aggregation == Aggregation.WEIGHTED_MEAN

    @property
    def lower_is_better(self) -> bool:
        return self.direction == Direction.LOWER

    def clean(self):
        from ..services.catalogue import indicator_errors

        errors = indicator_errors(self)
        if errors:
            raise ValidationError(errors)

    def delete_blockers(self) -> list[str]:
        from .schemes import SchemeItem
        from .values import IndicatorValue

        reasons = []
        if IndicatorValue.objects.filter(indicator=self).exists():
            reasons.append(_("Values of this indicator are on record: make it inactive instead."))
        if SchemeItem.objects.filter(indicator=self).exists():
            reasons.append(_("A scheme uses this indicator."))
        users = Indicator.objects.filter(hospital_id=self.hospital_id, weight=self)
        if users.exists():
            reasons.append(
                _("These indicators are weighted by it: %(names)s") % {"names": "、".join(map(str, users))}
            )
        formulas = [
            i.name
            for i in Indicator.objects.filter(hospital_id=self.hospital_id, source=Source.FORMULA).exclude(
                pk=self.pk
            )
            if self.code in _codes(i.formula)
        ]
        if formulas:
            reasons.append(_("These formulas use it: %(names)s") % {"names": "、".join(formulas)})
        return reasons


def _codes(text: str) -> frozenset[str]:
    from ..formulas import FormulaError, parse

    try:
        return parse(text).codes
    except FormulaError:
        return frozenset()
