"""Meetings (组织生活, RULES.md §1) and committee decisions (三重一大, RULES.md §5).

- The roster: who should attend a meeting of a kind, and who has a vote.
- Quorum and votes: a congress has a quorum with more than ``meeting.quorum_fraction`` of the full
  members who should attend present; a committee meeting with more than that share of the
  committee. A resolution passes with more "yes" votes than ``meeting.pass_fraction`` of those who
  should attend with a vote — not of those present. Probationary members have no vote.
- 三重一大: an item of a major matter is decided at the president's office meeting only after a
  held Party committee meeting (earlier, or the same day) has studied the same matter, or when it
  is urgent and the secretary consented.
- Business events (atomic, audited): recording attendance, holding, cancelling, attaching files,
  and an item's status.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.rules import rule_value
from hongqing.organization.choices import OrgKind
from hongqing.people.choices import MEMBER_STAGES, EmploymentStatus, Post, Stage
from hongqing.people.models import Membership, Person, TermPosition

from ..choices import AttendanceStatus, ItemStatus, MeetingKind, MeetingStatus

# Kinds whose attendance makes a quorum, and the basis of their votes.
CONGRESS_KINDS = (MeetingKind.MEMBER_CONGRESS,)
COMMITTEE_QUORUM_KINDS = (MeetingKind.BRANCH_COMMITTEE, MeetingKind.COMMITTEE_MEETING)
QUORUM_KINDS = CONGRESS_KINDS + COMMITTEE_QUORUM_KINDS
# Kinds whose roster is the post holders of the organisation's committee term.
POST_HOLDER_KINDS = (
    MeetingKind.BRANCH_COMMITTEE,
    MeetingKind.COMMITTEE_MEETING,
    MeetingKind.PRESIDENT_OFFICE_MEETING,
)
ABSENCE_STATUSES = (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)


# ---------------------------------------------------------------------------------------------
# The roster


def meeting_organizations(user, action: str):
    """The Party organisations whose meetings ``user`` may ``action`` (the party area's grants)."""
    from hongqing.core.scoping import grant_q, grants_for
    from hongqing.organization.models import PartyOrganization

    from ..models import Meeting

    q = None
    for grant in grants_for(user):
        if not grant.applies(Meeting.scope_area, action):
            continue
        part = grant_q(PartyOrganization, grant)
        if part is None:
            continue
        if part == Q():
            return PartyOrganization.objects.all()
        q = part if q is None else q | part
    return PartyOrganization.objects.filter(q) if q is not None else PartyOrganization.objects.none()


@dataclass(frozen=True)
class RosterEntry:
    person: Person
    voting: bool
    role: str  # what puts them on the roster: a stage or a committee post


def term_on(organization, day: dt.date):
    """The organisation's committee term in force on a day (the current one when none was yet)."""
    terms = organization.terms.filter(start__lte=day).filter(
        Q(actual_end__isnull=True) | Q(actual_end__gte=day)
    )
    return terms.order_by("-start").first() or organization.current_term()


def roster(organization, kind: str, day: dt.date) -> list[RosterEntry]:
    """Who should attend a meeting of ``kind`` held by ``organization`` on ``day``, in order.

    - branch or Party committee meeting (and the president's office meeting): the post holders of
      the committee term in force, each with a vote (only the first two count toward a quorum);
    - a group meeting: the group's members; any other: the members (probationary and full) of the
      organisation and the organisations under it — at a congress only full members vote.
    """
    if kind in POST_HOLDER_KINDS:
        term = term_on(organization, day)
        if term is None:
            return []
        positions = (
            TermPosition.objects.filter(term=term)
            .filter(Q(start__isnull=True) | Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))
            .exclude(person__status=EmploymentStatus.LEFT)
            .select_related("person")
        )
        order = {post: i for i, post in enumerate(Post.values)}  # the secretary first
        seen, out = set(), []
        for p in sorted(positions, key=lambda p: (order.get(p.post, 99), p.person.staff_no)):
            if p.person_id in seen:
                continue
            seen.add(p.person_id)
            out.append(
                RosterEntry(p.person, kind != MeetingKind.PRESIDENT_OFFICE_MEETING, p.get_post_display())
            )
        return out
    members = Membership.objects.filter(stage__in=MEMBER_STAGES).exclude(person__status=EmploymentStatus.LEFT)
    if kind == MeetingKind.GROUP_MEETING or organization.kind == OrgKind.GROUP:
        members = members.filter(organization=organization)
    else:
        members = members.filter(organization__path__startswith=organization.path)
    members = members.select_related("person").order_by("person__staff_no")
    congress = kind in CONGRESS_KINDS
    return [RosterEntry(m.person, congress and m.stage == Stage.FULL, m.get_stage_display()) for m in members]


