"""Study sessions: the audience, attendance from the roster, batches, and QR check-in.

- The audience of a session: the members (any stage, not left) of its audience organisations and of
  the organisations under them, plus the invited persons; with neither, the organiser's members. A
  batch without an audience of its own has its activity's.
- Attendance (business events, atomic, audited): recorded from the roster on one page, or by the
  attendee's check-in. Each row is saved on its own so that listeners (points) see every change.
- Check-in: the organiser's screen shows a QR code of a signed code — the session and the current
  *step* (``learning.checkin_code_seconds``). Scanning it opens the check-in page, valid only while
  the code is fresh (``learning.checkin_code_valid_seconds``: a forwarded photo dies quickly) and the
  session's check-in window is open (``learning.checkin_opens_minutes`` before the start until
  ``learning.checkin_closes_minutes`` after the end). The page gives the person a signed, single-use
  confirmation (their id, a nonce); confirming records the attendance once. A forged or altered code
  or confirmation, a confirmation used before (replayed), a person not in the audience, a second
  check-in: each is refused with its own message.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import client_ip, log_event
from hongqing.core.rules import RuleBook
from hongqing.people.choices import EmploymentStatus
from hongqing.people.models import Person

from ..choices import COUNTING_STATUSES, RecordedVia, StudyAttendanceStatus

ABSENCE = (StudyAttendanceStatus.LEAVE, StudyAttendanceStatus.ABSENT)
CODE_SALT = "hongqing.learning.checkin.code"
TICKET_SALT = "hongqing.learning.checkin.ticket"


def rules(hospital_id) -> RuleBook:
    return RuleBook("learning.", [hospital_id] if hospital_id else None)


# ---------------------------------------------------------------------------------------------
# The audience


def audience_source(session):
    """The session whose audience applies: a batch without an audience of its own has its activity's."""
    if session.batch_of_id and not (
        session.audience_organizations.exists() or session.audience_persons.exists()
    ):
        return session.batch_of
    return session


def audience_q(session) -> Q:
    """A filter of ``Person`` for the session's audience."""
    source = audience_source(session)
    orgs = list(source.audience_organizations.all())
    person_ids = list(source.audience_persons.values_list("pk", flat=True))
    if not orgs and not person_ids:
        orgs = [source.organization]
    q = Q(pk__in=person_ids) if person_ids else Q(pk__in=[])
    for org in orgs:
        q |= Q(membership__organization__path__startswith=org.path)
    return q & Q(hospital_id=source.organization.hospital_id) & ~Q(status=EmploymentStatus.LEFT)


def audience(session):
    """The persons invited to a session, by staff number."""
    return Person.objects.filter(audience_q(session)).order_by("staff_no")


def in_audience(session, person) -> bool:
    return Person.objects.filter(audience_q(session), pk=person.pk).exists()


def sessions_for(person, qs=None):
    """The sessions (not activities with batches) whose audience includes ``person``.

    This is how a member learns of a session they are invited to (the home panel's open check-ins):
    their read grant reaches only the sessions they attended. A few subqueries, whatever the size.
    """
    from ..models import StudySession

    qs = StudySession.objects.all() if qs is None else qs
    if person is None:
        return qs.none()
    try:
        org = person.membership.organization
    except Exception:  # noqa: BLE001 (RelatedObjectDoesNotExist: not a member)
        org = None
    # The person's organisation and those above it: their paths are prefixes of its path.
    steplen = type(org).steplen if org is not None else 4
    prefixes = [org.path[:i] for i in range(steplen, len(org.path) + 1, steplen)] if org is not None else []
    sessions = StudySession.objects
    with_own = sessions.filter(Q(audience_organizations__isnull=False) | Q(audience_persons__isnull=False))
    direct = sessions.filter(Q(audience_persons=person) | Q(audience_organizations__path__in=prefixes))
    default = sessions.exclude(pk__in=with_own.values("pk")).filter(
        batch_of__isnull=True, organization__path__in=prefixes
    )
    invited = Q(pk__in=direct.values("pk")) | Q(pk__in=default.values("pk"))
    batches = sessions.exclude(pk__in=with_own.values("pk")).filter(
        batch_of__in=sessions.filter(invited).values("pk")
    )
    return (
        qs.filter(invited | Q(pk__in=batches.values("pk")))
        .filter(organization__hospital_id=person.hospital_id)
        .exclude(pk__in=sessions.filter(batches__isnull=False).values("pk"))
    )


