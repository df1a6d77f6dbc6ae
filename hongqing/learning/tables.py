"""The learning lists (their columns are also the Excel export's)."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hongqing.core.tables import HQTable

from .choices import SelfStudyStatus, StudyAttendanceStatus
from .models import Question, Quiz, QuizAttempt, SelfStudy, StudyAttendance, StudyPlan, StudySession

STATUS_BADGES = {
    StudyAttendanceStatus.PRESENT: "text-bg-success",
    StudyAttendanceStatus.MAKEUP: "text-bg-secondary",
    StudyAttendanceStatus.LEAVE: "text-bg-warning",
    StudyAttendanceStatus.ABSENT: "text-bg-danger",
}
REVIEW_BADGES = {
    SelfStudyStatus.PENDING: "text-bg-warning",
    SelfStudyStatus.CONFIRMED: "text-bg-success",
    SelfStudyStatus.REJECTED: "text-bg-light border",
}


def local(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


class StudyPlanTable(HQTable):
    title = tables.Column(linkify=True)
    items = tables.Column(verbose_name=_("topics"), accessor="item_count", orderable=False)
    published_on = tables.Column()

    class Meta(HQTable.Meta):
        model = StudyPlan
        fields = ["year", "title", "level", "organization", "items", "published_on"]


class StudySessionTable(HQTable):
    start = tables.Column(linkify=True, verbose_name=_("time"))
    title = tables.Column(linkify=True)
    attended = tables.Column(verbose_name=_("attended"), accessor="attended_count", orderable=False)

    def render_start(self, value):
        return local(value)

    def value_start(self, value):
        return local(value)

    def render_title(self, record, value):
        if record.batch_number:
            return format_html(
                "{} <span class='badge text-bg-light border'>{}</span>",
                value,
                _("batch %(n)d") % {"n": record.batch_number},
            )
        return value

    def value_title(self, record, value):
        return f"{value} ({record.batch_number})" if record.batch_number else value

    class Meta(HQTable.Meta):
        model = StudySession
        fields = ["start", "title", "kind", "mode", "organization", "place", "hours", "attended"]


class StudyAttendanceTable(HQTable):
    person = tables.Column(linkify=lambda record: record.get_absolute_url())
    session = tables.Column(linkify=True, verbose_name=_("study session"))
    status = tables.Column()

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_BADGES.get(record.status, ""),
            record.get_status_display(),
        )

    def value_status(self, record):
        return record.get_status_display()

    class Meta(HQTable.Meta):
        model = StudyAttendance
        fields = ["person", "session", "status", "hours", "via", "makeup_on"]


class SelfStudyTable(HQTable):
    person = tables.Column(linkify=lambda record: record.get_absolute_url())
    title = tables.Column(linkify=True)
    status = tables.Column()

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            REVIEW_BADGES.get(record.status, ""),
            record.get_status_display(),
        )

    def value_status(self, record):
        return record.get_status_display()

    class Meta(HQTable.Meta):
        model = SelfStudy
        fields = ["studied_on", "person", "title", "kind", "hours", "status"]


class QuestionTable(HQTable):
    text = tables.Column(linkify=True, verbose_name=_("question"))

    def render_text(self, record):
        return str(record)

    def value_text(self, record):
        return record.text

    class Meta(HQTable.Meta):
        model = Question
        fields = ["text", "kind", "answer", "tags", "active"]


class QuizTable(HQTable):
    title = tables.Column(linkify=True)
    opens_at = tables.Column()
    status = tables.Column(verbose_name=_("status"), accessor="pk", orderable=False)
    takers = tables.Column(verbose_name=_("takers"), accessor="taker_count", orderable=False)

    def render_opens_at(self, value):
        return local(value)

    def value_opens_at(self, value):
        return local(value)

    def render_status(self, record):
        return record.get_status_display()

    def value_status(self, record):
        return record.get_status_display()

    class Meta(HQTable.Meta):
        model = Quiz
        fields = [
            "title",
            "organization",
            "opens_at",
            "closes_at",
            "question_count",
            "time_limit_minutes",
            "status",
            "takers",
        ]


class QuizAttemptTable(HQTable):
    person = tables.Column(linkify=lambda record: record.get_absolute_url())
    quiz = tables.Column(linkify=True)
    score = tables.Column(verbose_name=pgettext_lazy("quiz", "score"))
    submitted_at = tables.Column()

    def render_score(self, record):
        if not record.is_submitted:
            return _("in progress")
        return f"{record.score.normalize():f} / {record.max_score.normalize():f}"

    def value_score(self, record):
        return self.render_score(record)

    def render_submitted_at(self, value):
        return local(value)

    def value_submitted_at(self, value):
        return local(value)

    class Meta(HQTable.Meta):
        model = QuizAttempt
        fields = ["person", "quiz", "score", "submitted_at", "timed_out"]


class HoursTable(HQTable):
    """Members with their hours of the year against their requirement (a membership each)."""

    person = tables.Column(
        verbose_name=pgettext_lazy("person", "name"),
        accessor="person__name",
        linkify=lambda record: record.person.get_absolute_url(),
    )
    staff_no = tables.Column(verbose_name=_("staff number"), accessor="person__staff_no")
    organization = tables.Column(verbose_name=_("Party organisation"))
    session_hours = tables.Column(verbose_name=_("sessions"))
    self_hours = tables.Column(verbose_name=_("self-study"))
    total_hours = tables.Column(verbose_name=_("total"))
    required_hours = tables.Column(verbose_name=_("required"))
    reached = tables.Column(verbose_name=_("completion"))

    def render_reached(self, record):
        if record.reached:
            return format_html('<span class="badge text-bg-success">{}</span>', _("reached"))
        short = record.required_hours - record.total_hours
        return format_html(
            '<span class="badge text-bg-danger">{}</span>', _("%(h)s short") % {"h": f"{short:f}"}
        )

    def value_reached(self, record):
        return (
            str(_("reached"))
            if record.reached
            else str(_("%(h)s short") % {"h": f"{record.required_hours - record.total_hours:f}"})
        )

    def render_required_hours(self, record):
        return format_html("{}{}", record.required_hours, " ★" if record.is_leader else "")

    def value_required_hours(self, record):
        return float(record.required_hours)

    class Meta(HQTable.Meta):
        fields = [
            "person",
            "staff_no",
            "organization",
            "session_hours",
            "self_hours",
            "total_hours",
            "required_hours",
            "reached",
        ]
