"""The points lists (their columns are also the Excel export's)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hongqing.core.tables import HQTable

from .choices import NominationStatus, ProposalStatus
from .models import Honor, HonorRound, Nomination, PointEntry, PointProposal, PointRule, Volunteering
from .notes import line_note

PROPOSAL_BADGES = {
    ProposalStatus.PENDING: "text-bg-warning",
    ProposalStatus.APPROVED: "text-bg-success",
    ProposalStatus.REJECTED: "text-bg-light border",
}
NOMINATION_BADGES = {
    NominationStatus.PROPOSED: "text-bg-info",
    NominationStatus.ENDORSED: "text-bg-warning",
    NominationStatus.DECLINED: "text-bg-light border",
    NominationStatus.APPROVED: "text-bg-success",
    NominationStatus.REJECTED: "text-bg-light border",
}


def signed(value) -> str:
    return f"{value:+.2f}".rstrip("0").rstrip(".") if value else "0"


def badge(css: str, text) -> str:
    return format_html('<span class="badge {}">{}</span>', css, text)


class PointEntryTable(HQTable):
    date = tables.Column(linkify=True)
    person = tables.Column(accessor="person__name", verbose_name=_("person"))
    label = tables.Column(verbose_name=_("record"))
    rule = tables.Column(accessor="rule__name", verbose_name=_("item"))
    amount = tables.Column(attrs={"td": {"class": "text-end text-nowrap"}})
    note = tables.Column(verbose_name=_("note"), accessor="pk", orderable=False)

    def render_date(self, value):
        return f"{value:%Y-%m-%d}"

    def value_date(self, value):
        return self.render_date(value)

    def render_amount(self, record):
        css = "text-success" if record.amount > 0 else ("text-danger" if record.amount < 0 else "text-muted")
        return format_html('<span class="fw-semibold {}">{}</span>', css, signed(record.amount))

    def value_amount(self, record):
        return float(record.amount)

    def render_note(self, record):
        return line_note(record)

    def value_note(self, record):
        return str(line_note(record))

    class Meta(HQTable.Meta):
        model = PointEntry
        fields = ["date", "person", "label", "rule", "kind", "amount", "note", "year"]


class PointRuleTable(HQTable):
    name = tables.Column(linkify=True)
    trigger = tables.Column(verbose_name=_("record type"))
    amount = tables.Column(attrs={"td": {"class": "text-end"}})
    cap = tables.Column(verbose_name=_("cap"), accessor="cap", empty_values=())
    active_from = tables.Column()
    active_to = tables.Column()

    def render_trigger(self, record):
        return record.get_trigger_display()

    def value_trigger(self, record):
        return record.get_trigger_display()

    def render_amount(self, record):
        return signed(record.amount)

    def value_amount(self, record):
        return float(record.amount)

    def render_cap(self, record):
        if record.cap is None:
            return "—"
        return _("%(cap)s in %(period)s") % {
            "cap": signed(record.cap).lstrip("+"),
            "period": record.get_cap_period_display(),
        }

    def value_cap(self, record):
        return str(self.render_cap(record))

    class Meta(HQTable.Meta):
        model = PointRule
        fields = ["name", "trigger", "amount", "cap", "active_from", "active_to", "hospital"]


class PointProposalTable(HQTable):
    created = tables.Column(linkify=True, verbose_name=_("proposed on"))
    person = tables.Column(accessor="person__name", verbose_name=_("member"))
    rule = tables.Column(accessor="rule__name", verbose_name=_("item"))
    amount = tables.Column(attrs={"td": {"class": "text-end"}})
    status = tables.Column()

    def render_created(self, value):
        return f"{value:%Y-%m-%d}"

    def value_created(self, value):
        return self.render_created(value)

    def render_amount(self, record):
        return signed(record.amount)

    def value_amount(self, record):
        return float(record.amount)

    def render_status(self, record):
        return badge(PROPOSAL_BADGES.get(record.status, ""), record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    class Meta(HQTable.Meta):
        model = PointProposal
        fields = ["created", "person", "organization", "rule", "amount", "date", "status"]


class VolunteeringTable(HQTable):
    date = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    participants = tables.Column(
        verbose_name=_("participants"), accessor="participant_count", orderable=False
    )
    hours_total = tables.Column(verbose_name=_("hours"), accessor="hours_total", orderable=False)

    def render_date(self, value):
        return f"{value:%Y-%m-%d}"

    def value_date(self, value):
        return self.render_date(value)

    def render_hours_total(self, value):
        return value or 0

    class Meta(HQTable.Meta):
        model = Volunteering
        fields = [
            "date",
            "title",
            "kind",
            "organizer",
            "served_unit",
            "people_served",
            "participants",
            "hours_total",
        ]


class HonorTable(HQTable):
    awarded_on = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    who = tables.Column(verbose_name=_("honoured"), accessor="pk", orderable=False)

    def render_awarded_on(self, value):
        return f"{value:%Y-%m-%d}"

    def value_awarded_on(self, value):
        return self.render_awarded_on(value)

    def render_who(self, record):
        return record.person.name if record.person_id else record.organization.name

    def value_who(self, record):
        return self.render_who(record)

    class Meta(HQTable.Meta):
        model = Honor
        fields = ["awarded_on", "who", "title", "kind", "organization"]


class HonorRoundTable(HQTable):
    title = tables.Column(linkify=True, accessor="pk", verbose_name=_("round"), orderable=False)
    nominations = tables.Column(verbose_name=_("nominations"), accessor="nomination_count", orderable=False)

    def render_title(self, record):
        return record.title

    def value_title(self, record):
        return record.title

    class Meta(HQTable.Meta):
        model = HonorRound
        fields = ["title", "start", "end", "status", "nominations", "hospital"]


class NominationTable(HQTable):
    candidate = tables.Column(linkify=True, accessor="pk", verbose_name=_("candidate"), orderable=False)
    status = tables.Column()

    def render_candidate(self, record):
        return record.candidate_name

    def value_candidate(self, record):
        return record.candidate_name

    def render_status(self, record):
        return badge(NOMINATION_BADGES.get(record.status, ""), record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    class Meta(HQTable.Meta):
        model = Nomination
        fields = ["candidate", "kind", "round", "organization", "status"]
