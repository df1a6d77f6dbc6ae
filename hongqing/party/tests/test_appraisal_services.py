"""Democratic appraisal services: who is appraised, stage order, one rating per voter, entry and round,
only branch members rate, the one-third warning at its boundary, closing marks the duty done."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from hongqing.accounts.models import User
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Hospital, PartyOrganization
from hongqing.party.choices import AppraisalStage, MeetingKind, MeetingStatus, Rating
from hongqing.party.models import AppraisalCampaign, AppraisalVote, Meeting
from hongqing.party.services import appraisal as svc
from hongqing.people.choices import Stage
from hongqing.people.models import Membership, Person

YEAR = 2025
Round = AppraisalVote.Round


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


class Branch:
    def __init__(self, n_full=9):
        h = Hospital.objects.create(name="测试医院", code=f"ap{Hospital.objects.count()}")
        root = PartyOrganization.objects.add_root(dict(hospital=h, name="院党委", kind=OrgKind.COMMITTEE))
        self.hospital = h
        self.committee = root
        self.org = PartyOrganization.objects.add_child(
            root, dict(hospital=h, name="内科党支部", kind=OrgKind.BRANCH)
        )
        root.refresh_from_db()
        self.other = PartyOrganization.objects.add_child(
            root, dict(hospital=h, name="外科党支部", kind=OrgKind.BRANCH)
        )
        self.full = [self.member(f"党员{i}") for i in range(n_full)]
        self.secretary = User.objects.create_user(username="sec", password="x-pass-2026")

    def member(self, name, stage=Stage.FULL, org=None, status="active", user=True) -> Membership:
        n = Person.objects.count() + 1
        person = Person.objects.create(
            hospital=self.hospital, staff_no=f"A{n:04d}", name=name, gender="F", status=status
        )
        if user:
            person.user = User.objects.create_user(username=f"u{n}", password="x-pass-2026")
            person.save(update_fields=["user"])
        dates = {"application_date": dt.date(2010, 1, 1), "activist_date": dt.date(2010, 3, 1)}
        dates["candidate_date"] = dt.date(2011, 3, 1)
        if stage in (Stage.PROBATIONARY, Stage.FULL):
            dates["admission_date"] = (
                dt.date(2025, 5, 1) if stage == Stage.PROBATIONARY else dt.date(2011, 6, 1)
            )
        if stage == Stage.FULL:
            dates["conversion_date"] = dt.date(2012, 6, 1)
        if stage in (Stage.APPLICANT,):
            dates = {"application_date": dt.date(2025, 1, 1)}
        return Membership.objects.create(person=person, organization=org or self.org, stage=stage, **dates)

    def open(self):
        return svc.open_campaign(self.org, year=YEAR, actor=self.secretary)


@pytest.fixture
def b(db):
    return Branch()


def refused(fn, *args, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return exc.value.messages


def to_stage(c, stage, actor, **kwargs):
    for s in svc.STAGES[svc.STAGES.index(c.stage) + 1 : svc.STAGES.index(stage) + 1]:
        if s == AppraisalStage.CONGRESS:
            for e in c.entries.all():
                e.proposal = e.proposal or Rating.QUALIFIED
                e.save()
        if s == AppraisalStage.CLOSED:
            for e in c.entries.all():
                e.result = e.result or Rating.QUALIFIED
                e.save()
        svc.move_to(c, s, actor=actor, **(kwargs if s == AppraisalStage.CLOSED else {}))
    return c


def test_open_appraises_full_and_probationary_members_of_the_branch_and_its_groups(b):
    probationer = b.member("预备", Stage.PROBATIONARY)
    b.member("申请人", Stage.APPLICANT)
    b.member("已离职", status="left")
    b.member("外科党员", org=b.other)
    group = PartyOrganization.objects.add_child(
        PartyOrganization.objects.get(pk=b.org.pk), dict(hospital=b.hospital, name="一组", kind=OrgKind.GROUP)
    )
    in_group = b.member("小组党员", org=group)
    c = b.open()
    appraised = set(c.entries.values_list("membership_id", flat=True))
    assert appraised == {m.pk for m in b.full} | {probationer.pk, in_group.pk}
    assert c.stage == AppraisalStage.SELF and c.created_by == b.secretary
    event = LogEntry.objects.get(additional_data__event="appraisal_open")
    assert event.actor == b.secretary and event.additional_data["entries"] == 11


def test_open_once_a_year_by_a_branch_not_in_the_future(b):
    b.open()
    assert refused(svc.open_campaign, b.org, year=YEAR, actor=b.secretary) == [
        "内科党支部 already has an appraisal for 2025."
    ]
    next_year = timezone.localdate().year + 1
    assert refused(svc.open_campaign, b.org, year=next_year, actor=b.secretary)[0].startswith("Enter a year")
    assert refused(svc.open_campaign, b.committee, year=YEAR, actor=b.secretary)[0] == (
        "An appraisal is held by a branch."
    )
    assert refused(svc.open_campaign, b.other, year=YEAR, actor=b.secretary) == [
        "外科党支部 has no members to appraise."
    ]
    assert AppraisalCampaign.objects.count() == 1


def test_stages_move_in_order_and_never_back(b):
    c = b.open()
    assert refused(svc.move_to, c, AppraisalStage.DEMOCRATIC, actor=b.secretary) == [
        "The next stage is Peer assessment."
    ]
    svc.begin_peer_assessment(c, actor=b.secretary)
    assert refused(svc.move_to, c, AppraisalStage.SELF, actor=b.secretary) == [
        "The next stage is Democratic rating."
    ]
    svc.begin_democratic_rating(c, actor=b.secretary)
    svc.begin_committee_proposal(c, actor=b.secretary)
    assert refused(svc.begin_congress_decision, c, actor=b.secretary) == [
        "The committee has not proposed a rating for 9 members."
    ]
    for e in c.entries.all():
        svc.propose(e, rating=Rating.QUALIFIED, actor=b.secretary)
    svc.begin_congress_decision(c, actor=b.secretary)
    e = c.entries.first()
    svc.decide(e, rating=Rating.EXCELLENT, actor=b.secretary)
    assert refused(svc.close_campaign, c, actor=b.secretary) == [
        "The congress has not decided a rating for 8 members."
    ]
    for e in c.entries.exclude(pk=e.pk):
        svc.decide(e, rating=Rating.QUALIFIED, actor=b.secretary)
    svc.close_campaign(c, actor=b.secretary)
    c.refresh_from_db()
    assert c.stage == AppraisalStage.CLOSED
    assert refused(svc.move_to, c, AppraisalStage.CLOSED, actor=b.secretary) == ["The appraisal is closed."]
    events = LogEntry.objects.filter(additional_data__event="appraisal_stage").order_by("pk")
    assert [e.additional_data["to"] for e in events] == svc.STAGES[1:]
    assert all(e.actor == b.secretary for e in events)


def test_proposals_and_decisions_only_at_their_stage(b):
    c = b.open()
    e = c.entries.first()
    assert refused(svc.propose, e, rating=Rating.EXCELLENT, actor=b.secretary) == [
        "This is done at the stage Committee proposal."
    ]
    to_stage(c, AppraisalStage.COMMITTEE, b.secretary)
    assert refused(svc.decide, e, rating=Rating.EXCELLENT, actor=b.secretary) == [
        "This is done at the stage Congress decision."
    ]
    assert refused(svc.propose, e, rating="great", actor=b.secretary) == ["Choose a rating."]


@pytest.mark.parametrize(("excellent", "warned"), [(3, False), (4, True)])
def test_one_third_excellent_warning_at_its_boundary(b, excellent, warned):
    c = to_stage(b.open(), AppraisalStage.COMMITTEE, b.secretary)
    entries = list(c.entries.order_by("pk"))
    assert len(entries) == 9
    warning = None
    for i, e in enumerate(entries):
        warning = svc.propose(
            e, rating=Rating.EXCELLENT if i < excellent else Rating.QUALIFIED, actor=b.secretary
        )
    assert (warning is not None) is warned
    if warned:
        assert warning == "4 of 9 members are rated excellent: generally at most one third (3) are."
    # The congress's decision is judged the same way, and the warning never blocks.
    svc.begin_congress_decision(c, actor=b.secretary)
    for i, e in enumerate(entries):
        warning = svc.decide(
            e, rating=Rating.EXCELLENT if i < excellent else Rating.QUALIFIED, actor=b.secretary
        )
    assert (warning is not None) is warned
    svc.close_campaign(c, actor=b.secretary)


def test_self_assessment_by_the_member_only_while_it_is_open(b):
    c = b.open()
    e = c.entries.select_related("membership__person__user").first()
    me = e.membership.person.user
    other = b.full[1].person.user
    assert refused(svc.submit_self_assessment, e, text="x", rating=Rating.QUALIFIED, actor=other) == [
        "Only the member writes their own self-assessment."
    ]
    assert refused(svc.submit_self_assessment, e, text=" ", rating="", actor=me) == [
        "Write the self-assessment.",
        "Choose a rating.",
    ]
    svc.submit_self_assessment(e, text="认真履行党员义务", rating=Rating.EXCELLENT, actor=me)
    svc.submit_self_assessment(e, text="认真履行党员义务。", rating=Rating.QUALIFIED, actor=me)  # revised
    e.refresh_from_db()
    assert (e.self_assessment, e.self_rating) == ("认真履行党员义务。", Rating.QUALIFIED)
    svc.begin_peer_assessment(c, actor=b.secretary)
    assert refused(svc.submit_self_assessment, e, text="晚了", rating=Rating.QUALIFIED, actor=me) == [
        "The self-assessment is closed."
    ]


def test_one_rating_per_voter_entry_and_round(b):
    c = b.open()
    voter = b.full[0].person
    peers = {e.pk: e for e in c.entries.exclude(membership__person=voter)}
    first, second = list(peers)[:2]
    assert refused(
        svc.cast_ballot,
        c,
        person=voter,
        round_=Round.PEER,
        ratings={first: Rating.QUALIFIED},
        actor=voter.user,
    ) == ["The Peer assessment is not open."]
    svc.begin_peer_assessment(c, actor=b.secretary)
    n = svc.cast_ballot(
        c, person=voter, round_=Round.PEER, ratings={first: Rating.EXCELLENT}, actor=voter.user
    )
    assert n == 1
    messages = refused(
        svc.cast_ballot,
        c,
        person=voter,
        round_=Round.PEER,
        ratings={first: Rating.QUALIFIED, second: Rating.QUALIFIED},
        actor=voter.user,
    )
    assert messages == [f"You have already rated {peers[first].membership.person.name}."]
    assert AppraisalVote.objects.filter(voter=voter).count() == 1  # nothing of the refused ballot
    svc.cast_ballot(c, person=voter, round_=Round.PEER, ratings={second: Rating.QUALIFIED}, actor=voter.user)
    own = c.entries.get(membership__person=voter)
    assert refused(
        svc.cast_ballot,
        c,
        person=voter,
        round_=Round.PEER,
        ratings={own.pk: Rating.EXCELLENT},
        actor=voter.user,
    ) == ["Nobody rates themselves: the self-assessment is theirs."]
    # The democratic round is another round: the same peer may be rated again there.
    svc.begin_democratic_rating(c, actor=b.secretary)
    assert refused(
        svc.cast_ballot,
        c,
        person=voter,
        round_=Round.PEER,
        ratings={first: Rating.QUALIFIED},
        actor=voter.user,
    ) == ["The Peer assessment is not open."]
    svc.cast_ballot(
        c, person=voter, round_=Round.DEMOCRATIC, ratings={first: Rating.QUALIFIED}, actor=voter.user
    )
    assert svc.tally(c)[first] == {Round.PEER: {Rating.EXCELLENT: 1}, Round.DEMOCRATIC: {Rating.QUALIFIED: 1}}
    assert svc.voters(c) == {Round.PEER: 1, Round.DEMOCRATIC: 1}
    ballot = {e.pk: rated for e, rated in svc.ballot(c, voter, Round.DEMOCRATIC)}
    assert own.pk not in ballot and ballot[first] is True and ballot[second] is False
    # The audit says a ballot was cast, never its ratings; the change log leaves votes out.
    events = LogEntry.objects.filter(additional_data__event="appraisal_ballot")
    assert events.count() == 3 and all("excellent" not in str(e.additional_data) for e in events)
    assert not LogEntry.objects.filter(content_type__model="appraisalvote").exists()


def test_only_members_of_the_branch_rate(b):
    c = b.open()
    svc.begin_peer_assessment(c, actor=b.secretary)
    target = c.entries.first().pk
    outsider = b.member("外科党员", org=b.other).person
    late = b.member("新转入").person  # joined after the campaign opened: no entry
    applicant = b.member("申请人", Stage.APPLICANT).person
    for person in (outsider, late, applicant):
        assert refused(
            svc.cast_ballot,
            c,
            person=person,
            round_=Round.PEER,
            ratings={target: Rating.QUALIFIED},
            actor=person.user,
        ) == ["Only members of the branch rate in its appraisal."]
        assert svc.ballot(c, person, Round.PEER) == []
    # A member transferred out since the campaign opened no longer rates.
    moved = b.full[2]
    Membership.objects.filter(pk=moved.pk).update(organization=b.other)
    assert refused(
        svc.cast_ballot,
        c,
        person=moved.person,
        round_=Round.PEER,
        ratings={target: Rating.QUALIFIED},
        actor=moved.person.user,
    ) == ["Only members of the branch rate in its appraisal."]
    # Nobody casts another's ballot.
    voter = b.full[0].person
    assert refused(
        svc.cast_ballot,
        c,
        person=voter,
        round_=Round.PEER,
        ratings={target: Rating.QUALIFIED},
        actor=b.secretary,
    ) == ["A member casts only their own ballot."]
    assert not AppraisalVote.objects.exists()


def test_closing_names_the_held_congress_and_marks_the_duty_done(b):
    c = to_stage(b.open(), AppraisalStage.CONGRESS, b.secretary)
    held = timezone.make_aware(dt.datetime(2026, 1, 15, 9))
    planned = Meeting.objects.create(
        organization=b.org,
        kind=MeetingKind.MEMBER_CONGRESS,
        start=held,
        topic="民主评议",
        status=MeetingStatus.PLANNED,
    )
    other = Meeting.objects.create(
        organization=b.other,
        kind=MeetingKind.MEMBER_CONGRESS,
        start=held,
        topic="民主评议",
        status=MeetingStatus.HELD,
    )
    for e in c.entries.all():
        svc.decide(e, rating=Rating.QUALIFIED, actor=b.secretary)
    assert refused(svc.close_campaign, c, actor=b.secretary, congress=planned) == [
        "The congress has not been recorded as held."
    ]
    assert refused(svc.close_campaign, c, actor=b.secretary, congress=other) == [
        "Choose a branch member congress of 内科党支部."
    ]
    congress = Meeting.objects.create(
        organization=b.org,
        kind=MeetingKind.MEMBER_CONGRESS,
        start=held,
        topic="民主评议",
        status=MeetingStatus.HELD,
    )
    svc.close_campaign(c, actor=b.secretary, congress=congress)
    c.refresh_from_db()
    assert c.stage == AppraisalStage.CLOSED and c.congress == congress
    # The duty list (another area's) treats the closed campaign as the year's appraisal done.
    from hongqing.party.models import Obligation
    from hongqing.party.services import duties

    duties.sync_obligations([PartyOrganization.objects.get(pk=b.org.pk)], YEAR)
    duty = Obligation.objects.get(organization=b.org, code="duty.appraisal")
    assert duty.satisfied_by_appraisal == c and duty.done_count == 1


def test_the_demo_appraisals(db):
    from hongqing.core import demo as core_demo
    from hongqing.party.demo_appraisal import build

    ctx = core_demo.make_context()
    for _order, name, fn in core_demo.builders():
        if name in ("organization", "people"):
            fn(ctx)
    build(ctx)
    hospital = ctx.data["hospitals"][0]["hospital"]
    closed = AppraisalCampaign.objects.filter(organization__hospital=hospital, stage=AppraisalStage.CLOSED)
    assert closed.count() >= 10
    for c in closed:
        assert svc.excellent_warning(c, "result") is None
        assert not c.entries.filter(result="").exists()
    current = AppraisalCampaign.objects.get(organization__hospital=hospital, year=ctx.today.year)
    member = User.objects.get(username="member").person
    assert current.stage == AppraisalStage.SELF
    assert current.entries.get(membership__person=member).self_rating == ""
    assert AppraisalVote.objects.filter(entry__campaign__year=ctx.today.year - 1).exists()
