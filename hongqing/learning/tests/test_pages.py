"""The learning pages at work: recording attendance from the roster, the QR screen and the check-in
page, self-study on a phone and its review, taking a quiz, the hours list, branch completion, the
member's own page, plans and the panels on other pages — in Chinese."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hongqing.core.testing.world import make_person
from hongqing.learning.choices import QuestionKind, SelfStudyStatus, StudyAttendanceStatus
from hongqing.learning.models import (
    CheckIn,
    QuizAttempt,
    SelfStudy,
    StudyAttendance,
    StudyPlanItem,
    StudySession,
)
from hongqing.learning.services import sessions as services

from .learning_records import attend, members, question, quiz, self_study, session


@pytest.fixture
def live(world):
    """A session happening now in branch A."""
    start = timezone.now() - dt.timedelta(minutes=10)
    return session(world.branch_a, start=start, title="今晚夜校：党章", hours="2")


def test_the_roster_page_records_attendance_with_a_toggle_each(client, world, live):
    client.force_login(world.secretary_a)
    url = reverse("learning:studysession_attendance", args=[live.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert world.person_a.name in html and world.person_b.name not in html
    assert "出席" in html and "补学" in html
    a, sec = world.person_a.pk, world.secretary_a.person.pk
    response = client.post(
        url,
        {
            f"a-{a}-status": "present",
            f"a-{a}-hours": "2",
            f"a-{sec}-status": "leave",
            f"a-{sec}-reason": "手术",
            f"a-{sec}-hours": "2",
        },
    )
    assert response.status_code == 302
    rows = dict(StudyAttendance.objects.filter(session=live).values_list("person_id", "status"))
    assert rows == {a: "present", sec: "leave"}


def test_everyone_present_and_a_missing_reason_is_said_in_chinese(client, world, live):
    client.force_login(world.secretary_a)
    url = reverse("learning:studysession_attendance", args=[live.pk])
    sec = world.secretary_a.person.pk
    response = client.post(url, {f"a-{sec}-status": "absent", f"a-{sec}-hours": "2"})
    assert response.status_code == 422
    assert "请假或缺席须注明原因" in response.content.decode()
    assert not StudyAttendance.objects.filter(session=live).exists()
    response = client.post(url, {"_all_present": "1"})
    assert response.status_code == 302
    assert StudyAttendance.objects.filter(session=live, status="present").count() == 2


def test_the_qr_screen_shows_a_code_that_leads_to_the_check_in_page(client, world, live):
    client.force_login(world.secretary_a)
    page = client.get(reverse("learning:studysession_qr", args=[live.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'hx-trigger="every' in html
    url = re.search(r'data-url="([^"]+)"', html).group(1)
    partial = client.get(reverse("learning:studysession_qr_code", args=[live.pk]))
    assert (
        partial.status_code == 200
        and "<svg" in partial.content.decode()
        and "<html" not in partial.content.decode()
    )
    # A member scans it, confirms, and sees their hours.
    client.force_login(world.member_a)
    path = url.replace("http://testserver", "")
    page = client.get(path)
    assert page.status_code == 200 and "签到" in page.content.decode()
    ticket = page.context["ticket"]
    done = client.post(path, {"ticket": ticket}, follow=True)
    assert done.status_code == 200
    assert "2" in done.content.decode() and "签到" in done.content.decode()
    assert StudyAttendance.objects.get(session=live, person=world.person_a).via == "checkin"
    # The same confirmation again: refused, and said.
    again = client.post(path, {"ticket": ticket})
    assert again.status_code == 422 and "已使用" in again.content.decode()
    # Opening the code again: already checked in.
    again = client.get(path)
    assert again.status_code == 200 and "已签到" in again.content.decode()


def test_the_check_in_page_refuses_with_chinese_messages(client, world, live):
    code = services.code_for(live)
    client.force_login(world.secretary_b)  # not in branch A's audience
    response = client.get(reverse("learning:checkin", args=[code]))
    assert response.status_code == 422 and "参学范围" in response.content.decode()
    client.force_login(world.member_a)
    response = client.get(reverse("learning:checkin", args=["12.345:forged"]))
    assert response.status_code == 422 and "签到码无效" in response.content.decode()
    old = services.code_for(live, now=timezone.now() - dt.timedelta(minutes=5))
    response = client.get(reverse("learning:checkin", args=[old]))
    assert response.status_code == 422 and "过期" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_member_records_a_self_study_and_the_secretary_confirms_it(client, world):
    client.force_login(world.member_a)
    page = client.get(reverse("learning:selfstudy_mine_add"))
    assert page.status_code == 200
    response = client.post(
        reverse("learning:selfstudy_mine_add"),
        {
            "kind": "book",
            "title": "《中国共产党章程》",
            "studied_on": timezone.localdate().isoformat(),
            "hours": "3",
            "note": "逐条学习",
        },
    )
    assert response.status_code == 302
    record = SelfStudy.objects.get(title="《中国共产党章程》")
    assert record.person == world.person_a and record.status == SelfStudyStatus.PENDING
    # Negative hours: refused, said, nothing written.
    bad = client.post(
        reverse("learning:selfstudy_mine_add"),
        {"kind": "book", "title": "负学时", "studied_on": timezone.localdate().isoformat(), "hours": "-2"},
    )
    assert bad.status_code == 422 and not SelfStudy.objects.filter(title="负学时").exists()
    # The member cannot confirm their own.
    response = client.post(reverse("learning:selfstudy_review", args=[record.pk]), {"decision": "confirm"})
    assert response.status_code == 403
    client.force_login(world.secretary_a)
    listing = client.get(reverse("learning:selfstudy_list") + "?status=pending")
    assert record in list(listing.context["table"].data)
    page = client.get(record.get_absolute_url())
    assert page.context["can_review"]
    client.post(reverse("learning:selfstudy_review", args=[record.pk]), {"decision": "confirm"})
    record.refresh_from_db()
    assert record.status == SelfStudyStatus.CONFIRMED
    # Secretary B never sees it.
    client.force_login(world.secretary_b)
    assert client.get(record.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("learning:selfstudy_review", args=[record.pk]), {"decision": "reject"}
        ).status_code
        == 404
    )


def test_a_rejection_without_a_reason_is_refused(client, world):
    record = self_study(world.person_a)
    client.force_login(world.secretary_a)
    response = client.post(
        reverse("learning:selfstudy_review", args=[record.pk]),
        {"decision": "reject", "reason": ""},
        follow=True,
    )
    assert "退回理由" in response.content.decode()
    record.refresh_from_db()
    assert record.status == SelfStudyStatus.PENDING


@pytest.fixture
def five(world):
    h = world.hospital
    qs = [
        question(h, QuestionKind.SINGLE, "B", text="党的最高理想是什么？", explanation="共产主义。"),
        question(h, QuestionKind.SINGLE, "C", text="单选二"),
        question(h, QuestionKind.TRUE_FALSE, "A", text="判断一"),
        question(h, QuestionKind.MULTIPLE, "ABD", text="多选一"),
        question(h, QuestionKind.MULTIPLE, "CD", text="多选二"),
    ]
    return quiz(world.branch_a, qs, minutes=5, title="党史快问快答（五题）")


def test_a_member_takes_a_quiz_and_sees_the_score_with_explanations(client, world, five):
    client.force_login(world.member_a)
    url = reverse("learning:quiz_take", args=[five.pk])
    assert "开始" in client.get(url).content.decode()
    client.post(url, {"start": "1"})
    page = client.get(url)
    assert page.status_code == 200
    qs = [qq.question for qq in five.quiz_questions.order_by("order")]
    # One answer saved as it is chosen (HTMX), the rest with the submission.
    saved = client.post(
        reverse("learning:quiz_answer", args=[five.pk]), {f"q-{qs[0].pk}": "B", "question": qs[0].pk}
    )
    assert saved.status_code == 200
    data = {
        "submit": "1",
        f"q-{qs[1].pk}": "C",
        f"q-{qs[2].pk}": "B",
        f"q-{qs[3].pk}": ["A", "B", "D"],
        f"q-{qs[4].pk}": "C",
    }
    result = client.post(url, data, follow=True)
    attempt = QuizAttempt.objects.get(quiz=five, person=world.person_a)
    assert attempt.score == 3 and attempt.is_submitted
    html = result.content.decode()
    assert "共产主义。" in html and 'id="score"' in html
    # Another member sees nothing of these answers.
    client.force_login(world.secretary_b)
    assert client.get(attempt.get_absolute_url()).status_code == 404


def test_answers_after_the_time_limit_are_refused_on_the_page(client, world, five):
    attempt = QuizAttempt.objects.create(
        quiz=five,
        person=world.person_a,
        started_at=timezone.now() - dt.timedelta(minutes=10),
        deadline=timezone.now() - dt.timedelta(minutes=5),
        max_score=5,
    )
    client.force_login(world.member_a)
    q = five.quiz_questions.order_by("order").first().question
    response = client.post(
        reverse("learning:quiz_answer", args=[five.pk]), {f"q-{q.pk}": "B", "question": q.pk}
    )
    assert response.status_code == 422 and "时间已到" in response.content.decode()
    response = client.post(
        reverse("learning:quiz_take", args=[five.pk]), {"submit": "1", f"q-{q.pk}": "B"}, follow=True
    )
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.score == 0
    assert "时间已到" in response.content.decode()


def test_the_hours_list_and_branch_completion_trace_to_the_people(client, world):
    people = members(world, world.branch_a, 3)
    big = session(world.branch_a, start=timezone.now() - dt.timedelta(days=2), hours="32")
    attend(big, people[:2])
    client.force_login(world.secretary_a)
    page = client.get(reverse("learning:hours"), {"organization": world.branch_a.pk, "reached": "no"})
    assert page.status_code == 200
    rows = list(page.context["table"].data)
    assert {m.person_id for m in rows} == {people[2].pk, world.person_a.pk, world.secretary_a.person.pk}
    completion = client.get(reverse("learning:completion"))
    assert completion.status_code == 200
    row = next(r for r in completion.context["rows"] if r["org"] == world.branch_a)
    assert (row["c"].members, row["c"].reached) == (5, 2)
    assert client.get(row["short_url"]).context["table"].page.paginator.count == 3
    assert all(r["org"] != world.branch_b for r in completion.context["rows"])
    export = client.get(reverse("learning:hours") + "?export=xlsx")
    assert export.status_code == 200


def test_my_study_shows_hours_open_sessions_and_quizzes(client, world, live, five):
    attend(session(world.branch_a, start=timezone.now() - dt.timedelta(days=3), hours="4"), [world.person_a])
    client.force_login(world.member_a)
    page = client.get(reverse("learning:mine"))
    assert page.status_code == 200
    assert page.context["hours"].total == Decimal("4")
    assert [o["session"] for o in page.context["open_sessions"]] == [live]
    assert [o["quiz"] for o in page.context["open_quizzes"]] == [five]
    home = client.get("/")
    assert "learning-tasks" in home.content.decode()


def test_the_secretary_home_has_self_study_to_confirm_and_completion(client, world):
    self_study(world.person_a)
    client.force_login(world.secretary_a)
    html = client.get("/").content.decode()
    assert 'id="learning-review"' in html and 'id="review-selfstudy"' in html


def test_person_and_organisation_pages_show_hours_and_completion(client, world):
    attend(session(world.branch_a, start=timezone.now() - dt.timedelta(days=3), hours="4"), [world.person_a])
    client.force_login(world.secretary_a)
    html = client.get(world.person_a.get_absolute_url()).content.decode()
    assert 'id="person-hours"' in html
    html = client.get(world.branch_a.get_absolute_url()).content.decode()
    assert 'id="org-completion"' in html
    # A person outside the user's learning scope: no panel (secretary A reads department A's staff,
    # who are no branch member of theirs).
    staff = make_person(world.hospital, world.dept_a, "周洁")
    page = client.get(staff.get_absolute_url())
    assert page.status_code == 200 and 'id="person-hours"' not in page.content.decode()


def test_a_plan_shows_which_sessions_covered_each_topic(client, world):
    from hongqing.learning.models import StudyPlan

    plan = StudyPlan.objects.create(
        organization=world.branch_a, level="branch", year=2025, title="甲支部2025学习清单"
    )
    item = StudyPlanItem.objects.create(plan=plan, topic="学习党章", month=3, hours=4)
    StudyPlanItem.objects.create(plan=plan, topic="未落实的专题", month=9)
    s = session(world.branch_a, title="党章学习夜校")
    s.plan_items.add(item)
    client.force_login(world.secretary_a)
    page = client.get(plan.get_absolute_url())
    html = page.content.decode()
    assert "党章学习夜校" in html and "未落实" in html
    client.post(reverse("learning:studyplan_publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.is_published


def test_a_red_education_trip_in_three_batches(client, world):
    trip = session(
        world.branch_a,
        start=timezone.now() - dt.timedelta(days=20),
        minutes=600,
        title="红色教育：延安",
        hours="8",
        kind="red_education",
    )
    client.force_login(world.secretary_a)
    for days in (20, 13, 6):
        start = timezone.now() - dt.timedelta(days=days)
        response = client.post(
            reverse("learning:studysession_batch", args=[trip.pk]),
            {
                "start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
                "end": timezone.localtime(start + dt.timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"),
                "place": "延安",
            },
        )
        assert response.status_code == 302
    batches = list(StudySession.objects.filter(batch_of=trip).order_by("batch_number"))
    assert [b.batch_number for b in batches] == [1, 2, 3]
    attend(batches[0], [world.person_a])
    attend(batches[2], [world.secretary_a.person])
    page = client.get(trip.get_absolute_url())
    assert page.context["counts"]["counted"] == 2 and page.context["is_activity"]
    assert client.get(reverse("learning:studysession_attendance", args=[trip.pk])).status_code == 302


def test_a_session_ending_before_it_starts_is_refused_on_the_form(client, world):
    client.force_login(world.secretary_a)
    start = timezone.localtime() + dt.timedelta(days=1)
    response = client.post(
        reverse("learning:studysession_add"),
        {
            "organization": world.branch_a.pk,
            "kind": "lecture",
            "mode": "lead",
            "title": "倒着的讲座",
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "hours": "-1",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "结束时间不能早于开始时间" in html and "学时必须大于零" in html
    assert not StudySession.objects.filter(title="倒着的讲座").exists()


def test_a_make_up_is_recorded_with_its_note(client, world):
    s = session(world.branch_a, start=timezone.now() - dt.timedelta(days=5))
    client.force_login(world.secretary_a)
    a = world.person_a.pk
    response = client.post(
        reverse("learning:studysession_attendance", args=[s.pk]),
        {
            f"a-{a}-status": "makeup",
            f"a-{a}-makeup_on": timezone.localdate().isoformat(),
            f"a-{a}-makeup_note": "观看录像并提交心得",
            f"a-{a}-hours": "2",
        },
    )
    assert response.status_code == 302
    row = StudyAttendance.objects.get(session=s, person=world.person_a)
    assert row.status == StudyAttendanceStatus.MAKEUP and row.counts
