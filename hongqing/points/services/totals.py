"""Totals from the ledger: a member's year, by month; members of a branch; branches of a hospital;
and rankings — only when the hospital has turned them on (RULES.md §8), within a branch by default.

Every figure is a sum of ledger lines the caller may read (``PointEntry.objects.restrict``), one
query for any number of members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hongqing.core.rules import rule_value
from hongqing.core.scoping import VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from ..models import PointEntry
from . import periods

ZERO = Decimal("0")


def rankings(hospital_id: int | None, value=None) -> dict:
    """{"enabled": bool, "scope": "branch" | "hospital"} — off unless the hospital turned them on.

    ``value``: the rule's value when the caller has read it already (a RuleBook)."""
    value = rule_value("points.rankings", hospital_id) if value is None else value
    if not isinstance(value, dict) or value.get("enabled") is not True:
        return {"enabled": False, "scope": "branch"}
    return {"enabled": True, "scope": "hospital" if value.get("scope") == "hospital" else "branch"}


def current_year(hospital_id: int | None) -> int:
    return periods.cycle_year(timezone.localdate(), hospital_id)


def person_total(user, person, year: int) -> Decimal:
    qs = PointEntry.objects.restrict(user, VIEW).filter(person=person, year=year)
    return qs.aggregate(s=Sum("amount"))["s"] or ZERO


def by_month(user, person, year: int) -> list[tuple[dt.date, Decimal, int]]:
    """(first day of the month, points, lines) for each month of the cycle, in order."""
    month = periods.start_month(person.hospital_id)
    start, _end = periods.bounds(year, month)
    rows = (
        PointEntry.objects.restrict(user, VIEW)
        .filter(person=person, year=year)
        .annotate(m=TruncMonth("date"))
        .order_by()
        .values("m")
        .annotate(s=Sum("amount"), n=Count("pk", filter=Q(kind="award")))
    )
    found = {(r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]): (r["s"], r["n"]) for r in rows}
    out = []
    for i in range(12):
        first = dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        s, n = found.get(first, (ZERO, 0))
        out.append((first, s, n))
    return out


def months_of(entries, year: int, month: int) -> list[tuple[dt.date, Decimal, int]]:
    """The same as ``by_month`` from lines already read (the member's page reads them anyway)."""
    start, _end = periods.bounds(year, month)
    found: dict = {}
    for e in entries:
        key = e.date.replace(day=1)
        s, n = found.get(key, (ZERO, 0))
        found[key] = (s + e.amount, n + (1 if e.kind == "award" else 0))
    out = []
    for i in range(12):
        first = dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        s, n = found.get(first, (ZERO, 0))
        out.append((first, s, n))
    return out


def totals_of(user, person_ids, year: int) -> dict[int, Decimal]:
    """{person id: total of the year} for the persons the user may read, in one query."""
    rows = (
        PointEntry.objects.restrict(user, VIEW)
        .filter(year=year, person_id__in=person_ids)
        .order_by()
        .values_list("person_id")
        .annotate(s=Sum("amount"))
    )
    return dict(rows)


@dataclass
class MemberRow:
    membership: Membership
    total: Decimal
    rank: int | None = None


def competition_ranks(values: list[Decimal]) -> list[int]:
    """1, 2, 2, 4 … for values sorted from the highest."""
    ranks, previous, rank = [], None, 0
    for i, v in enumerate(values, start=1):
        if v != previous:
            rank, previous = i, v
        ranks.append(rank)
    return ranks


def members_of(user, organization, year: int, *, with_ranks: bool = False) -> list[MemberRow]:
    """The members (probationary and full) of an organisation and its groups, with their totals.

    With ``with_ranks`` (the caller checked the rule), sorted by total with competition ranks.
    """
    memberships = list(
        Membership.objects.restrict(user, VIEW, area=PointEntry.scope_area)
        .filter(organization__path__startswith=organization.path, stage__in=MEMBER_STAGES)
        .select_related("person", "organization")
        .order_by("person__staff_no")
    )
    totals = totals_of(user, [m.person_id for m in memberships], year)
    rows = [MemberRow(m, totals.get(m.person_id, ZERO)) for m in memberships]
    if with_ranks:
        rows.sort(key=lambda r: (-r.total, r.membership.person.staff_no))
        for r, rank in zip(rows, competition_ranks([r.total for r in rows]), strict=True):
            r.rank = rank
    return rows


