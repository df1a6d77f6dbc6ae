"""API: plans, sessions (+ attendance, batches, the check-in code, check-in), material, attendance and
check-ins (read), self-study (+ submit, confirm, reject, withdraw), the question bank, quizzes (+ draw),
attempts (+ start, answer, submit), answers (read), and the derived study hours and completion.

Scoped like the pages (``restrict``), with the same FilterSets. Statuses change through actions that
call the services, never by writing the field. A member acts on their own records with a read
grant: checking in, recording a self-study, taking a quiz.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from hongqing.core.api import ScopedViewSet
from hongqing.core.scoping import CHANGE, VIEW, has_permission
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Membership

from .. import filtersets
from ..models import (
    CheckIn,
    Question,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizQuestion,
    SelfStudy,
    StudyAttendance,
    StudyMaterial,
    StudyPlan,
    StudyPlanItem,
    StudySession,
)
from ..services import hours as hours_services
from ..services import materials as material_services
from ..services import quizzes as quiz_services
from ..services import selfstudy as selfstudy_services
from ..services import sessions as services
from ..views.common import learns, own_person
from . import serializers as s


def drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


class ReadScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve in the user's scope; the writes are actions (each checks its own right)."""

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, VIEW)


def _recheck(user, obj):
    if not type(obj).objects.restrict(user, CHANGE).filter(pk=obj.pk).exists():
        raise exceptions.PermissionDenied(_("The record would be outside your scope."))


# Plans --------------------------------------------------------------------------------------------
class StudyPlanViewSet(ScopedViewSet):
    queryset = StudyPlan.objects.select_related("organization")
    serializer_class = s.StudyPlanSerializer
    filterset_class = filtersets.StudyPlanFilterSet

    @extend_schema(request=None, responses=s.StudyPlanSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the plan (once; it needs a topic)."""
        plan = self.get_object()
        try:
            selfstudy_services.publish_plan(plan, actor=request.user, request=request)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(plan).data)


class StudyPlanItemViewSet(ScopedViewSet):
    queryset = StudyPlanItem.objects.select_related("plan").prefetch_related("sessions")
    serializer_class = s.StudyPlanItemSerializer
    filterset_class = filtersets.StudyPlanItemFilterSet


# Sessions -------------------------------------------------------------------------------------------
class StudySessionViewSet(ScopedViewSet):
    queryset = StudySession.objects.select_related("organization", "speaker").prefetch_related(
        "audience_organizations", "audience_persons", "plan_items"
    )
    serializer_class = s.StudySessionSerializer
    filterset_class = filtersets.StudySessionFilterSet

    def get_permissions(self):
        if self.action == "check_in":
            # The attendee checks in with a read grant over their own records (and the code).
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=s.RecordAttendanceSerializer, responses=s.RecordedSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record the attendance from the roster (all rows or none; status "" removes a row)."""
        session = self.get_object()
        data = s.RecordAttendanceSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        try:
            done = services.record_attendance(
                session, [dict(r) for r in data.validated_data["rows"]], actor=request.user, request=request
            )
        except services.AttendanceRefused as exc:
            raise exceptions.ValidationError({"rows": {str(k): v for k, v in exc.rows.items()}}) from exc
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(done)

    @extend_schema(request=s.BatchSerializer, responses={201: s.StudySessionSerializer})
    @action(detail=True, methods=["post"])
    def batches(self, request, pk=None):
        """Add the next batch of the activity (its own time and place; the rest is the activity's)."""
        session = self.get_object()
        data = s.BatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            batch = services.add_batch(session, actor=request.user, request=request, **data.validated_data)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.CodeSerializer)
    @action(detail=True, methods=["get"])
    def code(self, request, pk=None):
        """The check-in code the organiser's screen shows now (for a screen of its own making)."""
        session = self.get_queryset().model.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
        if session is None:
            raise exceptions.NotFound()
        code = services.code_for(session)
        window = services.checkin_window(session)
        return Response(
            {
                "code": code,
                "url": request.build_absolute_uri(reverse("learning:checkin", args=[code])),
                "seconds_left": services.code_seconds_left(session),
                "opens": window.opens,
                "closes": window.closes,
            }
        )

    @extend_schema(request=s.CheckInRequestSerializer, responses={201: s.StudyAttendanceSerializer})
    @action(detail=False, methods=["post"], url_path="check-in")
    def check_in(self, request):
        """Check in with the scanned code: once, in the window, while the code is fresh, if invited."""
        data = s.CheckInRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = own_person(request.user)
        try:
            session, step = services.read_code(data.validated_data["code"])
            services.check_person(session, person)
            att = services.check_in(
                services.ticket_for(session, person, step), person=person, actor=request.user, request=request
            )
        except services.CheckInRefused as exc:
            raise exceptions.ValidationError({"code": exc.messages, "reason": exc.reason}) from exc
        return Response(
            s.StudyAttendanceSerializer(att, context=self.get_serializer_context()).data, status=201
        )


