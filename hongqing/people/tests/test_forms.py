"""Bad input to the people forms: refused with a message on the field, nothing written; the API agrees."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from hongqing.core.idnumber import check_digit
from hongqing.organization.models import Department
from hongqing.people.forms import CadreForm, PersonForm
from hongqing.people.models import ID_ERRORS, Cadre, Membership, Person, Rotation

pytestmark = pytest.mark.django_db


def tr(msgid, **params):
    text = gettext(msgid)
    return text % params if params else text


@pytest.fixture
def office(client, world):
    client.force_login(world.office)
    return client


def refused(client, url, data, model, field, message=None):
    before = model.objects.count()
    response = client.post(url, data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    if message is not None:
        assert message in errors[field], errors[field]
        assert escape(message) in response.content.decode()
    assert model.objects.count() == before
    return response


def api_refused(client, url, data, model, field, message=None):
    before = model.objects.count()
    response = client.post(url, data, content_type="application/json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    if message is not None:
        assert message in body[field]
    assert model.objects.count() == before


def idn(birth, seq="123"):
    first17 = f"110105{birth:%Y%m%d}{seq}"
    return first17 + check_digit(first17)


class TestPersonForm:
    url = "/people/persons/add/"
    api = "/api/people/persons/"

    def data(self, world, **changes):
        data = {
            "hospital": world.hospital.pk,
            "staff_no": "N9001",
            "name": "吴昊",
            "gender": "M",
            "department": world.dept_a.pk,
            "status": "active",
        }
        data.update(changes)
        return data

    def test_good_person_with_derived_fields(self, office, world):
        response = office.post(
            self.url, self.data(world, gender="", id_number=idn(dt.date(1988, 4, 5)).lower())
        )
        assert response.status_code == 302, response.context["form"].errors
        p = Person.objects.get(staff_no="N9001")
        assert (p.gender, p.birth_date, p.id_number) == ("M", dt.date(1988, 4, 5), idn(dt.date(1988, 4, 5)))
        assert (p.name_pinyin, p.name_initials) == ("wuhao", "wh")

    def test_bad_check_digit(self, office, world):
        good = idn(dt.date(1988, 4, 5))
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        message = str(ID_ERRORS["checksum"])
        refused(office, self.url, self.data(world, id_number=bad), Person, "id_number", message)
        api_refused(office, self.api, self.data(world, id_number=bad), Person, "id_number", message)

    def test_fifteen_digit_number(self, office, world):
        message = str(ID_ERRORS["format"])
        refused(office, self.url, self.data(world, id_number="110105880405123"), Person, "id_number", message)

    def test_impossible_date_in_number(self, office, world):
        first17 = "11010519990230123"
        number = first17 + check_digit(first17)
        refused(
            office, self.url, self.data(world, id_number=number), Person, "id_number", str(ID_ERRORS["date"])
        )

    def test_gender_mismatch(self, office, world):
        data = self.data(world, gender="F", id_number=idn(dt.date(1988, 4, 5)))
        message = tr("The gender does not match the ID number.")
        refused(office, self.url, data, Person, "gender", message)
        api_refused(office, self.api, data, Person, "gender", message)

    def test_birth_date_mismatch(self, office, world):
        data = self.data(world, birth_date="1988-04-06", id_number=idn(dt.date(1988, 4, 5)))
        message = tr("The birth date does not match the ID number (%(d)s).", d="1988-04-05")
        refused(office, self.url, data, Person, "birth_date", message)

    def test_future_birth_date(self, office, world):
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        message = tr("The birth date is in the future.")
        refused(office, self.url, self.data(world, birth_date=tomorrow), Person, "birth_date", message)
        api_refused(office, self.api, self.data(world, birth_date=tomorrow), Person, "birth_date", message)

    def test_no_gender_and_no_id_number(self, office, world):
        message = tr("Enter the gender, or an ID number to derive it from.")
        refused(office, self.url, self.data(world, gender=""), Person, "gender", message)

    def test_department_of_another_hospital_is_no_choice(self, office, world):
        other = Department.objects.get(hospital=world.hospital2)
        refused(office, self.url, self.data(world, department=other.pk), Person, "department")

    def test_department_of_another_hospital_refused_by_the_rule(self, world):
        # A reader of every hospital has the other department as a choice: the model rule refuses it.
        other = Department.objects.get(hospital=world.hospital2)
        form = PersonForm(data=self.data(world, department=other.pk), instance=Person(), user=world.region)
        before = Person.objects.count()
        assert not form.is_valid()
        assert form.errors["department"] == [tr("The department belongs to another hospital.")]
        assert Person.objects.count() == before

    def test_duplicate_staff_number(self, office, world):
        response = refused(
            office, self.url, self.data(world, staff_no=world.person_b.staff_no), Person, "__all__"
        )
        label = str(Person._meta.get_field("staff_no").verbose_name)
        assert any(label in e for e in response.context["form"].non_field_errors())

    def test_same_staff_number_in_the_other_hospital_is_fine(self, client, world):
        client.force_login(world.office_h2)
        data = {
            "hospital": world.hospital2.pk,
            "staff_no": world.person_b.staff_no,
            "name": "吴昊",
            "gender": "M",
            "status": "active",
        }
        assert client.post(self.url, data).status_code == 302

    def test_api_person_without_an_id_number(self, office, world):
        data = self.data(world)
        response = office.post(self.api, data, content_type="application/json")
        assert response.status_code == 201, response.content
        assert Person.objects.get(staff_no="N9001").id_number == ""

    def test_api_duplicate_id_number(self, office, world):
        number = idn(dt.date(1988, 4, 5))
        first = office.post(self.api, self.data(world, id_number=number), content_type="application/json")
        assert first.status_code == 201, first.content
        before = Person.objects.count()
        second = office.post(
            self.api, self.data(world, staff_no="N9002", id_number=number), content_type="application/json"
        )
        assert second.status_code == 400
        assert Person.objects.count() == before

    def test_editing_keeps_the_id_number_when_left_empty(self, office, world):
        p = world.person_b
        Person.objects.filter(pk=p.pk).update(
            id_number=idn(dt.date(1990, 2, 3), "124"), birth_date=dt.date(1990, 2, 3)
        )
        data = self.data(world, staff_no=p.staff_no, name=p.name, gender="F", department=world.dept_b.pk)
        response = office.post(f"/people/persons/{p.pk}/edit/", data)
        assert response.status_code == 302, response.context["form"].errors
        p.refresh_from_db()
        assert p.id_number == idn(dt.date(1990, 2, 3), "124")


class TestCadreForm:
    url = "/people/cadres/add/"
    api = "/api/people/cadres/"

    def data(self, world, **changes):
        data = {
            "person": world.person_a.pk,
            "department": world.dept_a.pk,
            "title": "科主任",
            "level": "chief",
            "start": "2025-01-02",
        }
        data.update(changes)
        return data

    def test_end_before_start(self, office, world):
        message = tr("The end is before the start.")
        refused(office, self.url, self.data(world, end="2025-01-01"), Cadre, "end", message)
        api_refused(office, self.api, self.data(world, end="2025-01-01"), Cadre, "end", message)

    def test_end_on_the_start_day(self, office, world):
        assert office.post(self.url, self.data(world, end="2025-01-02")).status_code == 302

    def test_missing_title(self, office, world):
        refused(office, self.url, self.data(world, title=""), Cadre, "title")

    def test_department_of_another_hospital(self, world):
        other = Department.objects.get(hospital=world.hospital2)
        form = CadreForm(data=self.data(world, department=other.pk), instance=Cadre(), user=world.region)
        assert not form.is_valid()
        assert form.errors["department"] == [tr("The department belongs to another hospital.")]


class TestRotation:
    def test_end_before_start(self, office, world):
        data = {
            "person": world.person_a.pk,
            "kind": "cadre",
            "to_department": world.dept_b.pk,
            "start": "2025-01-02",
        }
        message = tr("The end is before the start.")
        refused(office, "/people/rotations/add/", {**data, "end": "2025-01-01"}, Rotation, "end", message)
        api_refused(office, "/api/people/rotations/", {**data, "end": "2025-01-01"}, Rotation, "end", message)


class TestMembershipForm:
    url = "/people/memberships/add/"
    api = "/api/people/memberships/"

    @pytest.fixture
    def person(self, world):
        from hongqing.core.testing.world import make_person

        return make_person(world.hospital, world.dept_a, "吴昊", staff_no="N9002")

    def data(self, world, person, **changes):
        data = {
            "person": person.pk,
            "organization": world.branch_a.pk,
            "stage": "candidate",
            "application_date": "2022-01-01",
            "activist_date": "2022-03-01",
            "candidate_date": "2023-06-01",
        }
        data.update(changes)
        return data

    def test_good_membership(self, office, world, person):
        assert office.post(self.url, self.data(world, person)).status_code == 302
        assert Membership.objects.get(person=person).stage == "candidate"

    def test_dates_out_of_order(self, office, world, person):
        data = self.data(world, person, candidate_date="2022-02-01")
        message = tr("This date is earlier than the step before it.")
        refused(office, self.url, data, Membership, "candidate_date", message)
        api_refused(office, self.api, data, Membership, "candidate_date", message)

    def test_milestone_missing(self, office, world, person):
        data = self.data(world, person, activist_date="")
        message = tr("Required for the stage %(stage)s.", stage=gettext("Candidate"))
        refused(office, self.url, data, Membership, "activist_date", message)

    def test_milestone_beyond_the_stage(self, office, world, person):
        data = self.data(world, person, admission_date="2024-01-01")
        refused(
            office,
            self.url,
            data,
            Membership,
            "admission_date",
            tr("This step comes after the current stage."),
        )

    def test_future_date(self, office, world, person):
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        data = self.data(world, person, candidate_date=tomorrow)
        refused(office, self.url, data, Membership, "candidate_date", tr("This date is in the future."))

    def test_person_with_a_membership(self, office, world):
        data = {"person": world.person_b.pk, "organization": world.branch_b.pk, "stage": "applicant"}
        refused(office, self.url, data, Membership, "person")

    def test_discipline_committee_is_no_choice(self, office, world, person):
        from hongqing.organization.models import PartyOrganization

        discipline = PartyOrganization.objects.add_root(
            dict(hospital=world.hospital, name="纪委", kind="discipline_committee")
        )
        refused(
            office, self.url, self.data(world, person, organization=discipline.pk), Membership, "organization"
        )
