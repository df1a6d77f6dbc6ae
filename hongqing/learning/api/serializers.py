"""Serializers of the learning API (``HQSerializer`` runs each model's ``clean()``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from hongqing.core.api import HQSerializer
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Person

from ..choices import QuizStatus, SelfStudyKind, StudyAttendanceStatus
from ..models import (
    CheckIn,
    Question,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    SelfStudy,
    StudyAttendance,
    StudyMaterial,
    StudyPlan,
    StudyPlanItem,
    StudySession,
)


class LearningOrganizationsMixin:
    """A write names records the user may change, not only see: the organisation (by the learning
    area's grants) and the fields of ``change_fields``."""

    change_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        field = fields.get("organization")
        if field is not None and not field.read_only:
            field.queryset = PartyOrganization.objects.restrict(request.user, "change", area="learning")
        for name in self.change_fields:
            field = fields.get(name)
            if field is not None and not field.read_only:
                field.queryset = field.queryset.model.objects.restrict(request.user, "change")
        return fields


class StudyPlanSerializer(LearningOrganizationsMixin, HQSerializer):
    class Meta:
        model = StudyPlan
        fields = ["id", "url", "organization", "level", "year", "title", "note", "published_on"]
        read_only_fields = ["published_on"]
        validators = []  # the once-per-level-and-year constraint is checked by the database and said below

    def validate(self, attrs):
        attrs = super().validate(attrs)
        org = attrs.get("organization") or getattr(self.instance, "organization", None)
        level = attrs.get("level") or getattr(self.instance, "level", None)
        year = attrs.get("year") or getattr(self.instance, "year", None)
        clash = StudyPlan.objects.filter(organization=org, level=level, year=year)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if org is not None and clash.exists():
            raise exceptions.ValidationError(
                {"level": _("This organisation already has a plan of this level for the year.")}
            )
        return attrs


class StudyPlanItemSerializer(LearningOrganizationsMixin, HQSerializer):
    change_fields = ("plan",)
    sessions = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The sessions that covered it"
    )

    class Meta:
        model = StudyPlanItem
        fields = ["id", "url", "plan", "order", "topic", "month", "hours", "mode", "note", "sessions"]

    def validate(self, attrs):
        if self.instance is not None and "plan" in attrs and attrs["plan"] != self.instance.plan:
            raise exceptions.ValidationError({"plan": _("A topic stays in its plan.")})
        return super().validate(attrs)


class StudySessionSerializer(LearningOrganizationsMixin, HQSerializer):
    speaker_display = serializers.CharField(read_only=True)

    class Meta:
        model = StudySession
        fields = [
            "id",
            "url",
            "organization",
            "kind",
            "mode",
            "title",
            "speaker",
            "speaker_name",
            "speaker_display",
            "start",
            "end",
            "place",
            "hours",
            "description",
            "audience_organizations",
            "audience_persons",
            "plan_items",
            "batch_of",
            "batch_number",
        ]
        read_only_fields = ["batch_of", "batch_number"]

    def validate(self, attrs):
        instance = self.instance
        moved = (
            instance is not None
            and "organization" in attrs
            and attrs["organization"] != instance.organization
        )
        if moved and (instance.attendances.exists() or instance.batch_of_id or instance.batches.exists()):
            raise exceptions.ValidationError(
                {"organization": _("Attendance or batches are recorded: the organiser stays.")}
            )
        org = attrs.get("organization") or getattr(instance, "organization", None)
        for name in ("audience_organizations", "audience_persons"):
            for obj in attrs.get(name) or []:
                if org is not None and obj.hospital_id != org.hospital_id:
                    raise exceptions.ValidationError(
                        {name: _("%(obj)s belongs to another hospital.") % {"obj": obj}}
                    )
        return super().validate(attrs)


class StudyAttendanceRowSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    status = serializers.ChoiceField(
        choices=StudyAttendanceStatus.choices,
        allow_blank=True,
        help_text="present / makeup / leave / absent, or empty: not recorded (an existing row is removed)",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    makeup_on = serializers.DateField(required=False, allow_null=True)
    makeup_note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["person"].queryset = Person.objects.restrict(request.user, "view")


class RecordAttendanceSerializer(serializers.Serializer):
    rows = StudyAttendanceRowSerializer(many=True)


class RecordedSerializer(serializers.Serializer):
    saved = serializers.IntegerField()
    removed = serializers.IntegerField()


class BatchSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    place = serializers.CharField(required=False, allow_blank=True, max_length=100)


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The signed check-in code the organiser's screen shows now")
    url = serializers.CharField(help_text="The check-in page the QR code leads to")
    seconds_left = serializers.IntegerField(help_text="Until the next code")
    opens = serializers.DateTimeField()
    closes = serializers.DateTimeField()


class CheckInRequestSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The code of the QR code (the last part of its link)")


class StudyMaterialSerializer(LearningOrganizationsMixin, HQSerializer):
    change_fields = ("session",)
    file = serializers.FileField(write_only=True, required=False, help_text="The file (multipart upload)")

    class Meta:
        model = StudyMaterial
        fields = ["id", "url", "session", "file", "name", "size"]
        read_only_fields = ["size"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("file"):
            raise exceptions.ValidationError({"file": _("Choose a file.")})
        if self.instance is not None:
            for name in ("file", "session"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise exceptions.ValidationError({name: _("Upload a new file instead.")})
        return super().validate(attrs)


class StudyAttendanceSerializer(HQSerializer):
    counts = serializers.BooleanField(
        read_only=True, help_text="Whether its hours are credited (present or made up)"
    )

    class Meta:
        model = StudyAttendance
        fields = [
            "id",
            "url",
            "session",
            "person",
            "status",
            "hours",
            "counts",
            "via",
            "reason",
            "makeup_on",
            "makeup_note",
        ]


class CheckInSerializer(HQSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "session", "person", "attendance", "at", "code_step"]


class SelfStudySerializer(HQSerializer):
    class Meta:
        model = SelfStudy
        fields = [
            "id",
            "url",
            "person",
            "kind",
            "title",
            "studied_on",
            "hours",
            "note",
            "status",
            "reviewed_by",
            "reviewed_at",
            "reject_reason",
        ]
        read_only_fields = ["person", "status", "reviewed_by", "reviewed_at", "reject_reason"]


class SubmitSelfStudySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SelfStudyKind.choices, default=SelfStudyKind.BOOK)
    title = serializers.CharField(max_length=200)
    studied_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=1)
    note = serializers.CharField(required=False, allow_blank=True)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class QuestionSerializer(HQSerializer):
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        help_text="The option texts, A first (none for true or false)",
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "url",
            "hospital",
            "kind",
            "text",
            "options",
            "answer",
            "explanation",
            "tags",
            "active",
        ]


class QuizSerializer(LearningOrganizationsMixin, HQSerializer):
    status = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=QuizStatus.choices))
    def get_status(self, obj) -> str:
        return obj.status()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_questions(self, obj) -> list[int]:
        drawn = getattr(obj, "drawn", None)
        if drawn is not None:
            return [qq.question_id for qq in drawn]
        return list(obj.quiz_questions.order_by("order").values_list("question_id", flat=True))

    class Meta:
        model = Quiz
        fields = [
            "id",
            "url",
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
            "status",
            "questions",
        ]

    def validate(self, attrs):
        if self.instance is not None and self.instance.attempts.exists():
            for name in ("organization", "tags", "question_count", "multiple_partial"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise exceptions.ValidationError(
                        {name: _("Members have started this quiz: it stays as it is.")}
                    )
        return super().validate(attrs)


class QuizAnswerSerializer(HQSerializer):
    class Meta:
        model = QuizAnswer
        fields = ["id", "attempt", "question", "chosen", "answered_at", "correct", "points"]


class QuizAttemptSerializer(HQSerializer):
    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "url",
            "quiz",
            "person",
            "started_at",
            "deadline",
            "submitted_at",
            "timed_out",
            "score",
            "max_score",
        ]


class StartSerializer(serializers.Serializer):
    quiz = serializers.IntegerField()


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=10),
        help_text='{question id: the letters chosen, e.g. "A" or "ACD"}',
        required=False,
    )


class HoursSerializer(serializers.Serializer):
    membership = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    staff_no = serializers.CharField(source="person.staff_no")
    organization = serializers.IntegerField(source="organization_id")
    session_hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    self_hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    total_hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    required_hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    is_leader = serializers.BooleanField(help_text="Holds a post in a current committee term (56 hours)")
    reached = serializers.BooleanField()


class CompletionSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    name = serializers.CharField()
    members = serializers.IntegerField()
    reached = serializers.IntegerField()
    rate = serializers.IntegerField(help_text="Whole percent of the members at or above their requirement")
