"""Quarterly honours: the office opens a round, branches nominate with the period's points as
evidence, record a vote or a committee decision, the office approves (the honour is on the record
and earns points) or rejects, then closes the round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hongqing.points.choices import DecisionMethod, HonorKind, NominationStatus, RoundStatus
from hongqing.points.models import Honor, HonorRound, Nomination
from hongqing.points.services import honors, periods

from .support import D, attended, rule, set_rule, total

TODAY = timezone.localdate()
YEAR = TODAY.year


def this_period():
    return next(p for p in periods.honor_periods(YEAR, None) if p[1] <= TODAY <= p[2])


@pytest.fixture
def rnd(world):
    n, _start, _end = this_period()
    return honors.open_round(world.hospital, year=YEAR, number=n, actor=world.office)


def nominate(world, rnd, person=None, kind=HonorKind.EXCELLENT_MEMBER, **kw):
    return honors.nominate(
        rnd,
        kind=kind,
        person=person or world.person_a,
        reason="全年无差错，抢救危重孕产妇3例",
        actor=kw.pop("actor", world.secretary_a),
        **kw,
    )


def test_a_round_covers_a_quarter_by_default_and_opens_once(world, rnd):
    n, start, end = this_period()
    assert (rnd.start, rnd.end, rnd.period_months, rnd.number) == (start, end, 3, n)
    with pytest.raises(ValidationError, match="already open"):
        honors.open_round(world.hospital, year=YEAR, number=n, actor=world.office)


def test_a_future_period_cannot_be_opened_and_only_the_office_opens(world):
    last = periods.honor_periods(YEAR, None)[-1]
    if last[1] > TODAY:
        with pytest.raises(ValidationError, match="starts on"):
            honors.open_round(world.hospital, year=YEAR, number=last[0], actor=world.office)
    with pytest.raises(ValidationError, match="Only the Party office"):
        honors.open_round(world.hospital, year=YEAR, number=1, actor=world.secretary_a)
    assert not HonorRound.objects.exists()


def test_the_period_is_a_rule(world):
    set_rule("points.honor_period_months", 6, world.hospital)
    halves = periods.honor_periods(YEAR, world.hospital.pk)
    assert [(p[1].month, p[2].month) for p in halves] == [(1, 6), (7, 12)]


def test_the_whole_selection_puts_the_honour_on_the_record_and_awards_points(world, rnd):
    rule(world.hospital, "meeting_attendance", "2")
    rule(world.hospital, "honor", "10", kinds=[HonorKind.EXCELLENT_MEMBER])
    attended(world.branch_a, world.person_a, rnd.start)
    n = nominate(world, rnd)
    ev = honors.evidence(world.secretary_a, n)
    assert ev.total == 2 and len(ev.lines) == 1  # the points of the period, with their records
    honors.record_decision(
        n, method=DecisionMethod.VOTE, votes_for=8, votes_against=1, votes_abstain=1, actor=world.secretary_a
    )
    assert n.status == NominationStatus.ENDORSED
    honor = honors.approve(n, actor=world.office)
    assert (honor.person, honor.kind, honor.round, honor.organization) == (
        world.person_a,
        HonorKind.EXCELLENT_MEMBER,
        rnd,
        world.branch_a,
    )
    assert n.status == NominationStatus.APPROVED
    assert total(world.person_a, YEAR) == 12
    honors.close_round(rnd, actor=world.office)
    assert rnd.status == RoundStatus.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        nominate(world, rnd, person=world.secretary_a.person)


def test_a_vote_without_a_majority_does_not_endorse(world, rnd):
    n = nominate(world, rnd)
    honors.record_decision(
        n, method=DecisionMethod.VOTE, votes_for=5, votes_against=4, votes_abstain=1, actor=world.secretary_a
    )
    assert n.status == NominationStatus.DECLINED  # 5 of 10 is not more than half
    with pytest.raises(ValidationError, match="endorsed"):
        honors.approve(n, actor=world.office)
    honors.record_decision(
        n, method=DecisionMethod.VOTE, votes_for=6, votes_against=4, votes_abstain=0, actor=world.secretary_a
    )
    assert n.status == NominationStatus.ENDORSED


def test_a_committee_decision_needs_its_text(world, rnd):
    n = nominate(world, rnd)
    with pytest.raises(ValidationError, match="committee's decision"):
        honors.record_decision(n, method=DecisionMethod.COMMITTEE, actor=world.secretary_a)
    honors.record_decision(
        n, method=DecisionMethod.COMMITTEE, note="支委会研究同意推荐", actor=world.secretary_a
    )
    assert n.status == NominationStatus.ENDORSED and n.votes_for is None


def test_a_branch_is_nominated_for_model_branch_by_its_secretary(world, rnd):
    n = honors.nominate(
        rnd,
        kind=HonorKind.MODEL_BRANCH,
        branch=world.branch_a,
        reason="支部建设标准化",
        actor=world.secretary_a,
    )
    assert (n.candidate_organization, n.organization, n.person) == (world.branch_a, world.branch_a, None)
    with pytest.raises(ValidationError, match="not a branch you may nominate"):
        honors.nominate(
            rnd, kind=HonorKind.MODEL_BRANCH, branch=world.branch_b, reason="x", actor=world.secretary_a
        )
    with pytest.raises(ValidationError, match="nominates a branch"):
        honors.nominate(
            rnd, kind=HonorKind.MODEL_BRANCH, person=world.person_a, reason="x", actor=world.secretary_a
        )
    honors.record_decision(n, method=DecisionMethod.COMMITTEE, note="党委研究", actor=world.secretary_a)
    honor = honors.approve(n, actor=world.office)
    assert honor.person is None and honor.organization == world.branch_a


def test_a_secretary_cannot_nominate_another_branchs_member_or_twice(world, rnd):
    with pytest.raises(ValidationError, match="not a member of a branch you may nominate for"):
        nominate(world, rnd, person=world.person_b)
    nominate(world, rnd)
    with pytest.raises(ValidationError, match="already nominated"):
        nominate(world, rnd)
    assert Nomination.objects.count() == 1


def test_only_the_office_approves_or_rejects_and_a_rejection_has_a_reason(world, rnd):
    n = nominate(world, rnd)
    honors.record_decision(n, method=DecisionMethod.COMMITTEE, note="同意", actor=world.secretary_a)
    with pytest.raises(ValidationError, match="Only the Party office"):
        honors.approve(n, actor=world.secretary_a)
    with pytest.raises(ValidationError, match="reason"):
        honors.reject(n, actor=world.office, note="")
    honors.reject(n, actor=world.office, note="名额已满")
    assert n.status == NominationStatus.REJECTED and not Honor.objects.exists()


def test_a_round_closes_only_when_every_nomination_is_reviewed(world, rnd):
    nominate(world, rnd)
    with pytest.raises(ValidationError, match="still waiting"):
        honors.close_round(rnd, actor=world.office)


def test_branch_evidence_sums_its_members_points_of_the_period(world, rnd):
    rule(world.hospital, "meeting_attendance", "2")
    attended(world.branch_a, world.person_a, rnd.start)
    attended(world.branch_a, world.secretary_a.person, rnd.start)
    attended(world.branch_a, world.person_a, rnd.start - dt.timedelta(days=1))  # the period before
    ev = honors.branch_evidence(world.office, world.branch_a, rnd.start, rnd.end)
    assert (ev.total, ev.members, ev.average) == (D("4"), 2, D("2.0"))
