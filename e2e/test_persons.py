"""The persons list and a person's page as the Party office: pinyin search, ID unmasking, Excel export."""

import re

from auditlog.models import LogEntry
from openpyxl import load_workbook
from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.people.models import Person


def _findable_by_initials(demo) -> Person:
    """A branch member whose pinyin initials find few enough persons to be on the first page."""
    branch = demo.data["hospitals"][0]["branches"][0]
    hospital = branch.hospital
    for m in demo.data["people"]["branch_members"][branch.pk]:
        p = Person.objects.get(pk=m.person_id)
        if len(p.name_initials) >= 2 and (
            Person.objects.filter(hospital=hospital, name_initials__startswith=p.name_initials).count() <= 10
        ):
            return p
    raise AssertionError("no demo member with distinctive initials")


def test_office_finds_a_member_by_pinyin_initials(live_server, page, demo, log_in):
    person = _findable_by_initials(demo)
    expected = Person.objects.filter(hospital=person.hospital, name_initials__startswith=person.name_initials)

    log_in(page, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/people/persons/")
    results = page.locator("#results")
    expect(results.locator("tbody tr")).to_have_count(50)  # first page of the whole hospital
    page.evaluate("window.hqNoReload = true")  # gone if the page reloads instead of swapping #results

    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("input[name=q]").press_sequentially(person.name_initials, delay=50)
    expect(results.locator("tbody tr")).to_have_count(expected.count())
    expect(results.locator("p").first).to_contain_text(re.compile(rf"(?<!\d){expected.count()}(?!\d)"))
    link = results.locator(f'a[href="{person.get_absolute_url()}"]')
    expect(link).to_have_text(person.name)
    assert page.evaluate("window.hqNoReload") is True
    expect(page).to_have_url(re.compile(rf"[?&]q={person.name_initials}\b"))  # hx-push-url

    link.click()
    expect(page).to_have_url(f"{live_server.url}{person.get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text(person.name)
    expect(page.locator("dl.hq-fields").first).to_contain_text(person.staff_no)


def test_office_unmasks_an_id_number_and_it_is_audited(live_server, page, demo, log_in):
    person = Person.objects.filter(hospital=demo.data["hospitals"][0]["hospital"]).order_by("staff_no")[0]
    assert person.id_number

    log_in(page, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    id_number = page.locator("#id-number")
    expect(id_number).to_have_text(person.masked_id_number)
    assert "*" in person.masked_id_number and person.id_number not in page.content()

    page.evaluate("window.hqNoReload = true")
    page.locator("#unmask").click()
    expect(id_number).to_have_text(person.id_number)
    assert page.evaluate("window.hqNoReload") is True
    assert LogEntry.objects.filter(
        object_pk=str(person.pk), additional_data__event="unmask", actor__username="office"
    ).exists()


def test_office_exports_the_filtered_persons_list_to_excel(live_server, page, demo, log_in, tmp_path):
    branch = demo.data["hospitals"][0]["branches"][0]
    members = Person.objects.filter(membership__organization=branch).order_by("staff_no")
    known = members[0]

    log_in(page, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/people/persons/")
    headers = [h.strip() for h in page.locator("#results thead th").all_inner_texts()]
    # Filter by the branch (an HTMX swap of #results), then export what is shown.
    with page.expect_response(lambda r: "branch=" in r.url):
        page.locator("select[name=branch]").select_option(str(branch.pk))
    expect(page.locator("#results tbody tr")).to_have_count(members.count())

    with page.expect_download() as info:
        page.locator("#hq-export").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    sheet = load_workbook(path, read_only=True).active
    rows = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == headers
    assert len(rows) == 1 + members.count()  # the branch's persons only, as on the screen
    row = next(r for r in rows[1:] if r[0] == known.staff_no)
    assert row[1] == known.name
    assert branch.name in row