# ---------------------------------------------------------------------------------------------
# The check-in window


@dataclass(frozen=True)
class Window:
    opens: dt.datetime
    closes: dt.datetime

    def contains(self, when: dt.datetime) -> bool:
        return self.opens <= when <= self.closes


def checkin_window(session, book: RuleBook | None = None) -> Window:
    hospital_id = session.organization.hospital_id
    book = book or rules(hospital_id)
    before = book.value("learning.checkin_opens_minutes", hospital_id, session.local_date)
    after = book.value("learning.checkin_closes_minutes", hospital_id, session.local_date)
    return Window(session.start - dt.timedelta(minutes=before), session.end + dt.timedelta(minutes=after))


# ---------------------------------------------------------------------------------------------
# Attendance rows


def attendance_errors(att, *, now=None, book: RuleBook | None = None) -> dict:
    """What is wrong with one attendance row: {field: message}."""
    errors: dict = {}
    if att.status in ABSENCE and not (att.reason or "").strip():
        errors["reason"] = _("Leave or absence needs a reason.")
    if att.status == StudyAttendanceStatus.MAKEUP:
        if not att.makeup_on:
            errors["makeup_on"] = _("Enter the date of the make-up.")
        if not (att.makeup_note or "").strip():
            errors["makeup_note"] = _("Say in a few words how it was made up (e.g. watched the recording).")
    elif att.makeup_on:
        errors["makeup_on"] = _("A make-up date goes with the status “made up”.")
    if att.hours is not None and att.hours < 0:
        errors["hours"] = _("Hours cannot be negative.")
    if not att.session_id or not att.person_id:
        return errors
    session, person = att.session, att.person
    hospital_id = session.organization.hospital_id
    book = book or rules(hospital_id)
    if att.hours is not None and att.hours > book.value("learning.session_max_hours", hospital_id):
        errors["hours"] = _("At most %(max)s hours can be credited for one record.") % {
            "max": book.value("learning.session_max_hours", hospital_id)
        }
    if session.pk and session.batches.exists():
        errors["session"] = _("Record the attendance on the batches of this activity.")
    now = now or timezone.now()
    if checkin_window(session, book).opens > now:
        errors["session"] = _("The session has not started: attendance is recorded from when check-in opens.")
    if att.makeup_on:
        if att.makeup_on < session.local_date:
            errors["makeup_on"] = _("A make-up comes after the session.")
        elif att.makeup_on > timezone.localdate():
            errors["makeup_on"] = _("A make-up in the future cannot be recorded.")
    if person.hospital_id != hospital_id:
        errors["person"] = _("%(name)s belongs to another hospital.") % {"name": person.name}
    elif session.batch_of_id:
        from ..models import StudyAttendance

        other = (
            StudyAttendance.objects.filter(session__batch_of_id=session.batch_of_id, person_id=person.pk)
            .exclude(session_id=session.pk)
            .select_related("session")
            .first()
        )
        if other is not None:
            errors["person"] = _("%(name)s attends batch %(n)d of this activity.") % {
                "name": person.name,
                "n": other.session.batch_number or 0,
            }
    return errors


class AttendanceRefused(ValidationError):
    """Some rows of an attendance sheet are wrong: ``rows`` maps a person id to {field: message}."""

    def __init__(self, rows: dict):
        self.rows = rows
        super().__init__([m for errs in rows.values() for m in errs.values()])


def roster(session) -> list[Person]:
    """Everyone on the attendance page: the audience, then anyone else already recorded."""
    people = list(audience(session))
    known = {p.pk for p in people}
    others = (
        Person.objects.filter(study_attendances__session=session).exclude(pk__in=known).order_by("staff_no")
    )
    return people + list(others)


