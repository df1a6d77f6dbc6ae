"""The permission contracts for every organisation model, pages and API.

Two views of each model: a branch secretary (branch A against branch B) where the model reaches
the Party tree, and the Party office of hospital H against hospital H2.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.core.testing.records import add_records
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    Hospital,
    PartyOrganization,
)


@pytest.fixture
def world(db, world):
    # ``db`` is named here too: through the override alone, pytest-django does not set up the test
    # database and the test would run against the development database.
    return add_records(world)


# Hospitals: only ever read through the app (a hospital is created by setup_hospital).
class HospitalCase:
    model = Hospital
    viewer = editor = "office"
    edit_changes = api_changes = {"short_name": "妇幼"}

    def in_scope(self, world):
        return world.hospital

    def elsewhere(self, world):
        return world.hospital2

    def member_other(self, world):
        return world.hospital

    def create_outside_data(self, world):
        # A new hospital is outside every hospital-wide scope: refused, nothing written.
        return {"name": "新医院", "code": "new-h", "level": "3A", "kind": "general", "address": ""}


class TestHospitalPages(HospitalCase, PageContract):
    pass


class TestHospitalApi(HospitalCase, ApiContract):
    api_list = "/api/organization/hospitals/"


def test_office_cannot_create_a_hospital_through_the_api(client, world):
    client.force_login(world.office)
    before = Hospital.objects.count()
    response = client.post(
        "/api/organization/hospitals/", {"name": "新医院", "code": "new-h"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Hospital.objects.count() == before


def test_a_secretary_lists_no_hospital(client, world):
    client.force_login(world.secretary_a)
    response = client.get("/organization/hospitals/")
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert list(response.context["table"].data) == []
    assert client.get(f"/organization/hospitals/{world.hospital2.pk}/").status_code in (403, 404)


# Campuses: hospital-wide records.
class CampusCase:
    model = Campus
    viewer = editor = "office"
    edit_changes = api_changes = {"address": "一号路"}

    def in_scope(self, world):
        return world.rec.campus_h

    def elsewhere(self, world):
        return world.rec.campus_h2

    def create_data(self, world):
        return {"hospital": world.hospital.pk, "name": "新院区", "address": ""}

    api_create_data = create_data

    def created(self, world):
        return Campus.objects.filter(name="新院区")

    api_created = created

    def create_outside_data(self, world):
        return {"hospital": world.hospital2.pk, "name": "新院区", "address": ""}

    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"hospital": [world.hospital2]}

    forbidden_filter_choices = forbidden_choices

    def deletable(self, world):
        return world.rec.campus_h

    def member_other(self, world):
        return world.rec.campus_h


class TestCampusPages(CampusCase, PageContract):
    pass


class TestCampusApi(CampusCase, ApiContract):
    api_list = "/api/organization/campuses/"


# Departments: secretary A reads department A (its branch is built on it) and writes none.
class DepartmentBranchCase:
    model = Department
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.dept_a

    def elsewhere(self, world):
        return world.dept_b

    def member_other(self, world):
        return world.dept_a

    def forbidden_filter_choices(self, world):
        return {"branch": [world.branch_b], "hospital": [world.hospital2]}


class TestDepartmentBranchPages(DepartmentBranchCase, PageContract):
    pass


class TestDepartmentBranchApi(DepartmentBranchCase, ApiContract):
    api_list = "/api/organization/departments/"


class DepartmentCase:
    model = Department
    viewer = editor = "office"
    edit_changes = api_changes = {"code": "09"}

    def in_scope(self, world):
        return world.dept_a

    def elsewhere(self, world):
        return world.rec.dept_h2

    def create_data(self, world):
        return {
            "parent": world.dept_a.pk,
            "hospital": world.hospital.pk,
            "name": "产科一病区",
            "code": "0101",
            "kind": "clinical",
            "campus": world.rec.campus_h.pk,
            "is_active": "on",
        }

    def api_create_data(self, world):
        data = self.create_data(world)
        data["is_active"] = True
        return data

    def created(self, world):
        return Department.objects.filter(name="产科一病区", hospital=world.hospital)

    api_created = created

    def create_outside_data(self, world):
        return {"hospital": world.hospital2.pk, "name": "外院科室", "code": "99", "kind": "clinical"}

    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {
            "hospital": [world.hospital2],
            "parent": [world.rec.dept_h2],
            "campus": [world.rec.campus_h2],
        }

    def forbidden_filter_choices(self, world):
        return {
            "hospital": [world.hospital2],
            "campus": [world.rec.campus_h2],
            "branch": [world.rec.branch_h2],
        }

    def deletable(self, world):
        return Department.objects.add_child(
            Department.objects.get(pk=world.dept_a.pk),
            dict(hospital=world.hospital, name="待撤科室", code="0199"),
        )


class TestDepartmentPages(DepartmentCase, PageContract):
    pass


class TestDepartmentApi(DepartmentCase, ApiContract):
    api_list = "/api/organization/departments/"


def test_department_created_under_a_parent_of_another_hospital_is_refused(client, world):
    client.force_login(world.office)
    before = Department.objects.count()
    response = client.post(
        "/api/organization/departments/",
        {
            "hospital": world.hospital.pk,
            "parent": world.rec.dept_h2.pk,
            "name": "串院科室",
            "kind": "clinical",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Department.objects.count() == before


@pytest.mark.parametrize("api", ["departments", "party-organizations"])
def test_a_duplicate_name_in_the_hospital_is_400_not_500(client, world, api):
    # The (hospital, name) uniqueness is checked by the serializer, also when the hospital is implied.
    taken, other = (world.dept_a, world.dept_b) if api == "departments" else (world.branch_a, world.branch_b)
    kind = "clinical" if api == "departments" else "committee"
    client.force_login(world.office)
    data = {"hospital": world.hospital.pk, "name": taken.name, "kind": kind}
    response = client.post(f"/api/organization/{api}/", data, content_type="application/json")
    assert response.status_code == 400 and "name" in response.json()
    url = f"/api/organization/{api}/{other.pk}/"
    response = client.patch(url, {"name": taken.name}, content_type="application/json")
    assert response.status_code == 400 and "name" in response.json()


# Party organisations: secretary A reads and writes branch A and what stands under it.
def add_group(world, parent, name="产科第一党小组"):
    parent = PartyOrganization.objects.get(pk=parent.pk)
    return PartyOrganization.objects.add_child(
        parent, dict(hospital=parent.hospital, name=name, kind=OrgKind.GROUP)
    )


class PartyOrganizationBranchCase:
    model = PartyOrganization
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"short_name": "产科支部"}

    def in_scope(self, world):
        return world.branch_a

    def elsewhere(self, world):
        return world.branch_b

    def create_data(self, world):
        # A Party group under branch A; the hospital is the parent's (the secretary cannot list hospitals).
        return {
            "parent": world.branch_a.pk,
            "hospital": "",
            "name": "产科第一党小组",
            "short_name": "",
            "kind": OrgKind.GROUP,
            "discipline_group": "",
            "established": "",
            "sort_order": 100,
        }

    def api_create_data(self, world):
        return {"parent": world.branch_a.pk, "name": "产科第一党小组", "kind": OrgKind.GROUP}

    def created(self, world):
        branch_a = PartyOrganization.objects.get(pk=world.branch_a.pk)  # world's paths may be stale
        return PartyOrganization.objects.filter(name="产科第一党小组", path__startswith=branch_a.path)

    api_created = created

    def create_outside_data(self, world):
        data = self.create_data(world)
        data["parent"] = world.branch_b.pk
        return data

    def api_create_outside_data(self, world):
        return {"hospital": world.hospital2.pk, "name": "外院党小组", "kind": OrgKind.GROUP}

    def forbidden_choices(self, world):
        return {"parent": [world.branch_b, world.committee], "hospital": [world.hospital2]}

    def forbidden_filter_choices(self, world):
        return {"hospital": [world.hospital2]}

    def deletable(self, world):
        return add_group(world, world.branch_a, "待撤党小组")

    def member_own(self, world):
        return world.branch_a

    def member_other(self, world):
        return world.branch_b


class TestPartyOrganizationBranchPages(PartyOrganizationBranchCase, PageContract):
    pass


class TestPartyOrganizationBranchApi(PartyOrganizationBranchCase, ApiContract):
    api_list = "/api/organization/party-organizations/"


def test_secretary_cannot_create_under_another_branch_through_the_api(client, world):
    client.force_login(world.secretary_a)
    before = PartyOrganization.objects.count()
    response = client.post(
        "/api/organization/party-organizations/",
        {"parent": world.branch_b.pk, "name": "越界党小组", "kind": OrgKind.GROUP},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert PartyOrganization.objects.count() == before


class PartyOrganizationCase:
    model = PartyOrganization
    viewer = editor = "office"
    edit_changes = api_changes = {"short_name": "产科支部"}

    def in_scope(self, world):
        return world.branch_a

    def elsewhere(self, world):
        return world.rec.branch_h2

    def create_data(self, world):
        return {
            "parent": world.committee.pk,
            "hospital": world.hospital.pk,
            "name": "新党支部",
            "short_name": "",
            "kind": OrgKind.BRANCH,
            "discipline_group": "",
            "established": "2024-07-01",
            "sort_order": 100,
        }

    def api_create_data(self, world):
        return {
            "parent": world.committee.pk,
            "hospital": world.hospital.pk,
            "name": "新党支部",
            "kind": OrgKind.BRANCH,
        }

    def created(self, world):
        return PartyOrganization.objects.filter(name="新党支部", hospital=world.hospital)

    api_created = created

    def create_outside_data(self, world):
        data = self.create_data(world)
        data.update(parent=world.rec.branch_h2.pk, hospital=world.hospital2.pk)
        return data

    def api_create_outside_data(self, world):
        return {"hospital": world.hospital2.pk, "name": "新党委", "kind": OrgKind.COMMITTEE}

    def forbidden_choices(self, world):
        return {"parent": [world.rec.branch_h2], "hospital": [world.hospital2]}

    forbidden_filter_choices = forbidden_choices

    def deletable(self, world):
        return add_group(world, world.branch_b, "待撤党小组")


class TestPartyOrganizationPages(PartyOrganizationCase, PageContract):
    pass


class TestPartyOrganizationApi(PartyOrganizationCase, ApiContract):
    api_list = "/api/organization/party-organizations/"


# Branch–department links
class BranchDepartmentBranchCase:
    model = BranchDepartment
    viewer = editor = "secretary_a"
    edit_changes = {"start": "2020-02-01"}
    api_changes = {"start": "2020-02-01"}

    def in_scope(self, world):
        return world.rec.link_a

    def elsewhere(self, world):
        return world.rec.link_b

    def create_data(self, world):
        # A past link (department A is covered by branch A now).
        return {
            "organization": world.branch_a.pk,
            "department": world.dept_a.pk,
            "start": "2010-01-01",
            "end": "2019-12-31",
        }

    api_create_data = create_data

    def created(self, world):
        return BranchDepartment.objects.filter(organization=world.branch_a, start=dt.date(2010, 1, 1))

    api_created = created

    def create_outside_data(self, world):
        return {
            "organization": world.branch_b.pk,
            "department": world.dept_b.pk,
            "start": "2010-01-01",
            "end": "2019-12-31",
        }

    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b], "department": [world.dept_b]}

    def deletable(self, world):
        return BranchDepartment.objects.create(
            organization=world.branch_a,
            department=world.dept_a,
            start=dt.date(2010, 1, 1),
            end=dt.date(2019, 12, 31),
        )

    # A member sees their own organisation's links (like its node and terms), no other's.
    def member_own(self, world):
        return world.rec.link_a

    def member_other(self, world):
        return world.rec.link_b


class TestBranchDepartmentBranchPages(BranchDepartmentBranchCase, PageContract):
    pass


class TestBranchDepartmentBranchApi(BranchDepartmentBranchCase, ApiContract):
    api_list = "/api/organization/branch-departments/"


class BranchDepartmentCase(BranchDepartmentBranchCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.rec.link_h2

    def create_outside_data(self, world):
        return {
            "organization": world.rec.branch_h2.pk,
            "department": world.rec.dept_h2.pk,
            "start": "2010-01-01",
            "end": "2019-12-31",
        }

    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"organization": [world.rec.branch_h2], "department": [world.rec.dept_h2]}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.rec.link_h2


class TestBranchDepartmentPages(BranchDepartmentCase, PageContract):
    pass


class TestBranchDepartmentApi(BranchDepartmentCase, ApiContract):
    api_list = "/api/organization/branch-departments/"


# Committee terms
class CommitteeTermBranchCase:
    model = CommitteeTerm
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"note": "按期换届"}

    def in_scope(self, world):
        return world.rec.term_a

    def elsewhere(self, world):
        return world.rec.term_b

    def export_marker(self, obj):
        return obj.organization.name

    def create_data(self, world):
        # A past term (branch A has a current one).
        return {
            "organization": world.branch_a.pk,
            "number": 9,
            "start": "2015-01-01",
            "due_end": "",
            "actual_end": "2018-01-01",
            "note": "",
        }

    def api_create_data(self, world):
        return {
            "organization": world.branch_a.pk,
            "number": 9,
            "start": "2015-01-01",
            "actual_end": "2018-01-01",
        }

    def created(self, world):
        return CommitteeTerm.objects.filter(organization=world.branch_a, number=9)

    api_created = created

    def create_outside_data(self, world):
        data = self.create_data(world)
        data["organization"] = world.branch_b.pk
        return data

    def api_create_outside_data(self, world):
        data = self.api_create_data(world)
        data["organization"] = world.branch_b.pk
        return data

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b, world.committee]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        return CommitteeTerm.objects.create(
            organization=world.branch_a, number=8, start=dt.date(2012, 1, 1), actual_end=dt.date(2015, 1, 1)
        )

    # A member sees their own organisation's terms, and no other's.
    def member_own(self, world):
        return world.rec.term_a

    def member_other(self, world):
        return world.rec.term_b


class TestCommitteeTermBranchPages(CommitteeTermBranchCase, PageContract):
    pass


class TestCommitteeTermBranchApi(CommitteeTermBranchCase, ApiContract):
    api_list = "/api/organization/committee-terms/"


class CommitteeTermCase(CommitteeTermBranchCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.rec.term_h2

    def create_outside_data(self, world):
        data = self.create_data(world)
        data["organization"] = world.rec.branch_h2.pk
        return data

    def api_create_outside_data(self, world):
        data = self.api_create_data(world)
        data["organization"] = world.rec.branch_h2.pk
        return data

    def forbidden_choices(self, world):
        return {"organization": [world.rec.branch_h2]}

    forbidden_filter_choices = forbidden_choices

    def member_own(self, world):
        return None

    def member_other(self, world):
        return None


class TestCommitteeTermPages(CommitteeTermCase, PageContract):
    pass


class TestCommitteeTermApi(CommitteeTermCase, ApiContract):
    api_list = "/api/organization/committee-terms/"


# Discipline groups: hospital-wide records.
class DisciplineGroupCase:
    model = DisciplineGroup
    viewer = editor = "office"
    edit_changes = api_changes = {"name": "妇产学科群"}

    def in_scope(self, world):
        return world.rec.group_h

    def elsewhere(self, world):
        return world.rec.group_h2

    def create_data(self, world):
        return {"hospital": world.hospital.pk, "name": "新学科群", "departments": [world.dept_a.pk]}

    api_create_data = create_data

    def created(self, world):
        return DisciplineGroup.objects.filter(name="新学科群", hospital=world.hospital)

    api_created = created

    def create_outside_data(self, world):
        return {"hospital": world.hospital2.pk, "name": "新学科群", "departments": [world.rec.dept_h2.pk]}

    def api_create_outside_data(self, world):
        return {"hospital": world.hospital.pk, "name": "新学科群", "departments": [world.rec.dept_h2.pk]}

    def forbidden_choices(self, world):
        return {"hospital": [world.hospital2], "departments": [world.rec.dept_h2]}

    forbidden_filter_choices = forbidden_choices

    def deletable(self, world):
        return DisciplineGroup.objects.create(hospital=world.hospital, name="待撤学科群")

    def member_other(self, world):
        return world.rec.group_h


class TestDisciplineGroupPages(DisciplineGroupCase, PageContract):
    pass


class TestDisciplineGroupApi(DisciplineGroupCase, ApiContract):
    api_list = "/api/organization/discipline-groups/"
