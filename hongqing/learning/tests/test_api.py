"""The learning API's actions: attendance from the roster, batches, the check-in code and check-in,
self-study (submit, confirm, reject, withdraw), quizzes (drawn on create, start, answer, submit),
the hours and completion figures — and an OpenAPI schema without warnings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hongqing.learning.choices import QuestionKind, SelfStudyStatus
from hongqing.learning.models import CheckIn, QuizAttempt, SelfStudy, StudyAttendance, StudySession

from .learning_records import attend, question, quiz, self_study, session

J = "application/json"


@pytest.fixture
def live(world):
    return session(
        world.branch_a, start=timezone.now() - dt.timedelta(minutes=5), title="接口夜校", hours="1.5"
    )


def test_attendance_is_recorded_from_the_roster_through_the_session(client, world, live):
    client.force_login(world.secretary_a)
    url = f"/api/learning/study-sessions/{live.pk}/attendance/"
    rows = [
        {"person": world.person_a.pk, "status": "present"},
        {"person": world.secretary_a.person.pk, "status": "absent"},
    ]
    response = client.post(url, {"rows": rows}, content_type=J)
    assert response.status_code == 400  # an absence without a reason: nothing written
    assert str(world.secretary_a.person.pk) in response.json()["rows"]
    assert not StudyAttendance.objects.filter(session=live).exists()
    rows[1]["reason"] = "手术"
    response = client.post(url, {"rows": rows}, content_type=J)
    assert response.status_code == 200 and response.json() == {"saved": 2, "removed": 0}
    client.force_login(world.secretary_b)
    assert client.post(url, {"rows": rows}, content_type=J).status_code == 404


def test_check_in_with_the_code_once(client, world, live):
    client.force_login(world.secretary_a)
    code = client.get(f"/api/learning/study-sessions/{live.pk}/code/").json()["code"]
    client.force_login(world.member_a)
    response = client.post("/api/learning/study-sessions/check-in/", {"code": code}, content_type=J)
    assert response.status_code == 201, response.content
    assert response.json()["counts"] is True and response.json()["hours"] == "1.5"
    again = client.post("/api/learning/study-sessions/check-in/", {"code": code}, content_type=J)
    assert again.status_code == 400 and again.json()["reason"] == "already"
    client.force_login(world.secretary_b)
    other = client.post("/api/learning/study-sessions/check-in/", {"code": code}, content_type=J)
    assert other.status_code == 400 and other.json()["reason"] == "audience"
    forged = client.post(
        "/api/learning/study-sessions/check-in/", {"code": code[:-3] + "abc"}, content_type=J
    )
    assert forged.json()["reason"] == "forged"
    assert CheckIn.objects.count() == 1
    # The member may not read the screen's code.
    client.force_login(world.member_a)
    assert client.get(f"/api/learning/study-sessions/{live.pk}/code/").status_code in (403, 404)


def test_batches_of_an_activity(client, world):
    trip = session(world.branch_a, start=timezone.now() - dt.timedelta(days=9), minutes=600, hours="8")
    client.force_login(world.secretary_a)
    for days in (9, 2):
        start = timezone.now() - dt.timedelta(days=days)
        response = client.post(
            f"/api/learning/study-sessions/{trip.pk}/batches/",
            {"start": start.isoformat(), "end": (start + dt.timedelta(hours=9)).isoformat(), "place": "嘉兴"},
            content_type=J,
        )
        assert response.status_code == 201, response.content
    assert set(StudySession.objects.filter(batch_of=trip).values_list("batch_number", flat=True)) == {1, 2}
    bad = client.post(
        f"/api/learning/study-sessions/{trip.pk}/batches/",
        {"start": timezone.now().isoformat(), "end": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
        content_type=J,
    )
    assert bad.status_code == 400 and "end" in bad.json()


def test_a_session_ending_before_it_starts_or_with_negative_hours_is_refused(client, world):
    client.force_login(world.secretary_a)
    start = timezone.now() + dt.timedelta(days=1)
    response = client.post(
        "/api/learning/study-sessions/",
        {
            "organization": world.branch_a.pk,
            "kind": "lecture",
            "title": "倒序",
            "start": start.isoformat(),
            "end": (start - dt.timedelta(hours=1)).isoformat(),
            "hours": "-1.0",
        },
        content_type=J,
    )
    assert response.status_code == 400
    assert {"end", "hours"} <= set(response.json())
    assert not StudySession.objects.filter(title="倒序").exists()


def test_self_study_through_the_api(client, world):
    client.force_login(world.member_a)
    data = {"kind": "course", "title": "学习强国专题课", "studied_on": "2025-06-01", "hours": "2.0"}
    response = client.post("/api/learning/self-studies/submit/", data, content_type=J)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client.post(f"/api/learning/self-studies/{pk}/confirm/").status_code == 403  # their own
    client.force_login(world.secretary_b)
    assert client.post(f"/api/learning/self-studies/{pk}/confirm/").status_code == 404
    client.force_login(world.secretary_a)
    assert (
        client.post(f"/api/learning/self-studies/{pk}/reject/", {"reason": ""}, content_type=J).status_code
        == 400
    )
    response = client.post(f"/api/learning/self-studies/{pk}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == SelfStudyStatus.CONFIRMED
    # A pending one is withdrawn by its member.
    other = self_study(world.person_a)
    client.force_login(world.member_a)
    assert client.post(f"/api/learning/self-studies/{other.pk}/withdraw/").status_code == 204
    assert not SelfStudy.objects.filter(pk=other.pk).exists()
    # Someone without a staff record records nothing.
    client.force_login(world.region)
    assert client.post("/api/learning/self-studies/submit/", data, content_type=J).status_code == 403


def test_a_quiz_is_drawn_on_create_and_taken_through_the_api(client, world):
    qs = [question(world.hospital, QuestionKind.SINGLE, "B", text=f"题{i}") for i in range(5)]
    client.force_login(world.secretary_a)
    now = timezone.now()
    response = client.post(
        "/api/learning/quizzes/",
        {
            "organization": world.branch_a.pk,
            "title": "接口测验",
            "question_count": 5,
            "time_limit_minutes": 5,
            "opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
            "closes_at": (now + dt.timedelta(hours=1)).isoformat(),
        },
        content_type=J,
    )
    assert response.status_code == 201, response.content
    quiz_id = response.json()["id"]
    assert sorted(response.json()["questions"]) == sorted(q.pk for q in qs)
    too_many = client.post(
        "/api/learning/quizzes/", {**response.json(), "title": "太多题", "question_count": 9}, content_type=J
    )
    assert too_many.status_code == 400 and "question_count" in too_many.json()
    client.force_login(world.member_a)
    started = client.post("/api/learning/quiz-attempts/start/", {"quiz": quiz_id}, content_type=J)
    assert started.status_code == 201
    attempt = started.json()["id"]
    answers = {str(q.pk): "B" for q in qs[:3]}
    assert (
        client.post(
            f"/api/learning/quiz-attempts/{attempt}/answer/", {"answers": answers}, content_type=J
        ).status_code
        == 200
    )
    done = client.post(
        f"/api/learning/quiz-attempts/{attempt}/submit/", {"answers": {str(qs[3].pk): "A"}}, content_type=J
    )
    assert done.status_code == 200 and done.json()["score"] == "3.00"
    # The answers: the member's own; secretary B sees none.
    mine = client.get("/api/learning/quiz-answers/", {"attempt": attempt}).json()["results"]
    assert len(mine) == 5
    client.force_login(world.secretary_b)
    assert client.get("/api/learning/quiz-answers/").json()["results"] == []
    assert (
        client.post("/api/learning/quiz-attempts/start/", {"quiz": quiz_id}, content_type=J).status_code
        == 404
    )


def test_answers_after_the_time_limit_are_refused_by_the_api(client, world):
    q = question(world.hospital)
    qz = quiz(world.branch_a, [q])
    attempt = QuizAttempt.objects.create(
        quiz=qz,
        person=world.person_a,
        started_at=timezone.now() - dt.timedelta(minutes=20),
        deadline=timezone.now() - dt.timedelta(minutes=10),
        max_score=1,
    )
    client.force_login(world.member_a)
    url = f"/api/learning/quiz-attempts/{attempt.pk}/"
    assert client.post(url + "answer/", {"answers": {str(q.pk): "A"}}, content_type=J).status_code == 400
    response = client.post(url + "submit/", {"answers": {str(q.pk): "A"}}, content_type=J)
    assert response.status_code == 400
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.score == 0


def test_hours_and_completion_figures(client, world):
    attend(session(world.branch_a, start=timezone.now() - dt.timedelta(days=1), hours="32"), [world.person_a])
    client.force_login(world.secretary_a)
    rows = client.get("/api/learning/hours/", {"page_size": 100}).json()["results"]
    by_person = {r["person"]: r for r in rows}
    assert by_person[world.person_a.pk]["reached"] is True
    assert by_person[world.person_a.pk]["total_hours"] == "32.0"
    assert world.person_b.pk not in by_person
    completion = client.get("/api/learning/completion/").json()
    assert completion == [
        {
            "organization": world.branch_a.pk,
            "name": str(world.branch_a),
            "members": 2,
            "reached": 1,
            "rate": 50,
        }
    ]
    client.force_login(world.auditor)
    assert client.get("/api/learning/hours/").status_code == 403
    assert client.get("/api/learning/completion/").status_code == 403


def test_the_openapi_schema_has_no_warnings(db):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/learning/study-sessions/check-in/" in schema["paths"]
    # This app's (the enum names are global: any collision is named after the field, so all count).
    problems = [
        m
        for m in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "learning" in m or "Enum" in m
    ]
    assert not problems, problems
