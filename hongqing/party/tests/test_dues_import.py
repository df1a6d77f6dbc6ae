"""Import of the yearly dues bases from the payroll office's Excel export."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from hongqing.core.choices import ImportStatus
from hongqing.core.models import ImportJob
from hongqing.core.testing.imports import read_sheets, upload, xlsx_bytes
from hongqing.party.imports_dues import DuesBaseImport
from hongqing.party.models import DuesBase

from .dues_records import DuesWorld

pytestmark = pytest.mark.django_db
URL = reverse("party:duesbase_import")
PAYROLL = [
    "工号",
    "姓名",
    "类别",
    "岗位工资",
    "薪级工资",
    "基础性绩效",
    "规范津贴补贴",
    "奖励性绩效",
    "住房公积金",
    "缴费基数",
]


class TestImport(DuesWorld):
    """The secretary of branch A imports next year's bases (no base of that year exists yet)."""

    @pytest.fixture
    def year(self, world):
        return world.dues["year"] + 1

    def send(self, client, world, year, rows, headers=PAYROLL):
        client.force_login(world.secretary_a)
        return client.post(URL, {"file": upload(xlsx_bytes(headers, rows)), "year": year})

    def test_a_good_file(self, client, world, year):
        a, sec = world.person_a, world.secretary_a.person
        rows = [
            [a.staff_no, a.name, "在职", 3200, 1500.5, 2000, 800, 6000, 900, None],
            [sec.staff_no, None, "退休", None, None, None, None, None, None, "5000.01"],
        ]
        response = self.send(client, world, year, rows)
        assert response.status_code == 200, response.context.get("errors")
        html = response.content.decode()
        assert (
            "奖励性绩效" in html and "住房公积金" in html and "import-note" in html
        )  # listed as not counted
        job = response.context["job"]
        assert job.status == ImportStatus.VALIDATED
        assert all("奖励性绩效" not in raw for _n, raw in job.rows)  # their values are not kept
        assert not DuesBase.objects.filter(year=year).exists()  # nothing before the confirmation

        response = client.post(URL, {"confirm": "1", "job": job.pk})
        assert response.status_code == 302
        base_a = DuesBase.objects.get(membership__person=a, year=year)
        assert (base_a.base, base_a.monthly, base_a.category) == (
            Decimal("7500.50"),
            Decimal("112.51"),
            "salaried",
        )
        assert base_a.items == {
            "岗位工资": "3200.00",
            "薪级工资": "1500.50",
            "基础性绩效": "2000.00",
            "规范津贴补贴": "800.00",
        }
        base_sec = DuesBase.objects.get(membership__person=sec, year=year)
        assert (base_sec.base, base_sec.monthly, base_sec.category) == (
            Decimal("5000.01"),
            Decimal("50.00"),
            "retired",
        )
        assert base_a.created_by == world.secretary_a
        assert LogEntry.objects.filter(additional_data__event="import", additional_data__rows=2).exists()

    def test_bad_rows_are_each_named_and_nothing_is_written(self, client, world, year):
        a, sec = world.person_a, world.secretary_a.person
        staff_a = world.rec.staff_a  # in department A, not a Party member
        rows = [
            [a.staff_no, a.name, "在职", "三千", 1500, 2000, 800, None, None, None],  # non-numeric
            [sec.staff_no, sec.name, "在职", None, None, None, None, None, None, -100],  # negative
            ["NOPE1", "某人", "在职", 3000, None, None, None, None, None, None],  # unknown staff number
            [
                staff_a.staff_no,
                staff_a.name,
                "在职",
                3000,
                None,
                None,
                None,
                None,
                None,
                None,
            ],  # not a member
            [world.person_b.staff_no, "李娜", "在职", 3000, None, None, None, None, None, None],  # branch B
        ]
        response = self.send(client, world, year, rows)
        assert response.status_code == 422
        errors = {(e["row"], e["column"]) for e in response.context["row_errors"]}
        assert {(2, "岗位工资"), (3, "缴费基数"), (4, "工号"), (5, "工号"), (6, "工号")} <= errors
        assert not DuesBase.objects.filter(year=year).exists()
        assert ImportJob.objects.get().status == ImportStatus.FAILED

    def test_a_name_that_does_not_match_and_a_member_with_a_base(self, client, world, year):
        a = world.person_a
        rows = [[a.staff_no, "别人", "在职", None, None, None, None, None, None, 3000]]
        response = self.send(client, world, year, rows)
        assert {(e["row"], e["column"]) for e in response.context["row_errors"]} == {(2, "姓名")}
        rows = [[a.staff_no, a.name, "在职", None, None, None, None, None, None, 3000]]
        response = self.send(client, world, year - 1, rows)  # the records gave A a base this year
        assert response.status_code == 422
        assert "已" in str(response.context["row_errors"]) or response.context["row_errors"]
        assert DuesBase.objects.filter(membership__person=a).count() == 1

    def test_base_and_items_together_and_a_bad_category(self, client, world, year):
        a, sec = world.person_a, world.secretary_a.person
        rows = [
            [a.staff_no, a.name, "在职", 3000, None, None, None, None, None, 3000],
            [sec.staff_no, sec.name, "退役", None, None, None, None, None, None, 3000],
        ]
        response = self.send(client, world, year, rows)
        assert {(e["row"], e["column"]) for e in response.context["row_errors"]} == {
            (2, "缴费基数"),
            (3, "类别"),
        }

    def test_a_repeated_staff_number(self, client, world, year):
        a = world.person_a
        rows = [[a.staff_no, None, None, None, None, None, None, None, None, 3000]] * 2
        response = self.send(client, world, year, rows)
        assert [(e["row"], e["column"]) for e in response.context["row_errors"]] == [(3, "工号")]

    def test_the_template_has_the_pay_item_columns(self, client, world):
        client.force_login(world.secretary_a)
        response = client.get(URL, {"template": 1})
        sheets = read_sheets(response.content)
        first = next(iter(sheets.values()))
        assert list(first[0]) == [c.header for c in DuesBaseImport.columns]
        assert {"岗位工资", "薪级工资", "基础性绩效", "规范津贴补贴", "缴费基数"} <= set(first[0])

    def test_readers_and_members_cannot_import(self, client, world):
        for persona in ("inspector", "region", "auditor"):
            client.force_login(getattr(world, persona))
            assert client.get(URL).status_code == 403
        client.force_login(world.member_a)
        assert client.get(URL).status_code == 403
