"""Keeping the rollups right: the records the Party indicators read are written by other apps' pages.

A higher app listens to the lower ones (DESIGN.md): when a meeting, an attendance, a duty, a dues
payment or base, a membership, a development step, a committee post, a cadre post, a term, a
branch–department link, an organisation, a duty or development rule, a calendar day — or, from the
learning and points apps, a study attendance or self-study, a points entry, a volunteering
participation or an honour — is saved or deleted, the hospital's Party rollups are marked stale from the month the record touches
(``services.rollups.mark_stale``); a branch–department link also marks the entered values' rollups
(a department's values count for the branch it was built on that month). Pages rebuild what is
stale before they read (``rollups.ensure_fresh``).

The marks of one transaction are collected and written once, after it commits (a page saving forty
attendances costs a few queries, not eighty); a transaction that rolls back writes nothing then. Bulk
writes (``bulk_create``/``bulk_update``) send no signals: the services that use them on these
records (the duty lists' sync, the demo) are caught through the record that caused them, or
rebuild the rollups themselves.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import defaultdict

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from .periods import month_of

_local = threading.local()

# kinds of reference, resolved to a hospital when the marks are written
HOSPITAL = "hospital"
ORG = "org"
MEETING = "meeting"
MEMBERSHIP = "membership"
TERM = "term"
PERSON = "person"
DEPARTMENT = "department"
EVERY = "all"


def _month(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):  # a default not yet read back from the database ("2000-01-01")
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return month_of(value)


def mark(kind: str, ref, month, *, entered: bool = False) -> None:
    """Note that the rollups of ``ref``'s hospital are stale from ``month`` (written after commit).

    ``month`` None with a meeting: its month is read when the marks are written.
    """
    month = _month(month)
    if ref is None and kind != EVERY:
        return
    if month is None and kind != MEETING:
        return
    conn = transaction.get_connection()
    item = (kind, ref, month, entered)
    if not conn.in_atomic_block:
        _write({item})
        return
    marks = getattr(_local, "marks", None)
    if marks is None:
        marks = _local.marks = set()
    marks.add(item)
    # One callback per mark, the first to run writes them all (the others find nothing left). A
    # transaction that rolls back drops its callbacks; its marks are written with the next ones.
    transaction.on_commit(functools.partial(_flush, marks))


def _flush(marks: set) -> None:
    if getattr(_local, "marks", None) is marks:
        _local.marks = None
    if not marks:
        return
    items = set(marks)
    marks.clear()
    _write(items)


def _write(items) -> None:
    from hongqing.organization.models import CommitteeTerm, Department, Hospital, PartyOrganization
    from hongqing.party.models import Meeting
    from hongqing.people.models import Membership, Person

    from .services import rollups

    items = set(items)
    if not items:
        return
    refs: dict[str, set] = defaultdict(set)
    for kind, ref, _m, _e in items:
        refs[kind].add(ref)
    hospital_of: dict[tuple, int] = {}
    lookups = {
        ORG: (PartyOrganization, "hospital_id"),
        MEETING: (Meeting, "organization__hospital_id"),
        MEMBERSHIP: (Membership, "organization__hospital_id"),
        TERM: (CommitteeTerm, "organization__hospital_id"),
        PERSON: (Person, "hospital_id"),
        DEPARTMENT: (Department, "hospital_id"),
    }
    for kind, (model, path) in lookups.items():
        if refs.get(kind):
            for pk, h in model._base_manager.filter(pk__in=refs[kind]).values_list("pk", path):
                hospital_of[(kind, pk)] = h
    # Marks of a transaction that rolled back are written with the next ones: a hospital created in
    # it does not exist (and its mark would break the next, unrelated commit). Only existing ones.
    if refs.get(HOSPITAL):
        for h in Hospital.objects.filter(pk__in=refs[HOSPITAL]).values_list("pk", flat=True):
            hospital_of[(HOSPITAL, h)] = h
    meeting_month = {}
    if refs.get(MEETING):
        for pk, start in Meeting._base_manager.filter(pk__in=refs[MEETING]).values_list("pk", "start"):
            meeting_month[pk] = _month(start)
    every = list(Hospital.objects.values_list("pk", flat=True)) if refs.get(EVERY) else []
    party: dict[int, dt.date] = {}
    entered: dict[int, dt.date] = {}
    for kind, ref, month, is_entered in items:
        if month is None:
            month = meeting_month.get(ref)
            if month is None:
                continue
        targets = every if kind == EVERY else [hospital_of.get((kind, ref))]
        for h in targets:
            if h is None:
                continue
            party[h] = min(party.get(h, month), month)
            if is_entered:
                entered[h] = min(entered.get(h, month), month)
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    for h, m in party.items():
        by_month[m].append(h)
    for m, hs in by_month.items():
        rollups.mark_stale(hs, m)
    for h, m in entered.items():
        rollups.mark_entered_stale([h], m)


# ---------------------------------------------------------------------------------------------
# The handlers


def _meeting_init(sender, instance, **kwargs):
    d = instance.__dict__
    instance._assessment_was = (d.get("organization_id"), d.get("start"))


def _meeting(sender, instance, **kwargs):
    mark(ORG, instance.organization_id, instance.start)
    was = getattr(instance, "_assessment_was", None)
    if was and was[1] is not None and was[0]:
        mark(ORG, was[0], was[1])


def _attendance(sender, instance, **kwargs):
    meeting = instance._state.fields_cache.get("meeting")
    if meeting is not None:
        mark(ORG, meeting.organization_id, meeting.start)
    else:  # its month is read when the marks are written (one query for them all)
        mark(MEETING, instance.meeting_id, None)


def _obligation(sender, instance, **kwargs):
    mark(ORG, instance.organization_id, instance.period_end)


def _campaign(sender, instance, **kwargs):
    mark(ORG, instance.organization_id, dt.date(instance.year, 12, 1))


def _payment(sender, instance, **kwargs):
    mark(MEMBERSHIP, instance.membership_id, dt.date(instance.year, instance.month, 1))


def _base(sender, instance, **kwargs):
    mark(MEMBERSHIP, instance.membership_id, dt.date(instance.year, 1, 1))


def _far_back() -> dt.date:
    today = timezone.localdate()
    return dt.date(today.year - 2, 1, 1)


def _membership(sender, instance, **kwargs):
    # A stage, a milestone or the organisation changed: dues, development and attendance may move.
    mark(ORG, instance.organization_id, _far_back())


def _step(sender, instance, **kwargs):
    mark(MEMBERSHIP, instance.membership_id, instance.date)


def _position(sender, instance, **kwargs):
    mark(TERM, instance.term_id, instance.start or _far_back())


def _cadre(sender, instance, **kwargs):
    mark(PERSON, instance.person_id, instance.start)


def _term(sender, instance, **kwargs):
    mark(ORG, instance.organization_id, instance.start)


def _link(sender, instance, **kwargs):
    mark(ORG, instance.organization_id, instance.start, entered=True)


def _organization(sender, instance, **kwargs):
    mark(HOSPITAL, instance.hospital_id, _far_back())


def _talk(sender, instance, **kwargs):
    # A heart-to-heart talk satisfies the year's talk duty (party's duty lists): the duties change.
    mark(ORG, instance.organization_id, dt.date(instance.date.year, 1, 1) if instance.date else None)


def _this_year() -> dt.date:
    return dt.date(timezone.localdate().year, 1, 1)


def _study_attendance(sender, instance, **kwargs):
    session = instance._state.fields_cache.get("session")
    mark(PERSON, instance.person_id, session.start if session is not None else _this_year())


def _self_study(sender, instance, **kwargs):
    mark(PERSON, instance.person_id, instance.studied_on)


def _point_entry(sender, instance, **kwargs):
    mark(PERSON, instance.person_id, instance.date)


def _participant(sender, instance, **kwargs):
    activity = instance._state.fields_cache.get("volunteering")
    if activity is not None:
        mark(ORG, activity.organizer_id, activity.date)
    else:
        mark(PERSON, instance.person_id, _this_year())


def _volunteering(sender, instance, **kwargs):
    mark(ORG, instance.organizer_id, instance.date)


def _honor(sender, instance, **kwargs):
    mark(ORG, instance.organization_id, instance.awarded_on)


def _rule(sender, instance, **kwargs):
    if not instance.key.startswith(("duty.", "development.")):
        return
    start = max(_month(instance.effective_from) or _far_back(), _far_back())
    if instance.hospital_id:
        mark(HOSPITAL, instance.hospital_id, start)
    else:
        mark(EVERY, None, start)


def _calendar(sender, instance, **kwargs):
    mark(EVERY, None, instance.date)


def connect() -> None:
    from hongqing.core.models import CalendarOverride, Rule
    from hongqing.organization.models import BranchDepartment, CommitteeTerm, PartyOrganization
    from hongqing.party.models import (
        AppraisalCampaign,
        Attendance,
        DuesBase,
        DuesPayment,
        Meeting,
        Obligation,
        Talk,
    )
    from hongqing.people.models import Cadre, DevelopmentStep, Membership, TermPosition

    post_init.connect(_meeting_init, sender=Meeting, dispatch_uid="assessment_meeting_init")
    handlers = [
        (Meeting, _meeting),
        (Attendance, _attendance),
        (Obligation, _obligation),
        (AppraisalCampaign, _campaign),
        (Talk, _talk),
        (DuesPayment, _payment),
        (DuesBase, _base),
        (Membership, _membership),
        (DevelopmentStep, _step),
        (TermPosition, _position),
        (Cadre, _cadre),
        (CommitteeTerm, _term),
        (BranchDepartment, _link),
        (PartyOrganization, _organization),
        (Rule, _rule),
        (CalendarOverride, _calendar),
    ]
    from django.apps import apps

    if apps.is_installed("hongqing.learning"):
        from hongqing.learning.models import SelfStudy, StudyAttendance

        handlers += [(StudyAttendance, _study_attendance), (SelfStudy, _self_study)]
    if apps.is_installed("hongqing.points"):
        from hongqing.points.models import Honor, PointEntry, Volunteering, VolunteeringParticipant

        handlers += [
            (PointEntry, _point_entry),
            (VolunteeringParticipant, _participant),
            (Volunteering, _volunteering),
            (Honor, _honor),
        ]
    for model, handler in handlers:
        uid = f"assessment_{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}_delete")


def discard_pending() -> None:
    """Forget the marks not yet written (tests: what their setup marked is not what they test)."""
    marks = getattr(_local, "marks", None)
    if marks is not None:
        marks.clear()
    _local.marks = None
