"""Heart-to-heart talks in a browser, on a phone: a secretary follows the yearly duty to whom they still
owe a talk, records one from the prefilled form, and sees the pair counted."""

from django.utils import timezone
from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.party.models import Obligation, Talk

from .test_phone import assert_no_horizontal_scroll


def test_secretary_records_an_owed_talk_and_sees_it_counted(live_server, phone_page, demo, log_in):
    page = phone_page
    branch = demo.data["hospitals"][0]["branches"][0]
    year = timezone.localdate().year
    duty = Obligation.objects.get(organization=branch, code="duty.heart_to_heart", period_start__year=year)
    assert duty.done_on is None and duty.required > duty.done_count, "the demo leaves talks owed this year"
    log_in(page, "secretary", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/party/duties/organizations/{branch.pk}/?year={year}")
    item = page.locator('li.hq-duty[data-code="duty.heart_to_heart"]')
    progress_link = item.locator("a.hq-duty-progress")
    expect(progress_link).to_contain_text(f"{duty.done_count}/{duty.required}")
    progress_link.click()

    progress = page.locator("#talk-progress")
    expect(progress).to_have_attribute("data-done", str(duty.done_count))
    assert_no_horizontal_scroll(page, "the heart-to-heart coverage page")
    before = Talk.objects.count()
    page.locator("a.hq-talk-todo").first.click()

    form = page.locator("main form")
    expect(form.locator("select[name=kind]")).to_have_value("heart_to_heart")
    form.locator("textarea[name=notes]").fill("交流了近期工作和思想情况")
    assert_no_horizontal_scroll(page, "the talk form")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Talk.objects.count() == before + 1

    page.goto(f"{live_server.url}/party/talks/coverage/{branch.pk}/?year={year}")
    expect(progress).to_have_attribute("data-done", str(duty.done_count + 1))
    duty.refresh_from_db()
    assert duty.done_count == int(progress.get_attribute("data-done"))
