"""Importing persons from Excel: a good file, bad rows, duplicates, scope, query budget."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from hongqing.core.choices import ImportStatus
from hongqing.core.imports import CellError, id_number_value
from hongqing.core.models import ImportJob
from hongqing.core.testing.imports import id_number, read_sheets, upload, xlsx_bytes
from hongqing.people.models import Person, TalentTag

URL = reverse("people:person_import")
HEADERS = [
    "工号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "手机",
    "科室",
    "职务",
    "职称",
    "学历",
    "入职日期",
    "人才标签",
]


def person_row(n, **overrides):
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=n)
    row = {
        "工号": f"N{n:05d}",
        "姓名": "王小明",
        "性别": "男",
        "出生日期": birth.isoformat(),
        "身份证号": id_number(birth, seq=n),
        "手机": "13800138000",
        "科室": "产科",
        "职务": "",
        "职称": "中级",
        "学历": "本科",
        "入职日期": "2010-07-01",
        "人才标签": "",
    }
    row.update(overrides)
    return [row[h] for h in HEADERS]


def post_file(client, rows, headers=HEADERS, **extra):
    return client.post(URL, {"file": upload(xlsx_bytes(headers, rows)), **extra})


def errors_of(response):
    return response.context["row_errors"]


@pytest.fixture
def office(client, world):
    client.force_login(world.office)
    return client


class TestGoodFile:
    def test_check_then_confirm_writes_every_row(self, office, world):
        TalentTag.objects.create(hospital=world.hospital, name="学科带头人")
        TalentTag.objects.create(hospital=world.hospital, name="头雁人才")
        before = Person.objects.count()
        rows = [person_row(i) for i in range(1, 6)]
        rows[0] = person_row(1, 姓名="曾伟", 人才标签="学科带头人、头雁人才", 性别="", 出生日期="")
        response = post_file(office, rows)
        assert response.status_code == 200, response.context.get("errors")
        job = response.context["job"]
        assert job.status == ImportStatus.VALIDATED and job.total_rows == 5
        content = response.content.decode()
        assert 'id="import-confirm"' in content
        assert "N00001" in content
        assert Person.objects.count() == before  # nothing written before the confirmation

        response = office.post(URL, {"job": job.pk, "confirm": "1"}, follow=True)
        assert response.status_code == 200
        assert 'id="import-success"' in response.content.decode()
        assert "5" in response.content.decode()
        assert Person.objects.count() == before + 5
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE and job.done_rows == 5
        assert job.rows == []  # the rows (with ID numbers) are not kept once written

        p = Person.objects.get(staff_no="N00001")
        assert p.hospital == world.hospital and p.department == world.dept_a
        assert p.gender == "M" and p.birth_date == dt.date(1980, 1, 2)  # derived from the ID number
        assert p.title_grade == "intermediate" and p.education == "bachelor"
        assert (p.name_pinyin, p.name_initials) == ("zengwei", "zw")
        assert sorted(t.name for t in p.talent_tags.all()) == ["头雁人才", "学科带头人"]
        assert p.created_by == world.office

        event = LogEntry.objects.filter(additional_data__event="import").get()
        assert event.actor == world.office
        assert event.additional_data["rows"] == 5 and event.additional_data["job"] == job.pk

    def test_raw_values_and_excel_types_are_accepted(self, office, world):
        rows = [person_row(1, 性别="F", 职称="associate_senior", 学历="Master")]
        rows[0][HEADERS.index("身份证号")] = id_number(dt.date(1980, 1, 2), female=True, seq=1)
        rows[0][HEADERS.index("出生日期")] = dt.datetime(1980, 1, 2)
        rows[0][HEADERS.index("工号")] = 10023  # a number in Excel: read as the text "10023"
        response = post_file(office, rows)
        assert response.status_code == 200, response.context.get("errors")
        office.post(URL, {"job": response.context["job"].pk, "confirm": "1"})
        p = Person.objects.get(staff_no="10023")
        assert (p.gender, p.title_grade, p.education) == ("F", "associate_senior", "master")

    def test_a_confirmed_job_is_not_imported_twice(self, office, world):
        response = post_file(office, [person_row(1)])
        job = response.context["job"]
        office.post(URL, {"job": job.pk, "confirm": "1"})
        office.post(URL, {"job": job.pk, "confirm": "1"})
        assert Person.objects.filter(staff_no="N00001").count() == 1


class TestBadRows:
    def test_every_error_names_row_and_column_and_nothing_is_written(self, office, world):
        before = Person.objects.count()
        bad_checksum = id_number(dt.date(1980, 1, 3), seq=2)[:-1] + "0"
        if bad_checksum == id_number(dt.date(1980, 1, 3), seq=2):
            bad_checksum = bad_checksum[:-1] + "1"
        rows = [
            person_row(1),  # row 2: good
            person_row(2, 身份证号=bad_checksum),  # row 3
            person_row(3, 出生日期="1999-01-01"),  # row 4: does not match the ID number
            person_row(4, 性别="女"),  # row 5: the ID number says male
            person_row(5, 科室="不存在的科室"),  # row 6
            person_row(6, 职称="特级"),  # row 7
            person_row(7, 入职日期="2010年7月"),  # row 8
            person_row(8, 姓名=""),  # row 9
            person_row(9, 人才标签="没有的标签"),  # row 10
            person_row(10, 身份证号="", 性别=""),  # row 11: no gender and nothing to derive it from
        ]
        response = post_file(office, rows)
        assert response.status_code == 422
        found = {(e["row"], e["column"]) for e in errors_of(response)}
        assert found == {
            (3, "身份证号"),
            (4, "出生日期"),
            (5, "性别"),
            (6, "科室"),
            (7, "职称"),
            (8, "入职日期"),
            (9, "姓名"),
            (10, "人才标签"),
            (11, "性别"),
        }
        content = response.content.decode()
        assert 'id="import-errors"' in content
        assert content.count('class="import-error"') == 9
        assert "特级" in content and "不存在的科室" in content
        assert 'id="import-confirm"' not in content
        assert Person.objects.count() == before
        job = response.context["job"]
        assert job.status == ImportStatus.FAILED and job.rows == []

    def test_error_text_names_the_row_and_the_column(self, office, world):
        from hongqing.core.imports import format_error

        response = post_file(office, [person_row(1), person_row(2, 职称="特级")])
        error = errors_of(response)[0]
        assert error["row"] == 3 and error["column"] == "职称"
        text = format_error(error)
        assert "3" in text and "职称" in text and "特级" in text

    def test_every_error_of_a_row_is_reported_at_once_one_per_cell(self, office, world):
        good = person_row(1)[HEADERS.index("身份证号")]
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")
        response = post_file(office, [person_row(1, 科室="不存在的科室", 身份证号=bad, 性别="")])
        assert sorted(e["column"] for e in errors_of(response)) == sorted(["科室", "身份证号", "性别"])

    def test_id_number_stored_as_a_number_is_explained(self, office, world):
        row = person_row(1)
        row[HEADERS.index("身份证号")] = 110105198001020011
        response = post_file(office, [row])
        [error] = errors_of(response)
        with pytest.raises(CellError) as refused:
            id_number_value(110105198001020011)
        assert error["column"] == "身份证号" and error["message"] == str(refused.value)


class TestDuplicates:
    def test_duplicate_staff_number_within_the_file_names_both_rows(self, office, world):
        before = Person.objects.count()
        response = post_file(office, [person_row(1), person_row(2), person_row(3, 工号="N00001")])
        assert response.status_code == 422
        [error] = errors_of(response)
        assert (error["row"], error["column"]) == (4, "工号")
        assert "2" in error["message"] and "N00001" in error["message"]
        assert Person.objects.count() == before

    def test_duplicate_staff_number_against_the_database(self, office, world):
        before = Person.objects.count()
        existing = world.person_b.staff_no
        response = post_file(office, [person_row(1), person_row(2, 工号=existing)])
        [error] = errors_of(response)
        assert (error["row"], error["column"]) == (3, "工号") and existing in error["message"]
        assert Person.objects.count() == before

    def test_duplicate_id_number_within_the_file(self, office, world):
        row = person_row(2, 身份证号=person_row(1)[HEADERS.index("身份证号")], 出生日期="")
        response = post_file(office, [person_row(1), row])
        assert {(e["row"], e["column"]) for e in errors_of(response)} == {(3, "身份证号")}

    def test_staff_numbers_of_another_hospital_do_not_clash(self, office, world):
        response = post_file(office, [person_row(1, 工号=world.person_h2.staff_no)])
        assert response.status_code == 200

    def test_the_database_is_checked_again_at_confirmation(self, office, world):
        response = post_file(office, [person_row(1), person_row(2)])
        job = response.context["job"]
        Person.objects.create(hospital=world.hospital, staff_no="N00002", name="抢先", gender="M")
        before = Person.objects.count()
        response = office.post(URL, {"job": job.pk, "confirm": "1"})
        assert response.status_code == 422
        assert [(e["row"], e["column"]) for e in errors_of(response)] == [(3, "工号")]
        assert Person.objects.count() == before
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED


class TestScope:
    def test_secretary_cannot_import_into_a_department_outside_their_scope(self, client, world):
        client.force_login(world.secretary_a)
        before = Person.objects.count()
        response = post_file(client, [person_row(1, 科室="儿科")])
        assert response.status_code == 422
        [error] = errors_of(response)
        assert error["column"] == "科室"
        assert Person.objects.count() == before

    def test_rows_outside_the_change_scope_are_rolled_back(self, client, world):
        # A secretary sees their branch's department, but a new person (no membership yet) is not a
        # record they may change: the commit is rolled back, nothing written.
        client.force_login(world.secretary_a)
        before = Person.objects.count()
        response = post_file(client, [person_row(1, 科室="产科"), person_row(2, 科室="产科")])
        assert response.status_code == 200, response.context.get("errors")
        response = client.post(URL, {"job": response.context["job"].pk, "confirm": "1"})
        assert response.status_code == 422
        assert {e["row"] for e in errors_of(response)} == {2, 3}
        assert Person.objects.count() == before
        assert not LogEntry.objects.filter(additional_data__event="import").exists()

    def test_without_change_permission_is_403(self, client, world):
        client.force_login(world.auditor)
        assert client.get(URL).status_code == 403
        assert post_file(client, [person_row(1)]).status_code == 403

    def test_a_job_is_seen_by_its_creator_only(self, client, world):
        client.force_login(world.office)
        job = post_file(client, [person_row(1)]).context["job"]
        client.force_login(world.office_h2)
        assert client.get(URL, {"job": job.pk}).status_code == 404
        assert client.post(URL, {"job": job.pk, "confirm": "1"}).status_code == 404
        assert not Person.objects.filter(staff_no="N00001").exists()


class TestPage:
    def test_upload_page_has_the_form_and_the_template_link(self, office, world):
        content = office.get(URL).content.decode()
        for marker in ('id="import-file"', 'name="file"', 'id="import-submit"', "?template=1"):
            assert marker in content
        assert 'id="import-hospital"' not in content  # one hospital: no choice to make

    def test_list_page_links_to_the_import(self, office, world):
        assert URL in office.get(reverse("people:person_list")).content.decode()

    def test_template_has_the_headers_and_an_instructions_sheet(self, office, world):
        response = office.get(URL, {"template": "1"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheets = read_sheets(response.content)
        first, instructions = list(sheets)
        assert list(sheets[first][0]) == HEADERS
        assert instructions == "说明"
        text = " ".join(str(c) for row in sheets["说明"] for c in row if c)
        for term in ("初级", "中级", "副高", "正高", "男", "本科", "YYYY-MM-DD"):
            assert term in text

    def test_the_template_itself_imports_cleanly_when_filled(self, office, world):
        sheets = read_sheets(office.get(URL, {"template": "1"}).content)
        headers = list(next(iter(sheets.values()))[0])
        response = post_file(office, [person_row(1)], headers=headers)
        assert response.status_code == 200


def test_checking_500_rows_takes_a_bounded_number_of_queries(office, world, django_assert_max_num_queries):
    TalentTag.objects.create(hospital=world.hospital, name="学科带头人")
    rows = [person_row(i, 人才标签="学科带头人") for i in range(1, 501)]
    content = xlsx_bytes(HEADERS, rows)
    with django_assert_max_num_queries(20):  # the same for 5 or 5,000 rows
        response = office.post(URL, {"file": upload(content)})
    assert response.status_code == 200
    assert response.context["job"].total_rows == 500
    # Writing: batched inserts (SQLite takes ~50 rows per INSERT), the links, the scope re-check.
    with django_assert_max_num_queries(40):
        response = office.post(URL, {"job": response.context["job"].pk, "confirm": "1"})
    assert response.status_code == 302
    assert Person.objects.filter(staff_no__startswith="N").count() == 500
    assert ImportJob.objects.get().status == ImportStatus.DONE
