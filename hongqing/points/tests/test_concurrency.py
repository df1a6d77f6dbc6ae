"""Concurrency on PostgreSQL: processes awarding points to one member at the same moment, for
different records, lose nothing and pass neither the cap nor the floor (each thread has its own
database connection; they start together at a barrier)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection, connections

from hongqing.core.testing.contracts import assert_test_database
from hongqing.core.testing.world import build_world
from hongqing.party.choices import AttendanceStatus, MeetingStatus
from hongqing.party.models import Attendance, Meeting
from hongqing.points.choices import CapPeriod
from hongqing.points.models import PointEntry
from hongqing.points.services import ledger

from .support import YEAR, at, rule, total

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


def rows(world, statuses) -> list[int]:
    """Held meetings with the member's attendance, written in bulk (no points yet): their pks."""
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                organization=world.branch_a,
                kind="theme_day",
                status=MeetingStatus.HELD,
                start=at(dt.date(YEAR, 5, d + 1)),
                topic=f"会议{d}",
            )
            for d in range(len(statuses))
        ]
    )
    atts = Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=m,
                person=world.person_a,
                status=s,
                reason="未请假" if s == AttendanceStatus.ABSENT else "",
            )
            for m, s in zip(meetings, statuses, strict=True)
        ]
    )
    return [a.pk for a in atts]


def at_once(keys_and_pks) -> list[BaseException]:
    barrier = threading.Barrier(len(keys_and_pks))
    errors: list[BaseException] = []

    def work(key, pk):
        try:
            barrier.wait()
            ledger.sync(key, [pk])
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=kp) for kp in keys_and_pks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    close_old_connections()
    return errors


@pytest.fixture
def world():
    assert_test_database()
    return build_world()


def test_parallel_awards_lose_nothing_and_respect_the_monthly_cap(world):
    rule(world.hospital, amount="3", cap="10", period=CapPeriod.MONTH)
    pks = rows(world, [AttendanceStatus.PRESENT] * THREADS)
    assert at_once([("meeting_attendance", pk) for pk in pks]) == []
    assert total(world.person_a) == Decimal("10")  # 3 + 3 + 3 + 1, then nothing
    assert PointEntry.objects.filter(person=world.person_a).count() == THREADS  # one line per record
    assert sorted(
        PointEntry.objects.filter(person=world.person_a).values_list("amount", flat=True)
    ) == sorted([Decimal("3")] * 3 + [Decimal("1")] + [Decimal("0")] * (THREADS - 4))


def test_parallel_awards_without_a_cap_all_count(world):
    rule(world.hospital, amount="2")
    pks = rows(world, [AttendanceStatus.PRESENT] * THREADS)
    assert at_once([("meeting_attendance", pk) for pk in pks]) == []
    assert total(world.person_a) == 2 * THREADS


def test_parallel_deductions_stop_at_zero(world):
    rule(world.hospital, amount="5")
    rule(world.hospital, "meeting_absence", "-2")
    first, *absences = rows(world, [AttendanceStatus.PRESENT] + [AttendanceStatus.ABSENT] * (THREADS - 1))
    ledger.sync("meeting_attendance", [first])
    assert at_once([("meeting_absence", pk) for pk in absences]) == []
    assert total(world.person_a) == 0  # 5 − 2 − 2 − 1 (cut at zero), then nothing
    assert min(PointEntry.objects.filter(person=world.person_a).values_list("amount", flat=True)) >= -2


def test_the_same_record_synced_by_every_process_at_once_earns_once(world):
    rule(world.hospital, amount="2")
    (pk,) = rows(world, [AttendanceStatus.PRESENT])
    assert at_once([("meeting_attendance", pk)] * THREADS) == []
    assert total(world.person_a) == 2
    assert PointEntry.objects.filter(person=world.person_a).count() == 1
