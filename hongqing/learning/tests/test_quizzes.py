"""Quizzes: the question rules, grading of each kind (multiple choice all or nothing, or partial when
the quiz says so), the draw by tags and count, the time limit on the server, a submission after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hongqing.learning.choices import QuestionKind
from hongqing.learning.models import Question, QuizAnswer
from hongqing.learning.services import quizzes as services

from .learning_records import question, quiz


def q(kind, answer, options=None):
    return Question(kind=kind, answer=answer, options=options or ["甲", "乙", "丙", "丁"], text="题")


@pytest.mark.parametrize(
    ("kind", "answer", "chosen", "partial", "expected"),
    [
        (QuestionKind.SINGLE, "B", "B", False, (True, Decimal(1))),
        (QuestionKind.SINGLE, "B", "C", False, (False, Decimal(0))),
        (QuestionKind.SINGLE, "B", "", False, (False, Decimal(0))),
        (QuestionKind.TRUE_FALSE, "A", "A", False, (True, Decimal(1))),
        (QuestionKind.TRUE_FALSE, "A", "B", False, (False, Decimal(0))),
        (QuestionKind.MULTIPLE, "ACD", "ACD", False, (True, Decimal(1))),
        (QuestionKind.MULTIPLE, "ACD", "DCA", False, (True, Decimal(1))),
        (QuestionKind.MULTIPLE, "ACD", "AC", False, (False, Decimal(0))),  # all or nothing
        (QuestionKind.MULTIPLE, "ACD", "AC", True, (False, Decimal("0.67"))),  # partial: 2 of 3
        (QuestionKind.MULTIPLE, "ACD", "A", True, (False, Decimal("0.33"))),
        (QuestionKind.MULTIPLE, "ACD", "AB", True, (False, Decimal(0))),  # a wrong option: nothing
        (QuestionKind.MULTIPLE, "ACD", "ABCD", True, (False, Decimal(0))),
        (QuestionKind.MULTIPLE, "ACD", "", True, (False, Decimal(0))),
    ],
)
def test_grading_of_each_kind(kind, answer, chosen, partial, expected):
    assert services.grade(q(kind, answer), chosen, partial) == expected


@pytest.mark.parametrize(
    ("kind", "options", "answer", "field"),
    [
        (QuestionKind.SINGLE, ["甲", ""], "A", "options"),
        (QuestionKind.SINGLE, ["甲"], "A", "options"),
        (QuestionKind.SINGLE, ["甲", "甲"], "A", "options"),
        (QuestionKind.SINGLE, ["甲", "乙"], "C", "answer"),
        (QuestionKind.SINGLE, ["甲", "乙"], "AB", "answer"),
        (QuestionKind.MULTIPLE, ["甲", "乙", "丙"], "A", "answer"),
        (QuestionKind.SINGLE, ["甲", "乙"], "", "answer"),
        (QuestionKind.TRUE_FALSE, [], "C", "answer"),
    ],
)
def test_a_question_that_does_not_hold_together_is_refused(world, kind, options, answer, field):
    bad = Question(hospital=world.hospital, kind=kind, text="题", options=options, answer=answer)
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert field in exc.value.message_dict


def test_a_true_false_question_has_the_two_options_and_answers_are_normalised(world):
    tf = question(world.hospital, QuestionKind.TRUE_FALSE, answer="a", tags="党章，  党规、党章")
    assert tf.options == ["正确", "错误"] and tf.answer == "A"
    assert tf.tags == "党章、党规" and tf.tag_index == "|党章|党规|"
    multi = question(world.hospital, QuestionKind.MULTIPLE, answer="d, a，Ｃ")
    assert multi.answer == "ACD"


def test_a_quiz_draws_its_questions_by_tag_and_count(world):
    h = world.hospital
    history = [question(h, tags="党史", text=f"党史题{i}") for i in range(6)]
    question(h, tags="党章", text="党章题")
    question(h, tags="党史学习", text="不是党史标签")  # a longer tag is another tag
    question(h, tags="党史", text="停用的题", active=False)
    question(world.hospital2, tags="党史", text="外院题")
    qz = quiz(world.branch_a, [], tags="党史")
    qz.question_count = 5
    drawn = services.draw_questions(qz, actor=world.office, seed=1)
    assert len(drawn) == 5
    assert {qq.question_id for qq in drawn} <= {x.pk for x in history}
    qz.question_count = 7
    with pytest.raises(ValidationError) as exc:
        services.draw_questions(qz, actor=world.office)
    assert "question_count" in exc.value.message_dict
    assert qz.quiz_questions.count() == 5  # nothing half-written


def test_a_quiz_cannot_close_before_it_opens(world):
    qz = quiz(world.branch_a, [])
    qz.closes_at = qz.opens_at - dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as exc:
        qz.full_clean()
    assert "closes_at" in exc.value.message_dict


@pytest.fixture
def five(world):
    h = world.hospital
    qs = [
        question(h, QuestionKind.SINGLE, "B", text="单选一"),
        question(h, QuestionKind.SINGLE, "C", text="单选二"),
        question(h, QuestionKind.TRUE_FALSE, "A", text="判断一"),
        question(h, QuestionKind.MULTIPLE, "ABD", text="多选一"),
        question(h, QuestionKind.MULTIPLE, "CD", text="多选二"),
    ]
    return quiz(world.branch_a, qs, minutes=5)


def answers_of(qz, letters):
    return {qq.question_id: c for qq, c in zip(qz.quiz_questions.order_by("order"), letters, strict=True)}


def test_a_quiz_is_graded_at_once_when_submitted(world, five):
    attempt = services.start_attempt(five, person=world.person_a, actor=world.member_a)
    services.submit_attempt(attempt, answers_of(five, ["B", "A", "A", "AB", "CD"]), actor=world.member_a)
    assert attempt.is_submitted and not attempt.timed_out
    assert (attempt.score, attempt.max_score) == (Decimal(3), Decimal(5))
    rows = {a.question.text: (a.correct, a.points) for a in QuizAnswer.objects.filter(attempt=attempt)}
    assert rows["多选一"] == (False, 0) and rows["单选二"] == (False, 0) and rows["多选二"] == (True, 1)


def test_partial_credit_when_the_quiz_says_so(world, five):
    five.multiple_partial = True
    five.save()
    attempt = services.start_attempt(five, person=world.person_a, actor=world.member_a)
    services.submit_attempt(attempt, answers_of(five, ["B", "C", "A", "AB", "C"]), actor=world.member_a)
    assert attempt.score == Decimal("4.17")  # 3 + 2/3 + 1/2


def test_the_time_limit_is_the_servers(world, five):
    start = timezone.now()
    attempt = services.start_attempt(five, person=world.person_a, actor=world.member_a, now=start)
    assert attempt.deadline == start + dt.timedelta(minutes=5)
    first = five.quiz_questions.order_by("order").first().question_id
    services.save_answers(attempt, {first: "B"}, actor=world.member_a, now=start + dt.timedelta(minutes=2))
    late = start + dt.timedelta(minutes=5, seconds=6)  # past the 5 s of grace
    with pytest.raises(ValidationError):
        services.save_answers(attempt, {first: "A"}, actor=world.member_a, now=late)
    with pytest.raises(ValidationError) as exc:
        services.submit_attempt(
            attempt, answers_of(five, ["A", "C", "A", "ABD", "CD"]), actor=world.member_a, now=late
        )
    assert exc.value.messages
    attempt.refresh_from_db()
    # The answers after the limit were refused; the one saved in time was graded.
    assert attempt.is_submitted and attempt.timed_out and attempt.score == 1
    assert attempt.submitted_at == attempt.deadline
    assert QuizAnswer.objects.get(attempt=attempt, question_id=first).chosen == "B"


def test_answers_within_the_grace_are_accepted(world, five):
    start = timezone.now()
    attempt = services.start_attempt(five, person=world.person_a, actor=world.member_a, now=start)
    services.submit_attempt(
        attempt,
        answers_of(five, ["B", "C", "A", "ABD", "CD"]),
        actor=world.member_a,
        now=start + dt.timedelta(minutes=5, seconds=4),
    )
    assert attempt.score == 5 and not attempt.timed_out


def test_the_deadline_never_passes_the_quiz_close(world, five):
    now = timezone.now()
    five.closes_at = now + dt.timedelta(minutes=2)
    five.save()
    attempt = services.start_attempt(five, person=world.person_a, actor=world.member_a, now=now)
    assert attempt.deadline == five.closes_at


def test_an_attempt_left_open_is_graded_when_its_time_has_run_out(world, five):
    start = timezone.now() - dt.timedelta(minutes=10)
    attempt = services.start_attempt(five, person=world.person_a, actor=world.member_a, now=start)
    first = five.quiz_questions.order_by("order").first().question_id
    services.save_answers(attempt, {first: "B"}, actor=world.member_a, now=start + dt.timedelta(minutes=1))
    assert services.close_expired(five) == 1
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.score == 1


def test_each_member_takes_a_quiz_once_and_only_their_own(world, five):
    attempt = services.start_attempt(five, person=world.person_a, actor=world.member_a)
    assert services.start_attempt(five, person=world.person_a, actor=world.member_a) == attempt  # resumed
    with pytest.raises(ValidationError):
        services.save_answers(attempt, {}, actor=world.secretary_a)  # someone else's attempt
    services.submit_attempt(attempt, {}, actor=world.member_a)
    with pytest.raises(ValidationError):
        services.start_attempt(five, person=world.person_a, actor=world.member_a)


def test_only_the_audience_takes_a_quiz_and_only_while_it_is_open(world, five):
    with pytest.raises(ValidationError):
        services.start_attempt(five, person=world.person_b, actor=world.secretary_b)  # branch B
    five.closes_at = timezone.now() - dt.timedelta(minutes=1)
    five.opens_at = five.closes_at - dt.timedelta(hours=1)
    five.save()
    with pytest.raises(ValidationError):
        services.start_attempt(five, person=world.person_a, actor=world.member_a)


def test_a_chosen_letter_outside_the_options_is_refused(world, five):
    attempt = services.start_attempt(five, person=world.person_a, actor=world.member_a)
    first = five.quiz_questions.order_by("order").first().question_id
    with pytest.raises(ValidationError):
        services.save_answers(attempt, {first: "F"}, actor=world.member_a)
    with pytest.raises(ValidationError):
        services.save_answers(attempt, {first: "AB"}, actor=world.member_a)  # a single choice
    assert not QuizAnswer.objects.filter(attempt=attempt).exists()


def test_the_leaderboard_is_off_unless_the_quiz_turns_it_on(world, five):
    a = services.start_attempt(five, person=world.person_a, actor=world.member_a)
    services.submit_attempt(a, answers_of(five, ["B", "C", "A", "ABD", "CD"]), actor=world.member_a)
    attempts = list(five.attempts.select_related("person"))
    assert services.leaderboard(five, attempts) == []
    five.leaderboard = True
    assert [(rank, x.person_id) for rank, x in services.leaderboard(five, attempts)] == [
        (1, world.person_a.pk)
    ]
