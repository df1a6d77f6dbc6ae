"""Study hours follow the records: attendance saved, deleted, made up; self-study once confirmed; the
32/56 requirement by role; a branch's completion rate from a hand-built set with a known answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hongqing.core.models import Rule
from hongqing.learning.choices import SelfStudyStatus, StudyAttendanceStatus
from hongqing.learning.models import StudyAttendance
from hongqing.learning.services import hours as services
from hongqing.learning.services import selfstudy
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import CommitteeTerm, PartyOrganization
from hongqing.people.choices import EmploymentStatus, Post, Stage
from hongqing.people.models import Membership, TermPosition

from .learning_records import YEAR, at, attend, members, self_study, session


def total(person, year=YEAR) -> Decimal:
    return services.person_hours(person, year).total


def test_an_attendance_saved_gives_its_hours_and_deleting_it_takes_them_away(world):
    s = session(world.branch_a, hours="2.5")
    assert total(world.person_a) == 0
    (row,) = attend(s, [world.person_a])
    assert total(world.person_a) == Decimal("2.5")
    row.delete()
    assert total(world.person_a) == 0


def test_leave_and_absence_give_no_hours_a_make_up_does(world):
    s1, s2, s3 = (session(world.branch_a, start=at(3, d), hours="2") for d in (1, 2, 3))
    attend(s1, [world.person_a], StudyAttendanceStatus.LEAVE)
    attend(s2, [world.person_a], StudyAttendanceStatus.ABSENT)
    assert total(world.person_a) == 0
    (made_up,) = attend(s3, [world.person_a], StudyAttendanceStatus.MAKEUP)
    assert made_up.counts and total(world.person_a) == 2
    made_up.status, made_up.makeup_on, made_up.makeup_note = StudyAttendanceStatus.ABSENT, None, ""
    made_up.reason = "未参加"
    made_up.save()
    assert not made_up.counts and total(world.person_a) == 0


def test_hours_are_credited_per_person(world):
    s = session(world.branch_a, hours="3")
    attend(s, [world.person_a])
    attend(s, [world.secretary_a.person], hours="1.5")  # left early: the organiser credits less
    assert total(world.person_a) == 3
    assert total(world.secretary_a.person) == Decimal("1.5")


def test_only_the_year_of_the_session_counts(world):
    attend(session(world.branch_a, start=at(12, 31, 20, year=YEAR - 1), hours="4"), [world.person_a])
    attend(session(world.branch_a, start=at(1, 1, 9), hours="1"), [world.person_a])
    assert total(world.person_a, YEAR - 1) == 4
    assert total(world.person_a, YEAR) == 1


def test_a_self_study_counts_only_once_confirmed(world):
    record = self_study(world.person_a, hours="3")
    assert total(world.person_a) == 0
    selfstudy.confirm_self_study(record, actor=world.secretary_a)
    assert total(world.person_a) == 3
    rejected = self_study(world.person_a, hours="5")
    selfstudy.reject_self_study(rejected, actor=world.secretary_a, reason="材料不全")
    assert total(world.person_a) == 3


def test_a_member_needs_32_hours_and_a_committee_member_56(world):
    member = services.person_hours(world.person_a, YEAR)
    assert (member.required, member.leader) == (32, False)
    term = CommitteeTerm.objects.get(organization=world.branch_a)
    TermPosition.objects.create(term=term, person=world.person_a, post=Post.ORGANIZATION)
    leader = services.person_hours(world.person_a, YEAR)
    assert (leader.required, leader.leader) == (56, True)


def test_a_post_in_an_ended_term_or_an_ended_post_is_not_a_leader(world):
    term = CommitteeTerm.objects.get(organization=world.branch_a)
    post = TermPosition.objects.create(
        term=term, person=world.person_a, post=Post.PUBLICITY, end=dt.date(YEAR, 6, 30)
    )
    assert services.person_hours(world.person_a, YEAR).required == 32  # 31 December decides a past year
    post.end = None
    post.save()
    term.actual_end = dt.date(YEAR, 5, 1)
    term.save()
    assert services.person_hours(world.person_a, YEAR).required == 32


def test_a_hospital_sets_its_own_requirement(world):
    Rule.objects.create(key="learning.required_hours.member", hospital_id=world.hospital.pk, value=40)
    assert services.person_hours(world.person_a, YEAR).required == 40
    assert services.person_hours(world.person_h2, YEAR).required == 32


def test_a_branch_completion_rate_from_a_known_set(world):
    """Branch C: 5 members. Two reach 32 hours, one reaches 32 only with a confirmed self-study, one is
    a committee member with 40 hours (short of 56), one has 31.5. A group member (under the branch)
    with 32 hours counts; a member who left and an activist do not. Known answer: 4 of 6 → 66 %."""
    branch = PartyOrganization.objects.add_child(
        world.committee, dict(hospital=world.hospital, name="丙支部", kind=OrgKind.BRANCH)
    )
    group = PartyOrganization.objects.add_child(
        branch, dict(hospital=world.hospital, name="丙一组", kind=OrgKind.GROUP)
    )
    branch.refresh_from_db()
    term = CommitteeTerm.objects.create(organization=branch, number=1, start=dt.date(2024, 1, 1))
    p1, p2, p3, p4, p5 = members(world, branch, 5)
    (p6,) = members(world, group, 1)
    (gone,) = members(world, branch, 1)
    gone.status = EmploymentStatus.LEFT
    gone.save()
    (activist,) = members(world, branch, 1, stage=Stage.ACTIVIST)
    TermPosition.objects.create(term=term, person=p4, post=Post.SECRETARY)
    big = session(branch, start=at(5, 1), hours="32")
    attend(big, [p1, p2, p6, gone, activist])
    attend(session(branch, start=at(6, 1), hours="30"), [p3, p4])
    attend(session(branch, start=at(7, 1), hours="10"), [p4])
    attend(session(branch, start=at(8, 1), hours="31.5"), [p5])
    self_study(p3, hours="2", status=SelfStudyStatus.CONFIRMED)
    self_study(p5, hours="2", status=SelfStudyStatus.PENDING)  # not confirmed: does not count

    c = services.completion([branch, group], YEAR, keep_people=True)
    assert (c[branch.pk].members, c[branch.pk].reached, c[branch.pk].rate) == (6, 4, 66)
    assert (c[group.pk].members, c[group.pk].reached, c[group.pk].rate) == (1, 1, 100)
    by_person = {ph.person_id: ph for ph in c[branch.pk].people}
    assert by_person[p4.pk].required == 56 and by_person[p4.pk].short == 16
    assert by_person[p5.pk].short == Decimal("0.5")

    # The database form (the hours list) says the same of every member.
    rows = services.with_hours(Membership.objects.filter(person__in=[p1, p2, p3, p4, p5, p6]), YEAR)
    got = {m.person_id: (m.total_hours, m.required_hours, m.reached) for m in rows}
    for pid, ph in by_person.items():
        assert got[pid] == (ph.total, ph.required, ph.reached), pid


def test_a_branch_without_members_owes_nothing(world):
    empty = PartyOrganization.objects.add_child(
        world.committee, dict(hospital=world.hospital, name="空支部", kind=OrgKind.BRANCH)
    )
    assert services.completion([empty], YEAR)[empty.pk].rate == 100


def test_negative_hours_are_refused(world):
    s = session(world.branch_a)
    row = StudyAttendance(session=s, person=world.person_a, hours=Decimal("-1"))
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert "hours" in exc.value.message_dict
    s.hours = Decimal("-2")
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    assert "hours" in exc.value.message_dict


def test_a_session_ending_before_it_starts_is_refused(world):
    s = session(world.branch_a)
    s.end = s.start - dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    assert "end" in exc.value.message_dict
