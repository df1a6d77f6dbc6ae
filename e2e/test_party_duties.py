"""Duty lists in a browser: the office follows the heat map to a branch's month and sees a duty turn green
when its meeting is recorded; a secretary on a phone opens a reminder and lands on their duty list."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from hongqing.accounts.models import User
from hongqing.core.demo import DEMO_PASSWORD
from hongqing.core.notifications import notify
from hongqing.party.choices import MeetingKind, MeetingStatus
from hongqing.party.models import Meeting, Obligation

from .test_phone import assert_no_horizontal_scroll


def test_office_follows_the_heat_map_and_sees_a_duty_turn_green(live_server, page, demo, log_in):
    hospital = demo.data["hospitals"][0]["hospital"]
    today = timezone.localdate()
    duty = (
        Obligation.objects.filter(
            organization__hospital=hospital,
            code="duty.theme_day",
            period_start=today.replace(day=1),
            done_on__isnull=True,
        )
        .select_related("organization")
        .first()
    )
    assert duty is not None, "the demo leaves a branch without this month's theme day"
    log_in(page, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/party/duties/heatmap/")
    heatmap = page.locator("#duty-heatmap")
    # Red where the demo's meetings were missed, amber this month, green where they were held.
    statuses = ("done", "due_soon", "overdue") if Meeting.objects.exists() else ("due_soon", "overdue")
    for status in statuses:
        expect(heatmap.locator(f'td.hq-cell[data-status="{status}"]').first).to_be_visible()
    cell = heatmap.locator(f'tr[data-org="{duty.organization_id}"] td[data-month="{today.month}"] a')
    expect(cell).to_have_attribute("class", "text-bg-warning")
    cell.click()

    item = page.locator('li.hq-duty[data-code="duty.theme_day"]').first
    expect(page.locator("h1")).to_contain_text(duty.organization.name)
    expect(item).to_have_attribute("data-status", "due_soon")

    # The meeting is recorded (the meetings pages do this); nobody ticks the duty.
    Meeting.objects.create(
        organization=duty.organization,
        kind=MeetingKind.THEME_DAY,
        status=MeetingStatus.HELD,
        start=timezone.now() - dt.timedelta(minutes=1),
        topic="重温入党誓词",
    )
    page.reload()
    expect(item).to_have_attribute("data-status", "done")
    expect(item.locator(".hq-duty-record")).to_contain_text("重温入党誓词")


def test_secretary_opens_a_reminder_on_a_phone(live_server, phone_page, demo, log_in):
    page = phone_page
    secretary = User.objects.get(username="secretary")
    branch = demo.data["hospitals"][0]["branches"][0]
    url = f"/party/duties/organizations/{branch.pk}/?year={timezone.localdate().year}"
    notify(secretary, "即将到期：主题党日", url=url)
    log_in(page, "secretary", DEMO_PASSWORD)
    expect(page.locator("#duty-tasks")).to_be_visible()
    assert_no_horizontal_scroll(page, "the home page with the duty panel")
    expect(page.locator("#hq-unread")).to_have_text("1")
    page.locator("#hq-bell").click()
    page.get_by_text("即将到期：主题党日").click()
    expect(page.locator("#duty-months")).to_be_visible()
    expect(page.locator("#hq-unread")).to_have_count(0)
    assert_no_horizontal_scroll(page, "the duty list")
    expect(page.locator("#duty-board section").first).to_be_visible()
