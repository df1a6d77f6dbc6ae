"""The import framework: file-level refusals, header checks, parsers, and the background commit.

The pages are exercised through the persons import (core's own code imports no domain app).
"""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse

from hongqing.core import imports
from hongqing.core.choices import ImportStatus
from hongqing.core.models import ImportJob
from hongqing.core.testing.imports import id_number, upload, xlsx_bytes
from hongqing.people.choices import TitleGrade
from hongqing.people.models import Person

URL = reverse("people:person_import")
HEADERS = ["工号", "姓名", "性别", "身份证号", "科室"]


def rows(n, start=1):
    out = []
    for i in range(start, start + n):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=i)
        out.append([f"B{i:05d}", "李四", "男", id_number(birth, seq=i), "产科"])
    return out


@pytest.fixture
def office(client, world):
    client.force_login(world.office)
    return client


def refused(response) -> str:
    assert response.status_code == 422
    assert response.context["file_error"]
    return response.context["file_error"]


class TestFileRefusals:
    """Each with a clear message on the upload page, no job to confirm, and nothing written."""

    def assert_nothing_written(self, before):
        assert Person.objects.count() == before
        assert not ImportJob.objects.filter(status=ImportStatus.VALIDATED).exists()

    def test_not_excel(self, office, world):
        before = Person.objects.count()
        response = office.post(URL, {"file": upload(b"staff_no,name\nB1,Li\n", name="persons.xlsx")})
        message = refused(response)
        assert "xlsx" in message.lower()
        assert 'id="import-file-error"' in response.content.decode()
        self.assert_nothing_written(before)

    def test_a_zip_that_is_not_a_workbook(self, office, world):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "not a workbook")
        before = Person.objects.count()
        refused(office.post(URL, {"file": upload(buf.getvalue())}))
        self.assert_nothing_written(before)

    def test_empty_file(self, office, world):
        before = Person.objects.count()
        message = refused(office.post(URL, {"file": upload(b"")}))
        assert message == _msg("The file is empty.")
        self.assert_nothing_written(before)

    def test_empty_sheet(self, office, world):
        before = Person.objects.count()
        refused(office.post(URL, {"file": upload(xlsx_bytes(None))}))
        self.assert_nothing_written(before)

    def test_headers_but_no_rows(self, office, world):
        before = Person.objects.count()
        refused(office.post(URL, {"file": upload(xlsx_bytes(HEADERS, [[None] * 5, []]))}))
        self.assert_nothing_written(before)

    def test_oversized(self, office, world, settings):
        settings.IMPORT_MAX_BYTES = 1024
        before = Person.objects.count()
        message = refused(office.post(URL, {"file": upload(xlsx_bytes(HEADERS, rows(50)))}))
        assert "1 KiB" in message
        self.assert_nothing_written(before)

    def test_too_many_rows(self, office, world, settings):
        settings.IMPORT_MAX_ROWS = 10
        before = Person.objects.count()
        message = refused(office.post(URL, {"file": upload(xlsx_bytes(HEADERS, rows(11)))}))
        assert "10" in message
        self.assert_nothing_written(before)

    def test_wrong_headers_list_the_expected_ones(self, office, world):
        before = Person.objects.count()
        headers = ["工号", "名字", "性别", "身份证", "科室"]  # 姓名 and 身份证号 misnamed
        message = refused(office.post(URL, {"file": upload(xlsx_bytes(headers, rows(2)))}))
        for expected in ("名字", "身份证", "姓名", "身份证号", "出生日期", "人才标签"):
            assert expected in message
        self.assert_nothing_written(before)

    def test_repeated_header(self, office, world):
        message = refused(office.post(URL, {"file": upload(xlsx_bytes(HEADERS + ["姓名"], rows(1)))}))
        assert "姓名" in message

    def test_no_file(self, office, world):
        response = office.post(URL, {})
        assert response.status_code == 422
        assert response.context["form"].errors["file"]


def _msg(text):
    from django.utils.translation import gettext

    return gettext(text)


class TestReading:
    def test_optional_columns_may_be_left_out_and_headers_may_carry_a_star(self, office, world):
        headers = ["工号*", " 姓名 ", "性别", "身份证号", "科室"]
        response = office.post(URL, {"file": upload(xlsx_bytes(headers, rows(2)))})
        assert response.status_code == 200, response.context.get("errors")
        assert response.context["job"].total_rows == 2

    def test_empty_rows_are_skipped_and_row_numbers_are_excel_rows(self, office, world):
        data = rows(1) + [[None] * 5] + [["B00009", None, "男", None, "产科"]]
        response = office.post(URL, {"file": upload(xlsx_bytes(HEADERS, data))})
        [error] = response.context["row_errors"]
        assert (error["row"], error["column"]) == (4, "姓名")

    def test_check_headers_accepts_the_template(self):
        from hongqing.people.imports import PersonImport

        imports.check_headers([c.header for c in PersonImport.columns], PersonImport.columns)

    def test_extra_columns_are_read_when_the_spec_asks(self):
        columns = [imports.ImportColumn("工号", "staff_no", required=True)]
        content = xlsx_bytes(["工号", "奖励性绩效"], [["A1", 6000]])
        with pytest.raises(imports.ImportFileError):
            imports.read_workbook(io.BytesIO(content), columns)
        parsed = imports.read_workbook(io.BytesIO(content), columns, extra_columns=True)
        assert parsed.rows == [[2, {"工号": "A1", "奖励性绩效": 6000}]]