@transaction.atomic
def record_attendance(session, rows: list[dict], *, actor, request=None) -> dict:
    """Record the attendance of a session from its roster; all rows or none.

    Each row: ``person``, ``status`` (a StudyAttendanceStatus, or ``""`` for "not recorded": an
    existing row is removed), and optionally ``reason``, ``makeup_on``, ``makeup_note``, ``hours``.
    Rows are saved one by one (their signals fire). Returns counts of what changed.
    """
    from ..models import StudyAttendance

    session = type(session).objects.select_related("organization", "batch_of").get(pk=session.pk)
    hospital_id = session.organization.hospital_id
    book = rules(hospital_id)
    now = timezone.now()
    existing = {a.person_id: a for a in session.attendances.select_for_update()}
    problems: dict = {}
    to_save, to_delete, changes = [], [], []
    seen = set()
    for row in rows:
        person = row["person"]
        if person.pk in seen:
            continue
        seen.add(person.pk)
        att = existing.get(person.pk)
        status = row.get("status") or ""
        if not status:
            if att is not None:
                to_delete.append(att)
                changes.append({"person": person.name, "from": att.status, "to": None})
            continue
        new = att is None
        if new:
            att = StudyAttendance(session=session, person=person, created_by=actor, via=RecordedVia.ROSTER)
        before = None if new else (att.status, att.reason, att.makeup_on, att.makeup_note, att.hours)
        att.session = session
        att.status = status
        att.reason = (row.get("reason") or "").strip() if status in ABSENCE else ""
        att.makeup_on = row.get("makeup_on") if status == StudyAttendanceStatus.MAKEUP else None
        att.makeup_note = (
            (row.get("makeup_note") or "").strip() if status == StudyAttendanceStatus.MAKEUP else ""
        )
        hours = row.get("hours")
        att.hours = Decimal(hours) if hours not in (None, "") else (att.hours if not new else session.hours)
        errs = attendance_errors(att, now=now, book=book)
        if errs:
            problems[person.pk] = errs
            continue
        after = (att.status, att.reason, att.makeup_on, att.makeup_note, att.hours)
        if new or before != after:
            to_save.append(att)
            changes.append({"person": person.name, "from": None if new else before[0], "to": status})
    if problems:
        raise AttendanceRefused(problems)
    for att in to_delete:
        att.delete()
    for att in to_save:
        att.save()
    if changes:
        log_event(
            "study_attendance", actor=actor, obj=session, request=request, data={"changes": changes[:200]}
        )
    return {"saved": len(to_save), "removed": len(to_delete)}


@transaction.atomic
def add_batch(activity, *, start, end, place: str = "", actor, request=None):
    """Add the next batch to an activity (a red-education trip in batches): its own time and place."""
    from ..models import StudySession

    activity = StudySession.objects.select_for_update().get(pk=activity.pk)
    if activity.batch_of_id:
        raise ValidationError(_("A batch belongs to an activity, not to another batch."))
    if activity.attendances.exists():
        raise ValidationError(
            _("Attendance is recorded on the activity itself: it cannot be split into batches.")
        )
    number = (activity.batches.aggregate(n=Max("batch_number"))["n"] or 0) + 1
    batch = StudySession(
        organization=activity.organization,
        kind=activity.kind,
        mode=activity.mode,
        title=activity.title,
        speaker=activity.speaker,
        speaker_name=activity.speaker_name,
        start=start,
        end=end,
        place=place or activity.place,
        hours=activity.hours,
        description=activity.description,
        batch_of=activity,
        batch_number=number,
        created_by=actor,
    )
    batch.full_clean()
    batch.save()
    log_event("study_batch_added", actor=actor, obj=activity, request=request, data={"batch": number})
    return batch


