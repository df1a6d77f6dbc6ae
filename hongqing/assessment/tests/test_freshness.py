"""The Party rollups follow the records other apps write: marked stale after the commit, rebuilt on read."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from hongqing.assessment import signals
from hongqing.assessment.models import Rollup, RollupState
from hongqing.assessment.services import aggregate, rollups
from hongqing.assessment.services.aggregate import ORG, Unit
from hongqing.party.choices import AttendanceStatus, MeetingKind, MeetingStatus
from hongqing.party.models import Attendance, Meeting

from .support import computed, month

D = Decimal


def at(m, day):
    return timezone.make_aware(dt.datetime.combine(m.replace(day=day), dt.time(9)))


@pytest.fixture
def ind(world):
    ind = computed(world.hospital, "attendance_rate", "party.attendance")
    rollups.ensure_fresh([world.hospital.pk])  # the first read computes everything
    signals.discard_pending()  # the marks of building the world are not what these tests look at
    return ind


def rate(world, ind, m):
    rollups.ensure_fresh([world.hospital.pk])
    return aggregate.value_of(world.hospital.pk, ind, Unit(ORG, world.branch_a.pk), m, m).value


def test_a_recorded_meeting_marks_its_month_stale_after_the_commit(
    world, ind, django_capture_on_commit_callbacks
):
    m = month(2)
    assert rate(world, ind, m) is None
    with django_capture_on_commit_callbacks(execute=True):
        meeting = Meeting.objects.create(
            organization=world.branch_a,
            kind=MeetingKind.THEME_DAY,
            start=at(m, 9),
            status=MeetingStatus.HELD,
            topic="x",
        )
        Attendance.objects.create(meeting=meeting, person=world.person_a, status=AttendanceStatus.PRESENT)
        assert (
            RollupState.objects.get(hospital=world.hospital).party_stale_from is None
        )  # not before the commit
    assert RollupState.objects.get(hospital=world.hospital).party_stale_from == m
    assert rate(world, ind, m) == D(100)
    assert RollupState.objects.get(hospital=world.hospital).party_stale_from is None


def test_moving_a_meeting_marks_the_month_it_left(world, ind, django_capture_on_commit_callbacks):
    old, new = month(3), month(1)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = Meeting.objects.create(
            organization=world.branch_a,
            kind=MeetingKind.THEME_DAY,
            start=at(new, 9),
            status=MeetingStatus.HELD,
            topic="x",
        )
        Attendance.objects.create(meeting=meeting, person=world.person_a, status=AttendanceStatus.PRESENT)
    assert rate(world, ind, new) == D(100)
    meeting = Meeting.objects.get(pk=meeting.pk)
    with django_capture_on_commit_callbacks(execute=True):
        meeting.start = at(old, 9)
        meeting.save()
    assert RollupState.objects.get(hospital=world.hospital).party_stale_from == old
    assert rate(world, ind, new) is None and rate(world, ind, old) == D(100)


def test_a_transaction_that_rolls_back_marks_nothing(world, ind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                Meeting.objects.create(
                    organization=world.branch_a,
                    kind=MeetingKind.THEME_DAY,
                    start=at(month(2), 9),
                    status=MeetingStatus.HELD,
                    topic="x",
                )
                raise RuntimeError
        except RuntimeError:
            pass
    assert not callbacks
    assert RollupState.objects.get(hospital=world.hospital).party_stale_from is None


def test_many_attendances_in_one_transaction_write_their_marks_once(
    world, ind, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from hongqing.core.testing.world import make_member, make_person

    persons = []
    for n in range(30):
        p = make_person(world.hospital, world.dept_a, f"党员{n}")
        make_member(p, world.branch_a)
        persons.append(p)
    meeting = Meeting.objects.create(
        organization=world.branch_a,
        kind=MeetingKind.THEME_DAY,
        start=at(month(1), 9),
        status=MeetingStatus.HELD,
        topic="x",
    )
    signals.discard_pending()
    with django_capture_on_commit_callbacks() as callbacks:
        for p in persons:
            Attendance.objects.create(meeting=meeting, person=p, status=AttendanceStatus.PRESENT)
    with django_assert_max_num_queries(12):
        for callback in callbacks:
            callback()
    assert RollupState.objects.get(hospital=world.hospital).party_stale_from == month(1)


def test_a_hospital_never_computed_is_computed_on_first_read(world):
    ind = computed(world.hospital, "dual_leader_rate", "party.dual_leader")
    assert not Rollup.objects.filter(indicator=ind).exists()
    rollups.ensure_fresh([world.hospital.pk])
    assert Rollup.objects.filter(indicator=ind).exists()
    assert RollupState.objects.get(hospital=world.hospital).party_refreshed is not None


def test_a_fresh_hospital_costs_one_query(world, ind, django_assert_num_queries):
    with django_assert_num_queries(1):
        rollups.ensure_fresh([world.hospital.pk])


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_hospital_leaves_no_mark_that_breaks_the_next_commit():
    from hongqing.organization.models import Hospital

    signals.discard_pending()
    try:
        with transaction.atomic():
            gone = Hospital.objects.create(name="回滚的医院", code="rolledback")
            signals.mark(signals.HOSPITAL, gone.pk, dt.date(2026, 5, 1))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    with transaction.atomic():
        kept = Hospital.objects.create(name="留下的医院", code="kept")
        signals.mark(signals.HOSPITAL, kept.pk, dt.date(2026, 5, 1))
    assert list(RollupState.objects.values_list("hospital_id", flat=True)) == [kept.pk]
