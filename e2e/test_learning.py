"""Learning in a real browser. On a 375-px phone, a member opens the check-in link of the session
happening now, checks in and sees the hours credited; a member takes a 5-question quiz and sees the
score with the explanations. On a desktop, a secretary records a session's attendance from the
roster and confirms a member's self-study."""

import re

from playwright.sync_api import expect

from hongqing.accounts.models import User
from hongqing.core.demo import DEMO_PASSWORD
from hongqing.learning.choices import SelfStudyStatus
from hongqing.learning.models import QuizAttempt, SelfStudy, StudyAttendance, StudySession
from hongqing.learning.services import hours
from hongqing.learning.services import sessions as services

from .test_phone import assert_no_horizontal_scroll


def test_a_member_checks_in_on_a_phone_and_sees_the_hours(live_server, phone_page, demo, log_in):
    page = phone_page
    session = demo.data["learning"]["open_session"]
    member = User.objects.get(username="member").person
    before = hours.person_hours(member, session.local_date.year).total
    log_in(page, "member", DEMO_PASSWORD)

    # Home: the session to check in to is among the member's tasks.
    expect(page.locator("#learning-tasks")).to_contain_text(session.title)

    # The QR code on the organiser's screen leads here (the link with its signed code).
    page.goto(f"{live_server.url}/learning/check-in/{services.code_for(session)}/")
    expect(page.locator("#checkin-session")).to_contain_text(session.title)
    button = page.locator("#confirm-checkin")
    assert button.bounding_box()["height"] >= 44, "big enough to tap"
    assert_no_horizontal_scroll(page, "the check-in page")
    button.click()

    # My study: the check-in message and the hours, credited once.
    expect(page).to_have_url(re.compile(r"/learning/mine/"))
    expect(page.locator(".alert-success")).to_contain_text(session.title)
    after = hours.person_hours(member, session.local_date.year).total
    assert after == before + session.hours
    expect(page.locator("#my-hours-total")).to_have_text(str(after))
    expect(page.locator(f'#my-attendance [data-session="{session.pk}"]')).to_be_visible()
    row = StudyAttendance.objects.get(session=session, person=member)
    assert (row.via, row.counts) == ("checkin", True)
    assert_no_horizontal_scroll(page, "My study")

    # Scanning again: already checked in, nothing counted twice.
    page.goto(f"{live_server.url}/learning/check-in/{services.code_for(session)}/")
    expect(page.locator("#checkin-refused")).to_have_attribute("data-reason", "already")
    assert StudyAttendance.objects.filter(session=session, person=member).count() == 1


def test_a_member_takes_a_five_question_quiz_on_a_phone(live_server, phone_page, demo, log_in):
    page = phone_page
    log_in(page, "member", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/learning/mine/")
    page.locator("#open-quizzes a.btn-hq").first.click()
    page.locator("#start-quiz").click()
    questions = page.locator(".question")
    expect(questions.first).to_be_visible()
    assert questions.count() == 5
    expect(page.locator("#countdown")).to_have_text(re.compile(r"\d+:\d\d"))
    assert_no_horizontal_scroll(page, "the quiz")
    # Choose the first option of every question (each saved as it is chosen), then submit.
    for i in range(5):
        q = questions.nth(i)
        q.locator("input").first.check()
        expect(q.locator("[id^=saved-]")).to_contain_text("已保存")
    page.locator("#submit-quiz").click()

    expect(page.locator("#quiz-score")).to_be_visible()
    attempt = QuizAttempt.objects.filter(person__user__username="member").latest("started_at")
    assert attempt.is_submitted and attempt.max_score == 5
    expect(page.locator("#score")).to_have_text(f"{attempt.score.normalize():f}")
    expect(page.locator(".explanation").first).to_be_visible()
    assert page.locator("[id^=result-]").count() == 5
    assert_no_horizontal_scroll(page, "the quiz result")


def test_a_secretary_records_attendance_and_confirms_a_self_study(live_server, page, demo, log_in):
    log_in(page, "secretary", DEMO_PASSWORD)
    session = demo.data["learning"]["open_session"]
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    page.locator("#record-attendance").click()
    rows = page.locator("#attendance-rows li.att-row")
    expect(rows.first).to_be_visible()
    # One member on leave with a reason, everyone else not yet recorded present.
    unrecorded = page.locator("#attendance-rows li.att-row:has(input[value='']:checked)")
    row_id = unrecorded.first.get_attribute("id")
    target = page.locator(f"#{row_id}")
    name = target.get_attribute("data-name")
    target.locator("label.btn-outline-warning").click()
    target.locator("input[name$=-reason]").fill("门诊值班")
    page.locator("#save-attendance").click()
    expect(page.locator(".alert-success")).to_be_visible()
    on_leave = StudyAttendance.objects.get(session=session, person__name=name, status="leave")
    assert on_leave.reason == "门诊值班"
    expect(page.locator(f"#attendance-{on_leave.person_id}")).to_contain_text("门诊值班")

    # The home panel leads to the self-study awaiting confirmation.
    page.goto(f"{live_server.url}/")
    page.locator("#review-selfstudy").click()
    page.locator("#results table tbody tr a").nth(1).click()  # the record's title
    page.locator("#confirm-selfstudy").click()
    expect(page.locator("#selfstudy-status")).to_have_text("已确认")
    record_id = int(re.search(r"/self-study/(\d+)/", page.url).group(1))
    assert SelfStudy.objects.get(pk=record_id).status == SelfStudyStatus.CONFIRMED
    assert StudySession.objects.filter(pk=session.pk).exists()
