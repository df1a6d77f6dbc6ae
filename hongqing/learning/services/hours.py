"""Study hours against the yearly requirement (RULES.md §1, 《党员教育管理工作条例》2019).

- A person's hours of a year: the hours of their attendances that count (present, or made up) at
  sessions that started that year, plus their confirmed self-study of that year. Nothing is typed:
  save or delete an attendance and the figure follows.
- The requirement: ``learning.required_hours.leader`` (56) for a person holding a post in a current
  committee term on the day (branch secretaries and committee members), else
  ``learning.required_hours.member`` (32).
- A branch's completion: the share of its members (probationary and full, not left; its groups
  included) at or above their requirement.

Two forms of the same definitions: :func:`with_hours` annotates a membership queryset (the lists
page and sort in the database), :func:`completion` groups a whole region's in a few queries (the
duty list's loader). A test keeps them equal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hongqing.core.querying import id_chunks
from hongqing.core.rules import RuleBook
from hongqing.people.choices import MEMBER_STAGES, EmploymentStatus
from hongqing.people.models import Membership, TermPosition

from ..choices import COUNTING_STATUSES, SelfStudyStatus

ZERO = Decimal("0")
HOURS = DecimalField(max_digits=7, decimal_places=1)
MEMBER_KEY = "learning.required_hours.member"
LEADER_KEY = "learning.required_hours.leader"


def year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year's first instant and the next year's, in the local time zone."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime(year, 1, 1), tz),
        timezone.make_aware(dt.datetime(year + 1, 1, 1), tz),
    )


def reference_day(year: int) -> dt.date:
    """The day whose posts decide the requirement: today in the current year, else 31 December."""
    today = timezone.localdate()
    return today if year == today.year else dt.date(year, 12, 31)


def counting_attendances(year: int):
    from ..models import StudyAttendance

    start, end = year_range(year)
    return StudyAttendance.objects.filter(
        status__in=COUNTING_STATUSES, session__start__gte=start, session__start__lt=end
    )


def confirmed_self_study(year: int):
    from ..models import SelfStudy

    return SelfStudy.objects.filter(
        status=SelfStudyStatus.CONFIRMED,
        studied_on__gte=dt.date(year, 1, 1),
        studied_on__lt=dt.date(year + 1, 1, 1),
    )


def current_posts(on: dt.date):
    """Posts held on a day in a committee term in force that day."""
    return TermPosition.objects.filter(
        Q(start__isnull=True) | Q(start__lte=on),
        Q(end__isnull=True) | Q(end__gte=on),
        Q(term__actual_end__isnull=True) | Q(term__actual_end__gte=on),
        term__start__lte=on,
    )


class Requirements:
    """The required hours by hospital and role, read once (one query) for many hospitals."""

    def __init__(self, year: int, hospital_ids=None):
        self.on = reference_day(year)
        self.book = RuleBook("learning.required_hours.", hospital_ids)

    def hours(self, hospital_id, leader: bool) -> Decimal:
        return Decimal(str(self.book.value(LEADER_KEY if leader else MEMBER_KEY, hospital_id, self.on)))

    def overridden(self) -> set[int]:
        return {r.hospital_id for rows in self.book._rows.values() for r in rows if r.hospital_id is not None}

    def case(self, hospital_path: str, leader_field: str = "is_leader") -> Case:
        """``required_hours`` as a database expression (the hospitals with their own values first)."""
        whens = []
        for hospital_id in sorted(self.overridden()):
            for leader in (True, False):
                whens.append(
                    When(
                        **{hospital_path: hospital_id, leader_field: leader},
                        then=Value(self.hours(hospital_id, leader)),
                    )
                )
        whens.append(When(**{leader_field: True}, then=Value(self.hours(None, True))))
        return Case(*whens, default=Value(self.hours(None, False)), output_field=HOURS)


def members_of(organizations):
    """The memberships a branch's completion counts: probationary and full, not left, groups included."""
    # The outermost subtrees only: the same members, and an OR short enough for SQLite (it refuses an
    # expression deeper than 1,000) when a region's 800 committees and branches are asked at once.
    q, kept = Q(), []
    for path in sorted(org.path for org in organizations):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
            q |= Q(organization__path__startswith=path)
    return (
        Membership.objects.filter(q, stage__in=MEMBER_STAGES).exclude(person__status=EmploymentStatus.LEFT)
        if organizations
        else Membership.objects.none()
    )