def meeting_roster(meeting) -> list[RosterEntry]:
    return roster(meeting.organization, meeting.kind, meeting.local_date)


def belongs(meeting, person, entries: list[RosterEntry] | None = None) -> bool:
    """Whether a person attends as one of the organisation (not as a guest).

    On the roster, or a member of the organisation (or under it); at the president's office
    meeting — an administrative meeting — any staff of the hospital.
    """
    entries = meeting_roster(meeting) if entries is None else entries
    if any(e.person.pk == person.pk for e in entries):
        return True
    org = meeting.organization
    if meeting.kind == MeetingKind.PRESIDENT_OFFICE_MEETING:
        return person.hospital_id == org.hospital_id
    return Membership.objects.filter(
        person=person, stage__in=MEMBER_STAGES, organization__path__startswith=org.path
    ).exists()


def place_on_roster(attendance, entries: list[RosterEntry] | None = None) -> None:
    """Set a new attendance's ``expected`` and ``voting`` from the roster (a guest has neither)."""
    entries = meeting_roster(attendance.meeting) if entries is None else entries
    entry = next((e for e in entries if e.person.pk == attendance.person_id), None)
    if entry is not None:
        attendance.is_guest = False
    attendance.expected = entry is not None
    attendance.voting = bool(entry and entry.voting)


def attendance_errors(att, entries: list[RosterEntry] | None = None) -> dict:
    """What is wrong with one attendance row: {field: message}."""
    errors: dict = {}
    if att.status in ABSENCE_STATUSES and not (att.reason or "").strip():
        errors["reason"] = _("Leave or absence needs a reason.")
    if att.status == AttendanceStatus.MAKEUP and not att.makeup_on:
        errors["makeup_on"] = _("Enter the date of the make-up.")
    if att.makeup_on and att.status != AttendanceStatus.MAKEUP:
        errors["makeup_on"] = _("A make-up date goes with the status “made up later”.")
    if not att.meeting_id or not att.person_id:
        return errors
    meeting, person = att.meeting, att.person
    if meeting.status == MeetingStatus.CANCELLED:
        errors["meeting"] = _("A cancelled meeting has no attendance.")
    if att.makeup_on:
        if att.makeup_on < meeting.local_date:
            errors["makeup_on"] = _("A make-up comes after the meeting.")
        elif att.makeup_on > timezone.localdate():
            errors["makeup_on"] = _("A make-up in the future cannot be recorded.")
    if person.hospital_id != meeting.organization.hospital_id:
        errors["person"] = _("%(name)s belongs to another hospital.") % {"name": person.name}
    elif not att.is_guest and not belongs(meeting, person, entries):
        errors["person"] = _("%(name)s is not in %(org)s: mark them as a guest to record them.") % {
            "name": person.name,
            "org": meeting.organization,
        }
    if att.is_guest and att.status == AttendanceStatus.MAKEUP:
        errors["status"] = _("A guest does not make up a meeting.")
    return errors


# ---------------------------------------------------------------------------------------------
# Quorum and votes


@dataclass(frozen=True)
class Quorum:
    applies: bool
    basis: str = ""  # "congress" (full members) or "committee" (committee members)
    should_attend: int = 0  # voting attendees who should attend
    present: int = 0  # of them, present
    needed: int = 0  # the least number present for a quorum
    met: bool = False
    pass_needed: int = 0  # the least number of "yes" votes that passes a resolution

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.present)


def more_than(fraction, total: int) -> int:
    """The least whole number greater than ``fraction`` × ``total`` (10 × 0.5 → 6, 9 × 0.5 → 5)."""
    return int((Decimal(str(fraction)) * total).to_integral_value(rounding=ROUND_FLOOR)) + 1


