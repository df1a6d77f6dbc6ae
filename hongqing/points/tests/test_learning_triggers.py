"""Study and quizzes earn points (the learning app's records): a study attendance that counts
(present or made up) earns them and is withdrawn when deleted or no longer counting; a submitted quiz
attempt earns them, above the rule's score when it has one; each under its cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from hongqing.learning.choices import SessionKind, StudyAttendanceStatus
from hongqing.learning.models import QuizAttempt
from hongqing.learning.tests.learning_records import at as study_at
from hongqing.learning.tests.learning_records import attend, question, quiz, session
from hongqing.points.choices import CapPeriod
from hongqing.points.services import catalogue

from .support import YEAR, lines, rule, total


def test_a_study_attendance_that_counts_earns_points_and_leads_to_its_session(world):
    rule(world.hospital, "study_attendance", "1")
    s = session(world.branch_a, study_at(3, 10))
    (a,) = attend(s, [world.person_a])
    (line,) = lines(world.person_a)
    assert (line.amount, line.date, line.record_url()) == (
        Decimal("1.00"),
        dt.date(YEAR, 3, 10),
        s.get_absolute_url(),
    )
    a.status, a.reason = StudyAttendanceStatus.LEAVE, "值班"
    a.save()
    assert total(world.person_a) == 0
    a.status, a.reason, a.makeup_on, a.makeup_note = (
        StudyAttendanceStatus.MAKEUP,
        "",
        dt.date(YEAR, 3, 12),
        "补学",
    )
    a.save()
    assert total(world.person_a) == 1
    a.delete()
    assert total(world.person_a) == 0


def test_study_points_respect_their_monthly_cap_and_kinds(world):
    rule(
        world.hospital, "study_attendance", "3", cap="5", period=CapPeriod.MONTH, kinds=[SessionKind.LECTURE]
    )
    for d in (3, 10, 17):
        attend(session(world.branch_a, study_at(4, d)), [world.person_a])
    attend(session(world.branch_a, study_at(4, 24), kind=SessionKind.MORNING_MEETING), [world.person_a])
    assert total(world.person_a) == 5


def test_deleting_a_session_withdraws_its_points(world):
    rule(world.hospital, "study_attendance", "1")
    s = session(world.branch_a, study_at(3, 10))
    attend(s, [world.person_a, world.secretary_a.person])
    s.delete()
    assert total(world.person_a) == 0 and total(world.secretary_a.person) == 0


def _attempt(qz, person, score, submitted=True):
    now = timezone.now()
    return QuizAttempt.objects.create(
        quiz=qz,
        person=person,
        started_at=now - dt.timedelta(minutes=5),
        deadline=now + dt.timedelta(minutes=5),
        submitted_at=now if submitted else None,
        score=Decimal(score),
        max_score=Decimal(10),
    )


def test_a_submitted_quiz_above_the_score_earns_points(world):
    rule(world.hospital, "quiz_attempt", "1", min_score=Decimal("80"))
    qz = quiz(world.branch_a, [question(world.hospital)])
    year = timezone.localdate().year
    passed = _attempt(qz, world.person_a, 9)
    _attempt(qz, world.secretary_a.person, 7)
    assert (total(world.person_a, year), total(world.secretary_a.person, year)) == (1, 0)
    assert lines(world.person_a, year)[0].record_url() == passed.get_absolute_url()


def test_an_attempt_not_yet_submitted_earns_nothing_until_it_is(world):
    rule(world.hospital, "quiz_attempt", "1")
    qz = quiz(world.branch_a, [question(world.hospital)])
    year = timezone.localdate().year
    a = _attempt(qz, world.person_a, 10, submitted=False)
    assert total(world.person_a, year) == 0
    a.submitted_at = timezone.now()
    a.save()
    assert total(world.person_a, year) == 1


def test_the_default_catalogue_has_study_and_quiz_items_now(world):
    triggers = {r.trigger for r in catalogue.load_default_catalogue(world.hospital2)}
    assert {"study_attendance", "quiz_attempt"} <= triggers