class StudyMaterialViewSet(ScopedViewSet):
    """Upload with multipart/form-data (``session``, ``file``, ``name``); type, content and size are checked."""

    queryset = StudyMaterial.objects.all()
    serializer_class = s.StudyMaterialSerializer
    filterset_class = filtersets.StudyMaterialFilterSet
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def perform_create(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            try:
                serializer.instance = material_services.add_material(
                    data["session"],
                    data["file"],
                    actor=self.request.user,
                    name=data.get("name", ""),
                    request=self.request,
                )
            except DjangoValidationError as exc:
                raise drf_error(exc) from exc
            self._recheck(serializer.instance)


class StudyAttendanceViewSet(ReadScopedViewSet):
    """Read only: attendance is recorded through the session (roster or check-in)."""

    queryset = StudyAttendance.objects.select_related("session", "person")
    serializer_class = s.StudyAttendanceSerializer
    filterset_class = filtersets.StudyAttendanceFilterSet


class CheckInViewSet(ReadScopedViewSet):
    queryset = CheckIn.objects.select_related("session", "person")
    serializer_class = s.CheckInSerializer
    filterset_class = filtersets.CheckInFilterSet


# Self-study ------------------------------------------------------------------------------------------
class SelfStudyViewSet(ReadScopedViewSet):
    """The records in scope (a member: their own). ``submit`` records the member's own; ``confirm`` and
    ``reject`` are the branch's; ``withdraw`` the member's while it waits."""

    queryset = SelfStudy.objects.select_related("person")
    serializer_class = s.SelfStudySerializer
    filterset_class = filtersets.SelfStudyFilterSet

    def get_permissions(self):
        if self.action in ("submit", "withdraw"):
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def _changeable(self, pk):
        record = (
            SelfStudy.objects.restrict(self.request.user, CHANGE)
            .select_related("person")
            .filter(pk=pk)
            .first()
        )
        if record is None:
            if SelfStudy.objects.restrict(self.request.user, VIEW).filter(pk=pk).exists():
                raise exceptions.PermissionDenied()
            raise exceptions.NotFound()
        return record

    @extend_schema(request=s.SubmitSelfStudySerializer, responses={201: s.SelfStudySerializer})
    @action(detail=False, methods=["post"])
    def submit(self, request):
        """The member's own self-study (awaits confirmation)."""
        person = own_person(request.user)
        if person is None or not learns(request.user):
            raise exceptions.PermissionDenied(_("Your account is not linked to a staff record."))
        data = s.SubmitSelfStudySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            record = selfstudy_services.submit_self_study(
                person=person, actor=request.user, request=request, **data.validated_data
            )
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.SelfStudySerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        record = self._changeable(pk)
        try:
            selfstudy_services.confirm_self_study(record, actor=request.user, request=request)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(record).data)

    @extend_schema(request=s.RejectSerializer, responses=s.SelfStudySerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        record = self._changeable(pk)
        data = s.RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            selfstudy_services.reject_self_study(
                record, actor=request.user, reason=data.validated_data["reason"], request=request
            )
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(record).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        record = self.get_object()
        try:
            selfstudy_services.withdraw_self_study(record, actor=request.user, request=request)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


# Questions and quizzes --------------------------------------------------------------------------------
class QuestionViewSet(ScopedViewSet):
    queryset = Question.objects.all()
    serializer_class = s.QuestionSerializer
    filterset_class = filtersets.QuestionFilterSet


class QuizViewSet(ScopedViewSet):
    queryset = Quiz.objects.select_related("organization").prefetch_related(
        Prefetch("quiz_questions", queryset=QuizQuestion.objects.order_by("order"), to_attr="drawn")
    )
    serializer_class = s.QuizSerializer
    filterset_class = filtersets.QuizFilterSet

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = serializer.save(created_by=self.request.user)
            self._recheck(instance)
            try:
                quiz_services.draw_questions(instance, actor=self.request.user, request=self.request)
            except DjangoValidationError as exc:
                raise drf_error(exc) from exc
        instance.drawn = list(instance.quiz_questions.order_by("order"))

    @extend_schema(request=None, responses=s.QuizSerializer)
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        """Draw the questions again (while nobody has started the quiz)."""
        quiz = self.get_object()
        try:
            quiz_services.draw_questions(quiz, actor=request.user, request=request)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        quiz.drawn = list(quiz.quiz_questions.order_by("order"))
        return Response(self.get_serializer(quiz).data)


class QuizAttemptViewSet(ReadScopedViewSet):
    """Attempts in scope (a member: their own). ``start`` an open quiz, ``answer`` while the time
    lasts (the server's limit), ``submit``: graded at once."""

    queryset = QuizAttempt.objects.select_related("quiz", "person")
    serializer_class = s.QuizAttemptSerializer
    filterset_class = filtersets.QuizAttemptFilterSet

    def get_permissions(self):
        if self.action in ("start", "answer", "submit"):
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=s.StartSerializer, responses={201: s.QuizAttemptSerializer})
    @action(detail=False, methods=["post"])
    def start(self, request):
        """Start (or resume) the user's attempt at an open quiz they are invited to."""
        person = own_person(request.user)
        if person is None or not learns(request.user):
            raise exceptions.PermissionDenied(_("Your account is not linked to a staff record."))
        data = s.StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quiz = quiz_services.quizzes_for(person).filter(pk=data.validated_data["quiz"]).first()
        if quiz is None:
            raise exceptions.NotFound()
        try:
            attempt = quiz_services.start_attempt(quiz, person=person, actor=request.user, request=request)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(attempt).data, status=status.HTTP_201_CREATED)

    def _answers(self, request):
        data = s.AnswersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = data.validated_data.get("answers") or {}
        if any(not str(k).isdigit() for k in answers):
            raise exceptions.ValidationError({"answers": _("Name each question by its id.")})
        return {int(k): v for k, v in answers.items()}

    @extend_schema(request=s.AnswersSerializer, responses=s.QuizAttemptSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Save answers while the time lasts (refused after the limit)."""
        attempt = self.get_object()
        try:
            quiz_services.save_answers(attempt, self._answers(request), actor=request.user)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(attempt).data)

    @extend_schema(request=s.AnswersSerializer, responses=s.QuizAttemptSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit with the last answers: graded at once (after the limit: refused, and graded from the
        answers saved in time)."""
        attempt = self.get_object()
        try:
            quiz_services.submit_attempt(attempt, self._answers(request), actor=request.user, request=request)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(attempt).data)


