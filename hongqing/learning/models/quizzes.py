"""Quizzes (党史快问快答): a hospital's question bank, quizzes drawn from it, attempts and answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital, PartyOrganization
from hongqing.people.models import Person

from ..choices import QuestionKind, QuizStatus

LETTERS = "ABCDEF"
MAX_OPTIONS = len(LETTERS)
TRUE_FALSE_OPTIONS = ["正确", "错误"]


def normalize_answer(raw) -> str:
    """``"a, c"`` / ``"CA"`` / ``"ａｃ"`` → ``"AC"`` (letters, upper case, sorted, once each)."""
    text = str(raw or "").upper()
    text = text.translate({ord(c): ord(c) - 0xFEE0 for c in "ＡＢＣＤＥＦ"})
    return "".join(sorted({c for c in text if c.isalpha()}))


def split_tags(raw) -> list[str]:
    text = str(raw or "")
    for sep in ("，", ",", "；", ";", "/", " "):
        text = text.replace(sep, "、")
    seen = []
    for part in text.split("、"):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


class Question(HQModel):
    """One question of a hospital's bank: single or multiple choice, or true/false, with its explanation.

    ``options`` is the list of option texts (A, B, …); ``answer`` the letters of the right ones. Tags
    (``、``-separated) are what a quiz draws by.
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.CharField(
        _("answer"), max_length=10, help_text=_("The letters of the right options, e.g. A or ACD")
    )
    explanation = models.TextField(_("explanation"), blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separated by 、"))
    # "|党史|党章|": what a quiz's draw filters on, the same in SQLite and PostgreSQL.
    tag_index = models.CharField(max_length=250, blank=True, editable=False, db_index=True)
    active = models.BooleanField(_("in use"), default=True)

    scope = ScopeLookups(hospital="hospital")
    scope_area = "learning"

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["hospital", "pk"]

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 40 else text[:39] + "…"

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.tags)

    @property
    def lettered_options(self) -> list[tuple[str, str]]:
        return list(zip(LETTERS, self.options or [], strict=False))

    def answer_text(self) -> str:
        opts = dict(self.lettered_options)
        return "；".join(f"{c}. {opts.get(c, '')}" for c in self.answer)

    def prepare(self) -> None:
        """Normalise the answer, the true/false options and the tags (before clean and save)."""
        if self.kind == QuestionKind.TRUE_FALSE:
            self.options = list(TRUE_FALSE_OPTIONS)
        self.options = [str(o).strip() for o in (self.options or [])]
        self.answer = normalize_answer(self.answer)
        tags = split_tags(self.tags)
        self.tags = "、".join(tags)
        self.tag_index = "".join(f"|{t}" for t in tags) + ("|" if tags else "")

    def clean(self):
        self.prepare()
        errors = {}
        if not (self.text or "").strip():
            errors["text"] = _("Write the question.")
        options = self.options
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if any(not o for o in options):
                errors["options"] = _("An option is empty: fill it in or remove it.")
            elif len(options) < 2:
                errors["options"] = _("A choice question needs at least two options.")
            elif len(options) > MAX_OPTIONS:
                errors["options"] = _("At most %(n)d options.") % {"n": MAX_OPTIONS}
            elif len(set(options)) != len(options):
                errors["options"] = _("Two options are the same.")
        letters = LETTERS[: len(options)]
        if not self.answer:
            errors["answer"] = _("Give the answer (the letters of the right options).")
        elif "options" not in errors and any(c not in letters for c in self.answer):
            errors["answer"] = _("The answer %(answer)s is not one of the options (%(letters)s).") % {
                "answer": self.answer,
                "letters": "、".join(letters),
            }
        elif self.kind == QuestionKind.SINGLE and len(self.answer) != 1:
            errors["answer"] = _("A single-choice question has exactly one right option.")
        elif self.kind == QuestionKind.MULTIPLE and len(self.answer) < 2:
            errors["answer"] = _("A multiple-choice question has at least two right options.")
        elif self.kind == QuestionKind.TRUE_FALSE and len(self.answer) != 1:
            errors["answer"] = _("A true-or-false question is either true (A) or false (B).")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def delete_blockers(self) -> list[str]:
        if self.pk and self.quiz_questions.exists():
            return [_("Quizzes use this question: set it out of use instead.")]
        return []


