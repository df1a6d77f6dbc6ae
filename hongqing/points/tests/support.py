"""Helpers of the points tests (no tests here): rules, meetings with attendance, totals, records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from hongqing.core.models import Rule
from hongqing.core.testing.world import make_member, make_person
from hongqing.party.choices import AttendanceStatus, MeetingKind, MeetingStatus
from hongqing.party.models import Attendance, Meeting
from hongqing.points.choices import HonorKind, ProposalStatus, VolunteeringKind
from hongqing.points.models import (
    Honor,
    PointEntry,
    PointProposal,
    PointRule,
    Volunteering,
    VolunteeringParticipant,
)

D = Decimal
YEAR = 2025  # a past points year (cycles from January by default)


def rule(
    hospital, trigger="meeting_attendance", amount="2", cap=None, period="", kinds=(), **kw
) -> PointRule:
    return PointRule.objects.create(
        hospital=hospital,
        name=kw.pop("name", f"{trigger} {amount}"),
        trigger=trigger,
        amount=D(str(amount)),
        cap=D(str(cap)) if cap is not None else None,
        cap_period=period,
        kinds=list(kinds),
        active_from=kw.pop("active_from", dt.date(2000, 1, 1)),
        **kw,
    )


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def meeting(
    org, day: dt.date, kind=MeetingKind.THEME_DAY, status=MeetingStatus.HELD, topic="主题党日"
) -> Meeting:
    return Meeting.objects.create(organization=org, kind=kind, start=at(day), status=status, topic=topic)


def attend(m, person, status=AttendanceStatus.PRESENT, **kw) -> Attendance:
    a = Attendance(meeting=m, person=person, status=status, **kw)
    if status in (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT) and not a.reason:
        a.reason = "未请假" if status == AttendanceStatus.ABSENT else "值班"
    if status == AttendanceStatus.MAKEUP and not a.makeup_on:
        a.makeup_on = m.local_date + dt.timedelta(days=3)
    a.save()
    return a


def attended(
    org, person, day: dt.date, status=AttendanceStatus.PRESENT, kind=MeetingKind.THEME_DAY
) -> Attendance:
    """A held meeting of ``org`` on ``day`` that ``person`` attended (one line of points, with a rule)."""
    return attend(meeting(org, day, kind), person, status)


def total(person, year: int = YEAR) -> Decimal:
    return PointEntry.objects.filter(person=person, year=year).aggregate(s=Sum("amount"))["s"] or D("0")


def lines(person, year: int = YEAR) -> list[PointEntry]:
    return list(PointEntry.objects.filter(person=person, year=year).order_by("pk"))


def set_rule(key: str, value, hospital=None) -> Rule:
    return Rule.objects.create(
        key=key,
        hospital_id=hospital.pk if hospital else None,
        value=value,
        effective_from=dt.date(2000, 1, 1),
    )


def member(world, org=None, name="党员甲", dept=None):
    p = make_person(world.hospital, dept or world.dept_a, name)
    make_member(p, org or world.branch_a)
    return p


def volunteering(
    org, day: dt.date, kind=VolunteeringKind.FREE_CLINIC, title="义诊进村", **kw
) -> Volunteering:
    return Volunteering.objects.create(
        hospital=org.hospital,
        organizer=org,
        kind=kind,
        title=title,
        date=day,
        served_unit=kw.pop("served_unit", "青石村"),
        people_served=kw.pop("people_served", 80),
        **kw,
    )


def participate(v, person, hours="2") -> VolunteeringParticipant:
    return VolunteeringParticipant.objects.create(volunteering=v, person=person, hours=D(str(hours)))


def proposal(
    person, item, amount=None, day=dt.date(YEAR, 5, 4), status=ProposalStatus.PENDING, **kw
) -> PointProposal:
    return PointProposal.objects.create(
        hospital=person.hospital,
        person=person,
        organization=person.membership.organization,
        rule=item,
        amount=D(str(amount)) if amount is not None else item.amount,
        date=day,
        reason=kw.pop("reason", "抢救危重孕产妇"),
        status=status,
        **kw,
    )


def honor(person, day=dt.date(YEAR, 4, 2), kind=HonorKind.EXCELLENT_MEMBER) -> Honor:
    return Honor.objects.create(
        hospital=person.hospital,
        kind=kind,
        person=person,
        organization=person.membership.organization,
        title="2025年第一季度优秀共产党员",
        awarded_on=day,
    )


@dataclass
class PointRecords:
    """Points of member A (branch A), member B (branch B) and the member of hospital H2."""

    rule_h: PointRule
    rule_h2: PointRule
    manual_h: PointRule
    meeting_a: Meeting
    entry_a: PointEntry
    entry_b: PointEntry
    entry_h2: PointEntry
    proposal_a: PointProposal  # pending
    proposal_b: PointProposal
    proposal_h2: PointProposal
    approved_a: PointProposal


def add_point_records(world) -> object:
    """A catalogue item in each hospital, a held theme day in each branch with points, proposals."""
    rec = world.rec
    day = dt.date(YEAR, 3, 12)
    rule_h, rule_h2 = (
        rule(world.hospital, name="参加组织生活"),
        rule(world.hospital2, name="外院参加组织生活"),
    )
    manual_h = rule(world.hospital, "manual", "3", name="好人好事")
    manual_h2 = rule(world.hospital2, "manual", "3", name="外院好人好事")
    ma = meeting(world.branch_a, day, topic="甲支部主题党日")
    attend(ma, world.person_a)
    attend(meeting(world.branch_b, day, topic="乙支部主题党日"), world.person_b)
    attend(meeting(rec.branch_h2, day, topic="外院主题党日"), world.person_h2)
    approved = proposal(world.person_a, manual_h, day=dt.date(YEAR, 4, 1), reason="获市级表彰")
    from hongqing.points.services import ledger

    PointProposal.objects.filter(pk=approved.pk).update(status=ProposalStatus.APPROVED)
    ledger.sync("manual", [approved.pk])
    approved.refresh_from_db()
    world.prec = PointRecords(
        rule_h=rule_h,
        rule_h2=rule_h2,
        manual_h=manual_h,
        meeting_a=ma,
        entry_a=PointEntry.objects.get(person=world.person_a, rule=rule_h),
        entry_b=PointEntry.objects.get(person=world.person_b),
        entry_h2=PointEntry.objects.get(person=world.person_h2),
        proposal_a=proposal(world.person_a, manual_h, reason="甲支部申报"),
        proposal_b=proposal(world.person_b, manual_h, reason="乙支部申报"),
        proposal_h2=proposal(world.person_h2, manual_h2, reason="外院申报"),
        approved_a=approved,
    )
    return world


@dataclass
class ActivityRecords:
    """Volunteering, honours, rounds and nominations of branch A, branch B and hospital H2."""

    vol_a: Volunteering
    vol_b: Volunteering
    vol_h2: Volunteering
    vol_empty_a: Volunteering  # no participants: deletable
    honor_a: Honor
    honor_b: Honor
    honor_h2: Honor
    round_h: object
    round_h2: object
    round_empty_h: object  # no nominations: deletable
    nom_a: object
    nom_b: object
    nom_h2: object


def add_activity_records(world) -> object:
    from hongqing.points.models import HonorRound, Nomination

    rec = world.rec
    day = dt.date(YEAR, 6, 8)
    vol_a = volunteering(world.branch_a, day, title="甲支部义诊进村")
    vol_b = volunteering(world.branch_b, day, title="乙支部结对帮扶")
    vol_h2 = volunteering(rec.branch_h2, day, title="外院志愿服务")
    participate(vol_a, world.person_a)
    participate(vol_b, world.person_b)
    participate(vol_h2, world.person_h2)

    def rnd(hospital, month):
        return HonorRound.objects.create(
            hospital=hospital,
            year=YEAR,
            number=(month - 1) // 3 + 1,
            start=dt.date(YEAR, month, 1),
            end=dt.date(YEAR, month + 2, 28),
            period_months=3,
        )

    round_h, round_h2, round_empty = rnd(world.hospital, 4), rnd(world.hospital2, 4), rnd(world.hospital, 7)

    def nom(r, person, org):
        return Nomination.objects.create(
            round=r, kind=HonorKind.EXCELLENT_MEMBER, person=person, organization=org, reason="表现突出"
        )

    world.arec = ActivityRecords(
        vol_a=vol_a,
        vol_b=vol_b,
        vol_h2=vol_h2,
        vol_empty_a=volunteering(world.branch_a, day, title="甲支部未记参加人"),
        honor_a=honor(world.person_a),
        honor_b=honor(world.person_b),
        honor_h2=honor(world.person_h2),
        round_h=round_h,
        round_h2=round_h2,
        round_empty_h=round_empty,
        nom_a=nom(round_h, world.person_a, world.branch_a),
        nom_b=nom(round_h, world.person_b, world.branch_b),
        nom_h2=nom(round_h2, world.person_h2, rec.branch_h2),
    )
    return world