class TestParsers:
    def test_dates(self):
        assert imports.date_value("2020-09-01") == dt.date(2020, 9, 1)
        assert imports.date_value("2020/9/1") == dt.date(2020, 9, 1)
        assert imports.date_value(dt.datetime(2020, 9, 1, 0, 0)) == dt.date(2020, 9, 1)
        assert imports.date_value(20200901) == dt.date(2020, 9, 1)
        with pytest.raises(imports.CellError):
            imports.date_value("2020年9月1日")

    def test_choice_accepts_terms_labels_and_values(self):
        from hongqing.people.imports import TITLE_GRADE

        assert TITLE_GRADE("副高") == TitleGrade.ASSOCIATE_SENIOR
        assert TITLE_GRADE("associate_senior") == TitleGrade.ASSOCIATE_SENIOR
        assert TITLE_GRADE("Associate senior") == TitleGrade.ASSOCIATE_SENIOR
        assert TITLE_GRADE.allowed == ["初级", "中级", "副高", "正高"]
        with pytest.raises(imports.CellError) as exc:
            TITLE_GRADE("特级")
        assert "初级、中级、副高、正高" in str(exc.value)

    def test_text_of_a_number_has_no_decimal_point(self):
        assert imports.text(10023.0) == "10023"

    def test_name_list(self):
        assert imports.name_list("学科带头人、头雁人才，青年骨干") == ["学科带头人", "头雁人才", "青年骨干"]

    def test_error_format_names_row_and_column(self):
        text = imports.format_error({"row": 5, "column": "身份证号", "message": "X"})
        assert "5" in text and "身份证号" in text and text.endswith("X")


@pytest.mark.django_db(transaction=True)
def test_a_large_import_runs_in_the_background_and_shows_progress(client, settings):
    from hongqing.core.testing.world import build_world

    world = build_world()
    settings.IMPORT_BACKGROUND_MIN_ROWS = 30
    client.force_login(world.office)
    before = Person.objects.count()
    response = client.post(URL, {"file": upload(xlsx_bytes(HEADERS, rows(40)))})
    assert response.status_code == 200, response.context.get("errors")
    job = response.context["job"]

    response = client.post(URL, {"job": job.pk, "confirm": "1"})
    assert response.status_code == 302 and f"job={job.pk}" in response["Location"]
    imports.wait_for(job.pk)  # the thread starts when the response is closed

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert job.done_rows == 40 and job.finished is not None
    assert Person.objects.count() == before + 40

    page = client.get(URL, {"job": job.pk})
    assert 'id="import-success"' in page.content.decode()
    partial = client.get(URL, {"job": job.pk, "partial": "progress"}, HTTP_HX_REQUEST="true")
    content = partial.content.decode()
    assert 'id="import-success"' in content and "40" in content
    assert "hx-trigger" not in content  # polling stops once the import is done


@pytest.mark.django_db(transaction=True)
def test_a_background_import_that_fails_writes_nothing(client, settings):
    from hongqing.core.testing.world import build_world

    world = build_world()
    settings.IMPORT_BACKGROUND_MIN_ROWS = 5
    client.force_login(world.office)
    response = client.post(URL, {"file": upload(xlsx_bytes(HEADERS, rows(8)))})
    job = response.context["job"]
    # Someone else takes a staff number between the check and the confirmation.
    Person.objects.create(hospital=world.hospital, staff_no="B00008", name="先到", gender="M")
    before = Person.objects.count()
    client.post(URL, {"job": job.pk, "confirm": "1"})
    imports.wait_for(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(9, "工号")]
    assert Person.objects.count() == before


def test_the_progress_partial_polls_while_running(office, world):
    job = ImportJob.objects.create(
        created_by=world.office, model_label="people.person", status=ImportStatus.RUNNING, total_rows=200
    )
    imports.report_progress(job.pk, "write", 50)
    content = office.get(URL, {"job": job.pk, "partial": "progress"}).content.decode()
    assert 'id="import-progress"' in content and 'hx-trigger="every 1s"' in content
    assert 'aria-valuenow="25"' in content
