"""Importing persons from Excel in the browser: a bad row is named, the corrected file goes in."""

import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.core.idnumber import check_digit
from hongqing.people.models import Person


def id_number(birth: str, serial: str) -> str:
    first17 = f"110105{birth}{serial}"  # a district the demo hospital's staff are not from
    return first17 + check_digit(first17)


GOOD_ID = id_number("19900517", "123")  # odd serial: a man
FIXED_ID = id_number("19880203", "246")  # even serial: a woman
BAD_ID = FIXED_ID[:-1] + ("0" if FIXED_ID[-1] != "0" else "1")  # wrong check digit
ROWS = [  # 工号, 姓名, 性别, 身份证号, 科室, 职称, 学历
    ["E2E001", "欧阳明远", "男", GOOD_ID, "产科", "中级", "本科"],
    ["E2E002", "司马静怡", "女", BAD_ID, "儿科", "初级", "硕士"],
    ["E2E003", "诸葛文华", "男", "", "产科", "副高", "博士"],
]


def fill_template(template_path, out_path, rows):
    wb = load_workbook(template_path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for r, values in enumerate(rows, start=2):
        for header, value in zip(
            ["工号", "姓名", "性别", "身份证号", "科室", "职称", "学历"], values, strict=True
        ):
            if value:
                ws.cell(row=r, column=headers.index(header) + 1, value=value)
    wb.save(out_path)


def test_office_imports_persons_after_correcting_a_bad_row(live_server, page, demo, log_in, tmp_path):
    log_in(page, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/people/persons/")
    page.locator('a[href="/people/persons/import/"]').click()
    expect(page.locator("#import-file")).to_be_visible()

    with page.expect_download() as info:
        page.locator("#import-template").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)

    # A file with one bad row: the ID number's check digit is wrong (row 3 of the sheet).
    bad = tmp_path / "职工-有误.xlsx"
    fill_template(template, bad, ROWS)
    page.locator("#import-file").set_input_files(bad)
    page.locator("#import-submit").click()
    errors = page.locator("#import-errors .import-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_have_attribute("data-row", "3")
    expect(errors.first).to_have_attribute("data-column", "身份证号")
    expect(errors.first).to_contain_text("3")
    expect(errors.first).to_contain_text("身份证号")
    assert not Person.objects.filter(staff_no__startswith="E2E").exists()  # nothing written

    # Correct the file and upload it again: checked, previewed, confirmed.
    fixed_rows = [row[:] for row in ROWS]
    fixed_rows[1][3] = FIXED_ID
    good = tmp_path / "职工.xlsx"
    fill_template(template, good, fixed_rows)
    page.locator("#import-again").click()
    page.locator("#import-file").set_input_files(good)
    page.locator("#import-submit").click()
    expect(page.locator("#import-preview tbody tr")).to_have_count(3)
    page.locator("#import-confirm").click()
    expect(page.locator("#import-success")).to_contain_text(re.compile(r"(?<!\d)3(?!\d)"))

    # The three persons are in the list.
    page.locator("#import-to-list").click()
    with page.expect_response(lambda r: "q=E2E" in r.url):
        page.locator("input[name=q]").press_sequentially("E2E", delay=50)
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    for staff_no, name, *_ in ROWS:
        expect(page.locator("#results")).to_contain_text(staff_no)
        expect(page.locator("#results").get_by_role("link", name=name, exact=True)).to_be_visible()
    assert Person.objects.get(staff_no="E2E002").id_number == FIXED_ID
