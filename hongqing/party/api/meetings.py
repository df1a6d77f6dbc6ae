"""API: meetings, attendance, attachments, agenda items and 三重一大 matters.

Scoped like the pages (``ScopedViewSet``); the same FilterSets. Statuses change through actions that
call the services (``POST …/meetings/{id}/hold/``, ``…/cancel/``, ``…/agenda-items/{id}/decide/``,
``…/study/``, ``…/defer/``), never by writing the field. Attachments are uploaded as multipart and
downloaded through their ``url`` (the page that checks the scope).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from hongqing.core.api import HQSerializer, ScopedViewSet
from hongqing.core.rules import RuleBook
from hongqing.people.models import Person

from .. import filtersets_meetings as filtersets
from ..choices import AttendanceStatus, MeetingStatus
from ..models import AgendaItem, Attendance, MajorMatter, Meeting, MeetingAttachment
from ..services import meetings as services


def _drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class QuorumSerializer(serializers.Serializer):
    applies = serializers.BooleanField(help_text="Whether the kind of meeting needs a quorum")
    basis = serializers.CharField(help_text="congress (full members) or committee (committee members)")
    should_attend = serializers.IntegerField(help_text="Members with a vote who should attend")
    present = serializers.IntegerField(help_text="Of them, present")
    needed = serializers.IntegerField(help_text="The least number present for a quorum")
    met = serializers.BooleanField()
    pass_needed = serializers.IntegerField(help_text="The least number of votes for that passes a resolution")


class MeetingSerializer(HQSerializer):
    quorum = serializers.SerializerMethodField()

    @extend_schema_field(QuorumSerializer)
    def get_quorum(self, obj) -> dict:
        # One read of the meeting rules for a whole page of meetings.
        rules = self.context.get("_meeting_rules")
        if rules is None:
            rules = self.context["_meeting_rules"] = RuleBook("meeting.")
        return QuorumSerializer(services.quorum(obj, rules=rules)).data

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "organization",
            "kind",
            "status",
            "start",
            "place",
            "host",
            "topic",
            "agenda",
            "minutes",
            "resolutions",
            "department",
            "department_decisions",
            "cancel_reason",
            "quorum",
        ]
        read_only_fields = ["status", "cancel_reason"]

    def validate(self, attrs):
        instance = self.instance
        if instance is not None and instance.attendances.exists():
            for name in ("organization", "kind"):
                if name in attrs and attrs[name] != getattr(instance, name):
                    raise exceptions.ValidationError(
                        {name: _("The attendance is recorded: the organisation and the kind stay.")}
                    )
        return super().validate(attrs)


class AttendanceSerializer(HQSerializer):
    class Meta:
        model = Attendance
        fields = [
            "id",
            "meeting",
            "person",
            "status",
            "reason",
            "expected",
            "voting",
            "is_guest",
            "makeup_on",
            "makeup_note",
        ]
        read_only_fields = ["expected", "voting"]

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("meeting", "person"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise exceptions.ValidationError({name: _("Record a new attendance instead.")})
        return super().validate(attrs)


class AttendanceRowSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    makeup_on = serializers.DateField(required=False, allow_null=True)
    makeup_note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    is_guest = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["person"].queryset = Person.objects.restrict(request.user, "view")


class HoldSerializer(serializers.Serializer):
    attendance = AttendanceRowSerializer(
        many=True, required=False, help_text="Rows to record first (else the recorded attendance is used)"
    )
    minutes = serializers.CharField(required=False, allow_blank=True)
    resolutions = serializers.CharField(required=False, allow_blank=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class MeetingAttachmentSerializer(HQSerializer):
    file = serializers.FileField(write_only=True, required=False, help_text="The file (multipart upload)")

    class Meta:
        model = MeetingAttachment
        fields = ["id", "url", "meeting", "file", "name", "size"]
        read_only_fields = ["size"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("file"):
            raise exceptions.ValidationError({"file": _("Choose a file.")})
        if self.instance is not None:
            for name in ("file", "meeting"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise exceptions.ValidationError({name: _("Upload a new attachment instead.")})
        if self.instance is None and not attrs.get("name"):
            attrs["name"] = attrs["file"].name[:200]
        if (
            self.instance is None
            and "meeting" in attrs
            and attrs["meeting"].status == MeetingStatus.CANCELLED
        ):
            raise exceptions.ValidationError({"meeting": _("A cancelled meeting takes no attachments.")})
        return super().validate(attrs)


class AgendaItemSerializer(HQSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "url",
            "meeting",
            "order",
            "title",
            "matter",
            "status",
            "urgent",
            "secretary_consent",
            "conclusion",
            "votes_yes",
            "votes_no",
            "votes_abstain",
        ]
        read_only_fields = ["status"]

    def validate(self, attrs):
        if self.instance is not None and "meeting" in attrs and attrs["meeting"] != self.instance.meeting:
            raise exceptions.ValidationError({"meeting": _("An item stays on its meeting.")})
        return super().validate(attrs)


class MatterPathSerializer(serializers.ModelSerializer):
    """One step of a matter's path: an agenda item at a meeting."""

    meeting_kind = serializers.CharField(source="meeting.kind", read_only=True)
    meeting_start = serializers.DateTimeField(source="meeting.start", read_only=True)
    meeting_status = serializers.CharField(source="meeting.status", read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "meeting_kind",
            "meeting_start",
            "meeting_status",
            "title",
            "status",
            "urgent",
        ]