@dataclass
class BranchRow:
    organization: PartyOrganization
    members: int = 0
    total: Decimal = ZERO
    with_points: int = 0
    children: list = field(default_factory=list)

    @property
    def average(self) -> Decimal:
        return (self.total / self.members).quantize(Decimal("0.1")) if self.members else ZERO


def branch_totals(user, hospital_id: int, year: int) -> list[BranchRow]:
    """Each branch (and general branch) of a hospital: its members now, their total and average.

    Members of a Party group count in the branch above it. A few queries for the whole hospital.
    """
    orgs = list(
        PartyOrganization.objects.restrict(user, VIEW, area=PointEntry.scope_area)
        .filter(hospital_id=hospital_id, kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH))
        .order_by("path")
    )
    if not orgs:
        return []
    members = list(
        Membership.objects.restrict(user, VIEW, area=PointEntry.scope_area)
        .filter(organization__hospital_id=hospital_id, stage__in=MEMBER_STAGES)
        .values_list("person_id", "organization__path")
    )
    totals = _hospital_totals(user, hospital_id, year)
    branches = [o for o in orgs if o.kind == OrgKind.BRANCH]
    rows = {o.pk: BranchRow(o) for o in orgs}
    # The deepest branch whose path starts the member's organisation's path.
    by_path = sorted(branches, key=lambda o: -len(o.path))
    for person_id, path in members:
        branch = next((b for b in by_path if path.startswith(b.path)), None)
        if branch is None:
            continue
        row = rows[branch.pk]
        row.members += 1
        t = totals.get(person_id, ZERO)
        row.total += t
        row.with_points += 1 if t else 0
    out = [rows[o.pk] for o in orgs if o.kind == OrgKind.BRANCH]
    for o in orgs:  # a general branch sums the branches under it
        if o.kind == OrgKind.GENERAL_BRANCH:
            g = rows[o.pk]
            g.children = [r for r in out if r.organization.path.startswith(o.path)]
            g.members = sum(r.members for r in g.children)
            g.total = sum((r.total for r in g.children), ZERO)
    return out


def _hospital_totals(user, hospital_id: int, year: int) -> dict[int, Decimal]:
    rows = (
        PointEntry.objects.restrict(user, VIEW)
        .filter(hospital_id=hospital_id, year=year)
        .order_by()
        .values_list("person_id")
        .annotate(s=Sum("amount"))
    )
    return dict(rows)


def hospital_total(user, hospital_id: int, year: int) -> tuple[Decimal, int]:
    agg = (
        PointEntry.objects.restrict(user, VIEW)
        .filter(hospital_id=hospital_id, year=year)
        .aggregate(s=Sum("amount"), n=Count("person", distinct=True))
    )
    return agg["s"] or ZERO, agg["n"] or 0


def rank_of(person, year: int, ranking: dict | None = None) -> dict | None:
    """The member's own place when the hospital turned rankings on: {rank, size, scope}; else None.

    Computed over everyone of the scope (the branch, or the hospital) without showing anybody
    else's total: the member sees only their own place.
    """
    r = ranking or rankings(person.hospital_id)
    if not r["enabled"]:
        return None
    try:
        m = person.membership
    except Membership.DoesNotExist:
        return None
    if m.stage not in MEMBER_STAGES:
        return None
    peers = Membership.objects.filter(stage__in=MEMBER_STAGES)
    if r["scope"] == "hospital":
        peers = peers.filter(organization__hospital_id=person.hospital_id)
        scope_org = None
    else:
        scope_org = _branch_of(m.organization)
        peers = peers.filter(organization__path__startswith=scope_org.path)
    ids = list(peers.values_list("person_id", flat=True))
    totals = dict(
        PointEntry.objects.filter(year=year, person_id__in=ids)
        .order_by()
        .values_list("person_id")
        .annotate(s=Sum("amount"))
    )
    mine = totals.get(person.pk, ZERO)
    above = sum(1 for pid in ids if totals.get(pid, ZERO) > mine)
    return {"rank": above + 1, "size": len(ids), "scope": r["scope"], "organization": scope_org}


def _branch_of(org):
    """The branch an organisation is (or is in: a Party group's branch)."""
    if org.kind == OrgKind.GROUP:
        parent = (
            PartyOrganization.objects.get_queryset()
            .filter(path=org.path[: -PartyOrganization.steplen])
            .first()
        )
        return parent or org
    return org
