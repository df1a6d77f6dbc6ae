"""The record types points knows from the start: organisational life (party), base points (people),
volunteering, honours and manual items (this app), and study and quizzes (learning, once it is in).

Each is a ``triggers.Trigger``; ``signals.connect`` follows their saves, deletions and bulk events.
"""

from __future__ import annotations

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.party.choices import AttendanceStatus, MeetingKind, MeetingStatus
from hongqing.people.choices import MEMBER_STAGES

from .choices import HonorKind, ProposalStatus, VolunteeringKind
from .triggers import Trigger, Watch, register

PERSONAL_HONORS = [(k, label) for k, label in HonorKind.choices if k != HonorKind.MODEL_BRANCH]


def _held(a) -> bool:
    return a.meeting.status == MeetingStatus.HELD


def _attendances_of_meeting(meeting):
    return meeting.attendances.values_list("pk", flat=True)


def _attendances_of_event(entry):
    from hongqing.party.models import Attendance

    return Attendance.objects.filter(meeting_id=entry.object_id).values_list("pk", flat=True)


ATTENDANCE_WATCH = (
    Watch("party.Attendance", lambda a: [a.pk]),
    Watch("party.Meeting", _attendances_of_meeting, on_delete=False),
)
# record_attendance() writes rows in bulk (no signals) and then logs this event about the meeting.
ATTENDANCE_EVENTS = (("meeting_attendance", _attendances_of_event),)


def _member_since(m):
    if m.stage not in MEMBER_STAGES:
        return None
    return m.admission_date or m.conversion_date


def _participants(v):
    return v.participants.values_list("pk", flat=True)


register(
    Trigger(
        key="base",
        label=_("Base points of the year"),
        model="people.Membership",
        date=lambda m: _member_since(m),
        counts=lambda m: m.stage in MEMBER_STAGES,
        per_year=True,
        since=_member_since,
        addition=True,
        watch=(Watch("people.Membership", lambda m: [m.pk]),),
        description=_("Each member, once a year, from the start of the year or the day they joined"),
        order=10,
    ),
    Trigger(
        key="meeting_attendance",
        label=_("Attending organisational life"),
        model="party.Attendance",
        date=lambda a: a.meeting.local_date,
        counts=lambda a: _held(a) and a.status in (AttendanceStatus.PRESENT, AttendanceStatus.MAKEUP),
        select_related=("meeting",),
        record=lambda a: a.meeting,
        kind=lambda a: a.meeting.kind,
        kinds=lambda: MeetingKind.choices,
        addition=True,
        watch=ATTENDANCE_WATCH,
        events=ATTENDANCE_EVENTS,
        description=_("A held meeting attended (present, or made up later)"),
        order=20,
    ),
    Trigger(
        key="meeting_absence",
        label=_("Absent without leave"),
        model="party.Attendance",
        date=lambda a: a.meeting.local_date,
        counts=lambda a: _held(a) and a.status == AttendanceStatus.ABSENT and a.expected and not a.is_guest,
        select_related=("meeting",),
        record=lambda a: a.meeting,
        kind=lambda a: a.meeting.kind,
        kinds=lambda: MeetingKind.choices,
        deduction=True,
        watch=ATTENDANCE_WATCH,
        events=ATTENDANCE_EVENTS,
        description=_("Absent from a held meeting one should attend, without leave"),
        order=25,
    ),
    Trigger(
        key="volunteering_activity",
        label=_("Volunteering, per activity"),
        model="points.VolunteeringParticipant",
        date=lambda p: p.volunteering.date,
        counts=lambda p: True,
        select_related=("volunteering",),
        record=lambda p: p.volunteering,
        kind=lambda p: p.volunteering.kind,
        kinds=lambda: VolunteeringKind.choices,
        addition=True,
        watch=(
            Watch("points.VolunteeringParticipant", lambda p: [p.pk]),
            Watch("points.Volunteering", _participants, on_delete=False),
        ),
        description=_("Taking part in a volunteering, pairing or free-clinic activity"),
        order=50,
    ),
    Trigger(
        key="volunteering_hours",
        label=_("Volunteering, per hour"),
        model="points.VolunteeringParticipant",
        date=lambda p: p.volunteering.date,
        counts=lambda p: True,
        select_related=("volunteering",),
        record=lambda p: p.volunteering,
        quantity=lambda p: p.hours,
        kind=lambda p: p.volunteering.kind,
        kinds=lambda: VolunteeringKind.choices,
        addition=True,
        watch=(
            Watch("points.VolunteeringParticipant", lambda p: [p.pk]),
            Watch("points.Volunteering", _participants, on_delete=False),
        ),
        description=_("The points are per hour of the participant"),
        order=51,
    ),
    Trigger(
        key="honor",
        label=_("Honour"),
        model="points.Honor",
        date=lambda h: h.awarded_on,
        counts=lambda h: h.person_id is not None,
        kind=lambda h: h.kind,
        kinds=lambda: PERSONAL_HONORS,
        addition=True,
        watch=(Watch("points.Honor", lambda h: [h.pk]),),
        description=_("An honour on the member's record (an approved nomination or one from outside)"),
        order=60,
    ),
    Trigger(
        key="manual",
        label=_("Manual item"),
        model="points.PointProposal",
        date=lambda p: p.date,
        counts=lambda p: p.status == ProposalStatus.APPROVED,
        select_related=("rule",),
        amount=lambda p, rule: p.amount,
        matches=lambda p, rule: p.rule_id == rule.pk,
        manual=True,
        watch=(Watch("points.PointProposal", lambda p: [p.pk]),),
        description=_("Proposed by a branch, approved by the Party office"),
        order=90,
    ),
)


def learning_model(name: str):
    """Whether the learning app (built alongside) has this model yet."""

    def check() -> bool:
        if not apps.is_installed("hongqing.learning"):
            return False
        try:
            apps.get_model("learning", name)
        except LookupError:
            return False
        return True

    return check


# Study and quizzes (the learning app): its rows are saved one by one, so the normal signals suffice.
def _session_kinds():
    from hongqing.learning.choices import SessionKind

    return SessionKind.choices


def _attendances_of_session(session):
    return session.attendances.values_list("pk", flat=True)


def _submitted_on(attempt):
    return attempt.submitted_at and timezone.localtime(attempt.submitted_at).date()


register(
    Trigger(
        key="study_attendance",
        label=_("Study session"),
        model="learning.StudyAttendance",
        date=lambda a: timezone.localtime(a.session.start).date(),
        counts=lambda a: a.counts,
        select_related=("session",),
        record=lambda a: a.session,
        kind=lambda a: a.session.kind,
        kinds=_session_kinds,
        addition=True,
        watch=(
            Watch("learning.StudyAttendance", lambda a: [a.pk]),
            Watch("learning.StudySession", _attendances_of_session, on_delete=False),
        ),
        description=_("A study session attended (present, or made up later)"),
        available=learning_model("StudyAttendance"),
        order=30,
    ),
    Trigger(
        key="quiz_attempt",
        label=_("Quiz"),
        model="learning.QuizAttempt",
        date=_submitted_on,
        counts=lambda q: q.is_submitted,
        select_related=("quiz",),
        score=lambda q: q.percent,
        addition=True,
        watch=(Watch("learning.QuizAttempt", lambda q: [q.pk]),),
        description=_("A submitted quiz attempt (a rule may ask for a minimum score, out of 100)"),
        available=learning_model("QuizAttempt"),
        order=35,
    ),
)
