"""The permission contracts for persons, and what a secretary may and may not do to a person's record."""

from __future__ import annotations

import pytest

from hongqing.core.testing.contracts import ApiContract, PageContract, form_data
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import make_member, make_person
from hongqing.people.models import Person


@pytest.fixture
def world(db, world):
    # ``db`` is named here too: through the override alone, pytest-django does not set up the test
    # database and the test would run against the development database.
    return add_records(world)


class PersonBranchCase:
    """Secretary A: branch A's members and department A's staff; writes the members' records."""

    model = Person
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"phone": "13800000000"}

    def in_scope(self, world):
        return world.person_a

    def elsewhere(self, world):
        return world.person_b

    def forbidden_choices(self, world):
        return {"department": [world.dept_b], "talent_tags": [world.rec.tag_h2]}

    def forbidden_filter_choices(self, world):
        return {"department": [world.dept_b], "branch": [world.branch_b], "talent_tag": [world.rec.tag_h2]}

    def member_own(self, world):
        return world.person_a

    def member_other(self, world):
        return world.person_b


class TestPersonPages(PersonBranchCase, PageContract):
    pass


class TestPersonApi(PersonBranchCase, ApiContract):
    api_list = "/api/people/persons/"


class PersonCase:
    """The office of one hospital never sees another hospital's staff."""

    model = Person
    viewer = editor = "office"
    edit_changes = api_changes = {"post": "主治医师"}

    def in_scope(self, world):
        return world.person_b

    def elsewhere(self, world):
        return world.person_h2

    def create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "staff_no": "N0001",
            "name": "新职工",
            "gender": "F",
            "birth_date": "",
            "id_number": "",
            "phone": "",
            "department": world.dept_a.pk,
            "post": "",
            "title_grade": "",
            "education": "",
            "employment_start": "",
            "status": "active",
            "talent_tags": [world.rec.tag_h.pk],
        }

    def api_create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "staff_no": "N0001",
            "name": "新职工",
            "gender": "F",
            "department": world.dept_a.pk,
            "talent_tags": [world.rec.tag_h.pk],
        }

    def created(self, world):
        return Person.objects.filter(staff_no="N0001", hospital=world.hospital)

    api_created = created

    def create_outside_data(self, world):
        return {**self.create_data(world), "hospital": world.hospital2.pk, "department": world.rec.dept_h2.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "department": world.rec.dept_h2.pk}

    def forbidden_choices(self, world):
        return {
            "hospital": [world.hospital2],
            "department": [world.rec.dept_h2],
            "talent_tags": [world.rec.tag_h2],
        }

    def forbidden_filter_choices(self, world):
        return {
            "department": [world.rec.dept_h2],
            "branch": [world.rec.branch_h2],
            "talent_tag": [world.rec.tag_h2],
        }

    def deletable(self, world):
        return world.rec.staff_a

    def member_other(self, world):
        return world.person_h2


class TestPersonAcrossHospitals(PersonCase, PageContract):
    pass


class TestPersonApiAcrossHospitals(PersonCase, ApiContract):
    api_list = "/api/people/persons/"


def test_secretary_reads_but_does_not_write_staff_of_the_linked_department(client, world):
    # staff_a works in department A (branch A is built on it) and is no Party member.
    staff = world.rec.staff_a
    client.force_login(world.secretary_a)
    assert client.get(f"/people/persons/{staff.pk}/").status_code == 200
    assert client.get(f"/people/persons/{staff.pk}/edit/").status_code == 404
    response = client.patch(
        f"/api/people/persons/{staff.pk}/", {"phone": "1"}, content_type="application/json"
    )
    assert response.status_code == 404
    client.force_login(world.secretary_b)
    assert client.get(f"/people/persons/{staff.pk}/").status_code == 404


def test_secretary_keeps_what_they_cannot_list_when_saving_a_member(client, world):
    # A member of branch A who works in department B and holds a talent tag: secretary A cannot
    # list department B, the hospital or the tags, and saving the record must keep all three.
    person = make_person(world.hospital, world.dept_b, "吴昊")
    make_member(person, world.branch_a)
    person.talent_tags.add(world.rec.tag_h)
    client.force_login(world.secretary_a)
    response = client.get(f"/people/persons/{person.pk}/edit/")
    data = form_data(response.context["form"])
    data["phone"] = "13900000000"
    response = client.post(f"/people/persons/{person.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.phone == "13900000000"
    assert (person.hospital, person.department) == (world.hospital, world.dept_b)
    assert list(person.talent_tags.all()) == [world.rec.tag_h]


def test_secretary_cannot_move_a_member_into_a_department_outside_scope(client, world):
    client.force_login(world.secretary_a)
    person = world.person_a
    response = client.patch(
        f"/api/people/persons/{person.pk}/", {"department": world.dept_b.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.department == world.dept_a
