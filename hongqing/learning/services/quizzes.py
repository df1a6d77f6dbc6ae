"""Quizzes (党史快问快答): drawing the questions, taking a quiz on a phone, grading, results.

- A quiz draws ``question_count`` questions of its hospital's bank (in use, with one of its tags, or
  any when it names none) when it is created or drawn again (while nobody has taken it): the same
  questions, in the same order, for everyone, so results compare.
- Who takes it: the members (any stage, not left) of its organisation and of those under it, each once.
- The time limit is the server's: an attempt's ``deadline`` is its start plus the limit (never past
  the quiz's close). An answer saved after the deadline (plus ``learning.quiz_grace_seconds`` for the
  network) is refused; a submission after it is refused too, and the attempt is graded from the
  answers saved in time (``timed_out``).
- Grading, at once: one point a question; single choice and true/false right or wrong; multiple
  choice all or nothing, or — when the quiz says so (default: ``learning.quiz_multiple_partial``) —
  a subset of the right options earns their share of the point, any wrong option nothing.
- Results per person and per branch; a leaderboard of this quiz only, when the quiz turns it on
  (RULES.md §8: never a standing ranking).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongqing.core.audit import log_event
from hongqing.core.rules import rule_value
from hongqing.people.choices import EmploymentStatus
from hongqing.people.models import Membership

from ..choices import QuestionKind
from ..models.quizzes import LETTERS, normalize_answer, split_tags

ONE = Decimal("1")
ZERO = Decimal("0")


def default_partial(hospital_id) -> bool:
    return bool(rule_value("learning.quiz_multiple_partial", hospital_id))


def pool(quiz):
    """The questions a quiz may draw: its hospital's, in use, with one of its tags (any when none)."""
    from ..models import Question

    qs = Question.objects.filter(hospital_id=quiz.organization.hospital_id, active=True)
    tags = split_tags(quiz.tags)
    if tags:
        q = Q()
        for tag in tags:
            q |= Q(tag_index__contains=f"|{tag}|")
        qs = qs.filter(q)
    return qs


@transaction.atomic
def draw_questions(quiz, *, actor, seed=None, request=None) -> list:
    """Draw the quiz's questions (again): allowed while nobody has started it."""
    from ..models import QuizQuestion

    if quiz.attempts.exists():
        raise ValidationError(_("Members have started this quiz: its questions stay as they are."))
    ids = list(pool(quiz).values_list("pk", flat=True))
    if len(ids) < quiz.question_count:
        if quiz.tags:
            message = _("Only %(n)d questions in use have the tags %(tags)s: draw fewer, or add questions.")
        else:
            message = _("Only %(n)d questions are in use in the bank: draw fewer, or add questions.")
        raise ValidationError({"question_count": message % {"n": len(ids), "tags": quiz.tags}})
    chosen = random.Random(seed).sample(sorted(ids), quiz.question_count)
    QuizQuestion.objects.filter(quiz=quiz).delete()
    rows = [QuizQuestion(quiz=quiz, question_id=pk, order=i) for i, pk in enumerate(chosen, start=1)]
    QuizQuestion.objects.bulk_create(rows)  # the quiz's set, not a person's record: no listener needs each
    log_event("quiz_drawn", actor=actor, obj=quiz, request=request, data={"questions": chosen})
    return rows


def questions_of(quiz) -> list:
    return [qq.question for qq in quiz.quiz_questions.select_related("question").order_by("order")]


def in_audience(quiz, person) -> bool:
    if person is None or person.hospital_id != quiz.organization.hospital_id:
        return False
    return (
        Membership.objects.filter(person=person, organization__path__startswith=quiz.organization.path)
        .exclude(person__status=EmploymentStatus.LEFT)
        .exists()
    )


def quizzes_for(person, qs=None):
    """The quizzes whose audience includes ``person`` (the organisation they belong to or one above it)."""
    from ..models import Quiz

    qs = Quiz.objects.all() if qs is None else qs
    try:
        org = person.membership.organization if person is not None else None
    except Exception:  # noqa: BLE001 (not a member)
        org = None
    if org is None:
        return qs.none()
    prefixes = [org.path[:i] for i in range(type(org).steplen, len(org.path) + 1, type(org).steplen)]
    return qs.filter(organization__path__in=prefixes, organization__hospital_id=person.hospital_id)


