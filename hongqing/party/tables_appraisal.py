"""The appraisal list (its columns are also the Excel export's)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hongqing.core.tables import HQTable

from .choices import AppraisalStage
from .models import AppraisalCampaign

STAGE_BADGES = {AppraisalStage.CLOSED: "text-bg-success"}


class AppraisalCampaignTable(HQTable):
    year = tables.Column(linkify=True)
    organization = tables.Column(linkify=True)
    stage = tables.Column()
    entries = tables.Column(verbose_name=_("members appraised"), accessor="entry_count")

    def render_stage(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            STAGE_BADGES.get(record.stage, "text-bg-primary"),
            record.get_stage_display(),
        )

    def value_stage(self, record):
        return record.get_stage_display()

    class Meta(HQTable.Meta):
        model = AppraisalCampaign
        fields = ["year", "organization", "stage", "entries", "congress"]