def counts(session) -> dict:
    """Attendance of a session, or of an activity over its batches (a person counted once)."""
    from ..models import StudyAttendance

    rows = StudyAttendance.objects.filter(Q(session=session) | Q(session__batch_of=session))
    out = dict.fromkeys(StudyAttendanceStatus.values, 0)
    for status, n in rows.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"):
        out[status] = n
    out["counted"] = rows.filter(status__in=COUNTING_STATUSES).values("person").distinct().count()
    return out


# ---------------------------------------------------------------------------------------------
# QR check-in


class CheckInRefused(ValidationError):
    """A check-in refused, with its reason: forged, expired, window, audience, already, replayed."""

    def __init__(self, reason: str, message):
        self.reason = reason
        super().__init__(message, code=reason)


def _step(now: dt.datetime, period: int) -> int:
    return int(now.timestamp()) // period


def code_for(session, now=None, book: RuleBook | None = None) -> str:
    """The code the organiser's screen shows now (it changes every ``learning.checkin_code_seconds``)."""
    now = now or timezone.now()
    hospital_id = session.organization.hospital_id
    book = book or rules(hospital_id)
    period = book.value("learning.checkin_code_seconds", hospital_id)
    return sign_code(session.pk, _step(now, period))


def sign_code(session_id: int, step: int) -> str:
    """The signed code of a session for one step (no database: the screen's code, computed)."""
    return signing.Signer(salt=CODE_SALT).sign(f"{session_id}.{step}")


def code_seconds_left(session, now=None, book: RuleBook | None = None) -> int:
    now = now or timezone.now()
    hospital_id = session.organization.hospital_id
    book = book or rules(hospital_id)
    period = book.value("learning.checkin_code_seconds", hospital_id)
    return period - int(now.timestamp()) % period


def read_code(code: str, *, now=None):
    """The session and step of a scanned code, checked: signature, freshness, the check-in window.

    Raises :class:`CheckInRefused`. Returns ``(session, step)``.
    """
    from ..models import StudySession

    now = now or timezone.now()
    try:
        value = signing.Signer(salt=CODE_SALT).unsign(code or "")
        session_id, step = (int(x) for x in value.split("."))
    except (signing.BadSignature, ValueError):
        raise CheckInRefused(
            "forged", _("This check-in code is not valid: scan the code on the organiser's screen.")
        ) from None
    session = StudySession.objects.select_related("organization", "batch_of").filter(pk=session_id).first()
    if session is None:
        raise CheckInRefused(
            "forged", _("This check-in code is not valid: scan the code on the organiser's screen.")
        )
    hospital_id = session.organization.hospital_id
    book = rules(hospital_id)
    period = book.value("learning.checkin_code_seconds", hospital_id)
    valid = book.value("learning.checkin_code_valid_seconds", hospital_id)
    age = int(now.timestamp()) - step * period  # seconds since the code appeared
    if age < 0:
        raise CheckInRefused(
            "forged", _("This check-in code is not valid: scan the code on the organiser's screen.")
        )
    if age > max(valid, period):
        raise CheckInRefused(
            "expired", _("This check-in code has expired: scan the code on the organiser's screen again.")
        )
    window = checkin_window(session, book)
    if not window.contains(now):
        if now < window.opens:
            message = _("Check-in for this session opens at %(t)s.") % {
                "t": f"{timezone.localtime(window.opens):%m-%d %H:%M}"
            }
        else:
            message = _("Check-in for this session closed at %(t)s.") % {
                "t": f"{timezone.localtime(window.closes):%m-%d %H:%M}"
            }
        raise CheckInRefused("window", message)
    return session, step


def check_person(session, person) -> None:
    """Refuse a person who may not check in to the session (not in the audience, already recorded)."""
    from ..models import StudyAttendance

    if person is None:
        raise CheckInRefused(
            "audience", _("Your account is not linked to a staff record: ask the Party office.")
        )
    if session.batches.exists():
        raise CheckInRefused("forged", _("Check in to your batch of this activity, not to the activity."))
    if not in_audience(session, person):
        raise CheckInRefused(
            "audience", _("You are not in the audience of this session: ask its organiser to record you.")
        )
    row = StudyAttendance.objects.filter(session=session, person=person).first()
    if row is not None and row.counts:
        raise CheckInRefused("already", _("You have already checked in to this session."))
    if session.batch_of_id:
        other = (
            StudyAttendance.objects.filter(session__batch_of_id=session.batch_of_id, person=person)
            .exclude(session=session)
            .select_related("session")
            .first()
        )
        if other is not None:
            raise CheckInRefused(
                "already",
                _("You attend batch %(n)d of this activity: one batch counts.")
                % {"n": other.session.batch_number or 0},
            )


