"""Volunteering and assistance: recording who took part (one page, from the organiser's roster),
and the figures reports read (activities, participations, hours, people served, villages).

Points follow the participations (triggers ``volunteering_activity`` and ``volunteering_hours``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.people.choices import MEMBER_STAGES, EmploymentStatus
from hongqing.people.models import Membership

from ..choices import ServedKind
from ..models import Volunteering, VolunteeringParticipant
from . import ledger, periods

MAX_HOURS = Decimal("24")


def roster(volunteering) -> list:
    """The members of the organising organisation (and the organisations under it), by staff number."""
    org = volunteering.organizer
    return [
        m.person
        for m in Membership.objects.filter(organization__path__startswith=org.path, stage__in=MEMBER_STAGES)
        .exclude(person__status=EmploymentStatus.LEFT)
        .select_related("person")
        .order_by("person__staff_no")
    ]


def parse_hours(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value.quantize(Decimal("0.1"))


class ParticipantsRefused(ValidationError):
    """Rows of the participants' sheet are wrong: ``rows`` maps a person id to its message."""

    def __init__(self, rows: dict):
        self.rows = rows
        super().__init__(list(rows.values()))


def closed_year_of(volunteering) -> int | None:
    year = periods.cycle_year(volunteering.date, volunteering.hospital_id)
    return year if ledger.is_closed(volunteering.hospital_id, year) else None


@transaction.atomic
def record_participants(
    volunteering, rows: list[dict], *, actor, request=None
) -> list[VolunteeringParticipant]:
    """Record who took part, all or nothing: rows of ``person``, ``hours`` (Decimal), ``note``,
    ``take_part`` (False removes an existing participant). The points follow."""
    v = Volunteering.objects.select_for_update().get(pk=volunteering.pk)
    year = closed_year_of(v)
    if year is not None:
        raise ValidationError(
            _("The points year %(year)d is closed: the participants of its activities are kept.")
            % {"year": year}
        )
    existing = {p.person_id: p for p in v.participants.select_related("person")}
    problems: dict = {}
    to_create, to_update, to_delete = [], [], []
    seen = set()
    for row in rows:
        person = row["person"]
        if person.pk in seen:
            continue
        seen.add(person.pk)
        current = existing.get(person.pk)
        if not row.get("take_part", True):
            if current is not None:
                to_delete.append(current)
            continue
        hours = row.get("hours")
        if person.hospital_id != v.hospital_id:
            problems[person.pk] = _("%(name)s belongs to another hospital.") % {"name": person.name}
            continue
        if hours is None or not (0 < hours <= MAX_HOURS):
            problems[person.pk] = _("%(name)s: enter the hours (more than 0, at most 24).") % {
                "name": person.name
            }
            continue
        note = (row.get("note") or "").strip()[:200]
        if current is None:
            to_create.append(
                VolunteeringParticipant(
                    volunteering=v, person=person, hours=hours, note=note, created_by=actor
                )
            )
        elif (current.hours, current.note) != (hours, note):
            current.hours, current.note = hours, note
            to_update.append(current)
    if problems:
        raise ParticipantsRefused(problems)
    now = timezone.now()
    for p in to_update:
        p.updated = now
    # Deleting one by one fires the signal that withdraws its points; creations and updates are
    # written in bulk and their points synced below, in one go.
    for p in to_delete:
        p.delete()
    created = VolunteeringParticipant.objects.bulk_create(to_create)
    VolunteeringParticipant.objects.bulk_update(to_update, ["hours", "note", "updated"])
    changed = [p.pk for p in created] + [p.pk for p in to_update]
    if changed:
        ledger.sync_model("points.VolunteeringParticipant", changed, actor=actor)
    if created or to_update or to_delete:
        log_event(
            "volunteering_participants",
            actor=actor,
            obj=v,
            request=request,
            data={"added": len(created), "changed": len(to_update), "removed": len(to_delete)},
        )
    return list(v.participants.select_related("person"))


@dataclass(frozen=True)
class Figures:
    activities: int
    participations: int  # 人次
    participants: int  # distinct persons
    hours: Decimal
    people_served: int
    villages: int
    units: int


def figures(activities) -> Figures:
    """The report figures of some activities (a restricted queryset)."""
    ids = activities.values("pk")
    a = activities.order_by().aggregate(
        n=Count("pk"),
        served=Sum("people_served"),
        villages=Count("served_unit", filter=Q(served_kind=ServedKind.VILLAGE), distinct=True),
        units=Count("served_unit", distinct=True),
    )
    p = VolunteeringParticipant.objects.filter(volunteering__in=ids).aggregate(
        n=Count("pk"), persons=Count("person", distinct=True), hours=Sum("hours")
    )
    return Figures(
        activities=a["n"] or 0,
        participations=p["n"] or 0,
        participants=p["persons"] or 0,
        hours=p["hours"] or Decimal("0"),
        people_served=a["served"] or 0,
        villages=a["villages"] or 0,
        units=a["units"] or 0,
    )
