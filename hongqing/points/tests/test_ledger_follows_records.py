"""Points follow records: an attendance saved earns them, deleted or no longer counting withdraws them
(a reversing line, never an edit), the same record never earns twice, services' bulk writes too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from hongqing.party.choices import AttendanceStatus, MeetingKind, MeetingStatus
from hongqing.party.services import meetings as meeting_services
from hongqing.points.choices import EntryKind
from hongqing.points.models import PointEntry, Why
from hongqing.points.services import ledger

from .support import YEAR, D, attend, attended, lines, meeting, rule, total

DAY = dt.date(YEAR, 3, 12)


@pytest.fixture
def item(world):
    return rule(world.hospital, amount="2")


def test_an_attendance_saved_earns_points_with_its_meeting_behind_the_line(world, item):
    a = attended(world.branch_a, world.person_a, DAY)
    (line,) = lines(world.person_a)
    assert (line.kind, line.amount, line.rule, line.date, line.year) == (
        EntryKind.AWARD,
        D("2.00"),
        item,
        DAY,
        YEAR,
    )
    assert line.record_url() == a.meeting.get_absolute_url()
    assert "主题党日" in line.label
    assert total(world.person_a) == 2


def test_deleting_the_attendance_writes_a_reversing_line_and_the_total_is_back(world, item):
    a = attended(world.branch_a, world.person_a, DAY)
    award = PointEntry.objects.get(person=world.person_a)
    a.delete()
    award_again, reversal = lines(world.person_a)
    assert award_again.pk == award.pk and award_again.amount == 2  # the award is untouched
    assert (reversal.kind, reversal.amount, reversal.reverses_id, reversal.why) == (
        EntryKind.REVERSAL,
        D("-2.00"),
        award.pk,
        Why.DELETED,
    )
    assert total(world.person_a) == 0


def test_an_attendance_that_stops_counting_is_withdrawn_and_earns_again_when_it_counts(world, item):
    a = attended(world.branch_a, world.person_a, DAY)
    a.status, a.reason = AttendanceStatus.LEAVE, "值班"
    a.save()
    assert total(world.person_a) == 0
    assert lines(world.person_a)[-1].why == Why.STOPPED
    a.status, a.reason = AttendanceStatus.PRESENT, ""
    a.save()
    assert total(world.person_a) == 2
    last = lines(world.person_a)[-1]
    assert (last.kind, last.generation, last.why) == (EntryKind.AWARD, 2, Why.REAWARDED)


def test_a_made_up_attendance_counts_and_a_planned_meeting_does_not(world, item):
    attended(world.branch_a, world.person_a, DAY, AttendanceStatus.MAKEUP)
    planned = meeting(world.branch_a, DAY + dt.timedelta(days=1), status=MeetingStatus.PLANNED)
    attend(planned, world.person_a)
    assert total(world.person_a) == 2


def test_the_same_attendance_never_earns_twice(world, item):
    a = attended(world.branch_a, world.person_a, DAY)
    for _ in range(3):
        a.save()
        ledger.sync("meeting_attendance", [a.pk])
    assert len(lines(world.person_a)) == 1
    assert total(world.person_a) == 2


def test_a_second_award_of_the_same_record_is_refused_by_the_database(world, item):
    attended(world.branch_a, world.person_a, DAY)
    award = PointEntry.objects.get(person=world.person_a)
    twin = PointEntry(
        **{f.attname: getattr(award, f.attname) for f in PointEntry._meta.concrete_fields if f.name != "id"}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_meeting_held_through_the_service_awards_everyone_present(world, item):
    m = meeting(world.branch_a, DAY, MeetingKind.THEME_DAY, status=MeetingStatus.PLANNED)
    secretary = world.secretary_a.person
    meeting_services.hold_meeting(
        m,
        actor=world.secretary_a,
        attendance=[
            {"person": world.person_a, "status": AttendanceStatus.PRESENT},
            {"person": secretary, "status": AttendanceStatus.LEAVE, "reason": "门诊"},
        ],
    )
    assert total(world.person_a) == 2
    assert total(secretary) == 0


def test_attendance_changed_in_bulk_on_a_held_meeting_follows(world, item):
    """record_attendance() writes rows with bulk_create/bulk_update (no signals): the ledger follows its event."""
    m = meeting(world.branch_a, DAY)
    secretary = world.secretary_a.person
    meeting_services.record_attendance(
        m,
        [
            {"person": world.person_a, "status": AttendanceStatus.PRESENT},
            {"person": secretary, "status": AttendanceStatus.PRESENT},
        ],
        actor=world.secretary_a,
    )
    assert (total(world.person_a), total(secretary)) == (2, 2)
    meeting_services.record_attendance(
        m,
        [{"person": secretary, "status": AttendanceStatus.ABSENT, "reason": "未请假"}],
        actor=world.secretary_a,
    )
    assert (total(world.person_a), total(secretary)) == (2, 0)


def test_cancelling_is_not_possible_for_a_held_meeting_but_unholding_by_edit_withdraws(world, item):
    a = attended(world.branch_a, world.person_a, DAY)
    m = a.meeting
    m.status = MeetingStatus.PLANNED  # a correction of a wrongly recorded meeting (the admin's)
    m.save()
    assert total(world.person_a) == 0


def test_a_guest_or_a_non_member_earns_nothing(world, item):
    from hongqing.core.testing.world import make_person

    staff = make_person(world.hospital, world.dept_a, "非党员职工")
    m = meeting(world.branch_a, DAY)
    attend(m, staff, is_guest=True)
    assert total(staff) == 0


def test_a_rule_with_kinds_counts_only_those_meetings(world):
    rule(world.hospital, amount="5", kinds=[MeetingKind.PARTY_LECTURE])
    attended(world.branch_a, world.person_a, DAY, kind=MeetingKind.THEME_DAY)
    attended(world.branch_a, world.person_a, DAY, kind=MeetingKind.PARTY_LECTURE)
    assert total(world.person_a) == 5


def test_a_rule_not_yet_in_force_awards_nothing(world):
    rule(world.hospital, amount="2", active_from=DAY + dt.timedelta(days=1))
    attended(world.branch_a, world.person_a, DAY)
    attended(world.branch_a, world.person_a, DAY + dt.timedelta(days=1))
    assert total(world.person_a) == 2


def test_an_unexcused_absence_deducts(world, item):
    rule(world.hospital, "meeting_absence", "-3")
    attended(world.branch_a, world.person_a, DAY)
    attended(world.branch_a, world.person_a, DAY + dt.timedelta(days=7), AttendanceStatus.ABSENT)
    attended(world.branch_a, world.person_a, DAY + dt.timedelta(days=14), AttendanceStatus.LEAVE)
    assert total(world.person_a) == 0  # 2 − 3 cut at zero (the default floor)
    assert [x.amount for x in lines(world.person_a)] == [D("2.00"), D("-2.00")]


def test_points_of_another_hospital_follow_its_own_catalogue(world, item):
    from hongqing.organization.models import PartyOrganization

    branch_h2 = PartyOrganization.objects.get(hospital=world.hospital2, kind="branch")
    attended(branch_h2, world.person_h2, DAY)
    assert total(world.person_h2) == 0  # hospital H2 has no catalogue
    rule(world.hospital2, amount="4")
    attended(branch_h2, world.person_h2, DAY + dt.timedelta(days=1))
    assert total(world.person_h2) == 4


def test_the_membership_earns_the_base_points_once_a_year(world):
    base = rule(world.hospital, "base", "60")
    ledger.sync("base", [world.person_a.membership.pk], years=[YEAR, YEAR + 1])
    ledger.sync("base", [world.person_a.membership.pk], years=[YEAR])
    assert total(world.person_a, YEAR) == 60 and total(world.person_a, YEAR + 1) == 60
    (line,) = lines(world.person_a, YEAR)
    assert (line.rule, line.date) == (base, dt.date(YEAR, 1, 1))
    assert line.record_url() == world.person_a.membership.get_absolute_url()


def test_a_hospital_of_1200_members_is_synced_in_one_call(world):
    # Once one (person, year) pair a clause: SQLite refused the expression (deeper than 1,000).
    from hongqing.core.testing.world import _next
    from hongqing.people.choices import Stage
    from hongqing.people.models import Membership, Person

    rule(world.hospital, "base", "60")
    people = Person.objects.bulk_create(
        Person(
            hospital=world.hospital,
            department=world.dept_a,
            name="党员",
            staff_no=f"B{_next():05d}",
            gender="F",
        )
        for _ in range(1200)
    )
    memberships = Membership.objects.bulk_create(
        Membership(
            person=p,
            organization=world.branch_a,
            stage=Stage.PROBATIONARY,
            admission_date=dt.date(YEAR, 1, 5),
        )
        for p in people
    )
    ledger.sync("base", [m.pk for m in memberships], years=[YEAR])
    assert PointEntry.objects.filter(person__in=people, year=YEAR).count() == 1200
