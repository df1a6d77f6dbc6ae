"""Quiz pages: the question bank (with its Excel import), quizzes (drawn by tags and count, results
per person and per branch, the optional leaderboard of the quiz), and the member's phone pages:
taking a quiz (answers saved as they are chosen, the time limit the server's) and the result with
the explanations. A member's answers are seen by them and by those whose scope reaches them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.import_views import ObjectImportView
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.urls_helpers import crud_urls
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)

from .. import filtersets, forms, tables
from ..imports import QuestionImport
from ..models import Question, Quiz, QuizAttempt
from ..services import quizzes as services
from .common import count_where, errors_of, own_person

T = "learning/quizzes/"


# ---------------------------------------------------------------------------------------------
# The question bank


class QuestionListView(ObjectListView):
    model = Question
    queryset = Question.objects.select_related("hospital")
    table_class = tables.QuestionTable
    filterset_class = filtersets.QuestionFilterSet


class QuestionDetailView(ObjectDetailView):
    model = Question
    detail_fields = ["hospital", "kind", "text", "answer", "explanation", "tags", "active"]

    def get_template_names(self):
        return [T + "question_detail.html"]


class QuestionHistoryView(ObjectHistoryView):
    model = Question


class QuestionEditView(ObjectEditView):
    model = Question
    form_class = forms.QuestionForm


class QuestionDeleteView(ObjectDeleteView):
    model = Question


class QuestionImportView(ObjectImportView):
    model = Question
    spec_class = QuestionImport


# ---------------------------------------------------------------------------------------------
# Quizzes


class QuizListView(ObjectListView):
    model = Quiz
    queryset = Quiz.objects.select_related("organization").annotate(
        taker_count=count_where(QuizAttempt.objects.filter(quiz=OuterRef("pk"), submitted_at__isnull=False))
    )
    table_class = tables.QuizTable
    filterset_class = filtersets.QuizFilterSet


class QuizDetailView(ObjectDetailView):
    model = Quiz
    detail_fields = [
        "organization",
        "title",
        "description",
        "tags",
        "question_count",
        "time_limit_minutes",
        "opens_at",
        "closes_at",
        "multiple_partial",
        "leaderboard",
    ]

    def get_template_names(self):
        return [T + "quiz_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("organization__hospital")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        quiz, user = ctx["object"], self.request.user
        services.close_expired(quiz)
        attempts = list(
            QuizAttempt.objects.restrict(user, VIEW)
            .filter(quiz=quiz)
            .select_related("person__membership__organization")
            .order_by("-score", "person__staff_no")
        )
        writable = ctx["edit_url"] is not None
        person = own_person(user)
        ctx.update(
            {
                "questions": services.questions_of(quiz),
                "attempts": attempts,
                "branches": services.branch_results(attempts),
                "board": services.leaderboard(quiz, attempts),
                "can_draw": writable and not quiz.attempts.exists(),
                "can_change": writable,
                "takes": person is not None and services.in_audience(quiz, person),
                "status": quiz.status(),
            }
        )
        if quiz.attempts.exists():
            ctx["delete_url"] = None
        return ctx


class QuizHistoryView(ObjectHistoryView):
    model = Quiz


class QuizEditView(ObjectEditView):
    """A new quiz draws its questions at once; a quiz nobody has started may be edited and drawn again."""

    model = Quiz
    form_class = forms.QuizForm

    def new_object(self):
        from ..services.quizzes import default_partial

        quiz = Quiz()
        orgs = forms.learning_organizations(self.request.user)
        if len(ids := list(orgs.values_list("pk", flat=True)[:2])) == 1:
            quiz.organization = orgs.get(pk=ids[0])
        now = timezone.localtime().replace(second=0, microsecond=0)
        quiz.opens_at, quiz.closes_at = now, now + dt.timedelta(days=7)
        quiz.question_count, quiz.time_limit_minutes = 5, 5
        hospital_id = quiz.organization.hospital_id if quiz.organization_id else None
        quiz.multiple_partial = default_partial(hospital_id)
        return quiz

    def save_object(self, form):
        is_new = form.instance.pk is None
        quiz = super().save_object(form)
        if is_new or {"tags", "question_count"} & set(form.changed_data):
            try:
                services.draw_questions(quiz, actor=self.request.user, request=self.request)
            except ValidationError as exc:
                raise FormRefused(form, exc) from exc
        return quiz

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().post(request, *args, **kwargs)
        except FormRefused as refused:
            form = refused.form
            for name, errs in refused.exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errs)
            obj = form.instance
            if kwargs.get("pk") is None:
                obj.pk = None
                obj._state.adding = True
            return self.render_form(form, obj, status=422)


class FormRefused(Exception):
    def __init__(self, form, exc):
        super().__init__("refused")
        self.form, self.exc = form, exc


class QuizDeleteView(ObjectDeleteView):
    model = Quiz


class QuizDrawView(ScopedMixin, View):
    model = Quiz
    action = CHANGE

    def post(self, request, pk):
        quiz = get_object_or_404(self.get_queryset().select_related("organization"), pk=pk)
        try:
            services.draw_questions(quiz, actor=request.user, request=request)
        except ValidationError as exc:
            for message in errors_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("The questions were drawn again."))
        return redirect(quiz.get_absolute_url())


class QuizAttemptListView(ObjectListView):
    model = QuizAttempt
    queryset = QuizAttempt.objects.select_related("person", "quiz")
    table_class = tables.QuizAttemptTable
    filterset_class = filtersets.QuizAttemptFilterSet


class QuizAttemptDetailView(ObjectDetailView):
    """One person's result: score, and each question with their answer, the right one and the explanation."""

    model = QuizAttempt

    def get_template_names(self):
        return [T + "attempt_detail.html"]

    def get_queryset(self):
        return super().get_queryset().select_related("quiz__organization", "person")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        attempt = ctx["object"]
        if attempt.submitted_at is None and timezone.now() > attempt.deadline + services.grace(attempt.quiz):
            services.close_expired(attempt.quiz)
            attempt.refresh_from_db()
        ctx["rows"] = services.answer_rows(attempt) if attempt.is_submitted else []
        ctx["edit_url"] = ctx["delete_url"] = None
        person = own_person(self.request.user)
        ctx["mine"] = person is not None and person.pk == attempt.person_id
        ctx["quiz_url"] = (
            attempt.quiz.get_absolute_url()
            if Quiz.objects.restrict(self.request.user, VIEW).filter(pk=attempt.quiz_id).exists()
            else None
        )
        return ctx


