"""Deleting what would orphan records is refused with the reason: the page (409) and the API (409)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from hongqing.core.testing.world import make_member, make_person
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    PartyOrganization,
)
from hongqing.people.models import Cadre, Membership, Person, Rotation, Transfer

pytestmark = pytest.mark.django_db

API = {
    Department: "/api/organization/departments/",
    PartyOrganization: "/api/organization/party-organizations/",
    Campus: "/api/organization/campuses/",
    Person: "/api/people/persons/",
}


def tr(msgid, **params):
    text = gettext(msgid)
    return text % params if params else text


@pytest.fixture
def office(client, world):
    client.force_login(world.office)
    return client


def assert_refused(client, obj, reason):
    model = type(obj)
    before = model.objects.count()
    url = reverse(model.url_name("delete"), kwargs={"pk": obj.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert escape(reason) in page.content.decode()
    assert 'id="delete-refused"' in page.content.decode()

    response = client.post(url)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="delete-refused"' in html
    assert escape(reason) in html
    assert model.objects.filter(pk=obj.pk).exists()

    api = client.delete(f"{API[model]}{obj.pk}/")
    assert api.status_code == 409
    assert reason in api.json()["detail"]
    assert model.objects.count() == before


def assert_deleted(client, obj):
    model = type(obj)
    response = client.post(reverse(model.url_name("delete"), kwargs={"pk": obj.pk}))
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()


def empty_department(world, name="空科室"):
    return Department.objects.add_root(dict(hospital=world.hospital, name=name, code="99"))


class TestDepartment:
    def test_with_staff(self, office, world):
        dept = empty_department(world)
        make_person(world.hospital, dept, "甲")
        make_person(world.hospital, dept, "乙")
        assert_refused(office, dept, tr("%(n)d staff belong to it.", n=2))

    def test_with_sub_departments(self, office, world):
        dept = empty_department(world)
        Department.objects.add_child(dept, dict(hospital=world.hospital, name="子科室"))
        dept.refresh_from_db()
        assert_refused(office, dept, tr("It has %(n)d sub-departments.", n=1))

    def test_with_a_branch_link(self, office, world):
        dept = empty_department(world)
        BranchDepartment.objects.create(
            organization=world.branch_b, department=dept, start=dt.date(2020, 1, 1), end=dt.date(2021, 1, 1)
        )
        assert_refused(office, dept, tr("It is linked to a Party branch (with history)."))

    def test_world_department_lists_every_reason(self, office, world):
        reasons = world.dept_a.delete_blockers()
        assert len(reasons) == 2  # staff and the branch link

    def test_with_a_cadre_post(self, office, world):
        dept = empty_department(world)
        Cadre.objects.create(person=world.person_b, department=dept, title="主任", start=dt.date(2020, 1, 1))
        assert_refused(office, dept, tr("Cadre posts of it are on record."))

    def test_with_a_rotation(self, office, world):
        dept = empty_department(world)
        Rotation.objects.create(person=world.person_b, to_department=dept, start=dt.date(2024, 1, 1))
        assert_refused(office, dept, tr("Rotations to or from it are on record."))

    def test_empty_department_is_deleted(self, office, world):
        assert_deleted(office, empty_department(world))

    def test_empty_department_through_the_api(self, office, world):
        dept = empty_department(world)
        assert office.delete(f"{API[Department]}{dept.pk}/").status_code == 204
        assert not Department.objects.filter(pk=dept.pk).exists()


@pytest.fixture
def lone_branch(world):
    committee = PartyOrganization.objects.get(pk=world.committee.pk)
    return PartyOrganization.objects.add_child(
        committee, dict(hospital=world.hospital, name="空支部", kind=OrgKind.BRANCH)
    )


class TestOrganization:
    def test_with_members(self, office, world, lone_branch):
        make_member(make_person(world.hospital, world.dept_a, "甲"), lone_branch)
        assert_refused(office, lone_branch, tr("%(n)d memberships belong to it.", n=1))

    def test_with_children(self, office, world, lone_branch):
        PartyOrganization.objects.add_child(
            lone_branch, dict(hospital=world.hospital, name="党小组", kind=OrgKind.GROUP)
        )
        lone_branch.refresh_from_db()
        assert_refused(office, lone_branch, tr("It has %(n)d organisations under it.", n=1))

    def test_with_terms(self, office, world, lone_branch):
        CommitteeTerm.objects.create(organization=lone_branch, number=1, start=dt.date(2024, 1, 1))
        assert_refused(office, lone_branch, tr("It has committee terms on record."))

    def test_with_department_links(self, office, world, lone_branch):
        dept = empty_department(world)
        BranchDepartment.objects.create(organization=lone_branch, department=dept, start=dt.date(2024, 1, 1))
        assert_refused(office, lone_branch, tr("It has department links on record."))

    def test_with_transfer_history_only(self, office, world, lone_branch):
        # A member passed through and left: the transfers still name the branch.
        Transfer.objects.create(
            membership=world.person_b.membership,
            from_organization=lone_branch,
            to_organization=world.branch_b,
            date=dt.date(2025, 1, 1),
        )
        assert_refused(office, lone_branch, tr("Transfers to or from it are on record."))

    def test_empty_branch_is_deleted(self, office, world, lone_branch):
        assert_deleted(office, lone_branch)
        # The tree is still consistent: the committee's child count went down.
        committee = PartyOrganization.objects.get(pk=world.committee.pk)
        assert PartyOrganization.objects.get_children_count(committee) == 2
        assert committee.numchild == 2


class TestCampus:
    def test_with_departments(self, office, world):
        campus = Campus.objects.create(hospital=world.hospital, name="东院区")
        Department.objects.add_root(dict(hospital=world.hospital, name="东院儿科", campus=campus))
        assert_refused(office, campus, tr("%(n)d departments are on this campus.", n=1))

    def test_empty_campus_is_deleted(self, office, world):
        assert_deleted(office, Campus.objects.create(hospital=world.hospital, name="西院区"))


class TestPerson:
    def test_with_a_membership(self, office, world):
        assert_refused(office, world.person_b, tr("The person has a Party membership record."))
        assert Membership.objects.filter(person=world.person_b).exists()

    def test_with_a_cadre_post(self, office, world):
        p = make_person(world.hospital, world.dept_a, "甲")
        Cadre.objects.create(person=p, department=world.dept_a, title="主任", start=dt.date(2020, 1, 1))
        assert_refused(office, p, tr("The person has cadre posts on record."))

    def test_with_a_rotation(self, office, world):
        p = make_person(world.hospital, world.dept_a, "甲")
        Rotation.objects.create(person=p, to_department=world.dept_a, start=dt.date(2024, 1, 1))
        assert_refused(office, p, tr("The person has rotations on record."))

    def test_reference_without_a_named_reason_is_409_in_the_api(self, office, world, monkeypatch):
        # Whatever delete_blockers() misses, the database's PROTECT is still a 409 with a reason, not a 500.
        p = make_person(world.hospital, world.dept_a, "甲")
        Rotation.objects.create(person=p, to_department=world.dept_a, start=dt.date(2024, 1, 1))
        monkeypatch.setattr(Person, "delete_blockers", lambda self: [])
        api = office.delete(f"{API[Person]}{p.pk}/")
        assert api.status_code == 409
        assert "甲" in api.json()["detail"]
        page = office.post(reverse("people:person_delete", kwargs={"pk": p.pk}))
        assert page.status_code == 409
        assert Person.objects.filter(pk=p.pk).exists()

    def test_person_without_records_is_deleted(self, office, world):
        assert_deleted(office, make_person(world.hospital, world.dept_a, "甲"))