class MajorMatterSerializer(HQSerializer):
    path = serializers.SerializerMethodField(help_text="The agenda items that took the matter up, in order")

    @extend_schema_field(MatterPathSerializer(many=True))
    def get_path(self, obj) -> list:
        items = getattr(obj, "path_items", None)  # prefetched by the viewset (scoped)
        if items is None:
            request = self.context.get("request")
            items = AgendaItem.objects.filter(matter=obj)
            if request is not None:
                items = items.restrict(request.user, "view")
            items = items.select_related("meeting").order_by("meeting__start", "order")
        return MatterPathSerializer(items, many=True).data

    class Meta:
        model = MajorMatter
        fields = ["id", "url", "hospital", "title", "category", "amount", "path"]


# ---------------------------------------------------------------------------------------------
# Viewsets


class MeetingViewSet(ScopedViewSet):
    queryset = Meeting.objects.select_related("organization").prefetch_related("attendances")
    serializer_class = MeetingSerializer
    filterset_class = filtersets.MeetingFilterSet

    @extend_schema(request=HoldSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Record the meeting as held (not in the future; everyone on the roster's attendance recorded)."""
        meeting = self.get_object()
        data = HoldSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        rows = data.validated_data.get("attendance")
        try:
            meeting = services.hold_meeting(
                meeting,
                actor=request.user,
                attendance=[dict(r) for r in rows] if rows is not None else None,
                minutes=data.validated_data.get("minutes"),
                resolutions=data.validated_data.get("resolutions"),
                request=request,
            )
        except services.AttendanceRefused as exc:
            raise exceptions.ValidationError(
                {"attendance": {str(k): v for k, v in exc.rows.items()}}
            ) from exc
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(meeting).data)

    @extend_schema(request=CancelSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a planned meeting, with the reason."""
        meeting = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            meeting = services.cancel_meeting(
                meeting, actor=request.user, reason=data.validated_data["reason"], request=request
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(meeting).data)


class AttendanceViewSet(ScopedViewSet):
    queryset = Attendance.objects.select_related("meeting", "person")
    serializer_class = AttendanceSerializer
    filterset_class = filtersets.AttendanceFilterSet


class MeetingAttachmentViewSet(ScopedViewSet):
    """Upload with multipart/form-data (``meeting``, ``file``, ``name``); type, content and size are checked."""

    queryset = MeetingAttachment.objects.all()
    serializer_class = MeetingAttachmentSerializer
    filterset_class = filtersets.MeetingAttachmentFilterSet
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def perform_create(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            try:
                serializer.instance = services.add_attachment(
                    data["meeting"],
                    data["file"],
                    actor=self.request.user,
                    name=data.get("name", ""),
                    request=self.request,
                )
            except DjangoValidationError as exc:
                raise _drf_error(exc) from exc
            self._recheck(serializer.instance)


class AgendaItemViewSet(ScopedViewSet):
    queryset = AgendaItem.objects.select_related("meeting")
    serializer_class = AgendaItemSerializer
    filterset_class = filtersets.AgendaItemFilterSet

    def _set_status(self, request, fn):
        item = self.get_object()
        try:
            item = fn(item, actor=request.user, request=request)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(item).data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Mark the item decided: quorum, votes and the 三重一大 order of bodies are checked."""
        return self._set_status(request, services.decide_item)

    @extend_schema(request=None, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def study(self, request, pk=None):
        """Mark the item studied (at a held meeting)."""
        return self._set_status(request, services.study_item)

    @extend_schema(request=None, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def defer(self, request, pk=None):
        """Defer the item."""
        return self._set_status(request, services.defer_item)


class MajorMatterViewSet(ScopedViewSet):
    queryset = MajorMatter.objects.all()
    serializer_class = MajorMatterSerializer
    filterset_class = filtersets.MajorMatterFilterSet

    def get_queryset(self):
        # Each matter's path in one query for the page, as far as the user may see the items.
        items = (
            AgendaItem.objects.restrict(self.request.user, "view")
            .select_related("meeting")
            .order_by("meeting__start", "order")
        )
        return (
            super().get_queryset().prefetch_related(Prefetch("items", queryset=items, to_attr="path_items"))
        )


router = DefaultRouter()
router.register("meetings", MeetingViewSet)
router.register("attendances", AttendanceViewSet)
router.register("meeting-attachments", MeetingAttachmentViewSet)
router.register("agenda-items", AgendaItemViewSet)
router.register("major-matters", MajorMatterViewSet)
