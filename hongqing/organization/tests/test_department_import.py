"""Importing departments from Excel: the tree (parents on earlier rows), names, kinds, hospitals."""

import pytest
from django.urls import reverse

from hongqing.accounts.choices import Role
from hongqing.accounts.models import RoleAssignment
from hongqing.core.choices import ImportStatus
from hongqing.core.testing.imports import read_sheets, upload, xlsx_bytes
from hongqing.organization.models import Campus, Department

URL = reverse("organization:department_import")
HEADERS = ["名称", "编码", "上级科室", "类型", "院区"]


@pytest.fixture
def office(client, world):
    client.force_login(world.office)
    return client


def post_file(client, rows, headers=HEADERS, **extra):
    return client.post(URL, {"file": upload(xlsx_bytes(headers, rows)), **extra})


def test_a_good_file_builds_the_tree(office, world):
    Campus.objects.create(hospital=world.hospital, name="东院区")
    before = Department.objects.count()
    rows = [
        ["内科", "10", None, "临床", None],
        ["心血管内科", "1001", "内科", "临床科室", "东院区"],
        ["呼吸内科", "1002", "内科", None, None],
        ["产科病房", "0101", "产科", "护理", None],  # under an existing department
        ["总务科", "90", None, "后勤", None],
    ]
    response = post_file(office, rows)
    assert response.status_code == 200, response.context.get("errors")
    assert Department.objects.count() == before
    response = office.post(URL, {"job": response.context["job"].pk, "confirm": "1"}, follow=True)
    assert 'id="import-success"' in response.content.decode()
    assert Department.objects.count() == before + 5

    internal = Department.objects.get(hospital=world.hospital, name="内科")
    children = {d.name: d for d in Department.objects.get_children(internal)}
    assert set(children) == {"心血管内科", "呼吸内科"}
    assert children["心血管内科"].campus.name == "东院区"
    assert children["呼吸内科"].kind == "clinical"  # empty kind: clinical
    ward = Department.objects.get(name="产科病房")
    assert Department.objects.get_parent(ward) == world.dept_a and ward.kind == "nursing"
    assert Department.objects.get(name="总务科").kind == "logistics"
    assert ward.hospital == world.hospital and ward.created_by == world.office


def test_bad_rows_are_reported_and_nothing_is_written(office, world):
    before = Department.objects.count()
    rows = [
        ["产科", None, None, None, None],  # row 2: exists already
        ["甲", None, "乙", None, None],  # row 3: parent only on a later row
        ["乙", None, None, "门诊", None],  # row 4: unknown kind
        ["甲", None, None, None, "西院区"],  # row 5: repeated name, unknown campus
        [None, "77", None, None, None],  # row 6: no name
    ]
    response = post_file(office, rows)
    assert response.status_code == 422
    found = {(e["row"], e["column"]) for e in response.context["row_errors"]}
    assert found == {(2, "名称"), (3, "上级科室"), (4, "类型"), (5, "名称"), (5, "院区"), (6, "名称")}
    repeated = next(e for e in response.context["row_errors"] if (e["row"], e["column"]) == (5, "名称"))
    assert "3" in repeated["message"]
    assert Department.objects.count() == before


def test_a_department_of_another_hospital_is_no_parent(office, world):
    response = post_file(office, [["新科", None, "内科", None, None]])  # 内科 is in hospital 2 only
    assert [(e["row"], e["column"]) for e in response.context["row_errors"]] == [(2, "上级科室")]


def test_a_user_over_two_hospitals_chooses_one(client, world):
    RoleAssignment.objects.create(user=world.office, role=Role.PARTY_OFFICE, hospital=world.hospital2)
    client.force_login(world.office)
    assert 'id="import-hospital"' in client.get(URL).content.decode()
    response = post_file(client, [["新科", None, None, None, None]])
    assert response.status_code == 422 and response.context["options_form"].errors
    response = post_file(client, [["新科", None, "内科", None, None]], hospital=world.hospital2.pk)
    assert response.status_code == 200, response.context.get("errors")
    client.post(URL, {"job": response.context["job"].pk, "confirm": "1"})
    new = Department.objects.get(name="新科")
    assert new.hospital == world.hospital2
    assert Department.objects.get_parent(new).name == "内科"


def test_a_hospital_outside_the_scope_cannot_be_chosen(client, world):
    client.force_login(world.office)
    before = Department.objects.count()
    response = post_file(client, [["新科", None, None, None, None]], hospital=world.hospital2.pk)
    assert response.status_code == 422 and response.context["options_form"].errors
    assert Department.objects.count() == before


def test_a_secretary_cannot_create_departments(client, world):
    client.force_login(world.secretary_a)
    before = Department.objects.count()
    response = post_file(client, [["新科", None, None, None, None]])
    if response.status_code == 200:
        response = client.post(URL, {"job": response.context["job"].pk, "confirm": "1"})
    assert response.status_code in (403, 422)
    assert Department.objects.count() == before


def test_template(office, world):
    sheets = read_sheets(office.get(URL, {"template": "1"}).content)
    first = list(sheets)[0]
    assert list(sheets[first][0]) == HEADERS
    text = " ".join(str(c) for row in sheets["说明"] for c in row if c)
    for term in ("临床", "医技", "护理", "行政", "后勤"):
        assert term in text


def test_job_status_after_import(office, world):
    response = post_file(office, [["新科", None, None, None, None]])
    job = response.context["job"]
    office.post(URL, {"job": job.pk, "confirm": "1"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.done_rows == 1
