"""Manual items: a secretary proposes, the Party office approves (then it counts) or rejects (it never
does); bad proposals are refused with their reason and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hongqing.points.choices import ProposalStatus
from hongqing.points.models import ClosedYear, PointProposal
from hongqing.points.services import proposals

from .support import YEAR, D, lines, member, rule, total

DAY = dt.date(YEAR, 5, 4)


@pytest.fixture
def item(world):
    return rule(world.hospital, "manual", "3", name="好人好事")


def propose(world, person=None, item=None, **kw):
    return proposals.propose(
        person=person or world.person_a,
        rule=item,
        date=kw.pop("date", DAY),
        reason=kw.pop("reason", "抢救危重孕产妇"),
        actor=kw.pop("actor", world.secretary_a),
        **kw,
    )


def test_a_proposal_is_not_in_the_total_until_the_office_approves_it(world, item):
    p = propose(world, item=item)
    assert (p.status, p.amount, p.organization) == (ProposalStatus.PENDING, D("3"), world.branch_a)
    assert total(world.person_a) == 0
    proposals.approve(p, actor=world.office, note="同意")
    assert p.status == ProposalStatus.APPROVED and p.decided_by == world.office
    assert total(world.person_a) == 3
    (line,) = lines(world.person_a)
    assert (line.record_url(), line.created_by) == (p.get_absolute_url(), world.office)


def test_a_rejected_proposal_never_counts(world, item):
    p = propose(world, item=item)
    proposals.reject(p, actor=world.office, note="材料不足")
    assert total(world.person_a) == 0
    with pytest.raises(ValidationError, match="already been decided"):
        proposals.approve(p, actor=world.office)
    assert total(world.person_a) == 0


def test_only_the_party_office_decides(world, item):
    p = propose(world, item=item)
    for user in (world.secretary_a, world.member_a, world.office_h2, world.inspector):
        with pytest.raises(ValidationError, match="Only the Party office"):
            proposals.approve(p, actor=user)
    assert total(world.person_a) == 0


def test_approving_twice_counts_once(world, item):
    p = propose(world, item=item)
    proposals.approve(p, actor=world.office)
    with pytest.raises(ValidationError):
        proposals.approve(p, actor=world.office)
    assert total(world.person_a) == 3


def test_a_smaller_amount_may_be_proposed_not_a_larger_one(world, item):
    p = propose(world, item=item, amount=D("1.5"))
    proposals.approve(p, actor=world.office)
    assert total(world.person_a) == D("1.5")
    with pytest.raises(ValidationError, match="At most 3"):
        propose(world, item=item, amount=D("4"))


def test_a_deduction_item_takes_a_negative_amount(world):
    rule(world.hospital, amount="10")
    breach = rule(world.hospital, "manual", "-5", name="违反规定")
    with pytest.raises(ValidationError, match="negative"):
        propose(world, item=breach, amount=D("5"))
    p = propose(world, item=breach)
    assert p.amount == D("-5")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"amount": D("0")}, "other than zero"),
        ({"reason": "  "}, "reason"),
        ({"date": timezone.localdate() + dt.timedelta(days=1)}, "future"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_written(world, item, change, message):
    with pytest.raises(ValidationError, match=message):
        propose(world, item=item, **change)
    assert not PointProposal.objects.exists()


def test_a_proposal_for_a_person_outside_the_branch_is_refused(world, item):
    with pytest.raises(ValidationError, match="not a member of a branch you may propose for"):
        propose(world, person=world.person_b, item=item)
    assert not PointProposal.objects.exists()


def test_an_automatic_item_cannot_be_proposed(world):
    attending = rule(world.hospital, "meeting_attendance", "2")
    with pytest.raises(ValidationError, match="manual item"):
        propose(world, item=attending)


def test_an_item_of_another_hospital_or_not_in_force_is_refused(world):
    other = rule(world.hospital2, "manual", "3")
    with pytest.raises(ValidationError, match="another hospital"):
        propose(world, item=other)
    later = rule(world.hospital, "manual", "3", active_from=DAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="not in force"):
        propose(world, item=later)


def test_a_proposal_in_a_closed_year_is_refused_and_cannot_be_approved(world, item):
    p = propose(world, item=item)
    ClosedYear.objects.create(hospital=world.hospital, year=YEAR)
    with pytest.raises(ValidationError, match="closed"):
        propose(world, item=item)
    with pytest.raises(ValidationError, match="closed"):
        proposals.approve(p, actor=world.office)
    assert total(world.person_a) == 0 and PointProposal.objects.count() == 1


def test_the_office_proposes_for_any_member_of_its_hospital(world, item):
    someone = member(world, world.branch_b, "乙支部党员")
    p = propose(world, person=someone, item=item, actor=world.office)
    assert p.organization == world.branch_b


def test_a_yearly_cap_cuts_the_approved_proposals(world):
    capped = rule(world.hospital, "manual", "3", cap="5", period="year")
    for _ in range(2):
        proposals.approve(propose(world, item=capped), actor=world.office)
    assert total(world.person_a) == 5
    assert lines(world.person_a)[-1].cut == "cap"
