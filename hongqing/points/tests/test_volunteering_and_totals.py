"""Volunteering participants recorded in one go (all or nothing), the report figures, and the totals:
a member's months, a branch's members, the hospital's branches, rankings only when turned on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hongqing.core.models import Rule
from hongqing.points.choices import ServedKind, VolunteeringKind
from hongqing.points.models import ClosedYear, Volunteering, VolunteeringParticipant
from hongqing.points.services import totals
from hongqing.points.services import volunteering as services

from .support import YEAR, D, attended, member, rule, set_rule, total, volunteering

DAY = dt.date(YEAR, 6, 8)


def test_participants_are_recorded_in_one_go_and_earn_points(world):
    rule(world.hospital, "volunteering_hours", "1")
    v = volunteering(world.branch_a, DAY, hours=D("3"))
    sec = world.secretary_a.person
    services.record_participants(
        v,
        [{"person": world.person_a, "hours": D("3")}, {"person": sec, "hours": D("1.5"), "note": "带队"}],
        actor=world.secretary_a,
    )
    assert (total(world.person_a), total(sec)) == (3, D("1.5"))
    services.record_participants(
        v,
        [{"person": world.person_a, "hours": D("2")}, {"person": sec, "take_part": False}],
        actor=world.secretary_a,
    )
    assert (total(world.person_a), total(sec)) == (2, 0)
    assert list(v.participants.values_list("person_id", flat=True)) == [world.person_a.pk]


def test_one_bad_row_writes_nothing(world):
    v = volunteering(world.branch_a, DAY)
    with pytest.raises(services.ParticipantsRefused) as exc:
        services.record_participants(
            v,
            [{"person": world.person_a, "hours": D("2")}, {"person": world.person_h2, "hours": D("2")}],
            actor=world.secretary_a,
        )
    assert world.person_h2.pk in exc.value.rows
    with pytest.raises(services.ParticipantsRefused):
        services.record_participants(
            v, [{"person": world.person_a, "hours": D("25")}], actor=world.secretary_a
        )
    assert not VolunteeringParticipant.objects.exists()


def test_participants_of_an_activity_in_a_closed_year_are_kept(world):
    v = volunteering(world.branch_a, DAY)
    ClosedYear.objects.create(hospital=world.hospital, year=YEAR)
    with pytest.raises(ValidationError, match="closed"):
        services.record_participants(
            v, [{"person": world.person_a, "hours": D("2")}], actor=world.secretary_a
        )


def test_an_activity_in_the_future_is_refused(world):
    v = Volunteering(
        hospital=world.hospital,
        organizer=world.branch_a,
        kind=VolunteeringKind.VOLUNTEER,
        title="x",
        date=timezone.localdate() + dt.timedelta(days=2),
        served_unit="某村",
    )
    with pytest.raises(ValidationError, match="future"):
        v.full_clean()


def test_the_report_figures(world):
    a = volunteering(world.branch_a, DAY, people_served=120, served_unit="青石村")
    b = volunteering(world.branch_a, DAY, VolunteeringKind.PAIRING, people_served=30, served_unit="青石村")
    c = volunteering(
        world.branch_b, DAY, people_served=50, served_unit="实验小学", served_kind=ServedKind.SCHOOL
    )
    for v, persons in (
        (a, [world.person_a, world.secretary_a.person]),
        (b, [world.person_a]),
        (c, [world.person_b]),
    ):
        services.record_participants(
            v, [{"person": p, "hours": D("2.5")} for p in persons], actor=world.office
        )
    f = services.figures(Volunteering.objects.filter(hospital=world.hospital))
    assert (
        f.activities,
        f.participations,
        f.participants,
        f.hours,
        f.people_served,
        f.villages,
        f.units,
    ) == (3, 4, 3, D("10.0"), 200, 1, 2)


def test_a_members_months_and_year(world):
    rule(world.hospital, "meeting_attendance", "2")
    attended(world.branch_a, world.person_a, dt.date(YEAR, 1, 5))
    attended(world.branch_a, world.person_a, dt.date(YEAR, 1, 20))
    attended(world.branch_a, world.person_a, dt.date(YEAR, 3, 1))
    months = totals.by_month(world.member_a, world.person_a, YEAR)
    assert [(m.month, s) for m, s, _n in months[:3]] == [(1, 4), (2, 0), (3, 2)]
    assert totals.person_total(world.member_a, world.person_a, YEAR) == 6
    assert totals.person_total(world.member_a, world.person_b, YEAR) == 0  # not theirs to read


def test_a_branch_sees_its_members_and_the_office_every_branch(world):
    rule(world.hospital, "meeting_attendance", "2")
    extra = member(world, world.branch_a, "党员乙")
    attended(world.branch_a, world.person_a, DAY)
    attended(world.branch_a, extra, DAY)
    attended(world.branch_a, extra, DAY + dt.timedelta(days=1))
    attended(world.branch_b, world.person_b, DAY)
    rows = totals.members_of(world.secretary_a, world.branch_a, YEAR)
    assert {r.membership.person: r.total for r in rows} == {
        world.person_a: 2,
        extra: 4,
        world.secretary_a.person: 0,
    }
    assert all(r.rank is None for r in rows)
    assert totals.members_of(world.secretary_b, world.branch_a, YEAR) == []
    branches = {r.organization: r for r in totals.branch_totals(world.office, world.hospital.pk, YEAR)}
    assert (branches[world.branch_a].total, branches[world.branch_a].members) == (6, 3)
    assert branches[world.branch_b].total == 2
    assert world.branch_b not in {
        r.organization for r in totals.branch_totals(world.secretary_a, world.hospital.pk, YEAR)
    }


def test_rankings_are_off_by_default_and_within_the_branch_when_on(world):
    rule(world.hospital, "meeting_attendance", "2")
    attended(world.branch_a, world.person_a, DAY)
    attended(world.branch_b, world.person_b, DAY)
    attended(world.branch_b, world.person_b, DAY + dt.timedelta(days=1))
    assert totals.rank_of(world.person_a, YEAR) is None
    set_rule("points.rankings", {"enabled": True, "scope": "branch"}, world.hospital)
    assert totals.rank_of(world.person_a, YEAR)["rank"] == 1  # first of branch A, whatever branch B has
    assert totals.rank_of(world.person_a, YEAR)["size"] == 2
    Rule.objects.filter(key="points.rankings", hospital_id=world.hospital.pk).update(
        value={"enabled": True, "scope": "hospital"}
    )
    r = totals.rank_of(world.person_a, YEAR)
    assert (r["rank"], r["size"], r["scope"]) == (2, 4, "hospital")


def test_competition_ranks_share_a_place(world):
    assert totals.competition_ranks([D(9), D(7), D(7), D(3)]) == [1, 2, 2, 4]
