"""Query budgets: the learning lists, the study-hours pages, the member's and the secretary's home, and
the API lists run the same number of queries for a few rows and for a few hundred (no N+1)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hongqing.learning.choices import SelfStudyStatus
from hongqing.learning.models import QuizAttempt, SelfStudy, StudyAttendance, StudySession
from hongqing.people.choices import Stage
from hongqing.people.models import Membership, Person

from .learning_records import question, quiz

SMALL, LARGE = 4, 300
PAGE_BUDGET = 30
API_BUDGET = 14
_seq = itertools.count(1)


def grow(world, n):
    """n more members of branch A, each at one of n more sessions (with a self-study and a quiz attempt)."""
    persons = Person.objects.bulk_create(
        [
            Person(
                hospital=world.hospital,
                department=world.dept_a,
                staff_no=f"L{(k := next(_seq)):06d}",
                name=f"学员{k}",
                gender="F",
            )
            for _ in range(n)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                person=p, organization=world.branch_a, stage=Stage.FULL, conversion_date=dt.date(2015, 7, 1)
            )
            for p in persons
        ]
    )
    start = timezone.now() - dt.timedelta(days=2)
    sessions = StudySession.objects.bulk_create(
        [
            StudySession(
                organization=world.branch_a,
                kind="lecture",
                title=f"讲座{i}",
                start=start - dt.timedelta(hours=i),
                end=start - dt.timedelta(hours=i) + dt.timedelta(hours=1),
                hours=Decimal("1"),
            )
            for i in range(n)
        ]
    )
    StudyAttendance.objects.bulk_create(
        [
            StudyAttendance(session=s, person=p, hours=Decimal("1"))
            for s, p in zip(sessions, persons, strict=True)
        ]
    )
    SelfStudy.objects.bulk_create(
        [
            SelfStudy(
                person=p,
                title="自学",
                studied_on=timezone.localdate(),
                hours=Decimal("2"),
                status=SelfStudyStatus.PENDING,
            )
            for p in persons
        ]
    )
    qz = getattr(world, "_quiz", None)
    if qz is None:
        qz = world._quiz = quiz(world.branch_a, [question(world.hospital)])
    now = timezone.now()
    QuizAttempt.objects.bulk_create(
        [
            QuizAttempt(
                quiz=qz, person=p, started_at=now, deadline=now, submitted_at=now, score=1, max_score=1
            )
            for p in persons
        ]
    )
    return qz


def count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def constant(client, world, user, url, budget, **params):
    client.force_login(getattr(world, user))
    grow(world, SMALL)
    count(client, url, **params)  # warm: the first request of a session does more (caches)
    small = count(client, url, **params)
    grow(world, LARGE - SMALL)
    large = count(client, url, **params)
    assert small == large, (url, small, large)
    assert large <= budget, (url, large)
    return large


@pytest.mark.parametrize("user", ["secretary_a", "office"])
@pytest.mark.parametrize(
    "url",
    [
        "/learning/sessions/",
        "/learning/attendances/",
        "/learning/self-study/",
        "/learning/quiz-attempts/",
        "/learning/hours/",
        "/learning/plans/",
        "/learning/quizzes/",
    ],
)
def test_list_pages_run_constant_queries(client, world, user, url):
    constant(client, world, user, url, PAGE_BUDGET)


@pytest.mark.parametrize("user", ["secretary_a", "office"])
def test_the_hours_export_and_the_completion_page_run_constant_queries(client, world, user):
    constant(client, world, user, "/learning/completion/", PAGE_BUDGET)
    # The export: every row (300), the same queries.
    client.force_login(getattr(world, user))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/learning/hours/", {"export": "xlsx"}).status_code == 200
    assert len(ctx.captured_queries) <= PAGE_BUDGET


@pytest.mark.parametrize(
    "url",
    [
        "/api/learning/study-sessions/",
        "/api/learning/study-attendances/",
        "/api/learning/self-studies/",
        "/api/learning/quiz-attempts/",
        "/api/learning/quiz-answers/",
        "/api/learning/hours/",
        "/api/learning/check-ins/",
    ],
)
def test_api_lists_run_constant_queries(client, world, url):
    constant(client, world, "secretary_a", url, API_BUDGET, page_size=500)


def test_the_quiz_page_runs_constant_queries(client, world):
    client.force_login(world.secretary_a)
    qz = grow(world, SMALL)
    count(client, qz.get_absolute_url())
    small = count(client, qz.get_absolute_url())
    grow(world, LARGE - SMALL)
    large = count(client, qz.get_absolute_url())
    assert small == large <= PAGE_BUDGET + 10


@pytest.mark.parametrize("user", ["member_a", "secretary_a", "office"])
def test_the_home_page_runs_constant_queries(client, world, user):
    # Every app's panels: the secretary's duty list reads the study-hours duty's records too.
    constant(client, world, user, "/", 72)


def test_my_study_runs_constant_queries(client, world):
    constant(client, world, "member_a", "/learning/mine/", PAGE_BUDGET)