def quorum(meeting, attendances=None, rules=None) -> Quorum:
    """The quorum of a meeting, from its attendance rows.

    ``attendances``: rows already fetched; ``rules``: a ``RuleBook("meeting.")`` for many meetings.
    """
    if meeting.kind not in QUORUM_KINDS:
        return Quorum(applies=False)
    rows = list(meeting.attendances.all()) if attendances is None else attendances
    voters = [a for a in rows if a.expected and a.voting and not a.is_guest]
    present = sum(1 for a in voters if a.status == AttendanceStatus.PRESENT)
    hospital_id, day = meeting.organization.hospital_id, meeting.local_date
    read = rules.value if rules is not None else rule_value
    needed = more_than(read("meeting.quorum_fraction", hospital_id, day), len(voters))
    pass_needed = more_than(read("meeting.pass_fraction", hospital_id, day), len(voters))
    return Quorum(
        applies=True,
        basis="congress" if meeting.kind in CONGRESS_KINDS else "committee",
        should_attend=len(voters),
        present=present,
        needed=needed,
        met=bool(voters) and present >= needed,
        pass_needed=pass_needed,
    )


def committee_studied(item) -> bool:
    """Whether a held Party committee meeting, earlier or the same day, studied (or decided) the item's matter."""
    meeting = item.meeting
    day_end = timezone.make_aware(dt.datetime.combine(meeting.local_date + dt.timedelta(days=1), dt.time()))
    from ..models import AgendaItem

    return (
        AgendaItem.objects.filter(
            matter_id=item.matter_id,
            status__in=(ItemStatus.STUDIED, ItemStatus.DECIDED),
            meeting__kind=MeetingKind.COMMITTEE_MEETING,
            meeting__status=MeetingStatus.HELD,
            meeting__start__lt=day_end,
        )
        .exclude(pk=item.pk)
        .exists()
    )


def item_errors(item) -> dict:
    """What is wrong with an agenda item (its votes, its status, the 三重一大 order): {field: message}."""
    errors: dict = {}
    if item.secretary_consent and not item.urgent:
        errors["secretary_consent"] = _("The secretary's consent is recorded only for an urgent item.")
    votes = [item.votes_yes, item.votes_no, item.votes_abstain]
    has_votes = any(v is not None for v in votes)
    if not item.meeting_id:
        return errors
    meeting = item.meeting
    if item.matter_id:
        if not meeting.is_decision_meeting:
            errors["matter"] = _(
                "Only items of a Party committee or president's office meeting name a 三重一大 matter."
            )
        elif item.matter.hospital_id != meeting.organization.hospital_id:
            errors["matter"] = _("The matter belongs to another hospital.")
    if has_votes and meeting.kind not in QUORUM_KINDS:
        errors["votes_yes"] = _("Votes are recorded at a member congress or a committee meeting.")
        return errors
    if item.status in (ItemStatus.STUDIED, ItemStatus.DECIDED) and not meeting.is_held:
        errors["status"] = _(
            "An item is studied or decided at a held meeting: record the meeting as held first."
        )
        return errors
    q = quorum(meeting) if meeting.kind in QUORUM_KINDS and meeting.pk else Quorum(applies=False)
    if has_votes and q.applies and meeting.is_held:
        cast = sum(v or 0 for v in votes)
        if cast > q.present:
            errors["votes_yes"] = _(
                "%(cast)d votes were cast, but only %(present)d members with a vote were present."
            ) % {"cast": cast, "present": q.present}
    if item.status != ItemStatus.DECIDED:
        return errors
    if q.applies and not q.met:
        errors["status"] = _(
            "The meeting had no quorum (%(present)d of %(total)d present, %(needed)d needed): "
            "nothing can be decided."
        ) % {"present": q.present, "total": q.should_attend, "needed": q.needed}
    elif meeting.kind in CONGRESS_KINDS and item.votes_yes is None:
        errors["votes_yes"] = _("Record the votes: a member congress decides by vote.")
    elif q.applies and item.votes_yes is not None and item.votes_yes < q.pass_needed:
        errors["status"] = _(
            "The resolution did not pass: %(yes)d votes for, %(needed)d needed "
            "(more than half of the %(total)d members with a vote who should attend)."
        ) % {"yes": item.votes_yes, "needed": q.pass_needed, "total": q.should_attend}
    if (
        meeting.kind == MeetingKind.PRESIDENT_OFFICE_MEETING
        and item.matter_id
        and not (item.urgent and item.secretary_consent)
        and not committee_studied(item)
    ):
        errors["status"] = _(
            "A 三重一大 matter is decided at the president's office meeting only after the Party "
            "committee has studied it, or when it is urgent and the secretary consented."
        )
    return errors


