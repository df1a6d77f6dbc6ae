"""Demo builder (order 60: after meetings, dues, appraisals, duties and study): points and honours.

Every demo hospital gets the default catalogue from January of last year. Then, in the main
hospital: a few volunteering activities (a free clinic in a village, a pairing with a village, a
volunteer service in a community, last year and this), manual items approved and two waiting for
the Party office, this year's selection rounds decided up to the last period and the current one
open with nominations (one endorsed, one still to decide) — and the points of every member derived
from these records and the demo's meetings (and study, once learning is in) through the ledger
itself. Last year is closed.

Rows are bulk-created (no signals); ``ledger.sync_all`` derives the points at the end, as the
safety-net job would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from hongqing.core.demo import DemoContext, register_builder
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from .choices import (
    DecisionMethod,
    HonorKind,
    NominationStatus,
    ProposalStatus,
    RoundStatus,
    ServedKind,
    VolunteeringKind,
)
from .models import (
    ClosedYear,
    Honor,
    HonorRound,
    Nomination,
    PointProposal,
    PointRule,
    Volunteering,
    VolunteeringParticipant,
)
from .services import catalogue, ledger, periods
from .services.honors import honor_title

# (branch index, kind, title, served kind, served unit, people served, months back, hours)
ACTIVITIES = [
    (0, VolunteeringKind.FREE_CLINIC, "“母婴健康进乡村”义诊", ServedKind.VILLAGE, "青石村", 126, 2, "3"),
    (
        1,
        VolunteeringKind.PAIRING,
        "结对帮扶：孕产妇健康档案建档指导",
        ServedKind.VILLAGE,
        "桃源村",
        48,
        4,
        "4",
    ),
    (3, VolunteeringKind.VOLUNTEER, "社区儿童保健志愿服务", ServedKind.COMMUNITY, "东湖社区", 85, 1, "2"),
    (0, VolunteeringKind.PAIRING, "结对帮扶：村卫生室业务指导", ServedKind.VILLAGE, "青石村", 30, 14, "3"),
    (2, VolunteeringKind.FREE_CLINIC, "“两癌”筛查义诊", ServedKind.VILLAGE, "柳溪村", 210, 9, "4"),
    (4, VolunteeringKind.VOLUNTEER, "无偿献血志愿服务", ServedKind.UNIT, "市中心血站", 60, 7, "2"),
]
PROPOSALS = [
    ("先进事迹、好人好事", "门诊途中救助晕倒老人", ProposalStatus.APPROVED, 3),
    ("获上级表彰", "获市卫健委“优秀护士”称号", ProposalStatus.APPROVED, 5),
    ("先进事迹、好人好事", "连续值守抢救危重孕产妇，受到家属书面感谢", ProposalStatus.PENDING, 1),
    ("违反纪律或有关规定", "未按要求参加支部集中学习且未请假", ProposalStatus.PENDING, 0),
]


def _members(org) -> list:
    return list(
        Membership.objects.filter(organization__path__startswith=org.path, stage__in=MEMBER_STAGES)
        .select_related("person")
        .order_by("person__staff_no")
    )


def build(ctx: DemoContext) -> None:
    hospitals = [h["hospital"] for h in ctx.data.get("hospitals", [])]
    if not hospitals:
        return
    today, rng = ctx.today, ctx.rng
    main = hospitals[0]
    month = periods.start_month(main.pk)
    this_year = periods.year_of(today, month)
    last_year = this_year - 1
    first_day = periods.bounds(last_year, month)[0]
    for h in hospitals:
        if not PointRule.objects.filter(hospital=h).exists():
            catalogue.load_default_catalogue(h, active_from=first_day)
    branches = list(PartyOrganization.objects.filter(hospital=main, kind=OrgKind.BRANCH).order_by("path"))
    if not branches:
        return
    members = {b.pk: _members(b) for b in branches}
    people = ctx.data.get("people", {})
    secretaries = people.get("secretaries", {})

    # Volunteering, with most of the organiser's members taking part.
    activities, participants = [], []
    for idx, kind, title, served_kind, unit, served, back, hours in ACTIVITIES:
        if idx >= len(branches):
            continue
        branch = branches[idx]
        day = min(today - relativedelta(months=back, days=3 + idx), today - dt.timedelta(days=1))
        v = Volunteering(
            hospital=main,
            organizer=branch,
            kind=kind,
            title=title,
            date=day,
            hours=Decimal(hours),
            place=f"{unit}卫生室" if served_kind == ServedKind.VILLAGE else unit,
            served_kind=served_kind,
            served_unit=unit,
            people_served=served,
            description="支部党员带头，联合科室骨干开展服务。",
        )
        activities.append(v)
        chosen = [m.person for m in members[branch.pk] if rng.random() < 0.7][:15]
        participants.append((v, chosen))
    Volunteering.objects.bulk_create(activities)
    VolunteeringParticipant.objects.bulk_create(
        [
            VolunteeringParticipant(
                volunteering=v, person=p, hours=v.hours if rng.random() < 0.8 else v.hours - Decimal("1")
            )
            for v, chosen in participants
            for p in chosen
        ]
    )

    # Manual items: approved ones, and two waiting for the office (from the demo secretary's branch).
    rules = {r.name: r for r in PointRule.objects.filter(hospital=main, trigger="manual")}
    office_user = _user("office")
    proposals = []
    branch_a = branches[0]
    for i, (item, reason, status, back) in enumerate(PROPOSALS):
        rule = rules.get(item)
        target = (
            members[branch_a.pk][(i * 3 + 1) % len(members[branch_a.pk])] if members[branch_a.pk] else None
        )
        if rule is None or target is None:
            continue
        day = today - relativedelta(months=back, days=2)
        proposals.append(
            PointProposal(
                hospital=main,
                person=target.person,
                organization=target.organization,
                rule=rule,
                amount=rule.amount,
                date=max(day, rule.active_from),
                reason=reason,
                status=status,
                created_by=_user("secretary"),
                decided_by=office_user if status != ProposalStatus.PENDING else None,
                decision_note="经党办审核，情况属实。" if status == ProposalStatus.APPROVED else "",
            )
        )
    PointProposal.objects.bulk_create(proposals)

    # The ledger from every record (meetings, study, memberships, volunteering, proposals).
    ledger.sync_all([h.pk for h in hospitals], years=[last_year, this_year], chunk=2000)

    # This year's selection: the earlier periods decided, the current one open with nominations.
    _honors(ctx, main, this_year, branches, members, secretaries)
    # (each honour's points followed its save)
    if periods.bounds(last_year, month)[1] < today:
        ClosedYear.objects.get_or_create(
            hospital=main,
            year=last_year,
            defaults={"note": "年度党员积分已公示并归档", "closed_by": office_user},
        )
    ctx.data["points"] = {
        "activities": len(activities),
        "proposals": len(proposals),
        "closed_year": last_year,
    }


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first() if username else None


def _honors(ctx, hospital, year, branches, members, secretaries) -> None:
    today = ctx.today
    office = _user("office")
    kinds = [HonorKind.EXCELLENT_MEMBER, HonorKind.MODEL_POST]
    for number, start, end in periods.honor_periods(year, hospital.pk):
        if start > today:
            break
        current = start <= today <= end
        rnd = HonorRound.objects.create(
            hospital=hospital,
            year=year,
            number=number,
            period_months=(end.year - start.year) * 12 + end.month - start.month + 1,
            start=start,
            end=end,
            status=RoundStatus.OPEN if current else RoundStatus.CLOSED,
            created_by=office,
        )
        picked = []
        for k, idx in enumerate((0, 1, 3)):
            if idx >= len(branches) or not members[branches[idx].pk]:
                continue
            pool = members[branches[idx].pk]
            m = pool[(number * 5 + k * 7) % len(pool)]
            picked.append((branches[idx], m, kinds[(number + k) % 2]))
        for i, (branch, m, kind) in enumerate(picked):
            if current and i == len(picked) - 1:
                status, method = NominationStatus.PROPOSED, ""  # still to decide
            elif current:
                status, method = NominationStatus.ENDORSED, DecisionMethod.VOTE
            else:
                status, method = NominationStatus.APPROVED, DecisionMethod.VOTE
            decided = min(end + dt.timedelta(days=5), today) if not current else today - dt.timedelta(days=1)
            n = Nomination.objects.create(
                round=rnd,
                kind=kind,
                person=m.person,
                organization=m.organization,
                reason="本期按时参加组织生活、完成学习学时，积极参加义诊和结对帮扶，群众评价好。",
                status=status,
                method=method,
                votes_for=len(members[branch.pk]) - 2 if method else None,
                votes_against=1 if method else None,
                votes_abstain=1 if method else None,
                decided_on=decided if method else None,
                created_by=_user("secretary") if branch == branches[0] else None,
                reviewed_by=office if status == NominationStatus.APPROVED else None,
            )
            if status == NominationStatus.APPROVED:
                Honor.objects.create(
                    hospital=hospital,
                    kind=kind,
                    person=m.person,
                    organization=m.organization,
                    title=honor_title(rnd, kind),
                    awarded_on=min(end + dt.timedelta(days=10), today),
                    round=rnd,
                    nomination=n,
                    created_by=office,
                )
        if not current and len(branches) > 2:  # a model branch each quarter, in turn
            branch = branches[(number - 1) % len(branches)]
            n = Nomination.objects.create(
                round=rnd,
                kind=HonorKind.MODEL_BRANCH,
                candidate_organization=branch,
                organization=branch,
                reason="支部“五化”建设达标，三会一课规范，党建与业务融合成效明显。",
                status=NominationStatus.APPROVED,
                method=DecisionMethod.COMMITTEE,
                decided_on=min(end + dt.timedelta(days=5), today),
                decision_note="支委会研究同意推荐",
                reviewed_by=office,
            )
            Honor.objects.create(
                hospital=hospital,
                kind=HonorKind.MODEL_BRANCH,
                organization=branch,
                title=honor_title(rnd, HonorKind.MODEL_BRANCH),
                awarded_on=min(end + dt.timedelta(days=10), today),
                round=rnd,
                nomination=n,
                created_by=office,
            )


register_builder(60, "points", build)
