"""On a 375-px phone, a branch secretary records a branch committee meeting with attendance — one
member on leave with a reason — in a few taps, and finds it on the meeting list."""

import re

from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.party.choices import AttendanceStatus, MeetingKind, MeetingStatus
from hongqing.party.models import Meeting

from .test_phone import assert_no_horizontal_scroll

TOPIC = "研究本月发展对象培养"


def test_secretary_records_a_branch_committee_meeting_on_a_phone(live_server, phone_page, demo, log_in):
    page = phone_page
    branch = demo.data["hospitals"][0]["branches"][0]
    log_in(page, "secretary", DEMO_PASSWORD)

    # The meeting list, then "add": the record page opens with the branch, the kind, the time and
    # the roster (the committee's post holders, all present) already filled in.
    page.goto(f"{live_server.url}/party/meetings/")
    page.locator("main a.btn-hq").first.click()
    expect(page).to_have_url(re.compile(r"/party/meetings/add/$"))
    assert page.locator("#id_organization").input_value() == str(branch.pk)
    assert page.locator("#id_kind").input_value() == MeetingKind.BRANCH_COMMITTEE
    rows = page.locator("#attendance-rows li.att-row")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert count >= 2
    assert page.locator("#attendance-rows input[value=present]:checked").count() == count
    assert_no_horizontal_scroll(page, "the record page")

    # Type the topic; one member is on leave: tap "leave", the reason field appears, type the reason.
    page.locator("#id_topic").fill(TOPIC)
    row = rows.nth(1)
    name = row.get_attribute("data-name")
    reason = row.locator("input[name$=-reason]")
    expect(reason).to_be_hidden()
    leave = row.locator("label.btn-outline-warning")
    box = leave.bounding_box()
    assert box["height"] >= 40, "the toggles are big enough to tap"
    leave.click()
    expect(reason).to_be_visible()
    reason.fill("门诊值班")
    page.locator("#save-meeting").click()

    # The meeting's page: held, the quorum, the member on leave with the reason.
    expect(page.locator("#meeting-status")).to_be_visible()
    meeting = Meeting.objects.get(topic=TOPIC)
    expect(page).to_have_url(f"{live_server.url}{meeting.get_absolute_url()}")
    assert (meeting.status, meeting.kind, meeting.organization_id) == (
        MeetingStatus.HELD,
        MeetingKind.BRANCH_COMMITTEE,
        branch.pk,
    )
    on_leave = meeting.attendances.get(status=AttendanceStatus.LEAVE)
    assert (on_leave.person.name, on_leave.reason) == (name, "门诊值班")
    assert meeting.attendances.filter(status=AttendanceStatus.PRESENT).count() == count - 1
    expect(page.locator(f"#attendance-{on_leave.person_id}")).to_contain_text("门诊值班")
    expect(page.locator("#quorum-status")).to_be_visible()
    assert_no_horizontal_scroll(page, "the meeting's page")

    # …and on the meeting list.
    page.goto(f"{live_server.url}/party/meetings/")
    expect(page.locator("#results").get_by_text(TOPIC)).to_be_visible()