class QuizAttemptHistoryView(ObjectHistoryView):
    model = QuizAttempt


# ---------------------------------------------------------------------------------------------
# Taking a quiz on a phone


class TakeQuizView(LoginRequiredMixin, View):
    """Start (or resume) the quiz, answer each question (saved as it is chosen), submit; then the result."""

    template_name = T + "take.html"

    def setup_quiz(self, request, pk):
        person = own_person(request.user)
        if person is None:
            raise PermissionDenied(_("Your account is not linked to a staff record."))
        # The quizzes the member is invited to (their organisation or one above it), in their hospital.
        quiz = get_object_or_404(services.quizzes_for(person).select_related("organization"), pk=pk)
        attempt = QuizAttempt.objects.filter(quiz=quiz, person=person).first()
        return person, quiz, attempt

    def context(self, quiz, attempt, errors=()):
        now = timezone.now()
        ctx = {"quiz": quiz, "attempt": attempt, "errors": errors, "status": quiz.status(now)}
        if attempt is not None and attempt.submitted_at is None:
            saved = {a.question_id: a.chosen for a in attempt.answers.all()}
            ctx["questions"] = [
                {"n": n, "q": q, "chosen": set(saved.get(q.pk, ""))}
                for n, q in enumerate(services.questions_of(quiz), start=1)
            ]
            ctx["seconds_left"] = max(0, int((attempt.deadline - now).total_seconds()))
            ctx["answer_url"] = reverse("learning:quiz_answer", args=[quiz.pk])
        return ctx

    def get(self, request, pk):
        person, quiz, attempt = self.setup_quiz(request, pk)
        if (
            attempt is not None
            and attempt.submitted_at is None
            and timezone.now() > attempt.deadline + services.grace(quiz)
        ):
            services.close_expired(quiz)
            attempt.refresh_from_db()
        if attempt is not None and attempt.submitted_at is not None:
            return redirect(attempt.get_absolute_url())
        return render(request, self.template_name, self.context(quiz, attempt))

    def post(self, request, pk):
        person, quiz, attempt = self.setup_quiz(request, pk)
        if "start" in request.POST or attempt is None:
            try:
                services.start_attempt(quiz, person=person, actor=request.user, request=request)
            except ValidationError as exc:
                return render(
                    request, self.template_name, self.context(quiz, attempt, errors_of(exc)), status=422
                )
            return redirect(reverse("learning:quiz_take", args=[quiz.pk]))
        try:
            services.submit_attempt(
                attempt, answers_from(request.POST, quiz), actor=request.user, request=request
            )
        except ValidationError as exc:
            attempt.refresh_from_db()
            if attempt.is_submitted:  # after the time limit: graded from what was saved in time
                for message in errors_of(exc):
                    messages.error(request, message)
                return redirect(attempt.get_absolute_url())
            return render(
                request, self.template_name, self.context(quiz, attempt, errors_of(exc)), status=422
            )
        messages.success(
            request,
            _("Submitted: %(score)s of %(max)s.")
            % {"score": f"{attempt.score.normalize():f}", "max": f"{attempt.max_score.normalize():f}"},
        )
        return redirect(attempt.get_absolute_url())


