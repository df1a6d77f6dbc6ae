"""Each default Party-building indicator computed from a hand-built set of records with a known answer,
through the computation itself and through the rollups; the records behind each number add up to it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from hongqing.assessment import computations
from hongqing.assessment.services import aggregate, rollups
from hongqing.assessment.services.aggregate import HOSPITAL, ORG, Unit
from hongqing.core.testing.world import make_member, make_person
from hongqing.organization.models import CommitteeTerm
from hongqing.party.choices import AppraisalStage, AttendanceStatus, MeetingKind, MeetingStatus, PaymentKind
from hongqing.party.models import AppraisalCampaign, Attendance, DuesBase, DuesPayment, Meeting, Obligation
from hongqing.people.choices import CadreLevel, Post, Stage, StepKind
from hongqing.people.models import Cadre, DevelopmentStep, TermPosition

from .support import computed, month

D = Decimal
TODAY = timezone.localdate()


def facts(world, code, first, last, org=None):
    q = rollups.party_query(
        world.hospital.pk, first, last, org_ids=None if org is None else [org.pk], today=TODAY
    )
    return computations.get(code).facts(q)


def ratio(fs) -> Decimal:
    return sum((f.num for f in fs), D(0)) / sum((f.den for f in fs), D(0)) * 100


def via_rollups(world, ind, unit, first, last):
    rollups.refresh_party(world.hospital.pk, first, last, today=TODAY)
    return aggregate.value_of(world.hospital.pk, ind, unit, first, last).value


def at(m: dt.date, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(m.replace(day=day), dt.time(14, 0)))


# Duty completion ----------------------------------------------------------------------------------


def test_duty_completion_counts_the_duties_due_and_those_done(world):
    ind = computed(world.hospital, "duty_rate", "party.duty_completion")
    m1, m0 = month(1), month(0)
    end1 = m1.replace(day=28)
    past_due = m1.replace(day=20)
    rows = [
        ("duty.theme_day", m1, end1, past_due, m1.replace(day=10)),
        ("duty.branch_committee", m1, end1, past_due, m1.replace(day=12)),
        ("duty.group_meeting", m1, end1, past_due, m1.replace(day=15)),
        ("duty.party_lecture", m1, end1, past_due, None),  # overdue
        ("duty.theme_day", m0, m0.replace(day=28), TODAY + dt.timedelta(days=30), None),  # still in time
        ("duty.branch_committee", m0, m0.replace(day=28), TODAY + dt.timedelta(days=30), TODAY),  # done early
    ]
    for code, start, end, due, done in rows:
        Obligation.objects.create(
            organization=world.branch_a, code=code, period_start=start, period_end=end, due=due, done_on=done
        )
    fs = facts(world, "party.duty_completion", m1, m0, org=world.branch_a)
    assert len(fs) == 5
    assert ratio(fs) == D(80)  # 4 of 5
    assert via_rollups(world, ind, Unit(ORG, world.branch_a.pk), m1, m0) == D(80)
    assert via_rollups(world, ind, Unit(ORG, world.branch_a.pk), m1, m1) == D(75)


# Attendance -----------------------------------------------------------------------------------


def test_attendance_is_those_present_among_those_expected_at_held_meetings(world):
    ind = computed(world.hospital, "attendance_rate", "party.attendance")
    m = month(1)
    p1 = world.person_a
    p2 = world.secretary_a.person
    p3 = make_person(world.hospital, world.dept_a, "新党员")
    make_member(p3, world.branch_a)
    guest = make_person(world.hospital, world.dept_b, "来宾")
    first = Meeting.objects.create(
        organization=world.branch_a,
        kind=MeetingKind.THEME_DAY,
        start=at(m, 10),
        status=MeetingStatus.HELD,
        topic="一",
    )
    second = Meeting.objects.create(
        organization=world.branch_a,
        kind=MeetingKind.PARTY_LECTURE,
        start=at(m, 11),
        status=MeetingStatus.HELD,
        topic="二",
    )
    planned = Meeting.objects.create(
        organization=world.branch_a, kind=MeetingKind.THEME_DAY, start=at(m, 12), topic="计划"
    )
    for p in (p1, p2):
        Attendance.objects.create(meeting=first, person=p, status=AttendanceStatus.PRESENT)
    Attendance.objects.create(meeting=first, person=p3, status=AttendanceStatus.LEAVE, reason="值班")
    for p in (p1, p2, p3):
        Attendance.objects.create(meeting=second, person=p, status=AttendanceStatus.PRESENT)
    Attendance.objects.create(meeting=second, person=guest, status=AttendanceStatus.PRESENT, is_guest=True)
    Attendance.objects.create(meeting=planned, person=p1, status=AttendanceStatus.ABSENT, reason="x")
    fs = facts(world, "party.attendance", m, m, org=world.branch_a)
    assert len(fs) == 6  # the guest and the planned meeting do not count
    assert sum(f.num for f in fs) == 5
    expected = D(5) / D(6) * 100
    assert via_rollups(world, ind, Unit(ORG, world.branch_a.pk), m, m) == expected
    assert via_rollups(world, ind, Unit(ORG, world.branch_b.pk), m, m) is None


# Dues ------------------------------------------------------------------------------------------


def test_dues_on_time_counts_months_paid_in_the_month_or_in_advance(world):
    ind = computed(world.hospital, "dues_on_time", "party.dues_on_time")
    a = world.person_a.membership
    s = world.secretary_a.person.membership
    months = [month(3), month(2), month(1)]
    for y in {m.year for m in [*months, month(0)]}:
        for mem in (a, s):
            DuesBase.objects.create(membership=mem, year=y, base=D(4000), rate=D("0.01"), monthly=D(40))

    def pay(mem, m, kind, paid_on=None):
        DuesPayment.objects.create(
            membership=mem,
            year=m.year,
            month=m.month,
            amount=D(40),
            paid_on=paid_on or m.replace(day=5),
            kind=kind,
        )

    for m in months:
        pay(a, m, PaymentKind.REGULAR)
    pay(s, months[0], PaymentKind.ADVANCE)
    pay(s, months[1], PaymentKind.MAKEUP, paid_on=months[2].replace(day=3))
    # months[2] unpaid
    fs = facts(world, "party.dues_on_time", months[0], months[2], org=world.branch_a)
    assert len(fs) == 6 and sum(f.num for f in fs) == 4
    assert via_rollups(world, ind, Unit(ORG, world.branch_a.pk), months[0], months[2]) == D(4) / D(6) * 100
    # This month: counted once paid (the member still has until its end).
    pay(a, month(0), PaymentKind.REGULAR, paid_on=TODAY)
    fs = facts(world, "party.dues_on_time", months[0], month(0), org=world.branch_a)
    assert len(fs) == 7 and sum(f.num for f in fs) == 5


def test_dues_are_not_owed_before_the_admission_month(world):
    p = make_person(world.hospital, world.dept_a, "新预备")
    mem = make_member(p, world.branch_a, stage=Stage.PROBATIONARY)
    mem.admission_date = month(1).replace(day=15)
    mem.save()
    DuesBase.objects.create(membership=mem, year=month(1).year, base=D(4000), rate=D("0.01"), monthly=D(40))
    fs = [
        f
        for f in facts(world, "party.dues_on_time", month(3), month(1), org=world.branch_a)
        if f.key[0] == mem.pk
    ]
    assert [f.month for f in fs] == [month(1)]


# Development ------------------------------------------------------------------------------------


def test_development_steps_on_time_are_those_done_by_their_due_date(world):
    ind = computed(world.hospital, "development_on_time", "party.development_on_time")
    applied = month(3).replace(day=5)
    talked, silent = (
        make_person(world.hospital, world.dept_a, n, birth_date=dt.date(1995, 1, 1)) for n in ("谈过", "未谈")
    )
    for p in (talked, silent):
        make_member(p, world.branch_a, stage=Stage.APPLICANT)
        p.membership.application_date = applied
        p.membership.save()
    DevelopmentStep.objects.create(
        membership=talked.membership, kind=StepKind.TALK, date=applied + dt.timedelta(days=10)
    )
    fs = facts(world, "party.development_on_time", month(3), month(0), org=world.branch_a)
    talks = [f for f in fs if f.key[1] == StepKind.TALK]
    assert len(talks) == 2  # each talk was due a month after the application
    assert {f.key[0]: f.num for f in talks} == {talked.membership.pk: 1, silent.membership.pk: 0}
    assert all(f.month == month(2) for f in talks)
    assert via_rollups(world, ind, Unit(ORG, world.branch_a.pk), month(2), month(2)) == D(50)


# 双带头人 -----------------------------------------------------------------------------------------


@pytest.fixture
def secretaries(world):
    for org, person in (
        (world.branch_a, world.secretary_a.person),
        (world.branch_b, world.secretary_b.person),
    ):
        term = CommitteeTerm.objects.get(organization=org)
        TermPosition.objects.create(term=term, person=person, post=Post.SECRETARY)
    return world


def test_the_dual_leader_ratio_is_the_branches_whose_secretary_heads_a_linked_department(world, secretaries):
    ind = computed(world.hospital, "dual_leader_rate", "party.dual_leader")
    Cadre.objects.create(
        person=world.secretary_a.person,
        department=world.dept_a,
        title="产科主任",
        level=CadreLevel.CHIEF,
        start=dt.date(2020, 1, 1),
    )
    # Secretary B heads department A, which branch B is not built on: not a 双带头人.
    Cadre.objects.create(
        person=world.secretary_b.person,
        department=world.dept_a,
        title="副主任",
        level=CadreLevel.CHIEF,
        start=dt.date(2020, 1, 1),
    )
    m = month(0)
    fs = facts(world, "party.dual_leader", m, m)
    assert {f.org_id: f.num for f in fs} == {world.branch_a.pk: 1, world.branch_b.pk: 0}
    assert via_rollups(world, ind, Unit(HOSPITAL, world.hospital.pk), month(2), m) == D(50)
    assert via_rollups(world, ind, Unit(ORG, world.branch_a.pk), month(2), m) == D(100)


def test_a_head_post_that_began_last_month_counts_from_then_and_latest_reads_the_end(world, secretaries):
    ind = computed(world.hospital, "dual_leader_rate", "party.dual_leader")
    Cadre.objects.create(
        person=world.secretary_b.person,
        department=world.dept_b,
        title="儿科主任",
        level=CadreLevel.CHIEF,
        start=month(1),
    )
    fs = facts(world, "party.dual_leader", month(3), month(0), org=world.branch_b)
    assert {f.month: f.num for f in fs} == {month(3): 0, month(2): 0, month(1): 1, month(0): 1}
    assert via_rollups(world, ind, Unit(ORG, world.branch_b.pk), month(3), month(2)) == D(0)
    assert via_rollups(world, ind, Unit(ORG, world.branch_b.pk), month(3), month(0)) == D(100)


# Appraisal -------------------------------------------------------------------------------------


def test_appraisal_done_is_the_branches_whose_appraisal_of_the_year_is_closed(world):
    ind = computed(world.hospital, "appraisal_done", "party.appraisal_done")
    year = TODAY.year - 1
    AppraisalCampaign.objects.create(organization=world.branch_a, year=year, stage=AppraisalStage.CLOSED)
    AppraisalCampaign.objects.create(organization=world.branch_b, year=year, stage=AppraisalStage.CONGRESS)
    dec = dt.date(year, 12, 1)
    fs = facts(world, "party.appraisal_done", dec, dec)
    assert {f.org_id: f.num for f in fs} == {world.branch_a.pk: 1, world.branch_b.pk: 0}
    assert via_rollups(world, ind, Unit(HOSPITAL, world.hospital.pk), dt.date(year, 1, 1), dec) == D(50)
    # A quarter without December has no appraisal to count.
    assert (
        via_rollups(world, ind, Unit(HOSPITAL, world.hospital.pk), dt.date(year, 1, 1), dt.date(year, 3, 1))
        is None
    )


# The records behind the numbers -----------------------------------------------------------------


def test_the_drill_down_rows_add_up_to_the_number(world):
    ind = computed(world.hospital, "attendance_rate", "party.attendance")
    m = month(1)
    mt = Meeting.objects.create(
        organization=world.branch_a,
        kind=MeetingKind.THEME_DAY,
        start=at(m, 10),
        status=MeetingStatus.HELD,
        topic="一",
    )
    Attendance.objects.create(meeting=mt, person=world.person_a, status=AttendanceStatus.PRESENT)
    Attendance.objects.create(
        meeting=mt, person=world.secretary_a.person, status=AttendanceStatus.ABSENT, reason="病假"
    )
    number = via_rollups(world, ind, Unit(ORG, world.branch_a.pk), m, m)
    comp = computations.get("party.attendance")
    rows = comp.describe(facts(world, "party.attendance", m, m, org=world.branch_a), world.secretary_a)
    assert len(rows) == 2 and all(r.visible and r.url for r in rows)
    assert sum(r.fact.num for r in rows) / sum(r.fact.den for r in rows) * 100 == number == D(50)


def test_the_pending_indicators_are_registered_behind_a_check(world):
    for code in (
        "learning.study_hours",
        "points.points_per_member",
        "points.volunteering_hours",
        "points.honours",
    ):
        comp = computations.get(code)
        assert comp is not None
        if not comp.available():
            assert comp.facts(rollups.party_query(world.hospital.pk, month(1), month(0))) == []