# ---------------------------------------------------------------------------------------------
# Attachments: the content must be what the name says (a renamed program is refused)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".pdf": (b"%PDF-",),
    ".doc": (OLE2,),
    ".xls": (OLE2,),
}
OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/"}


def sniff_attachment(f, ext: str) -> bool:
    """Whether the file's first bytes (or, for .docx/.xlsx, its zip parts) match its extension."""
    try:
        f.seek(0)
        head = f.read(16)
        if ext in SIGNATURES:
            return any(head.startswith(sig) for sig in SIGNATURES[ext])
        if ext in OOXML_PARTS:
            if not head.startswith(b"PK\x03\x04"):
                return False
            f.seek(0)
            try:
                names = zipfile.ZipFile(f).namelist()
            except (zipfile.BadZipFile, OSError, ValueError):
                return False
            return "[Content_Types].xml" in names and any(n.startswith(OOXML_PARTS[ext]) for n in names)
        return False
    finally:
        f.seek(0)


# ---------------------------------------------------------------------------------------------
# Business events


def _errors_of(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


class AttendanceRefused(ValidationError):
    """Some rows of an attendance sheet are wrong: ``rows`` maps a person id to {field: message}."""

    def __init__(self, rows: dict):
        self.rows = rows
        names = [m for errs in rows.values() for m in errs.values()]
        super().__init__(names)


@transaction.atomic
def record_attendance(meeting, rows: list[dict], *, actor, request=None) -> list:
    """Record (create or update) the attendance rows of a meeting in one go; all or nothing.

    Each row: ``person`` (a Person), ``status``, and optionally ``reason``, ``makeup_on``,
    ``makeup_note``, ``is_guest``, ``remove`` (drop a guest's row).
    """
    from ..models import Attendance

    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no attendance."))
    entries = meeting_roster(meeting)
    existing = {a.person_id: a for a in meeting.attendances.select_for_update().select_related("person")}
    problems: dict = {}
    to_create, to_update, to_delete, changes = [], [], [], []
    seen = set()
    for row in rows:
        person = row["person"]
        if person.pk in seen:
            continue
        seen.add(person.pk)
        att = existing.get(person.pk)
        if row.get("remove"):
            if att is not None and not att.expected:
                to_delete.append(att)
                changes.append({"person": person.name, "from": att.status, "to": None})
            continue
        new = att is None
        if new:
            att = Attendance(meeting=meeting, person=person, created_by=actor)
        before = None if new else (att.status, att.reason, att.makeup_on, att.makeup_note)
        att.status = row.get("status") or AttendanceStatus.PRESENT
        att.reason = (row.get("reason") or "").strip() if att.status != AttendanceStatus.PRESENT else ""
        att.makeup_on = row.get("makeup_on") if att.status == AttendanceStatus.MAKEUP else None
        att.makeup_note = (
            (row.get("makeup_note") or "").strip() if att.status == AttendanceStatus.MAKEUP else ""
        )
        if new:
            att.is_guest = bool(row.get("is_guest"))
            place_on_roster(att, entries)
        errs = attendance_errors(att, entries)
        if errs:
            problems[person.pk] = errs
            continue
        if new:
            to_create.append(att)
            changes.append({"person": person.name, "from": None, "to": att.status})
        elif before != (att.status, att.reason, att.makeup_on, att.makeup_note):
            to_update.append(att)
            changes.append({"person": person.name, "from": before[0], "to": att.status})
    if problems:
        raise AttendanceRefused(problems)
    now = timezone.now()
    for att in to_update:
        att.updated = now
    Attendance.objects.filter(pk__in=[a.pk for a in to_delete]).delete()
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(
        to_update, ["status", "reason", "makeup_on", "makeup_note", "updated"], batch_size=200
    )
    if changes:
        log_event(
            "meeting_attendance",
            actor=actor,
            obj=meeting,
            request=request,
            data={"changes": changes[:200]},
        )
    return list(meeting.attendances.select_related("person"))


@transaction.atomic
def hold_meeting(
    meeting, *, actor, attendance: list[dict] | None = None, minutes=None, resolutions=None, request=None
):
    """Record a planned meeting as held: not in the future, with everyone on the roster's attendance.

    The caller's ``meeting`` is refreshed (and returned)."""
    original, meeting = (
        meeting,
        type(meeting).objects.select_for_update().select_related("organization").get(pk=meeting.pk),
    )
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(_("The meeting is already recorded as held."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be recorded as held."))
    if meeting.start > timezone.now():
        raise ValidationError({"start": _("A meeting in the future cannot be recorded as held.")})
    if attendance is not None:
        record_attendance(meeting, attendance, actor=actor, request=request)
    rows = list(meeting.attendances.select_related("person"))
    recorded = {a.person_id for a in rows}
    missing = [e.person.name for e in meeting_roster(meeting) if e.person.pk not in recorded]
    if not rows:
        raise ValidationError(_("Record the attendance before recording the meeting as held."))
    if missing:
        raise ValidationError(
            _("Record the attendance of everyone who should attend first: %(names)s.")
            % {"names": "、".join(missing[:10]) + ("…" if len(missing) > 10 else "")}
        )
    if not any(a.status == AttendanceStatus.PRESENT for a in rows):
        raise ValidationError(_("Nobody was present: a meeting nobody attended was not held."))
    if minutes is not None:
        meeting.minutes = minutes
    if resolutions is not None:
        meeting.resolutions = resolutions
    meeting.status = MeetingStatus.HELD
    meeting.full_clean()
    meeting.save()
    q = quorum(meeting, rows)
    counts = {s: sum(1 for a in rows if a.status == s) for s in AttendanceStatus.values}
    log_event(
        "meeting_held",
        actor=actor,
        obj=meeting,
        request=request,
        data={"attendance": counts, "quorum": q.met if q.applies else None},
    )
    original.refresh_from_db()
    return original


@transaction.atomic
def cancel_meeting(meeting, *, actor, reason: str, request=None):
    """Cancel a planned meeting, with the reason; a held meeting is a record and is not cancelled."""
    original, meeting = meeting, type(meeting).objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(_("A held meeting is a record: it cannot be cancelled."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting is already cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = (reason or "").strip()
    meeting.full_clean()
    meeting.save()
    log_event(
        "meeting_cancelled", actor=actor, obj=meeting, request=request, data={"reason": meeting.cancel_reason}
    )
    original.refresh_from_db()
    return original


@transaction.atomic
def add_attachment(meeting, upload, *, actor, name: str = "", request=None):
    """Attach a file to a meeting after checking its type, content and size."""
    from ..models import MeetingAttachment

    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting takes no attachments."))
    att = MeetingAttachment(
        meeting=meeting,
        file=upload,
        name=(name or getattr(upload, "name", "") or "").strip()[:200],
        size=getattr(upload, "size", 0) or 0,
        created_by=actor,
    )
    att.full_clean()
    att.save()
    log_event("meeting_attachment_added", actor=actor, obj=meeting, request=request, data={"name": att.name})
    return att


@transaction.atomic
def set_item_status(item, status: str, *, actor, request=None):
    """Mark an agenda item studied, decided or deferred (decided: see :func:`decide_item`)."""
    from ..models import AgendaItem

    if status not in ItemStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    original, item = (
        item,
        AgendaItem.objects.select_for_update().select_related("meeting__organization").get(pk=item.pk),
    )
    before = item.status
    item.status = status
    item.full_clean()
    item.save()
    log_event(
        "agenda_item_status",
        actor=actor,
        obj=item,
        request=request,
        data={"from": before, "to": status, "matter": item.matter_id},
    )
    original.refresh_from_db()
    return original


def decide_item(item, *, actor, request=None):
    """Mark an item decided: the meeting was held with a quorum, the votes passed, and a 三重一大 item at
    the president's office meeting was studied by the Party committee first (or urgent with consent)."""
    return set_item_status(item, ItemStatus.DECIDED, actor=actor, request=request)


def study_item(item, *, actor, request=None):
    return set_item_status(item, ItemStatus.STUDIED, actor=actor, request=request)


def defer_item(item, *, actor, request=None):
    return set_item_status(item, ItemStatus.DEFERRED, actor=actor, request=request)
