"""API of member development: the recorded steps, ``advance`` (a stage change) and a membership's plan.

``/api/people/development-steps/``: list and read the steps in scope; POST records a step through
``record_step`` (the rules checked; a stage's step is refused); DELETE removes a step recorded by
mistake (409 for a stage's step). ``POST …/advance/`` moves a membership to its next stage;
``GET …/plan/?membership=<id>`` gives its timeline. Steps are never edited: a wrong one is removed
and recorded again, each audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hongqing.core.api import HQSerializer
from hongqing.core.scoping import CHANGE, VIEW

from .. import development
from ..choices import Stage, StepKind
from ..models import DevelopmentStep, Membership


def _writable_memberships(serializer):
    request = serializer.context.get("request")
    qs = Membership.objects.all()
    if request is None:
        return qs.none()
    action_ = VIEW if request.method in permissions.SAFE_METHODS else CHANGE
    return qs.restrict(request.user, action_)


class DevelopmentStepSerializer(HQSerializer):
    class Meta:
        model = DevelopmentStep
        fields = ["id", "membership", "kind", "date", "end_date", "hours", "note", "created"]
        read_only_fields = ["created"]

    def get_fields(self):
        fields = super().get_fields()
        fields["membership"].queryset = _writable_memberships(self)
        fields["kind"].choices = [(k.value, k.label) for k in development.RECORDABLE_KINDS]
        return fields


class AdvanceSerializer(serializers.Serializer):
    membership = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.none())
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    date = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        fields["membership"].queryset = _writable_memberships(self)
        return fields


class AdvanceResultSerializer(serializers.Serializer):
    step = DevelopmentStepSerializer()
    stage = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


class PlanStepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)
    label = serializers.CharField()
    is_stage = serializers.BooleanField()
    done = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    due = serializers.DateField(allow_null=True)
    earliest = serializers.DateField(allow_null=True)
    status = serializers.CharField(help_text="done, late, early, incomplete, overdue, due, upcoming, missed")
    messages = serializers.SerializerMethodField()
    step = serializers.SerializerMethodField()

    def get_messages(self, obj) -> list[dict]:
        return [{"level": level, "text": str(text)} for level, text in obj.messages]

    def get_step(self, obj) -> int | None:
        return obj.step.pk if obj.step else None


class PlanSerializer(serializers.Serializer):
    membership = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()
    next_stage = serializers.CharField(allow_null=True)
    version = serializers.CharField(help_text="The rule version the hospital follows today: 2014 or 2026")
    probation_end = serializers.DateField(allow_null=True)
    steps = PlanStepSerializer(many=True)

    def get_membership(self, obj) -> int:
        return obj.membership.pk

    def get_stage(self, obj) -> str:
        return obj.membership.stage


def _drf_error(exc: DjangoValidationError):
    return exceptions.ValidationError({"non_field_errors": exc.messages})


class DevelopmentStepViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = DevelopmentStep.objects.select_related("membership")
    serializer_class = DevelopmentStepSerializer
    filterset_fields = ["membership", "kind"]

    def get_queryset(self):
        action_ = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return (
            super().get_queryset().order_by("membership", "date", "pk").restrict(self.request.user, action_)
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = development.record_step(
                data["membership"],
                kind=data["kind"],
                date=data["date"],
                end_date=data.get("end_date"),
                hours=data.get("hours"),
                note=data.get("note", ""),
                actor=self.request.user,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def destroy(self, request, *args, **kwargs):
        step = self.get_object()
        try:
            development.remove_step(step, actor=request.user)
        except DjangoValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AdvanceSerializer, responses={201: AdvanceResultSerializer})
    @action(detail=False, methods=["post"])
    def advance(self, request):
        """Move a membership to its next stage: the rules are checked, the step recorded and audited."""
        data = AdvanceSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            step = development.advance(
                v["membership"], to_stage=v["to_stage"], date=v["date"], actor=request.user, note=v["note"]
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        body = {
            "step": DevelopmentStepSerializer(step, context=self.get_serializer_context()).data,
            "stage": v["to_stage"],
            "warnings": [str(w) for w in step.warnings],
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("membership", int, required=True, description="The membership's id")],
        responses=PlanSerializer,
    )
    @action(detail=False, methods=["get"])
    def plan(self, request):
        """A membership's development: each step with its dates, due date and status."""
        pk = request.query_params.get("membership", "")
        if not pk.isdigit():
            raise exceptions.ValidationError({"membership": [_("Enter a membership id.")]})
        m = (
            Membership.objects.restrict(request.user, VIEW)
            .select_related("person", "organization")
            .filter(pk=int(pk))
            .first()
        )
        if m is None:
            raise exceptions.NotFound()
        return Response(PlanSerializer(development.plan(m, today=timezone.localdate())).data)