def ticket_for(session, person, step: int) -> str:
    """The signed, single-use confirmation the check-in page gives one person."""
    return signing.dumps(
        {"s": session.pk, "p": person.pk, "k": step, "n": secrets.token_urlsafe(16)}, salt=TICKET_SALT
    )


def read_ticket(ticket: str, person, book: RuleBook | None = None) -> dict:
    """The confirmation's content, checked: signature, age, whose it is, not used before."""
    from ..models import CheckIn

    hospital_id = person.hospital_id if person is not None else None
    book = book or rules(hospital_id)
    max_age = book.value("learning.checkin_code_valid_seconds", hospital_id) * 4
    try:
        data = signing.loads(ticket or "", salt=TICKET_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise CheckInRefused(
            "expired", _("This check-in code has expired: scan the code on the organiser's screen again.")
        ) from None
    except signing.BadSignature:
        raise CheckInRefused(
            "forged", _("This check-in code is not valid: scan the code on the organiser's screen.")
        ) from None
    if not isinstance(data, dict) or person is None or data.get("p") != person.pk:
        raise CheckInRefused(
            "forged", _("This check-in confirmation is someone else's: scan the code yourself.")
        )
    if CheckIn.objects.filter(nonce=data.get("n", "")).exists():
        raise CheckInRefused(
            "replayed", _("This check-in confirmation has already been used: it counts only once.")
        )
    return data


@transaction.atomic
def check_in(ticket: str, *, person, actor, request=None, now=None):
    """Record a person's attendance from their confirmed check-in: once, with its proof (a CheckIn).

    Returns the attendance. Raises :class:`CheckInRefused` with the reason.
    """
    from ..models import CheckIn, StudyAttendance, StudySession

    now = now or timezone.now()
    book = rules(person.hospital_id if person is not None else None)
    data = read_ticket(ticket, person, book)
    session = StudySession.objects.select_related("organization", "batch_of").filter(pk=data["s"]).first()
    if session is None:
        raise CheckInRefused(
            "forged", _("This check-in code is not valid: scan the code on the organiser's screen.")
        )
    if session.organization.hospital_id != person.hospital_id:
        book = rules(session.organization.hospital_id)
    if not checkin_window(session, book).contains(now):
        raise CheckInRefused("window", _("Check-in for this session is closed."))
    check_person(session, person)
    try:
        with transaction.atomic():
            att = StudyAttendance.objects.filter(session=session, person=person).first()
            if att is None:
                att = StudyAttendance(session=session, person=person, hours=session.hours, created_by=actor)
            att.status, att.via, att.reason = StudyAttendanceStatus.PRESENT, RecordedVia.CHECKIN, ""
            att.makeup_on, att.makeup_note = None, ""
            att.save()
            CheckIn.objects.create(
                session=session,
                person=person,
                attendance=att,
                at=now,
                code_step=data["k"],
                nonce=data["n"],
                ip=client_ip(request),
                user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:200],
                created_by=actor,
            )
    except IntegrityError:  # the same confirmation, or the same person, at the same moment
        raise CheckInRefused("already", _("You have already checked in to this session.")) from None
    log_event("study_checkin", actor=actor, obj=session, request=request, data={"person": person.pk})
    return att


def refresh_hint(session) -> int:
    """Seconds between refreshes of the organiser's QR screen (a third of a code's life, 5 at least)."""
    hospital_id = session.organization.hospital_id
    period = rules(hospital_id).value("learning.checkin_code_seconds", hospital_id)
    return max(5, period // 3)
