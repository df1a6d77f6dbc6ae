"""The study-hours duty: a branch's members at or above their hours out of its members, done on the day
the last one reached them, kept right by the records (attendance, make-ups, self-study, posts); the
loader answers for many branches in a constant number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hongqing.learning import duty
from hongqing.learning.choices import StudyAttendanceStatus
from hongqing.learning.services import selfstudy
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import CommitteeTerm, PartyOrganization
from hongqing.party.models import Obligation
from hongqing.party.services.duties import OutsideRecord, sync_obligations
from hongqing.people.choices import Post
from hongqing.people.models import TermPosition

from .learning_records import YEAR, at, attend, members, self_study, session


def duty_row(org, year=YEAR) -> Obligation:
    return Obligation.objects.get(organization=org, code="duty.study_hours", period_start=dt.date(year, 1, 1))


def test_the_duty_is_done_on_the_day_the_last_member_reached_the_hours(world):
    """Branch A: member A and secretary A (who holds the secretary's post of a current term: 56)."""
    sec = world.secretary_a.person
    TermPosition.objects.create(
        term=CommitteeTerm.objects.get(organization=world.branch_a), person=sec, post=Post.SECRETARY
    )
    sync_obligations([world.branch_a], YEAR)
    row = duty_row(world.branch_a)
    assert (row.done_count, row.required, row.done_on, row.satisfied_by_other) == (0, 2, None, "study_hours")
    attend(session(world.branch_a, start=at(3, 1), hours="32"), [world.person_a, sec])
    row.refresh_from_db()
    assert (row.done_count, row.required, row.done_on) == (1, 2, None)  # the secretary needs 56
    attend(session(world.branch_a, start=at(5, 1), hours="20"), [sec])
    (made_up,) = attend(
        session(world.branch_a, start=at(6, 1), hours="4"), [sec], StudyAttendanceStatus.MAKEUP
    )
    row.refresh_from_db()
    assert (row.done_count, row.done_on) == (2, made_up.makeup_on)  # counted from the make-up's day
    record = row.record
    assert isinstance(record, OutsideRecord) and "2/2" in str(record)
    assert (
        record.url.startswith(reverse("learning:hours")) and f"organization={world.branch_a.pk}" in record.url
    )
    made_up.delete()
    row.refresh_from_db()
    assert (row.done_count, row.done_on) == (1, None)


def test_a_confirmed_self_study_counts_from_its_confirmation(world):
    sync_obligations([world.branch_a], YEAR)
    sec = world.secretary_a.person
    attend(session(world.branch_a, start=at(3, 1), hours="32"), [sec])
    attend(session(world.branch_a, start=at(3, 2), hours="30"), [world.person_a])
    record = self_study(world.person_a, hours="2", on=dt.date(YEAR, 4, 1))
    row = duty_row(world.branch_a)
    assert (row.done_count, row.done_on) == (1, None)  # waiting: not yet counted
    selfstudy.confirm_self_study(record, actor=world.secretary_a)
    row.refresh_from_db()
    record.refresh_from_db()
    assert row.done_count == 2 and row.done_on == max(
        dt.date(YEAR, 4, 1), timezone.localtime(record.reviewed_at).date()
    )


def test_a_post_taken_raises_the_requirement_and_the_duty_follows(world):
    sync_obligations([world.branch_a], YEAR)
    attend(session(world.branch_a, start=at(3, 1), hours="40"), [world.person_a, world.secretary_a.person])
    assert duty_row(world.branch_a).done_count == 2
    TermPosition.objects.create(
        term=CommitteeTerm.objects.get(organization=world.branch_a),
        person=world.person_a,
        post=Post.ORGANIZATION,
    )
    assert duty_row(world.branch_a).done_count == 1  # 40 < 56


def test_a_group_member_counts_for_the_branch_and_another_branch_is_untouched(world):
    group = PartyOrganization.objects.add_child(
        world.branch_a, dict(hospital=world.hospital, name="甲一组", kind=OrgKind.GROUP)
    )
    (p,) = members(world, group, 1)
    sync_obligations([world.branch_a, world.branch_b], YEAR)
    assert duty_row(world.branch_a).required == 3
    attend(session(world.branch_a, start=at(3, 1), hours="32"), [p])
    assert duty_row(world.branch_a).done_count == 1
    assert duty_row(world.branch_b).done_count == 0


def test_the_loader_runs_a_few_queries_for_many_branches(world):
    branches = []
    for i in range(12):
        b = PartyOrganization.objects.add_child(
            world.committee, dict(hospital=world.hospital, name=f"支部{i}", kind=OrgKind.BRANCH)
        )
        world.committee.refresh_from_db()
        people = members(world, b, 5)
        attend(session(b, start=at(3, 1 + i % 20), hours="33"), people[:3])
        branches.append(b)
    periods = [(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))]
    with CaptureQueriesContext(connection) as few:
        result = duty.load_satisfactions([b.pk for b in branches[:2]], periods)
    with CaptureQueriesContext(connection) as many:
        result = duty.load_satisfactions([b.pk for b in branches], periods)
    assert len(few) == len(many) <= 7
    got = result[(branches[5].pk, dt.date(YEAR, 1, 1))]
    assert (got.done_count, got.required, got.done_on) == (3, 5, None)
    assert sum(1 for _k in result) == 12


def test_hours_of_another_year_do_not_count(world):
    sync_obligations([world.branch_a], YEAR)
    attend(session(world.branch_a, start=at(12, 31, 20, year=YEAR - 1), hours="40"), [world.person_a])
    assert duty_row(world.branch_a).done_count == 0
