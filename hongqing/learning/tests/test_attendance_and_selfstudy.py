"""Attendance from the roster (all rows or none, each row saved so that listeners see it), the audience,
and self-study: the member's own, confirmed or rejected by someone else, with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from hongqing.learning.choices import SelfStudyStatus, StudyAttendanceStatus
from hongqing.learning.models import SelfStudy, StudyAttendance
from hongqing.learning.services import selfstudy as selfstudy_services
from hongqing.learning.services import sessions as services

from .learning_records import at, members, session

P, L, A, M = (
    StudyAttendanceStatus.PRESENT,
    StudyAttendanceStatus.LEAVE,
    StudyAttendanceStatus.ABSENT,
    StudyAttendanceStatus.MAKEUP,
)


@pytest.fixture
def signals():
    """Every StudyAttendance saved or deleted, as the points app will see them."""
    seen = []

    def saved(sender, instance, created, **kwargs):
        seen.append(("saved", instance.person_id, instance.counts))

    def deleted(sender, instance, **kwargs):
        seen.append(("deleted", instance.person_id, instance.counts))

    post_save.connect(saved, sender=StudyAttendance, weak=False)
    post_delete.connect(deleted, sender=StudyAttendance, weak=False)
    yield seen
    post_save.disconnect(saved, sender=StudyAttendance)
    post_delete.disconnect(deleted, sender=StudyAttendance)


def test_the_roster_is_the_organisers_members_by_default(world):
    s = session(world.branch_a)
    names = [p.name for p in services.roster(s)]
    assert world.person_a.name in names and world.person_b.name not in names


def test_recording_from_the_roster_saves_each_row_and_fires_its_signals(world, signals):
    s = session(world.branch_a)
    sec = world.secretary_a.person
    services.record_attendance(
        s,
        [{"person": world.person_a, "status": P}, {"person": sec, "status": L, "reason": "门诊"}],
        actor=world.secretary_a,
    )
    assert signals == [("saved", world.person_a.pk, True), ("saved", sec.pk, False)]
    signals.clear()
    # Made up later with the recording and a note: now it counts. "Not recorded" removes a row.
    services.record_attendance(
        s,
        [
            {
                "person": sec,
                "status": M,
                "makeup_on": s.local_date + dt.timedelta(days=3),
                "makeup_note": "看录像",
            },
            {"person": world.person_a, "status": ""},
        ],
        actor=world.secretary_a,
    )
    assert sorted(signals) == [("deleted", world.person_a.pk, True), ("saved", sec.pk, True)]
    assert list(StudyAttendance.objects.filter(session=s).values_list("person_id", "status")) == [(sec.pk, M)]


def test_a_sheet_with_a_wrong_row_writes_nothing(world):
    s = session(world.branch_a)
    with pytest.raises(services.AttendanceRefused) as exc:
        services.record_attendance(
            s,
            [
                {"person": world.person_a, "status": P},
                {"person": world.secretary_a.person, "status": A},  # absence without a reason
                {"person": world.person_h2, "status": P},  # another hospital
            ],
            actor=world.secretary_a,
        )
    assert set(exc.value.rows) == {world.secretary_a.person.pk, world.person_h2.pk}
    assert not StudyAttendance.objects.filter(session=s).exists()


def test_a_make_up_needs_its_date_and_note(world):
    s = session(world.branch_a)
    with pytest.raises(services.AttendanceRefused) as exc:
        services.record_attendance(s, [{"person": world.person_a, "status": M}], actor=world.secretary_a)
    assert {"makeup_on", "makeup_note"} <= set(exc.value.rows[world.person_a.pk])


def test_no_attendance_before_check_in_opens(world):
    s = session(world.branch_a, start=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(services.AttendanceRefused):
        services.record_attendance(s, [{"person": world.person_a, "status": P}], actor=world.secretary_a)


def test_an_activity_with_batches_takes_its_attendance_on_the_batches(world):
    trip = session(world.branch_a, start=at(4, 1, 8), minutes=600, hours="8")
    batches = [
        services.add_batch(trip, start=at(4, d, 8), end=at(4, d, 18), actor=world.secretary_a)
        for d in (1, 8, 15)
    ]
    people = members(world, world.branch_a, 6)
    with pytest.raises(services.AttendanceRefused):
        services.record_attendance(trip, [{"person": people[0], "status": P}], actor=world.secretary_a)
    for i, batch in enumerate(batches):
        services.record_attendance(
            batch, [{"person": p, "status": P} for p in people[2 * i : 2 * i + 2]], actor=world.secretary_a
        )
    # Counts per batch and per activity.
    assert [services.counts(b)["counted"] for b in batches] == [2, 2, 2]
    assert services.counts(trip)["counted"] == 6
    # The same person in a second batch is refused.
    with pytest.raises(services.AttendanceRefused):
        services.record_attendance(batches[1], [{"person": people[0], "status": P}], actor=world.secretary_a)


def test_a_member_records_their_own_self_study_and_someone_else_confirms_it(world):
    record = selfstudy_services.submit_self_study(
        person=world.person_a,
        actor=world.member_a,
        kind="book",
        title="《中国共产党简史》",
        studied_on=dt.date(2025, 5, 1),
        hours=Decimal("4"),
        note="读后感",
    )
    assert record.status == SelfStudyStatus.PENDING and record.created_by == world.member_a
    with pytest.raises(ValidationError):
        selfstudy_services.confirm_self_study(record, actor=world.member_a)  # not their own
    selfstudy_services.confirm_self_study(record, actor=world.secretary_a)
    record.refresh_from_db()
    assert (record.status, record.reviewed_by) == (SelfStudyStatus.CONFIRMED, world.secretary_a)
    with pytest.raises(ValidationError):
        selfstudy_services.reject_self_study(
            record, actor=world.secretary_a, reason="重复"
        )  # reviewed already


def test_a_member_records_nobody_elses_self_study(world):
    with pytest.raises(ValidationError):
        selfstudy_services.submit_self_study(
            person=world.person_b,
            actor=world.member_a,
            kind="book",
            title="代填",
            studied_on=dt.date(2025, 5, 1),
            hours=Decimal("1"),
        )
    assert not SelfStudy.objects.exists()


@pytest.mark.parametrize(
    ("hours", "studied_on"),
    [(Decimal("-1"), dt.date(2025, 5, 1)), (Decimal("0"), dt.date(2025, 5, 1)), (Decimal("2"), None)],
)
def test_bad_self_study_is_refused(world, hours, studied_on):
    studied_on = studied_on or timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        selfstudy_services.submit_self_study(
            person=world.person_a,
            actor=world.member_a,
            kind="book",
            title="书",
            studied_on=studied_on,
            hours=hours,
        )
    assert not SelfStudy.objects.exists()


def test_a_rejection_needs_a_reason_and_a_pending_record_may_be_withdrawn(world):
    record = selfstudy_services.submit_self_study(
        person=world.person_a,
        actor=world.member_a,
        kind="course",
        title="网课",
        studied_on=dt.date(2025, 5, 1),
        hours=2,
    )
    with pytest.raises(ValidationError):
        selfstudy_services.reject_self_study(record, actor=world.secretary_a, reason="  ")
    selfstudy_services.withdraw_self_study(record, actor=world.member_a)
    assert not SelfStudy.objects.exists()