class Quiz(HQModel):
    """A quiz event for an organisation's members: drawn by tags and count, with a time limit, open
    between two times, graded at once. A leaderboard (of this quiz only) is off unless turned on."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="quizzes",
        help_text=_("Its members, and the members of the organisations under it, take the quiz"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tags = models.CharField(
        _("tags"), max_length=200, blank=True, help_text=_("Draw questions with these tags (、); empty: any")
    )
    question_count = models.PositiveSmallIntegerField(_("number of questions"), default=10)
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"), default=10)
    opens_at = models.DateTimeField(pgettext_lazy("quiz", "opens"))
    closes_at = models.DateTimeField(pgettext_lazy("quiz", "closes"))
    multiple_partial = models.BooleanField(
        _("partial credit for multiple choice"),
        default=False,
        help_text=_("A subset of the right options earns part of the point; a wrong option earns nothing"),
    )
    leaderboard = models.BooleanField(
        _("leaderboard of this quiz"), default=False, help_text=_("Off by default: never a standing ranking")
    )

    scope = ScopeLookups(
        hospital="organization__hospital", organization="organization", person="attempts__person"
    )
    scope_area = "learning"

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["-opens_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return QuizStatus.UPCOMING
        if now >= self.closes_at:
            return QuizStatus.CLOSED
        return QuizStatus.OPEN

    def get_status_display(self) -> str:
        return QuizStatus(self.status()).label

    @property
    def is_open(self) -> bool:
        return self.status() == QuizStatus.OPEN

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("A quiz cannot close before it opens.")
        if self.question_count is not None and not 1 <= self.question_count <= 100:
            errors["question_count"] = _("Draw from 1 to 100 questions.")
        if self.time_limit_minutes is not None and not 1 <= self.time_limit_minutes <= 180:
            errors["time_limit_minutes"] = _("Give a time limit from 1 to 180 minutes.")
        if errors:
            raise ValidationError(errors)

    def delete_blockers(self) -> list[str]:
        if self.pk and self.attempts.exists():
            return [_("Members have taken this quiz: their results are kept.")]
        return []


class QuizQuestion(models.Model):
    """A question drawn for a quiz, in its order (the same for everyone who takes it)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="quiz_questions")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["quiz", "order"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="learning_quiz_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.question}"


class QuizAttempt(HQModel):
    """One person's taking of a quiz: started, a deadline the server enforces, then submitted with a score.

    ``submitted_at`` set means final: the member submitted, or the time ran out (``timed_out``) and
    the answers saved in time were graded. ``score`` is then the points app's figure.
    """

    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="attempts")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    started_at = models.DateTimeField(pgettext_lazy("quiz", "started"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(pgettext_lazy("quiz", "submitted"), null=True, blank=True)
    timed_out = models.BooleanField(_("time ran out"), default=False)
    score = models.DecimalField(pgettext_lazy("quiz", "score"), max_digits=6, decimal_places=2, default=0)
    max_score = models.DecimalField(
        pgettext_lazy("quiz", "out of"), max_digits=6, decimal_places=2, default=0
    )

    scope = ScopeLookups(
        hospital="quiz__organization__hospital",
        organization="person__membership__organization",
        person="person",
    )
    scope_area = "learning"

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "person"], name="learning_attempt_once_per_quiz")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.quiz}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def percent(self) -> int:
        return int(round(100 * self.score / self.max_score)) if self.max_score else 0

    @property
    def duration_seconds(self) -> int | None:
        if self.submitted_at is None:
            return None
        return int((min(self.submitted_at, self.deadline) - self.started_at).total_seconds())


class QuizAnswer(HQModel):
    """A person's answer to one question of their attempt (graded when the attempt is submitted)."""

    attempt = models.ForeignKey(
        QuizAttempt, verbose_name=_("quiz attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    chosen = models.CharField(_("options chosen"), max_length=10, blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    correct = models.BooleanField(_("answered right"), null=True, blank=True)
    points = models.DecimalField(
        pgettext_lazy("quiz", "score"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    scope = ScopeLookups(
        hospital="attempt__quiz__organization__hospital",
        organization="attempt__person__membership__organization",
        person="attempt__person",
    )
    scope_area = "learning"

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        ordering = ["attempt", "pk"]
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="learning_answer_once")]

    def __str__(self) -> str:
        return f"{self.attempt} · {self.chosen or '—'}"