class QuizAnswerViewSet(ReadScopedViewSet):
    """A person's answers: theirs to see, and their branch's and the office's (never another member's)."""

    queryset = QuizAnswer.objects.select_related("attempt")
    serializer_class = s.QuizAnswerSerializer
    filterset_class = filtersets.QuizAnswerFilterSet

    def get_queryset(self):
        qs = super().get_queryset()
        # Answers of an attempt still in progress are its taker's only (no hint to anyone else).
        person = own_person(self.request.user)
        submitted = Q(attempt__submitted_at__isnull=False)
        return qs.filter(submitted | Q(attempt__person=person) if person is not None else submitted)


# Derived figures ---------------------------------------------------------------------------------------
class LearningReadPermission(permissions.BasePermission):
    """A read grant over the learning area (the rows are memberships, judged by the learning grants)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) and has_permission(
            request.user, StudyAttendance, VIEW
        )


class HoursViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Each member's study hours of a year against their requirement (the hours list)."""

    queryset = Membership.objects.none()
    permission_classes = [LearningReadPermission]
    serializer_class = s.HoursSerializer
    filterset_class = filtersets.HoursFilterSet

    def get_queryset(self):
        from ..views.study import members_in_scope, selected_year

        qs = members_in_scope(self.request.user).select_related("person")
        return hours_services.with_hours(qs, selected_year(self.request)).order_by(
            "organization__path", "person__staff_no"
        )


class CompletionViewSet(viewsets.ViewSet):
    """Each branch's completion of a year (members at or above their requirement)."""

    permission_classes = [LearningReadPermission]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=False)],
        responses=s.CompletionSerializer(many=True),
    )
    def list(self, request):
        from ..views.study import members_in_scope, selected_year

        year = selected_year(request)
        branches = list(
            PartyOrganization.objects.restrict(request.user, VIEW, area="learning")
            .filter(Q(kind=OrgKind.BRANCH) | Q(kind=OrgKind.GENERAL_BRANCH))
            .order_by("hospital_id", "path")
        )
        scope = members_in_scope(request.user)
        result = hours_services.completion(
            branches, year, memberships=Membership.objects.filter(pk__in=scope.values("pk"))
        )
        rows = [
            {
                "organization": b.pk,
                "name": str(b),
                "members": result[b.pk].members,
                "reached": result[b.pk].reached,
                "rate": result[b.pk].rate,
            }
            for b in branches
        ]
        return Response(s.CompletionSerializer(rows, many=True).data)
