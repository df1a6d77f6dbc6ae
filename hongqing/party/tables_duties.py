"""The duty list's table (also the Excel export's columns)."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hongqing.core.tables import HQTable
from hongqing.core.urls_helpers import pk_url

from .models import DutyStatus, Obligation
from .services.duties import STATUS_CLASSES, STATUS_ICONS, OutsideRecord, duty_label, period_label, status_of


def detail_url(obj) -> str:
    """A record's page (a meeting, a term, an appraisal, a duty, outside records), or "" when it has none yet."""
    if isinstance(obj, OutsideRecord):
        return obj.url
    return pk_url(obj.url_name("detail"), obj.pk) if obj is not None and hasattr(obj, "url_name") else ""


def record_text(obj) -> str:
    """A satisfying record in a list cell: a meeting's topic (its date is the duty's "done on"), else its name."""
    topic = getattr(obj, "topic", None)
    return topic if topic else str(obj)


def board_url(record):
    return f"{pk_url('party:duty_board', record.organization_id)}?year={record.period_start.year}"


class ObligationTable(HQTable):
    organization = tables.Column(verbose_name=_("Party organisation"), linkify=board_url)
    code = tables.Column(verbose_name=_("duty"), linkify=lambda record: detail_url(record))
    period = tables.Column(verbose_name=_("period"), accessor="period_start", order_by=("period_start",))
    due = tables.Column()
    status = tables.Column(verbose_name=_("status"), empty_values=(), orderable=False)
    done_count = tables.Column(verbose_name=_("done"))
    done_on = tables.Column()
    record = tables.Column(verbose_name=_("record"), empty_values=(), orderable=False)

    def render_code(self, value):
        return duty_label(value)

    def value_code(self, value):
        return duty_label(value)

    def render_period(self, record):
        return period_label(record.period_start, record.period_end)

    def value_period(self, record):
        return self.render_period(record)

    def render_status(self, record):
        status = status_of(record, timezone.localdate())
        return format_html(
            '<span class="badge text-bg-{} border"><i class="bi bi-{}"></i> {}</span>',
            STATUS_CLASSES[status],
            STATUS_ICONS[status],
            DutyStatus(status).label,
        )

    def value_status(self, record):
        return str(DutyStatus(status_of(record, timezone.localdate())).label)

    def render_done_count(self, record):
        return f"{record.done_count}/{record.required}"

    def value_done_count(self, record):
        return self.render_done_count(record)

    def render_record(self, record):
        obj = record.record
        if obj is None:
            return "—"
        url = detail_url(obj)
        text = record_text(obj)
        return format_html('<a href="{}">{}</a>', url, text) if url else text

    def value_record(self, record):
        return record_text(record.record) if record.record is not None else ""

    class Meta(HQTable.Meta):
        model = Obligation
        fields = ["organization", "code", "period", "due", "status", "done_count", "done_on", "record"]
        sequence = fields
