"""Tables of the dues lists; their columns are also the Excel export's."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hongqing.core.tables import HQTable

from .models import DuesBase, DuesPayment


class DuesBaseTable(HQTable):
    staff_no = tables.Column(
        accessor="membership__person__staff_no",
        verbose_name=_("staff number"),
        order_by="membership__person__staff_no",
    )
    name = tables.Column(
        accessor="membership__person__name",
        verbose_name=pgettext_lazy("person", "name"),
        linkify=lambda record: record.get_absolute_url(),
        order_by="membership__person__name_pinyin",
    )
    organization = tables.Column(
        accessor="membership__organization__name",
        verbose_name=_("Party organisation"),
        order_by="membership__organization__path",
    )
    monthly = tables.Column(verbose_name=_("monthly dues (yuan)"), attrs={"td": {"class": "text-end"}})
    base = tables.Column(attrs={"td": {"class": "text-end"}})
    rate = tables.Column(attrs={"td": {"class": "text-end"}})
    change_reason = tables.Column(verbose_name=_("reason for a change in the year"))

    def __init__(self, *args, cap=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap

    def render_rate(self, value):
        return "" if not value else f"{value * 100:.1f}%"

    def value_rate(self, value):
        return self.render_rate(value)

    def render_monthly(self, value):
        if self.cap is not None and value > self.cap:
            return format_html(
                '{} <span class="badge text-bg-warning dues-cap" title="{}">{}</span>',
                value,
                _("Monthly dues above %(cap)s yuan are voluntary.") % {"cap": self.cap},
                _("over the cap"),
            )
        return value

    def value_monthly(self, value):
        return value

    class Meta(HQTable.Meta):
        model = DuesBase
        fields = [
            "staff_no",
            "name",
            "organization",
            "year",
            "category",
            "base",
            "rate",
            "monthly",
            "change_reason",
        ]


class DuesPaymentTable(HQTable):
    staff_no = tables.Column(
        accessor="membership__person__staff_no",
        verbose_name=_("staff number"),
        order_by="membership__person__staff_no",
    )
    name = tables.Column(
        accessor="membership__person__name",
        verbose_name=pgettext_lazy("person", "name"),
        linkify=lambda record: record.get_absolute_url(),
        order_by="membership__person__name_pinyin",
    )
    organization = tables.Column(
        accessor="membership__organization__name",
        verbose_name=_("Party organisation"),
        order_by="membership__organization__path",
    )
    amount = tables.Column(attrs={"td": {"class": "text-end"}})

    class Meta(HQTable.Meta):
        model = DuesPayment
        fields = ["staff_no", "name", "organization", "year", "month", "amount", "paid_on", "kind", "note"]
