"""The assessment lists' tables (also their Excel exports' columns)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hongqing.core.tables import HQTable
from hongqing.party.tables_duties import pk_url

from .models import DualScorecard, Indicator, IndicatorValue, ResponsibilityList, Scheme
from .periods import month_label, period_label


def number(value) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class IndicatorTable(HQTable):
    code = tables.Column(linkify=lambda record: pk_url("assessment:indicator_detail", record.pk))
    name = tables.Column()
    unit = tables.Column()
    family = tables.Column()
    direction = tables.Column()
    source = tables.Column()
    aggregation = tables.Column()
    dimension = tables.Column()
    is_active = tables.BooleanColumn()

    class Meta(HQTable.Meta):
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "family",
            "direction",
            "source",
            "aggregation",
            "dimension",
            "is_active",
        ]
        sequence = fields


class IndicatorValueTable(HQTable):
    month = tables.Column(linkify=lambda record: pk_url("assessment:indicatorvalue_detail", record.pk))
    indicator = tables.Column(accessor="indicator__name", order_by=("indicator__sort_order",))
    department = tables.Column(accessor="department__name", default="—", order_by=("department__path",))
    value = tables.Column()
    flagged = tables.Column(verbose_name=_("warning"), orderable=False, empty_values=())
    source = tables.Column()
    updated = tables.DateTimeColumn(format="Y-m-d H:i")

    def render_month(self, value):
        return month_label(value)

    def value_month(self, value):
        return value.strftime("%Y-%m")

    def render_value(self, record):
        return f"{number(record.value)} {record.indicator.unit}"

    def value_value(self, record):
        return float(record.value)

    def render_flagged(self, record):
        if not record.flagged:
            return "—"
        return format_html(
            '<span class="badge text-bg-warning" title="{}"><i class="bi bi-exclamation-triangle"></i> {}</span>',
            record.flag_note,
            _("departs from history"),
        )

    def value_flagged(self, record):
        return record.flag_note if record.flagged else ""

    class Meta(HQTable.Meta):
        model = IndicatorValue
        fields = ["month", "indicator", "department", "value", "flagged", "source", "updated"]
        sequence = fields


class SchemeTable(HQTable):
    name = tables.Column(linkify=lambda record: pk_url("assessment:scheme_detail", record.pk))
    year = tables.Column()
    period = tables.Column()
    hospital = tables.Column()
    party_share = tables.Column()
    is_active = tables.BooleanColumn()

    class Meta(HQTable.Meta):
        model = Scheme
        fields = ["name", "year", "period", "hospital", "party_share", "is_active"]
        sequence = fields


class DualScorecardTable(HQTable):
    organization = tables.Column(linkify=lambda record: pk_url("assessment:dualscorecard_detail", record.pk))
    period = tables.Column(verbose_name=_("period"), accessor="period_start", order_by=("period_start",))
    party_score = tables.Column()
    business_score = tables.Column()
    total_score = tables.Column()
    grade = tables.Column()
    total_rank = tables.Column()
    through = tables.Column()

    def render_period(self, record):
        return period_label(record.period_start, record.period_end)

    def value_period(self, record):
        return self.render_period(record)

    def render_through(self, value):
        return month_label(value)

    class Meta(HQTable.Meta):
        model = DualScorecard
        fields = [
            "organization",
            "period",
            "party_score",
            "business_score",
            "total_score",
            "grade",
            "total_rank",
            "through",
        ]
        sequence = fields


class ResponsibilityListTable(HQTable):
    owner = tables.Column(
        accessor="owner__name",
        linkify=lambda record: pk_url("assessment:responsibilitylist_detail", record.pk),
    )
    role = tables.Column()
    organization = tables.Column()
    department = tables.Column(default="—")
    year = tables.Column()
    item_count = tables.Column(verbose_name=_("items"), orderable=False)

    class Meta(HQTable.Meta):
        model = ResponsibilityList
        fields = ["owner", "role", "organization", "department", "year", "item_count"]
        sequence = fields
