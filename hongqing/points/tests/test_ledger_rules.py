"""The ledger's rules at their boundaries: caps per month, quarter and year (exactly at the cap, one
over, across a period's end), the yearly reset and the cycle's start month, the floor at zero, closed
years, corrections, and the ledger's append-only guarantees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from hongqing.party.choices import AttendanceStatus
from hongqing.points.choices import CapPeriod, Cut, EntryKind
from hongqing.points.models import ClosedYear, LedgerIsAppendOnly, PointEntry, Why
from hongqing.points.services import ledger

from .support import YEAR, D, attended, lines, rule, set_rule, total


def day(month, d=10, year=YEAR):
    return dt.date(year, month, d)


# Caps ------------------------------------------------------------------------------------------
def test_exactly_at_the_monthly_cap_every_award_is_whole(world):
    rule(world.hospital, amount="2", cap="6", period=CapPeriod.MONTH)
    for d in (3, 10, 17):
        attended(world.branch_a, world.person_a, day(5, d))
    assert total(world.person_a) == 6
    assert all(x.cut == Cut.NONE for x in lines(world.person_a))


def test_one_over_the_monthly_cap_is_cut_to_what_is_left_and_the_line_says_so(world):
    rule(world.hospital, amount="4", cap="10", period=CapPeriod.MONTH)
    for d in (3, 10, 17):
        attended(world.branch_a, world.person_a, day(5, d))
    last = lines(world.person_a)[-1]
    assert (last.amount, last.requested, last.cut) == (D("2.00"), D("4.00"), Cut.CAP)
    attended(world.branch_a, world.person_a, day(5, 24))
    nothing = lines(world.person_a)[-1]
    assert (nothing.amount, nothing.requested, nothing.cut) == (D("0.00"), D("4.00"), Cut.CAP)
    assert total(world.person_a) == 10


def test_a_new_month_has_its_own_cap(world):
    rule(world.hospital, amount="4", cap="4", period=CapPeriod.MONTH)
    attended(world.branch_a, world.person_a, day(5, 31))
    attended(world.branch_a, world.person_a, day(6, 1))
    attended(world.branch_a, world.person_a, day(6, 2))
    assert [x.amount for x in lines(world.person_a)] == [D("4.00"), D("4.00"), D("0.00")]


def test_a_quarter_cap_holds_across_its_months_and_resets_at_the_quarter_end(world):
    rule(world.hospital, amount="3", cap="5", period=CapPeriod.QUARTER)
    attended(world.branch_a, world.person_a, day(1, 15))
    attended(world.branch_a, world.person_a, day(3, 31))  # the quarter's last day
    attended(world.branch_a, world.person_a, day(4, 1))  # the next quarter's first
    assert [x.amount for x in lines(world.person_a)] == [D("3.00"), D("2.00"), D("3.00")]


def test_a_yearly_cap_counts_the_whole_cycle(world):
    rule(world.hospital, amount="5", cap="12", period=CapPeriod.YEAR)
    for m in (1, 6, 12):
        attended(world.branch_a, world.person_a, day(m))
    attended(world.branch_a, world.person_a, day(1, year=YEAR + 1))
    assert total(world.person_a) == 12
    assert total(world.person_a, YEAR + 1) == 5


def test_the_cap_counts_each_item_apart(world):
    rule(world.hospital, amount="2", cap="2", period=CapPeriod.MONTH)
    rule(world.hospital, amount="1")
    attended(world.branch_a, world.person_a, day(5, 3))
    attended(world.branch_a, world.person_a, day(5, 4))
    assert total(world.person_a) == 2 + 1 + 0 + 1


def test_a_withdrawal_frees_the_cap_for_an_award_it_had_cut(world):
    rule(world.hospital, amount="4", cap="6", period=CapPeriod.MONTH)
    first = attended(world.branch_a, world.person_a, day(5, 3))
    attended(world.branch_a, world.person_a, day(5, 10))  # cut to 2
    first.delete()
    assert total(world.person_a) == 4  # the second attendance now has its whole 4
    current = [
        x for x in lines(world.person_a) if x.kind == EntryKind.AWARD and not hasattr(x, "reversed_by")
    ]
    assert [(x.amount, x.why) for x in current] == [(D("4.00"), Why.REBALANCED)]


def test_a_deduction_cap_limits_how_much_is_deducted(world):
    rule(world.hospital, amount="10")
    rule(world.hospital, "meeting_absence", "-3", cap="4", period=CapPeriod.QUARTER)
    attended(world.branch_a, world.person_a, day(1, 2))
    attended(world.branch_a, world.person_a, day(2, 2), AttendanceStatus.ABSENT)
    attended(world.branch_a, world.person_a, day(3, 2), AttendanceStatus.ABSENT)
    assert total(world.person_a) == 10 - 4


# The floor ---------------------------------------------------------------------------------------
def test_a_deduction_stops_at_zero(world):
    rule(world.hospital, amount="1")
    rule(world.hospital, "meeting_absence", "-3")
    attended(world.branch_a, world.person_a, day(2))
    attended(world.branch_a, world.person_a, day(3), AttendanceStatus.ABSENT)
    last = lines(world.person_a)[-1]
    assert (last.amount, last.requested, last.cut) == (D("-1.00"), D("-3.00"), Cut.FLOOR)
    assert total(world.person_a) == 0


def test_withdrawing_an_award_does_not_leave_the_total_below_zero(world):
    rule(world.hospital, amount="5")
    rule(world.hospital, "meeting_absence", "-3")
    award = attended(world.branch_a, world.person_a, day(2))
    attended(world.branch_a, world.person_a, day(3), AttendanceStatus.ABSENT)
    assert total(world.person_a) == 2
    award.delete()
    assert total(world.person_a) == 0  # the deduction is re-counted at the floor


def test_a_hospital_may_let_a_total_go_below_zero(world):
    set_rule("points.total_may_go_below_zero", 1, world.hospital)
    rule(world.hospital, "meeting_absence", "-3")
    attended(world.branch_a, world.person_a, day(3), AttendanceStatus.ABSENT)
    assert total(world.person_a) == -3


# The cycle -------------------------------------------------------------------------------------
def test_the_total_resets_at_the_start_of_the_cycle(world):
    rule(world.hospital, amount="2")
    attended(world.branch_a, world.person_a, day(12, 31))
    attended(world.branch_a, world.person_a, day(1, 1, YEAR + 1))
    assert (total(world.person_a, YEAR), total(world.person_a, YEAR + 1)) == (2, 2)


def test_a_cycle_starting_in_july_puts_june_in_the_year_before(world):
    set_rule("points.cycle_start_month", 7, world.hospital)
    rule(world.hospital, amount="2", cap="2", period=CapPeriod.QUARTER)
    attended(world.branch_a, world.person_a, day(6, 30))
    attended(world.branch_a, world.person_a, day(7, 1))
    attended(world.branch_a, world.person_a, day(9, 30))  # Jul–Sep is the cycle's first quarter
    attended(world.branch_a, world.person_a, day(10, 1))
    assert total(world.person_a, YEAR - 1) == 2
    assert [x.amount for x in lines(world.person_a, YEAR)] == [D("2.00"), D("0.00"), D("2.00")]


# Closed years ----------------------------------------------------------------------------------
def test_a_closed_year_takes_no_new_line_and_keeps_its_lines(world):
    rule(world.hospital, amount="2")
    kept = attended(world.branch_a, world.person_a, day(3))
    ClosedYear.objects.create(hospital=world.hospital, year=YEAR)
    attended(world.branch_a, world.person_a, day(4))
    kept.delete()
    assert total(world.person_a) == 2
    assert len(lines(world.person_a)) == 1


def test_closing_a_year_is_refused_before_its_end_and_twice(world):
    with pytest.raises(ValidationError, match="ends on"):
        ledger.close_year(world.hospital, timezone.localdate().year, actor=world.office)
    ledger.close_year(world.hospital, YEAR, actor=world.office)
    with pytest.raises(ValidationError, match="already closed"):
        ledger.close_year(world.hospital, YEAR, actor=world.office)


def test_a_correction_in_a_closed_year_is_refused(world):
    rule(world.hospital, amount="2")
    attended(world.branch_a, world.person_a, day(3))
    ledger.close_year(world.hospital, YEAR, actor=world.office)
    with pytest.raises(ValidationError, match="closed"):
        ledger.correct(lines(world.person_a)[0], reason="重复记录", actor=world.office)
    assert total(world.person_a) == 2


# Corrections -----------------------------------------------------------------------------------
def test_a_correction_reverses_with_its_reason_and_the_record_never_earns_it_again(world):
    rule(world.hospital, amount="2")
    a = attended(world.branch_a, world.person_a, day(3))
    award = lines(world.person_a)[0]
    correction = ledger.correct(award, reason="与外出学习时间冲突，实际未参加", actor=world.office)
    assert (correction.kind, correction.amount, correction.reason, correction.created_by) == (
        EntryKind.CORRECTION,
        D("-2.00"),
        "与外出学习时间冲突，实际未参加",
        world.office,
    )
    a.save()
    ledger.sync("meeting_attendance", [a.pk])
    assert total(world.person_a) == 0
    with pytest.raises(ValidationError):
        ledger.correct(award, reason="再次", actor=world.office)


def test_a_correction_needs_a_reason(world):
    rule(world.hospital, amount="2")
    attended(world.branch_a, world.person_a, day(3))
    with pytest.raises(ValidationError, match="reason"):
        ledger.correct(lines(world.person_a)[0], reason="  ", actor=world.office)


# Append-only -------------------------------------------------------------------------------------
def test_a_ledger_line_cannot_be_edited_or_deleted_through_the_orm(world):
    rule(world.hospital, amount="2")
    attended(world.branch_a, world.person_a, day(3))
    line = lines(world.person_a)[0]
    line.amount = D("100")
    with pytest.raises(LedgerIsAppendOnly):
        line.save()
    with pytest.raises(LedgerIsAppendOnly):
        line.delete()
    with pytest.raises(LedgerIsAppendOnly):
        PointEntry.objects.filter(pk=line.pk).update(amount=100)
    with pytest.raises(LedgerIsAppendOnly):
        PointEntry.objects.filter(pk=line.pk).delete()
    with pytest.raises(LedgerIsAppendOnly), transaction.atomic():
        PointEntry.objects.bulk_update([line], ["amount"])
    assert total(world.person_a) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
def test_on_postgresql_the_database_refuses_update_and_delete_of_a_line(world):
    from django.db import DatabaseError

    rule(world.hospital, amount="2")
    attended(world.branch_a, world.person_a, day(3))
    line = lines(world.person_a)[0]
    for sql in (
        "UPDATE points_pointentry SET amount = 100 WHERE id = %s",
        "DELETE FROM points_pointentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [line.pk])
    assert total(world.person_a) == 2
