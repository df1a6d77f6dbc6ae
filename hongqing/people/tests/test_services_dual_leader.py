"""双带头人: the current secretary of a branch is the current head of one of its current departments."""

import datetime as dt

import pytest
from django.utils import timezone

from hongqing.organization.choices import OrgKind
from hongqing.organization.models import BranchDepartment, Department, PartyOrganization
from hongqing.people.choices import CadreLevel, Post
from hongqing.people.models import Cadre, Person, TermPosition
from hongqing.people.services import dual_leader_ratio, dual_leader_status

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def secretary_a(world) -> Person:
    return world.secretary_a.person


def make_secretary(branch, person, **kwargs):
    return TermPosition.objects.create(
        term=branch.current_term(), person=person, post=Post.SECRETARY, **kwargs
    )


def make_head(person, department, level=CadreLevel.CHIEF, **kwargs):
    kwargs.setdefault("start", dt.date(2020, 1, 1))
    return Cadre.objects.create(person=person, department=department, title="科主任", level=level, **kwargs)


def status(world) -> dict:
    return dual_leader_status(PartyOrganization.objects.filter(hospital=world.hospital))


@pytest.fixture
def dual(world):
    """Branch A's secretary heads department A, which branch A is built on."""
    make_secretary(world.branch_a, secretary_a(world))
    return make_head(secretary_a(world), world.dept_a)


def test_secretary_heading_a_linked_department_counts(world, dual):
    assert status(world) == {world.branch_a.pk: True, world.branch_b.pk: False}


def test_ratio(world, dual):
    assert dual_leader_ratio(PartyOrganization.objects.filter(hospital=world.hospital)) == (1, 2)


def test_deputy_head_does_not_count(world):
    make_secretary(world.branch_a, secretary_a(world))
    make_head(secretary_a(world), world.dept_a, level=CadreLevel.DEPUTY)
    assert status(world)[world.branch_a.pk] is False


def test_other_management_post_does_not_count(world):
    make_secretary(world.branch_a, secretary_a(world))
    make_head(secretary_a(world), world.dept_a, level=CadreLevel.OTHER)
    assert status(world)[world.branch_a.pk] is False


def test_ended_cadre_post_does_not_count(world, dual):
    dual.end = today() - dt.timedelta(days=1)
    dual.save()
    assert status(world)[world.branch_a.pk] is False


def test_cadre_post_ending_today_still_counts(world, dual):
    dual.end = today()
    dual.save()
    assert status(world)[world.branch_a.pk] is True


def test_cadre_post_starting_later_does_not_count_yet(world, dual):
    dual.start = today() + dt.timedelta(days=1)
    dual.save()
    assert status(world)[world.branch_a.pk] is False


def test_head_of_an_unlinked_department_does_not_count(world):
    other = Department.objects.add_root(dict(hospital=world.hospital, name="药剂科", code="09"))
    make_secretary(world.branch_a, secretary_a(world))
    make_head(secretary_a(world), other)
    assert status(world)[world.branch_a.pk] is False


def test_head_of_another_branchs_department_does_not_count(world):
    make_secretary(world.branch_a, secretary_a(world))
    make_head(secretary_a(world), world.dept_b)
    assert status(world)[world.branch_a.pk] is False


def test_department_whose_link_ended_does_not_count(world, dual):
    BranchDepartment.objects.filter(organization=world.branch_a).update(end=today() - dt.timedelta(days=1))
    assert status(world)[world.branch_a.pk] is False


def test_second_linked_department_counts(world):
    extra = Department.objects.add_root(dict(hospital=world.hospital, name="新生儿科", code="03"))
    BranchDepartment.objects.create(organization=world.branch_a, department=extra, start=dt.date(2024, 1, 1))
    make_secretary(world.branch_a, secretary_a(world))
    make_head(secretary_a(world), extra)
    assert status(world)[world.branch_a.pk] is True


def test_ended_secretary_post_does_not_count(world, dual):
    TermPosition.objects.filter(post=Post.SECRETARY).update(end=today() - dt.timedelta(days=1))
    assert status(world)[world.branch_a.pk] is False


def test_secretary_post_ending_later_still_counts(world, dual):
    TermPosition.objects.filter(post=Post.SECRETARY).update(end=today() + dt.timedelta(days=30))
    assert status(world)[world.branch_a.pk] is True


def test_secretary_post_starting_later_does_not_count_yet(world, dual):
    TermPosition.objects.filter(post=Post.SECRETARY).update(start=today() + dt.timedelta(days=1))
    assert status(world)[world.branch_a.pk] is False


def test_successor_counts_once_the_predecessor_has_left(world, dual):
    # The old secretary left yesterday; the new one (no head) took over today.
    TermPosition.objects.filter(post=Post.SECRETARY).update(end=today() - dt.timedelta(days=1))
    make_secretary(world.branch_a, world.person_a, start=today())
    assert status(world)[world.branch_a.pk] is False
    make_head(world.person_a, world.dept_a)
    assert status(world)[world.branch_a.pk] is True


def test_secretary_of_an_ended_term_does_not_count(world, dual):
    term = world.branch_a.current_term()
    term.actual_end = today() - dt.timedelta(days=1)
    term.save()
    assert status(world)[world.branch_a.pk] is False


def test_other_committee_post_does_not_count(world):
    TermPosition.objects.create(
        term=world.branch_a.current_term(), person=secretary_a(world), post=Post.DEPUTY_SECRETARY
    )
    make_head(secretary_a(world), world.dept_a)
    assert status(world)[world.branch_a.pk] is False


def test_only_branches_are_counted(world, dual):
    PartyOrganization.objects.add_child(
        PartyOrganization.objects.get(pk=world.committee.pk),
        dict(hospital=world.hospital, name="总支", kind=OrgKind.GENERAL_BRANCH),
    )
    assert set(status(world)) == {world.branch_a.pk, world.branch_b.pk}


def test_ratio_on_the_tree_page(client, world, dual):
    client.force_login(world.office)
    html = client.get("/organization/tree/").content.decode()
    assert '<div class="hq-card-figure" id="dual-leader-ratio">50%</div>' in html


def test_ratio_on_the_tree_page_none_yet(client, world):
    client.force_login(world.office)
    html = client.get("/organization/tree/").content.decode()
    assert '<div class="hq-card-figure" id="dual-leader-ratio">0%</div>' in html


def test_badge_on_the_branch_page(client, world, dual):
    client.force_login(world.office)
    assert 'id="dual-leader"' in client.get(world.branch_a.get_absolute_url()).content.decode()
    assert 'id="dual-leader"' not in client.get(world.branch_b.get_absolute_url()).content.decode()


def test_cadre_is_current_agrees(world, dual):
    assert dual.is_current
    dual.end = today()
    assert dual.is_current
    dual.end = today() - dt.timedelta(days=1)
    assert not dual.is_current
    dual.end, dual.start = None, today() + dt.timedelta(days=1)
    assert not dual.is_current