def with_hours(memberships, year: int, hospital_ids=None):
    """Memberships annotated with ``session_hours``, ``self_hours``, ``total_hours``, ``is_leader``,
    ``required_hours`` and ``reached`` for ``year`` (three subqueries; constant queries per page)."""
    req = Requirements(year, hospital_ids)
    sessions = (
        counting_attendances(year)
        .filter(person_id=OuterRef("person_id"))
        .order_by()
        .values("person_id")
        .annotate(t=Sum("hours"))
        .values("t")
    )
    own = (
        confirmed_self_study(year)
        .filter(person_id=OuterRef("person_id"))
        .order_by()
        .values("person_id")
        .annotate(t=Sum("hours"))
        .values("t")
    )
    return (
        memberships.annotate(
            session_hours=Coalesce(Subquery(sessions, output_field=HOURS), Value(ZERO), output_field=HOURS),
            self_hours=Coalesce(Subquery(own, output_field=HOURS), Value(ZERO), output_field=HOURS),
            is_leader=Exists(current_posts(req.on).filter(person_id=OuterRef("person_id"))),
        )
        .annotate(
            total_hours=ExpressionWrapper(F("session_hours") + F("self_hours"), output_field=HOURS),
            required_hours=req.case("organization__hospital_id"),
        )
        .annotate(
            reached=Case(
                When(total_hours__gte=F("required_hours"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


# ---------------------------------------------------------------------------------------------
# Grouped in Python: one person, a branch, a region


def hours_by_person(person_ids_query, year: int) -> dict[int, tuple[Decimal, Decimal]]:
    """{person id: (session hours, self-study hours)} for the persons of a list or subquery: two queries."""
    out: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    rows = (
        counting_attendances(year)
        .filter(person_id__in=person_ids_query)
        .order_by()
        .values_list("person_id")
        .annotate(t=Sum("hours"))
    )
    for pid, total in rows:
        out[pid][0] = Decimal(total or 0)
    rows = (
        confirmed_self_study(year)
        .filter(person_id__in=person_ids_query)
        .order_by()
        .values_list("person_id")
        .annotate(t=Sum("hours"))
    )
    for pid, total in rows:
        out[pid][1] = Decimal(total or 0)
    return {k: (v[0], v[1]) for k, v in out.items()}


@dataclass
class PersonHours:
    person_id: int
    sessions: Decimal = ZERO
    self_study: Decimal = ZERO
    required: Decimal = ZERO
    leader: bool = False

    @property
    def total(self) -> Decimal:
        return self.sessions + self.self_study

    @property
    def reached(self) -> bool:
        return self.total >= self.required

    @property
    def short(self) -> Decimal:
        return max(ZERO, self.required - self.total)

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.total / self.required)) if self.required else 100


def person_hours(person, year: int) -> PersonHours:
    """One person's hours of a year against their requirement (four small queries)."""
    got = hours_by_person([person.pk], year)
    sessions, own = got.get(person.pk, (ZERO, ZERO))
    req = Requirements(year, [person.hospital_id])
    leader = current_posts(req.on).filter(person_id=person.pk).exists()
    return PersonHours(person.pk, sessions, own, req.hours(person.hospital_id, leader), leader)


@dataclass
class Completion:
    """A branch's completion of a year: how many members, how many at or above their requirement."""

    organization_id: int
    members: int = 0
    reached: int = 0
    people: list[PersonHours] = field(default_factory=list)

    @property
    def short(self) -> int:
        return self.members - self.reached

    @property
    def rate(self) -> int:
        """The share reached, in whole percent (100 for a branch without members: nobody owes hours)."""
        return int(100 * self.reached / self.members) if self.members else 100


def completion(
    organizations, year: int, *, keep_people: bool = False, memberships=None
) -> dict[int, Completion]:
    """{organisation id: Completion} for each organisation (its subtree's members): a few queries for a
    whole region — the memberships, two sums of hours, the posts and the rules.

    ``memberships``: count only these (a user's scope), within each organisation's members."""
    organizations = list(organizations)
    result = {o.pk: Completion(o.pk) for o in organizations}
    if not organizations:
        return result
    memberships = (
        members_of(organizations) if memberships is None else members_of(organizations) & memberships
    )
    rows = list(memberships.values_list("person_id", "organization__path", "organization__hospital_id"))
    hospital_ids = {h for _p, _path, h in rows}
    req = Requirements(year, hospital_ids)
    got, leaders = {}, set()
    for person_ids in id_chunks(pid for pid, _path, _h in rows):  # a list, not a subquery: core.querying
        got.update(hours_by_person(person_ids, year))
        leaders.update(
            current_posts(req.on).filter(person_id__in=person_ids).values_list("person_id", flat=True)
        )
    by_path = sorted(((o.path, o.pk) for o in organizations), key=lambda x: -len(x[0]))
    for pid, path, hospital_id in rows:
        sessions, own = got.get(pid, (ZERO, ZERO))
        leader = pid in leaders
        ph = PersonHours(pid, sessions, own, req.hours(hospital_id, leader), leader)
        for org_path, org_id in by_path:
            if path.startswith(org_path):
                c = result[org_id]
                c.members += 1
                c.reached += ph.reached
                if keep_people:
                    c.people.append(ph)
    return result
