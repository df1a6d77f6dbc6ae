from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Family(models.TextChoices):
    """The two families of indicators (党建指标 / 业务指标)."""

    PARTY = "party", _("Party building")
    BUSINESS = "business", _("Business")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    """How values add up over departments and months (a ratio is never an average of ratios)."""

    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    WEIGHTED_MEAN = "weighted_mean", _("Weighted mean")
    RATIO = "ratio", _("Ratio of totals")
    LATEST = "latest", _("Latest")


class Source(models.TextChoices):
    ENTERED = "entered", _("Entered")
    COMPUTED = "computed", _("Computed from records")
    FORMULA = "formula", _("Formula over indicators")


class EntryLevel(models.TextChoices):
    DEPARTMENT = "department", _("Per department")
    HOSPITAL = "hospital", pgettext_lazy("entry level", "For the whole hospital")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Yearly")
    QUARTER = "quarter", _("Quarterly")


class Method(models.TextChoices):
    """How an indicator's value becomes a share of its weight."""

    LINEAR = "linear", _("Linear to target")
    BANDS = "bands", _("Threshold bands")
    RANK = "rank", _("Rank within peers")


class ValueSource(models.TextChoices):
    GRID = "grid", _("Monthly grid")
    IMPORT = "import", _("Excel import")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")


class OwnerRole(models.TextChoices):
    SECRETARY = "secretary", _("Branch secretary")
    HEAD = "head", _("Department head")


class ItemKind(models.TextChoices):
    INDICATOR = "indicator", _("Indicator target")
    DUTY = "duty", _("Party duty")
    TEXT = "text", _("Free text")


class ItemStatus(models.TextChoices):
    DONE = "done", _("Done")
    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Overdue")
