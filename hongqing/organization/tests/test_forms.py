"""Bad input to the organisation forms: refused with a message on the field, nothing written; the API agrees."""

import datetime as dt

import pytest
from django.utils.html import escape
from django.utils.translation import gettext

from hongqing.organization.models import BranchDepartment, CommitteeTerm, Department, PartyOrganization

pytestmark = pytest.mark.django_db


def tr(msgid, **params):
    text = gettext(msgid)
    return text % params if params else text


@pytest.fixture
def office(client, world):
    client.force_login(world.office)
    return client


@pytest.fixture
def dept_c(world):
    return Department.objects.add_root(dict(hospital=world.hospital, name="药剂科", code="03"))


def refused(client, url, data, model, field, message=None):
    before = model.objects.count()
    response = client.post(url, data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    if message is not None:
        assert message in errors[field]
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


class TestBranchDepartmentForm:
    url = "/organization/branch-departments/add/"
    api = "/api/organization/branch-departments/"

    def test_department_already_covered_names_the_other_branch(self, office, world):
        data = {"organization": world.branch_b.pk, "department": world.dept_a.pk, "start": "2025-01-01"}
        message = tr(
            "%(dept)s is already covered by %(org)s: end that link first.", dept="产科", org="产科党支部"
        )
        refused(office, self.url, data, BranchDepartment, "department", message)
        api_refused(office, self.api, data, BranchDepartment, "department", message)

    def test_ended_link_does_not_cover(self, office, world):
        BranchDepartment.objects.filter(department=world.dept_a).update(end=dt.date(2024, 12, 31))
        data = {"organization": world.branch_b.pk, "department": world.dept_a.pk, "start": "2025-01-01"}
        response = office.post(self.url, data)
        assert response.status_code == 302
        assert world.dept_a.current_branch_link().organization == world.branch_b

    def test_a_past_link_beside_the_current_one_is_allowed(self, office, world):
        data = {
            "organization": world.branch_b.pk,
            "department": world.dept_a.pk,
            "start": "2015-01-01",
            "end": "2019-12-31",
        }
        assert office.post(self.url, data).status_code == 302

    def test_end_before_start(self, office, world, dept_c):
        data = {
            "organization": world.branch_b.pk,
            "department": dept_c.pk,
            "start": "2025-01-02",
            "end": "2025-01-01",
        }
        refused(office, self.url, data, BranchDepartment, "end", tr("The end is before the start."))
        api_refused(office, self.api, data, BranchDepartment, "end", tr("The end is before the start."))

    def test_end_on_the_start_day_allowed(self, office, world, dept_c):
        data = {
            "organization": world.branch_b.pk,
            "department": dept_c.pk,
            "start": "2025-01-01",
            "end": "2025-01-01",
        }
        assert office.post(self.url, data).status_code == 302

    def test_committee_is_not_linked_to_departments(self, office, world, dept_c):
        data = {"organization": world.committee.pk, "department": dept_c.pk, "start": "2025-01-01"}
        message = tr("Departments are linked to branches or general branches.")
        refused(office, self.url, data, BranchDepartment, "organization", message)
        api_refused(office, self.api, data, BranchDepartment, "organization", message)

    def test_department_of_another_hospital(self, client, world, dept_c):
        client.force_login(world.region)  # sees every hospital, so the choice exists; the rule refuses it
        from hongqing.organization.forms import BranchDepartmentForm

        other = Department.objects.get(hospital=world.hospital2)
        form = BranchDepartmentForm(
            data={"organization": world.branch_b.pk, "department": other.pk, "start": "2025-01-01"},
            instance=BranchDepartment(),
            user=world.region,
        )
        assert not form.is_valid()
        assert form.errors["department"] == [tr("The department belongs to another hospital.")]

    def test_missing_start(self, office, world, dept_c):
        refused(
            office,
            self.url,
            {"organization": world.branch_b.pk, "department": dept_c.pk},
            BranchDepartment,
            "start",
        )


class TestCommitteeTermForm:
    url = "/organization/terms/add/"
    api = "/api/organization/committee-terms/"

    def test_second_current_term(self, office, world):
        data = {"organization": world.branch_b.pk, "number": 2, "start": "2025-06-01"}
        message = tr("The organisation already has a current term: end it first.")
        refused(office, self.url, data, CommitteeTerm, "actual_end", message)
        api_refused(office, self.api, data, CommitteeTerm, "actual_end", message)

    def test_due_end_not_after_start(self, office, world):
        data = {
            "organization": world.branch_b.pk,
            "number": 0,
            "start": "2019-06-01",
            "due_end": "2019-06-01",
            "actual_end": "2021-01-01",
        }
        message = tr("The due end must be after the start.")
        refused(office, self.url, data, CommitteeTerm, "due_end", message)
        api_refused(office, self.api, data, CommitteeTerm, "due_end", message)

    def test_actual_end_before_start(self, office, world):
        data = {
            "organization": world.branch_b.pk,
            "number": 0,
            "start": "2019-06-01",
            "actual_end": "2019-05-31",
        }
        message = tr("The end is before the start.")
        refused(office, self.url, data, CommitteeTerm, "actual_end", message)
        api_refused(office, self.api, data, CommitteeTerm, "actual_end", message)

    def test_duplicate_number(self, office, world):
        data = {
            "organization": world.branch_b.pk,
            "number": 1,
            "start": "2019-06-01",
            "actual_end": "2021-01-01",
        }
        response = refused(office, self.url, data, CommitteeTerm, "__all__")
        assert response.context["form"].non_field_errors()

    def test_good_term_through_the_api(self, office, world):
        world.branch_b.terms.update(actual_end=dt.date(2025, 5, 31))
        response = office.post(
            self.api,
            {"organization": world.branch_b.pk, "number": 2, "start": "2025-06-01"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["due_end"] == "2028-06-01"


class TestTreeForms:
    def test_department_without_a_name(self, office, world):
        refused(
            office,
            "/organization/departments/add/",
            {"hospital": world.hospital.pk, "name": "", "kind": "clinical"},
            Department,
            "name",
        )

    def test_duplicate_department_name(self, office, world):
        refused(
            office,
            "/organization/departments/add/",
            {"hospital": world.hospital.pk, "name": "产科", "kind": "clinical"},
            Department,
            "__all__",
        )

    def test_organisation_with_an_unknown_kind(self, office, world):
        refused(
            office,
            "/organization/party-organizations/add/",
            {
                "parent": world.committee.pk,
                "hospital": world.hospital.pk,
                "name": "新支部",
                "kind": "cell",
                "sort_order": 1,
            },
            PartyOrganization,
            "kind",
        )