def grace(quiz) -> dt.timedelta:
    return dt.timedelta(seconds=rule_value("learning.quiz_grace_seconds", quiz.organization.hospital_id))


def grade(question, chosen: str, partial: bool) -> tuple[bool, Decimal]:
    """(right, points) of an answer: 1 point a question (see the module's docstring)."""
    chosen = normalize_answer(chosen)
    right = set(question.answer)
    picked = set(chosen)
    if picked == right:
        return True, ONE
    if partial and question.kind == QuestionKind.MULTIPLE and picked and picked < right:
        return False, (Decimal(len(picked)) / Decimal(len(right))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return False, ZERO


def _lock(attempt):
    from ..models import QuizAttempt

    return (
        QuizAttempt.objects.select_for_update()
        .select_related("quiz__organization", "person")
        .get(pk=attempt.pk)
    )


@transaction.atomic
def start_attempt(quiz, *, person, actor, now=None, request=None):
    """Start (or resume, while the time lasts) the person's attempt at an open quiz."""
    from ..models import QuizAttempt

    now = now or timezone.now()
    existing = QuizAttempt.objects.filter(quiz=quiz, person=person).first()
    if existing is not None:
        if existing.submitted_at is None and now > existing.deadline + grace(quiz):
            finish(existing, actor=actor, timed_out=True, now=now)
            existing.refresh_from_db()
        if existing.submitted_at is not None:
            raise ValidationError(_("You have taken this quiz already: each member takes it once."))
        return existing
    if not quiz.is_open:
        raise ValidationError(_("This quiz is not open."))
    if not in_audience(quiz, person):
        raise ValidationError(_("This quiz is for the members of %(org)s.") % {"org": quiz.organization})
    questions = quiz.quiz_questions.count()
    if not questions:
        raise ValidationError(_("This quiz has no questions yet."))
    deadline = min(now + dt.timedelta(minutes=quiz.time_limit_minutes), quiz.closes_at)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                quiz=quiz,
                person=person,
                started_at=now,
                deadline=deadline,
                max_score=Decimal(questions),
                created_by=actor,
            )
    except IntegrityError:  # started in another tab at the same moment
        return QuizAttempt.objects.get(quiz=quiz, person=person)
    log_event("quiz_started", actor=actor, obj=quiz, request=request, data={"attempt": attempt.pk})
    return attempt


def _check_taker(attempt, actor):
    from .selfstudy import actor_person

    own = actor_person(actor)
    if own is None or own.pk != attempt.person_id:
        raise ValidationError(_("Only the member answers their own quiz."))


def _late(attempt, now) -> bool:
    return now > attempt.deadline + grace(attempt.quiz)


TIME_UP = gettext_lazy("The time limit has passed: answers after it are not accepted.")


def _save(attempt, answers: dict, now):
    """Upsert the answers {question id: letters} of an attempt (each row saved on its own)."""
    from ..models import QuizAnswer

    allowed = {q.pk: q for q in questions_of(attempt.quiz)}
    existing = {a.question_id: a for a in attempt.answers.all()}
    errors = []
    for qid, chosen in answers.items():
        question = allowed.get(int(qid))
        if question is None:
            errors.append(_("Question %(id)s is not in this quiz.") % {"id": qid})
            continue
        letters = normalize_answer(chosen)
        valid = LETTERS[: len(question.options)]
        if any(c not in valid for c in letters):
            errors.append(_("Choose among the options of question %(n)s.") % {"n": qid})
            continue
        if question.kind != QuestionKind.MULTIPLE and len(letters) > 1:
            errors.append(_("Choose one option for question %(n)s.") % {"n": qid})
            continue
        row = existing.get(question.pk) or QuizAnswer(attempt=attempt, question=question)
        if row.pk and row.chosen == letters:
            continue
        row.chosen, row.answered_at = letters, now
        row.save()
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_answers(attempt, answers: dict, *, actor, now=None):
    """Save some answers while the time lasts (the phone page saves each as it is chosen)."""
    now = now or timezone.now()
    a = _lock(attempt)
    _check_taker(a, actor)
    if a.submitted_at is not None:
        raise ValidationError(_("This quiz is submitted: the answers cannot change."))
    if _late(a, now):
        raise ValidationError(str(TIME_UP))
    _save(a, answers, now)
    return a


