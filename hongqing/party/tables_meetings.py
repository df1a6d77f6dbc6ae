"""The meeting and major-matter lists (their columns are also the Excel export's)."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hongqing.core.tables import HQTable

from .choices import MeetingStatus
from .models import MajorMatter, Meeting

STATUS_BADGES = {
    MeetingStatus.PLANNED: "text-bg-info",
    MeetingStatus.HELD: "text-bg-success",
    MeetingStatus.CANCELLED: "text-bg-light border",
}


class MeetingTable(HQTable):
    start = tables.Column(linkify=True, verbose_name=_("time"))
    topic = tables.Column(linkify=True)
    status = tables.Column()
    attendance = tables.Column(
        verbose_name=_("present / expected"), accessor="present_count", orderable=False, empty_values=()
    )

    def render_start(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"

    def value_start(self, value):
        return self.render_start(value)

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_BADGES.get(record.status, ""),
            record.get_status_display(),
        )

    def value_status(self, record):
        return record.get_status_display()

    def render_attendance(self, record):
        if record.status != MeetingStatus.HELD:
            return "—"
        return f"{record.present_count} / {record.expected_count}"

    def value_attendance(self, record):
        return self.render_attendance(record)

    class Meta(HQTable.Meta):
        model = Meeting
        fields = ["start", "topic", "kind", "status", "organization", "place", "host", "attendance"]


class MajorMatterTable(HQTable):
    title = tables.Column(linkify=True)
    items = tables.Column(verbose_name=_("agenda items"), accessor="item_count")
    decided = tables.BooleanColumn(verbose_name=_("decided"), accessor="is_decided", orderable=False)

    class Meta(HQTable.Meta):
        model = MajorMatter
        fields = ["title", "category", "amount", "items", "decided", "hospital"]
