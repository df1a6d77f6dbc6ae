"""Importing memberships from Excel: existing persons, organisations, stages and milestone order."""

import datetime as dt

import pytest
from django.urls import reverse

from hongqing.core.testing.imports import read_sheets, upload, xlsx_bytes
from hongqing.core.testing.world import make_person
from hongqing.people.models import Membership

URL = reverse("people:membership_import")
HEADERS = [
    "工号",
    "姓名",
    "党组织",
    "阶段",
    "申请入党日期",
    "积极分子日期",
    "发展对象日期",
    "入党日期",
    "转正日期",
    "备注",
]


def row(staff_no, org, stage, *dates, name=None, note=None):
    dates = list(dates) + [None] * (5 - len(dates))
    return [staff_no, name, org, stage, *dates, note]


FULL_DATES = ("2008-03-01", "2008-09-01", "2009-09-01", "2010-01-05", "2011-01-05")


@pytest.fixture
def newcomers(world):
    return [make_person(world.hospital, world.dept_a, f"新人{i}", staff_no=f"M{i:03d}") for i in range(1, 4)]


def post_file(client, rows):
    return client.post(URL, {"file": upload(xlsx_bytes(HEADERS, rows))})


def test_a_good_file(client, world, newcomers):
    client.force_login(world.office)
    before = Membership.objects.count()
    rows = [
        row("M001", "产科党支部", "正式党员", *FULL_DATES, name="新人1"),
        row("M002", "儿科党支部", "积极分子", "2024-03-01", "2024-09-01"),
        row("M003", "产科党支部", "applicant", note="2025 年递交申请书"),
    ]
    response = post_file(client, rows)
    assert response.status_code == 200, response.context.get("errors")
    assert Membership.objects.count() == before
    response = client.post(URL, {"job": response.context["job"].pk, "confirm": "1"}, follow=True)
    assert 'id="import-success"' in response.content.decode()
    assert Membership.objects.count() == before + 3
    m = Membership.objects.get(person__staff_no="M001")
    assert m.organization == world.branch_a and m.stage == "full"
    assert m.conversion_date == dt.date(2011, 1, 5) and m.party_age(dt.date(2021, 1, 5)) == 10
    assert Membership.objects.get(person__staff_no="M002").organization == world.branch_b
    assert Membership.objects.get(person__staff_no="M003").note == "2025 年递交申请书"


def test_bad_rows(client, world, newcomers):
    client.force_login(world.office)
    before = Membership.objects.count()
    rows = [
        row("M001", "产科党支部", "正式党员", "2008-03-01", "2008-09-01"),  # 2: later dates missing
        row("M002", "产科党支部", "积极分子", "2024-09-01", "2024-03-01"),  # 3: out of order
        row(world.person_a.staff_no, "产科党支部", "申请人"),  # 4: already a member
        row("X999", "产科党支部", "申请人"),  # 5: no such person
        row("M003", "不存在的支部", "申请人"),  # 6: no such organisation
        row("M003", "产科党支部", "党员"),  # 7: M003 repeated; unknown stage
        row("M001", "产科党支部", "申请人", name="别人"),  # 8: M001 repeated
    ]
    response = post_file(client, rows)
    assert response.status_code == 422
    found = {(e["row"], e["column"]) for e in response.context["row_errors"]}
    assert {(2, "发展对象日期"), (2, "入党日期"), (2, "转正日期"), (3, "积极分子日期")} <= found
    assert {(4, "工号"), (5, "工号"), (6, "党组织"), (7, "工号"), (7, "阶段"), (8, "工号")} <= found
    assert {r for r, _c in found} == {2, 3, 4, 5, 6, 7, 8}
    assert Membership.objects.count() == before


def test_the_name_is_checked_against_the_staff_number(client, world, newcomers):
    client.force_login(world.office)
    response = post_file(client, [row("M001", "产科党支部", "申请人", name="别人")])
    assert [(e["row"], e["column"]) for e in response.context["row_errors"]] == [(2, "姓名")]


def test_a_secretary_imports_into_their_branch_only(client, world, newcomers):
    client.force_login(world.secretary_a)
    before = Membership.objects.count()
    # The other branch is not in their scope: refused at the check.
    response = post_file(client, [row("M001", "儿科党支部", "申请人")])
    assert [(e["row"], e["column"]) for e in response.context["row_errors"]] == [(2, "党组织")]
    # Their own branch, for staff of their department: written.
    response = post_file(client, [row("M001", "产科党支部", "申请人")])
    assert response.status_code == 200, response.context.get("errors")
    client.post(URL, {"job": response.context["job"].pk, "confirm": "1"})
    assert Membership.objects.count() == before + 1


def test_template(client, world):
    client.force_login(world.office)
    sheets = read_sheets(client.get(URL, {"template": "1"}).content)
    assert list(sheets[list(sheets)[0]][0]) == HEADERS
    text = " ".join(str(c) for r in sheets["说明"] for c in r if c)
    for term in ("申请人", "积极分子", "发展对象", "预备党员", "正式党员"):
        assert term in text