def submit_attempt(attempt, answers: dict, *, actor, now=None, request=None):
    """Submit the attempt with its last answers: graded at once. After the time limit the new
    answers are refused and the attempt is graded from those saved in time (then the refusal is raised)."""
    now = now or timezone.now()
    with transaction.atomic():
        a = _lock(attempt)
        _check_taker(a, actor)
        if a.submitted_at is not None:
            raise ValidationError(_("This quiz is submitted: the answers cannot change."))
        late = _late(a, now)
        if not late:
            _save(a, answers, now)
        finish(a, actor=actor, timed_out=late, now=now, request=request)
    attempt.refresh_from_db()
    if late:
        raise ValidationError(
            str(TIME_UP)
            + " "
            + _("Your answers saved in time were graded: %(score)s of %(max)s.")
            % {"score": _fmt(attempt.score), "max": _fmt(attempt.max_score)}
        )
    return attempt


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def finish(attempt, *, actor, timed_out: bool, now=None, request=None):
    """Grade the attempt's saved answers and mark it submitted (call inside a transaction)."""
    from ..models import QuizAnswer

    now = now or timezone.now()
    quiz = attempt.quiz
    questions = questions_of(quiz)
    saved = {a.question_id: a for a in attempt.answers.all()}
    score = ZERO
    for q in questions:
        row = saved.get(q.pk)
        if row is None:
            row = QuizAnswer(attempt=attempt, question=q, chosen="", answered_at=now)
        row.correct, row.points = grade(q, row.chosen, quiz.multiple_partial)
        row.save()
        score += row.points
    attempt.score, attempt.max_score = score, Decimal(len(questions))
    attempt.submitted_at = min(now, attempt.deadline) if timed_out else now
    attempt.timed_out = timed_out
    attempt.save()
    log_event(
        "quiz_submitted",
        actor=actor,
        obj=attempt,
        request=request,
        data={"score": str(score), "of": len(questions), "timed_out": timed_out},
    )
    return attempt


def close_expired(quiz, *, now=None) -> int:
    """Grade the attempts whose time ran out without a submission (their saved answers count)."""
    from ..models import QuizAttempt

    now = now or timezone.now()
    late = QuizAttempt.objects.filter(quiz=quiz, submitted_at__isnull=True, deadline__lt=now - grace(quiz))
    n = 0
    for attempt in late:
        with transaction.atomic():
            a = _lock(attempt)
            if a.submitted_at is None:
                finish(a, actor=None, timed_out=True, now=now)
                n += 1
    return n


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class BranchResult:
    organization: object
    takers: int = 0
    total: Decimal = ZERO
    best: Decimal = ZERO

    @property
    def average(self) -> Decimal:
        return (self.total / self.takers).quantize(Decimal("0.01")) if self.takers else ZERO


def branch_results(attempts) -> list[BranchResult]:
    """Submitted attempts grouped by the taker's organisation (their branch or group)."""
    groups: dict[int, BranchResult] = {}
    for a in attempts:
        if a.submitted_at is None:
            continue
        org = getattr(getattr(a.person, "membership", None), "organization", None)
        key = org.pk if org is not None else 0
        r = groups.setdefault(key, BranchResult(org))
        r.takers += 1
        r.total += a.score
        r.best = max(r.best, a.score)
    return sorted(groups.values(), key=lambda r: (-r.average, str(r.organization)))


def leaderboard(quiz, attempts) -> list[tuple[int, object]]:
    """Ranks of one quiz's submitted attempts (score, then the quicker): only when the quiz turns it on."""
    if not quiz.leaderboard:
        return []
    done = [a for a in attempts if a.submitted_at is not None]
    done.sort(key=lambda a: (-a.score, a.duration_seconds or 0, a.person.staff_no))
    out, rank, last = [], 0, None
    for i, a in enumerate(done, start=1):
        key = (a.score, a.duration_seconds)
        if key != last:
            rank, last = i, key
        out.append((rank, a))
    return out


def answer_rows(attempt) -> list[dict]:
    """The attempt's questions with the person's answer, the right one and the explanation."""
    by_question = defaultdict(lambda: None)
    for a in attempt.answers.all():
        by_question[a.question_id] = a
    rows = []
    for n, q in enumerate(questions_of(attempt.quiz), start=1):
        a = by_question[q.pk]
        rows.append({"n": n, "question": q, "answer": a, "chosen": set(a.chosen) if a else set()})
    return rows
