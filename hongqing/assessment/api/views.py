"""API of the assessment app, scoped like its pages.

- ``indicators/``: the catalogue (hospital-wide roles write it; a formula is checked like on the page).
- ``values/``: the entered values, read only one by one; ``values/bulk/`` writes many at once for the
  statistics office — every value checked (unit, decimals, range, closed month), all or nothing,
  the errors naming each item.
- ``schemes/``: a scheme with its items (written together; each family's weights add up to 100);
  ``schemes/<id>/score/`` computes a period's scores.
- ``scorecards/``: the dual scorecards (read only; the ranks only for hospital-wide readers).
- ``responsibility-lists/`` and ``responsibility-items/`` (``…/<id>/done/`` and ``…/<id>/undo/``:
  the owner, with evidence).
- ``closed-months/``: the closed months; ``closed-months/close/`` and ``…/reopen/`` (with a reason).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from hongqing.core.api import HQSerializer, ScopedViewSet
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.views import rule_hospitals
from hongqing.organization.models import Department, Hospital

from .. import filtersets
from ..choices import Method, ValueSource
from ..models import (
    DualScorecard,
    Indicator,
    IndicatorValue,
    MonthClose,
    ResponsibilityItem,
    ResponsibilityList,
    Scheme,
    SchemeItem,
)
from ..periods import parse_month
from ..services import responsibility as resp_services
from ..services import scoring
from ..services import values as value_services
from ..views.common import hospital_wide


def _drf(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


# ---------------------------------------------------------------------------------------------
# Indicators


class IndicatorSerializer(HQSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "url",
            "hospital",
            "code",
            "name",
            "short_name",
            "unit",
            "family",
            "direction",
            "source",
            "aggregation",
            "weight",
            "entry_level",
            "computation",
            "formula",
            "decimals",
            "min_value",
            "max_value",
            "dimension",
            "reference",
            "description",
            "headline",
            "sort_order",
            "is_active",
        ]


class IndicatorViewSet(ScopedViewSet):
    queryset = Indicator.objects.select_related("hospital")
    serializer_class = IndicatorSerializer
    filterset_class = filtersets.IndicatorFilterSet


# ---------------------------------------------------------------------------------------------
# Values


class IndicatorValueSerializer(HQSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True, default=None)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "url",
            "hospital",
            "indicator",
            "indicator_code",
            "department",
            "department_code",
            "month",
            "value",
            "flagged",
            "flag_note",
            "source",
            "note",
            "updated",
        ]
        read_only_fields = fields


class BulkItemSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="The indicator's code")
    department = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The department's code or name; empty: the hospital",
    )
    month = serializers.CharField(help_text="YYYY-MM")
    value = serializers.CharField(
        allow_blank=True, allow_null=True, help_text="A number in the indicator's unit"
    )


class BulkSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(
        required=False, help_text="Needed when you enter values for several hospitals"
    )
    clear_empty = serializers.BooleanField(default=False, help_text="An empty value deletes the one entered")
    values = BulkItemSerializer(many=True)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    months = serializers.ListField(child=serializers.CharField())
    flagged = serializers.ListField(child=serializers.DictField())


class BulkErrorSerializer(serializers.Serializer):
    errors = serializers.ListField(child=serializers.DictField())


class IndicatorValueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Entered values in the user's scope (read); ``bulk`` writes many (hospital-wide roles)."""

    queryset = IndicatorValue.objects.select_related("indicator", "department")
    serializer_class = IndicatorValueSerializer
    filterset_class = filtersets.IndicatorValueFilterSet

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, VIEW)

    @extend_schema(
        request=BulkSerializer,
        responses={200: BulkResultSerializer, 400: BulkErrorSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Write many values at once: all are written, or none (each error names the item by its index)."""
        hospitals = list(Hospital.objects.filter(pk__in=rule_hospitals(request.user, CHANGE)).order_by("pk"))
        if not hospitals:
            raise exceptions.PermissionDenied(_("You may not enter values for any hospital."))
        data = BulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data.get("hospital")
        hospital = next((h for h in hospitals if h.pk == wanted), None) if wanted else hospitals[0]
        if hospital is None:
            raise exceptions.ValidationError({"hospital": [_("You may not enter values for this hospital.")]})
        inds = {i.code: i for i in Indicator.objects.filter(hospital=hospital)}
        depts = {}
        for d in Department.objects.filter(hospital=hospital):
            depts[d.name] = d
            if d.code:
                depts.setdefault(d.code, d)
        cells, errors = [], []
        for n, item in enumerate(data.validated_data["values"]):
            ref = f"values[{n}]"
            ind = inds.get(item["indicator"])
            month = parse_month(item["month"])
            dept_key = (item.get("department") or "").strip()
            dept = depts.get(dept_key) if dept_key else None
            if ind is None:
                errors.append(
                    (
                        ref,
                        _("%(hospital)s has no indicator “%(code)s”.")
                        % {"hospital": hospital, "code": item["indicator"]},
                    )
                )
            elif dept_key and dept is None:
                errors.append(
                    (
                        ref,
                        _("%(hospital)s has no department “%(name)s”.")
                        % {"hospital": hospital, "name": dept_key},
                    )
                )
            elif month is None:
                errors.append(
                    (
                        ref,
                        _("“%(value)s” is not a month; write it as YYYY-MM, e.g. 2026-03.")
                        % {"value": item["month"]},
                    )
                )
            else:
                cells.append(value_services.Cell(ind, dept, month, item.get("value"), ref=ref))
        if errors:
            return Response({"errors": [{"item": r, "message": m} for r, m in errors]}, status=400)
        try:
            result = value_services.write_values(
                hospital,
                cells,
                actor=request.user,
                source=ValueSource.API,
                clear_empty=data.validated_data["clear_empty"],
            )
        except value_services.ValuesRefused as exc:
            return Response({"errors": [{"item": r, "message": m} for r, m in exc.errors]}, status=400)
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "deleted": result.deleted,
                "unchanged": result.unchanged,
                "months": sorted(m.strftime("%Y-%m") for m in result.months),
                "flagged": [{"item": r, "warning": w} for r, w in result.flagged],
            }
        )


# ---------------------------------------------------------------------------------------------
# Schemes


class SchemeItemSerializer(serializers.ModelSerializer):
    indicator = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.none())
    method = serializers.ChoiceField(choices=Method.choices, default=Method.LINEAR)

    class Meta:
        model = SchemeItem
        fields = ["id", "indicator", "weight", "method", "target", "floor", "bands"]
        read_only_fields = ["id"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["indicator"].queryset = Indicator.objects.restrict(request.user, VIEW)
        return fields


class SchemeSerializer(HQSerializer):
    items = SchemeItemSerializer(many=True)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "url",
            "hospital",
            "name",
            "year",
            "period",
            "party_share",
            "note",
            "is_active",
            "items",
        ]

    def validate(self, attrs):
        return attrs  # save_scheme checks the scheme and its items together

    def save_with_items(self, instance, validated_data):
        items_data = validated_data.pop("items", None)
        scheme = instance or Scheme()
        for k, v in validated_data.items():
            setattr(scheme, k, v)
        if items_data is None:  # a PATCH without items keeps them
            items = list(scheme.items.select_related("indicator")) if scheme.pk else []
        else:
            existing = {i.indicator_id: i for i in scheme.items.all()} if scheme.pk else {}
            items = []
            for d in items_data:
                item = existing.get(d["indicator"].pk) or SchemeItem()
                item.indicator = d["indicator"]
                item.weight = d.get("weight")
                item.method = d.get("method", Method.LINEAR)
                item.target = d.get("target")
                item.floor = d.get("floor")
                item.bands = d.get("bands") or []
                items.append(item)
        request = self.context["request"]
        try:
            return scoring.save_scheme(scheme, items, actor=request.user)
        except DjangoValidationError as exc:
            raise _drf(exc) from exc

    def create(self, validated_data):
        return self.save_with_items(None, validated_data)

    def update(self, instance, validated_data):
        return self.save_with_items(instance, validated_data)


class ScorePeriodSerializer(serializers.Serializer):
    period = serializers.CharField(
        required=False, help_text="The period's first month, YYYY-MM; empty: every period begun"
    )


class DualScorecardSerializer(HQSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = DualScorecard
        fields = [
            "id",
            "url",
            "scheme",
            "hospital",
            "organization",
            "organization_name",
            "period_start",
            "period_end",
            "through",
            "party_score",
            "business_score",
            "total_score",
            "party_grade",
            "business_grade",
            "grade",
            "party_rank",
            "business_rank",
            "total_rank",
            "peers",
            "components",
            "computed",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not hospital_wide(request.user, instance.hospital_id):
            # The ranks are the hospital's business: a branch sees its scores, not where it stands.
            for key in ("party_rank", "business_rank", "total_rank"):
                data[key] = None
            for comp in data.get("components") or []:
                comp.pop("rank", None)
        return data


class SchemeViewSet(ScopedViewSet):
    queryset = Scheme.objects.select_related("hospital").prefetch_related("items__indicator")
    serializer_class = SchemeSerializer
    filterset_class = filtersets.SchemeFilterSet

    def perform_create(self, serializer):
        with transaction.atomic():
            self._recheck(serializer.save())

    @extend_schema(request=ScorePeriodSerializer, responses=DualScorecardSerializer(many=True))
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """Compute (again) the scores of one period of the scheme, or of every period begun."""
        scheme = self.get_object()
        data = ScorePeriodSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        first = parse_month(data.validated_data.get("period"))
        try:
            cards = (
                scoring.score_period(scheme, first, actor=request.user)
                if first
                else scoring.score_scheme(scheme, actor=request.user)
            )
        except DjangoValidationError as exc:
            raise _drf(exc) from exc
        return Response(DualScorecardSerializer(cards, many=True, context=self.get_serializer_context()).data)


class DualScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = DualScorecard.objects.select_related("organization")
    serializer_class = DualScorecardSerializer
    filterset_class = filtersets.DualScorecardFilterSet

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, VIEW)


# ---------------------------------------------------------------------------------------------
# Responsibility lists


class ResponsibilityListSerializer(HQSerializer):
    hospital = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ResponsibilityList
        fields = ["id", "url", "hospital", "year", "owner", "role", "organization", "department", "note"]

    def validate(self, attrs):
        org = attrs.get("organization") or (self.instance.organization if self.instance else None)
        if org is not None:
            attrs["hospital"] = org.hospital
        return super().validate(attrs)


class ResponsibilityItemSerializer(HQSerializer):
    class Meta:
        model = ResponsibilityItem
        fields = [
            "id",
            "url",
            "responsibility_list",
            "kind",
            "title",
            "indicator",
            "target",
            "obligation",
            "due",
            "done_on",
            "evidence",
            "sort_order",
        ]
        read_only_fields = ["done_on", "evidence"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "indicator" in fields:
            # The hospital's indicators, read as a branch reads them (through its lists).
            fields["indicator"].queryset = Indicator.objects.restrict(request.user, VIEW, area="assessment")
        return fields


class MarkDoneSerializer(serializers.Serializer):
    evidence = serializers.CharField(max_length=5000)
    done_on = serializers.DateField(required=False)


class ResponsibilityListViewSet(ScopedViewSet):
    queryset = ResponsibilityList.objects.select_related("owner", "organization")
    serializer_class = ResponsibilityListSerializer
    filterset_class = filtersets.ResponsibilityListFilterSet


class ResponsibilityItemViewSet(ScopedViewSet):
    queryset = ResponsibilityItem.objects.select_related("responsibility_list")
    serializer_class = ResponsibilityItemSerializer
    filterset_class = filtersets.ResponsibilityItemFilterSet

    def get_queryset(self):
        # The owner's "done" is a write with a read grant on their own records: read scope there.
        if self.action in ("done", "undo"):
            return ResponsibilityItem.objects.select_related("responsibility_list").restrict(
                self.request.user, VIEW
            )
        return super().get_queryset()

    def get_permissions(self):
        if self.action in ("done", "undo"):
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=MarkDoneSerializer, responses=ResponsibilityItemSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """The owner marks a free-text item done, with the evidence."""
        item = self.get_object()
        data = MarkDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = resp_services.mark_done(
                item,
                actor=request.user,
                evidence=data.validated_data["evidence"],
                on=data.validated_data.get("done_on"),
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _drf(exc) from exc
        return Response(ResponsibilityItemSerializer(item, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=ResponsibilityItemSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """The owner takes back an item's "done"."""
        item = self.get_object()
        try:
            item = resp_services.undo(item, actor=request.user)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _drf(exc) from exc
        return Response(ResponsibilityItemSerializer(item, context=self.get_serializer_context()).data)


# ---------------------------------------------------------------------------------------------
# Closed months


class MonthCloseSerializer(HQSerializer):
    class Meta:
        model = MonthClose
        fields = [
            "id",
            "hospital",
            "month",
            "closed",
            "closed_at",
            "closed_by",
            "reopened_at",
            "reopened_by",
            "reopen_reason",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return ""


class MonthActionSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(required=False)
    month = serializers.CharField(help_text="YYYY-MM")
    reason = serializers.CharField(required=False, allow_blank=True, help_text="Required to re-open")


class MonthCloseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = MonthClose.objects.select_related("hospital")
    serializer_class = MonthCloseSerializer
    filterset_fields = ["hospital", "closed"]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, VIEW)

    def _target(self, request):
        data = MonthActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hospitals = list(Hospital.objects.filter(pk__in=rule_hospitals(request.user, CHANGE)).order_by("pk"))
        wanted = data.validated_data.get("hospital")
        hospital = (
            next((h for h in hospitals if h.pk == wanted), None)
            if wanted
            else (hospitals[0] if hospitals else None)
        )
        if hospital is None:
            raise exceptions.PermissionDenied(_("You have no permission for this page."))
        month = parse_month(data.validated_data["month"])
        if month is None:
            raise exceptions.ValidationError({"month": [_("Give the month as YYYY-MM.")]})
        return hospital, month, data.validated_data.get("reason", "")

    @extend_schema(
        request=MonthActionSerializer, responses={200: MonthCloseSerializer, 400: OpenApiResponse()}
    )
    @action(detail=False, methods=["post"])
    def close(self, request):
        """Close a month: no value of it changes through the grid, the import or the API."""
        hospital, month, _reason = self._target(request)
        try:
            row = value_services.close_month(hospital, month, actor=request.user)
        except DjangoValidationError as exc:
            raise _drf(exc) from exc
        return Response(MonthCloseSerializer(row).data)

    @extend_schema(
        request=MonthActionSerializer, responses={200: MonthCloseSerializer, 400: OpenApiResponse()}
    )
    @action(detail=False, methods=["post"])
    def reopen(self, request):
        """Re-open a closed month, with the reason (audited)."""
        hospital, month, reason = self._target(request)
        try:
            row = value_services.reopen_month(hospital, month, actor=request.user, reason=reason)
        except DjangoValidationError as exc:
            raise _drf(exc) from exc
        return Response(MonthCloseSerializer(row).data, status=status.HTTP_200_OK)


router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("values", IndicatorValueViewSet, basename="indicatorvalue")
router.register("schemes", SchemeViewSet, basename="scheme")
router.register("scorecards", DualScorecardViewSet, basename="dualscorecard")
router.register("responsibility-lists", ResponsibilityListViewSet, basename="responsibilitylist")
router.register("responsibility-items", ResponsibilityItemViewSet, basename="responsibilityitem")
router.register("closed-months", MonthCloseViewSet, basename="monthclose")