def answers_from(data, quiz) -> dict:
    """{question id: letters} from the posted form (``q-<id>`` radio or checkboxes)."""
    out = {}
    for qq in quiz.quiz_questions.all():
        values = data.getlist(f"q-{qq.question_id}")
        if values:
            out[qq.question_id] = "".join(values)
    return out


class QuizAnswerView(TakeQuizView):
    """Save one question's answer as it is chosen (HTMX); refused after the time limit."""

    def get(self, request, pk):
        return redirect(reverse("learning:quiz_take", args=[pk]))

    def post(self, request, pk):
        person, quiz, attempt = self.setup_quiz(request, pk)
        if attempt is None:
            return HttpResponse(_("Start the quiz first."), status=409)
        answers = answers_from(request.POST, quiz)
        question_id = request.POST.get("question")
        if question_id and question_id.isdigit() and int(question_id) not in answers:
            answers[int(question_id)] = ""
        try:
            services.save_answers(attempt, answers, actor=request.user)
        except ValidationError as exc:
            return HttpResponse(" ".join(errors_of(exc)), status=422)
        return HttpResponse(_("Saved"))


urlpatterns = [
    path("mine/quizzes/<int:pk>/", TakeQuizView.as_view(), name="quiz_take"),
    path("mine/quizzes/<int:pk>/answer/", QuizAnswerView.as_view(), name="quiz_answer"),
    path("quizzes/<int:pk>/draw/", QuizDrawView.as_view(), name="quiz_draw"),
    *crud_urls(
        "questions",
        Question,
        list_view=QuestionListView,
        detail_view=QuestionDetailView,
        edit_view=QuestionEditView,
        delete_view=QuestionDeleteView,
        history_view=QuestionHistoryView,
        import_view=QuestionImportView,
    ),
    *crud_urls(
        "quizzes",
        Quiz,
        list_view=QuizListView,
        detail_view=QuizDetailView,
        edit_view=QuizEditView,
        delete_view=QuizDeleteView,
        history_view=QuizHistoryView,
    ),
    *crud_urls(
        "quiz-attempts",
        QuizAttempt,
        list_view=QuizAttemptListView,
        detail_view=QuizAttemptDetailView,
        history_view=QuizAttemptHistoryView,
    ),
]
