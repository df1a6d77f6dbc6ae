"""Points in a real browser: a branch secretary proposes a manual item, the Party office approves it
from its home page, and the member's total shows it; a member on a 375-px phone reads their points
by month and follows a line to the meeting behind it."""

import re
from decimal import Decimal

from django.db.models import Sum
from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.people.models import Person
from hongqing.points.models import PointEntry, PointProposal, PointRule

from .test_phone import assert_no_horizontal_scroll

REASON = "夜班连续抢救两名危重孕产妇，家属送来感谢信"


def _total(person, year) -> Decimal:
    return PointEntry.objects.filter(person=person, year=year).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def test_a_secretary_proposes_points_the_office_approves_and_the_member_sees_them(
    live_server, page, demo, log_in
):
    member = Person.objects.get(user__username="member")
    year = demo.today.year
    before = _total(member, year)

    # The secretary: the branch's points, "propose points", the member, the item, the reason.
    log_in(page, "secretary", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/points/branches/")
    expect(page).to_have_url(re.compile(r"/points/branches/\d+/"))
    expect(page.locator(f"#member-totals tr[data-person='{member.pk}']")).to_be_visible()
    page.locator("#propose").click()
    page.locator("#id_person").select_option(str(member.pk))
    item = PointRule.objects.get(hospital=member.hospital, name="先进事迹、好人好事")
    page.locator("#id_rule").select_option(str(item.pk))
    page.locator("#id_reason").fill(REASON)
    page.locator("#propose-submit").click()
    expect(page.locator("#proposal-badge")).to_have_text("待党办审核")
    proposal = PointProposal.objects.get(reason=REASON)
    assert _total(member, year) == before  # not in the total until approved

    # The Party office: the home page's queue, the proposal, approve.
    page.context.clear_cookies()
    log_in(page, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    page.locator("#proposals-waiting").click()
    page.locator(f"a[href='{proposal.get_absolute_url()}']").first.click()
    page.locator("#decide-note").fill("情况属实")
    page.locator("#approve").click()
    expect(page.locator("#proposal-badge")).to_have_text("已通过")
    assert _total(member, year) == before + proposal.amount

    # The member sees the new total and the line.
    page.context.clear_cookies()
    log_in(page, "member", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/points/")
    expected = f"{before + proposal.amount:.2f}".rstrip("0").rstrip(".")
    expect(page.locator("#points-figure")).to_have_text(expected)
    expect(page.locator(f"a[href='{proposal.get_absolute_url()}']")).to_be_visible()


def test_a_member_on_a_phone_reads_their_points_and_follows_a_line_to_its_meeting(
    live_server, phone_page, demo, log_in
):
    page = phone_page
    member = Person.objects.get(user__username="member")
    log_in(page, "member", DEMO_PASSWORD)

    # From the menu: 我的积分.
    page.locator("button.navbar-toggler").click()
    page.get_by_role("button", name=re.compile("积分与荣誉")).click()
    page.get_by_role("link", name="我的积分").click()
    expect(page).to_have_url(f"{live_server.url}/points/")
    total = _total(member, demo.today.year)
    expect(page.locator("#points-figure")).to_have_text(f"{total:.2f}".rstrip("0").rstrip("."))
    expect(page.locator("#points-months li")).to_have_count(12)
    expect(page.locator("#points-rank")).to_have_count(0)  # rankings are off by default
    assert_no_horizontal_scroll(page, "my points")

    # A line of organisational life leads to its meeting.
    line = (
        PointEntry.objects.filter(person=member, rule__trigger="meeting_attendance", year=demo.today.year)
        .order_by("-date", "-pk")
        .first()
    )
    link = page.locator(f"#line-{line.pk} a.points-record")
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    assert box["width"] > 40 and box["x"] + box["width"] <= 375
    link.click()
    expect(page).to_have_url(f"{live_server.url}{line.record_url()}")
    expect(page.locator(f"#attendance-{member.pk}")).to_be_visible()
    assert_no_horizontal_scroll(page, "the meeting's page")
