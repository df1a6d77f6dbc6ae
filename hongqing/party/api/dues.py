"""API: dues — the yearly bases, the payments and the book, scoped like the pages.

Writes go through ``services.dues`` (the base's amount and audited change, the payment's kind and
limits), so the API refuses what the pages refuse, with the same messages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from hongqing.core.api import HQSerializer, ScopedViewSet
from hongqing.core.scoping import VIEW
from hongqing.organization.models import PartyOrganization

from ..choices import DuesCategory
from ..filtersets_dues import DuesBaseFilterSet, DuesPaymentFilterSet
from ..forms_dues import payable_memberships
from ..models import DuesBase, DuesPayment
from ..services import dues as services

router = DefaultRouter()


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class _WritableMembership:
    """The membership a write names must be one whose dues the user may change (else 400)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        field = fields.get("membership")
        if request is not None and field is not None and not field.read_only:
            field.queryset = payable_memberships(request.user)
        return fields


class DuesBaseSerializer(_WritableMembership, HQSerializer):
    """A member's base for a year; ``rate`` and ``monthly`` are computed from the rules in force."""

    base = serializers.CharField(required=False, allow_blank=True, help_text="Monthly base in yuan")
    items = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="Pay items and amounts"
    )
    over_cap = serializers.SerializerMethodField()
    ignored_items = serializers.SerializerMethodField()

    class Meta:
        model = DuesBase
        fields = [
            "id",
            "url",
            "membership",
            "year",
            "category",
            "base",
            "items",
            "rate",
            "monthly",
            "over_cap",
            "ignored_items",
            "change_reason",
        ]
        read_only_fields = ["rate", "monthly"]
        validators = []  # one base per member and year: checked in validate(), with a clear message

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["membership"].read_only = True  # a base stays with its member and year
            fields["year"].read_only = True
        return fields

    def get_over_cap(self, obj) -> bool:
        if hasattr(obj, "over_cap"):
            return obj.over_cap
        return obj.monthly > services.cap_warning(obj.membership.organization.hospital_id)

    def get_ignored_items(self, obj) -> list[str]:
        return list(getattr(obj, "ignored_items", []))

    def to_representation(self, obj):
        data = super().to_representation(obj)
        data["base"] = str(obj.base)
        return data

    def validate(self, attrs):
        instance = self.instance
        membership = attrs.get("membership") or (instance.membership if instance else None)
        year = attrs.get("year") or (instance.year if instance else None)
        category = attrs.get("category") or (instance.category if instance else DuesCategory.SALARIED)
        if membership is None or year is None:
            raise serializers.ValidationError({"membership": "required"})
        base = attrs.get("base")
        items = attrs.get("items")
        if instance is not None and "base" not in attrs and "items" not in attrs:
            base, items = (None, instance.items) if instance.items else (instance.base, None)
        if instance is None and DuesBase.objects.filter(membership=membership, year=year).exists():
            raise serializers.ValidationError(
                {
                    "year": _("%(name)s already has a base for %(year)d: edit it instead.")
                    % {"name": membership.person.name, "year": year}
                }
            )
        try:
            value, included, _ignored, amount = services.compute_base(
                membership, year, category=category, base=base or None, items=items or None
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        if (
            instance is not None
            and services.base_changes(instance, category, value, included, amount.monthly)
            and services.change_needs_reason(year)
            and not (attrs.get("change_reason") or "").strip()
        ):
            raise serializers.ValidationError({"change_reason": services.reason_required_message(year)})
        attrs.update(
            {"membership": membership, "year": year, "category": category, "base": base, "items": items}
        )
        return attrs

    def _save(self, attrs, actor):
        try:
            return services.set_base(
                attrs["membership"],
                attrs["year"],
                category=attrs["category"],
                base=attrs.get("base") or None,
                items=attrs.get("items") or None,
                actor=actor,
                reason=attrs.get("change_reason", ""),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None

    def create(self, validated_data):
        actor = validated_data.pop("created_by", None) or self.context["request"].user
        return self._save(validated_data, actor)

    def update(self, instance, validated_data):
        return self._save(validated_data, self.context["request"].user)


class DuesBaseViewSet(ScopedViewSet):
    queryset = DuesBase.objects.select_related("membership__person", "membership__organization")
    serializer_class = DuesBaseSerializer
    filterset_class = DuesBaseFilterSet


class DuesPaymentSerializer(_WritableMembership, HQSerializer):
    """One month's dues. The kind follows from the dates; only the note changes afterwards."""

    amount = serializers.CharField(required=False, allow_blank=True, help_text="Empty: the month's dues")
    paid_on = serializers.DateField(required=False, help_text="Empty: today")

    class Meta:
        model = DuesPayment
        fields = ["id", "url", "membership", "year", "month", "amount", "paid_on", "kind", "note"]
        read_only_fields = ["kind"]
        validators = []  # one payment per month: the service says when the month was paid

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("membership", "year", "month", "amount", "paid_on"):
                fields[name].read_only = True
        return fields

    def to_representation(self, obj):
        data = super().to_representation(obj)
        data["amount"] = str(obj.amount)
        return data

    def validate(self, attrs):
        return attrs  # on create the service checks everything and says why; afterwards only the note changes

    def create(self, validated_data):
        actor = validated_data.pop("created_by", None) or self.context["request"].user
        try:
            return services.record_payment(
                validated_data["membership"],
                validated_data["year"],
                validated_data["month"],
                amount=validated_data.get("amount") or None,
                paid_on=validated_data.get("paid_on"),
                actor=actor,
                note=validated_data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None


class DuesPaymentViewSet(ScopedViewSet):
    queryset = DuesPayment.objects.select_related("membership__person", "membership__organization")
    serializer_class = DuesPaymentSerializer
    filterset_class = DuesPaymentFilterSet


class DuesBookMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    status = serializers.ChoiceField(choices=services.STATUSES)
    due = serializers.CharField(allow_null=True)
    paid = serializers.CharField(allow_null=True)


class DuesBookRowSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    staff_no = serializers.CharField()
    name = serializers.CharField()
    monthly = serializers.CharField(allow_null=True)
    unpaid_run = serializers.IntegerField(help_text="Consecutive unpaid months back from the current month")
    alert = serializers.IntegerField(help_text="The highest alert threshold reached (0: none)")
    months = DuesBookMonthSerializer(many=True)


class DuesBookSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    year = serializers.IntegerField()
    alert_months = serializers.ListField(child=serializers.IntegerField())
    due_total = serializers.CharField()
    paid_total = serializers.CharField()
    rows = DuesBookRowSerializer(many=True)


class DuesBookViewSet(viewsets.ViewSet):
    """The dues book of an organisation (and its subtree) for a year: per member, per month."""

    model = DuesBase  # for the permission check: the dues area

    @extend_schema(
        parameters=[
            OpenApiParameter("organization", int, required=True),
            OpenApiParameter("year", int, required=False),
        ],
        responses=DuesBookSerializer,
    )
    def list(self, request):
        from hongqing.people.choices import MEMBER_STAGES
        from hongqing.people.models import Membership

        try:
            org_id = int(request.query_params.get("organization", ""))
        except ValueError:
            raise serializers.ValidationError({"organization": "required"}) from None
        org = PartyOrganization.objects.restrict(request.user, VIEW, area="dues").filter(pk=org_id).first()
        if org is None:
            raise Http404
        try:
            year = int(request.query_params.get("year") or services.today().year)
        except ValueError:
            raise serializers.ValidationError({"year": "invalid"}) from None
        members = Membership.objects.restrict(request.user, VIEW, area="dues").filter(
            Q(organization__path__startswith=org.path), stage__in=MEMBER_STAGES
        )
        book = services.build_book(members, year, hospital_id=org.hospital_id)
        return Response(
            {
                "organization": org.pk,
                "year": year,
                "alert_months": book.alert_months,
                "due_total": str(book.due_total),
                "paid_total": str(book.paid_total),
                "rows": [
                    {
                        "membership": r.membership.pk,
                        "staff_no": r.membership.person.staff_no,
                        "name": r.membership.person.name,
                        "monthly": str(r.base.monthly) if r.base else None,
                        "unpaid_run": r.unpaid_run,
                        "alert": r.alert,
                        "months": [
                            {
                                "month": c.month,
                                "status": c.status,
                                "due": None if c.due is None else str(c.due),
                                "paid": None if c.paid is None else str(c.paid),
                            }
                            for c in r.cells
                        ],
                    }
                    for r in book.rows
                ],
            }
        )


router.register("dues-bases", DuesBaseViewSet)
router.register("dues-payments", DuesPaymentViewSet)
router.register("dues-book", DuesBookViewSet, basename="dues-book")
