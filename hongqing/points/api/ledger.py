"""API: the ledger, the catalogue, proposals, totals and the points years.

- ``/api/points/entries/``: the lines in scope (a member: their own), read-only; ``…/{id}/correct/``
  (the Party office: a reversing line with a reason). ``/api/points/mine/``: the caller's year.
- ``/api/points/rules/``: the catalogue (everyone of the hospital reads it; the office writes it);
  ``…/load-default/`` loads the default catalogue into a hospital without one.
- ``/api/points/proposals/``: proposals; POST proposes (a branch), ``…/{id}/approve/`` and
  ``…/{id}/reject/`` (the office); DELETE withdraws a pending one.
- ``/api/points/totals/?organization=&year=``: a branch's members and their totals (ranked only when
  the hospital turned rankings on); ``/api/points/branch-totals/?hospital=&year=``: the branches.
- ``/api/points/years/``: the closed years; POST closes one (the office).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hongqing.core.api import HQSerializer, ScopedViewSet
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.models import Hospital, PartyOrganization

from .. import access, filtersets, triggers
from ..models import ClosedYear, PointEntry, PointProposal, PointRule
from ..notes import line_note
from ..services import catalogue, ledger, proposals, totals


def drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def office_only(request, hospital_id=None):
    if not access.is_office(request.user, hospital_id):
        raise exceptions.PermissionDenied(_("Only the Party office changes the point catalogue."))


# The ledger -----------------------------------------------------------------------------------------
class PointEntrySerializer(HQSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    record_url = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    def get_record_url(self, obj) -> str:
        url = obj.record_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request and url else url

    def get_note(self, obj) -> str:
        return line_note(obj)

    class Meta:
        model = PointEntry
        fields = [
            "id",
            "url",
            "person",
            "person_name",
            "year",
            "date",
            "rule",
            "rule_name",
            "kind",
            "amount",
            "requested",
            "quantity",
            "cut",
            "why",
            "reason",
            "label",
            "record_url",
            "note",
            "reverses",
            "created",
        ]
        read_only_fields = fields


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PointEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = PointEntry.objects.select_related("person", "rule")
    serializer_class = PointEntrySerializer
    filterset_class = filtersets.PointEntryFilterSet

    def get_queryset(self):
        act = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return super().get_queryset().restrict(self.request.user, act)

    @extend_schema(request=CorrectionSerializer, responses=PointEntrySerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """The Party office reverses an award with a reason (the record never earns it again)."""
        entry = self.get_object()
        if not access.is_office(request.user, entry.hospital_id):
            raise exceptions.PermissionDenied(_("Only the Party office corrects points."))
        data = CorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rev = ledger.correct(entry, reason=data.validated_data["reason"], actor=request.user)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(rev).data, status=status.HTTP_201_CREATED)


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    points = serializers.DecimalField(max_digits=10, decimal_places=2)
    records = serializers.IntegerField()


class RankSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    size = serializers.IntegerField()
    scope = serializers.CharField()


class MineSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    months = MonthSerializer(many=True)
    rank = RankSerializer(allow_null=True, help_text="Only when the hospital turned rankings on")
    lines = PointEntrySerializer(many=True)


class MineViewSet(viewsets.ViewSet):
    """The caller's own points of a year (``?year=``): total, months, lines with their records."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=MineSerializer)
    def list(self, request):
        person = access.own_person(request.user)
        if person is None:
            raise exceptions.NotFound(
                _("Your account is not linked to a staff record, so no points are kept for you here.")
            )
        raw = request.query_params.get("year", "")
        year = int(raw) if raw.isdigit() else totals.current_year(person.hospital_id)
        lines = list(
            PointEntry.objects.restrict(request.user, VIEW)
            .filter(person=person, year=year)
            .select_related("person", "rule")
            .order_by("-date", "-pk")
        )
        rank = totals.rank_of(person, year)
        data = {
            "year": year,
            "total": sum((x.amount for x in lines), totals.ZERO),
            "months": [
                {"month": m, "points": s, "records": n}
                for m, s, n in totals.by_month(request.user, person, year)
            ],
            "rank": {k: rank[k] for k in ("rank", "size", "scope")} if rank else None,
            "lines": lines,
        }
        return Response(MineSerializer(data, context={"request": request}).data)


# The catalogue ---------------------------------------------------------------------------------------
class PointRuleSerializer(HQSerializer):
    trigger = serializers.ChoiceField(choices=[])
    kinds = serializers.ListField(child=serializers.CharField(max_length=40), required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["trigger"].choices = triggers.choices()
        request = self.context.get("request")
        if request is not None and "hospital" in fields and not fields["hospital"].read_only:
            fields["hospital"].queryset = Hospital.objects.filter(
                pk__in=access.office_hospitals(request.user)
            )
        return fields

    class Meta:
        model = PointRule
        fields = [
            "id",
            "url",
            "hospital",
            "name",
            "trigger",
            "amount",
            "cap",
            "cap_period",
            "kinds",
            "min_score",
            "active_from",
            "active_to",
            "description",
            "sort_order",
        ]


class LoadSerializer(serializers.Serializer):
    hospital = serializers.PrimaryKeyRelatedField(queryset=Hospital.objects.all())


class PointRuleViewSet(ScopedViewSet):
    queryset = PointRule.objects.select_related("hospital")
    serializer_class = PointRuleSerializer
    filterset_class = filtersets.PointRuleFilterSet

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.method not in permissions.SAFE_METHODS:
            qs = qs.filter(hospital_id__in=access.office_hospitals(self.request.user))
        return qs

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS:
            office_only(request)

    @extend_schema(request=LoadSerializer, responses=PointRuleSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="load-default")
    def load_default(self, request):
        """Load the default catalogue into a hospital that has none (the Party office)."""
        data = LoadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hospital = data.validated_data["hospital"]
        office_only(request, hospital.pk)
        try:
            rules = catalogue.load_default_catalogue(hospital, actor=request.user)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(rules, many=True).data, status=status.HTTP_201_CREATED)


# Proposals -------------------------------------------------------------------------------------------
class PointProposalSerializer(HQSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    amount = serializers.DecimalField(max_digits=7, decimal_places=2, required=False)

    class Meta:
        model = PointProposal
        fields = [
            "id",
            "url",
            "person",
            "person_name",
            "organization",
            "rule",
            "amount",
            "date",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = ["organization", "status", "decided_by", "decided_at", "decision_note"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "person" in fields:
            from ..forms import proposable_members

            fields["person"].queryset = proposable_members(request.user)
        return fields

    def validate(self, attrs):
        return attrs  # propose() checks the rules, with its messages


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PointProposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = PointProposal.objects.select_related("person", "rule", "organization")
    serializer_class = PointProposalSerializer
    filterset_class = filtersets.PointProposalFilterSet

    def get_queryset(self):
        act = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return super().get_queryset().restrict(self.request.user, act)

    def perform_create(self, serializer):
        d = serializer.validated_data
        with transaction.atomic():
            try:
                p = proposals.propose(
                    person=d["person"],
                    rule=d["rule"],
                    amount=d.get("amount"),
                    date=d["date"],
                    reason=d["reason"],
                    actor=self.request.user,
                )
            except DjangoValidationError as exc:
                raise drf_error(exc) from exc
            if not PointProposal.objects.restrict(self.request.user, CHANGE).filter(pk=p.pk).exists():
                raise exceptions.PermissionDenied(_("The record would be outside your scope."))
        serializer.instance = p

    def destroy(self, request, *args, **kwargs):
        p = self.get_object()
        reasons = p.delete_blockers()
        if reasons:
            return Response({"detail": " ".join(str(r) for r in reasons)}, status=status.HTTP_409_CONFLICT)
        p.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _decide(self, request, fn):
        p = self.get_object()
        if not access.is_office(request.user, p.hospital_id):
            raise exceptions.PermissionDenied(_("Only the Party office decides on proposals."))
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            fn(p, actor=request.user, note=data.validated_data["note"])
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(p).data)

    @extend_schema(request=DecisionSerializer, responses=PointProposalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The Party office approves: the points are in the member's total."""
        return self._decide(request, proposals.approve)

    @extend_schema(request=DecisionSerializer, responses=PointProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The Party office rejects, with the reason (``note``): the proposal never counts."""
        return self._decide(request, proposals.reject)


# Totals ----------------------------------------------------------------------------------------------
class MemberTotalSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    staff_no = serializers.CharField()
    organization = serializers.CharField()
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    rank = serializers.IntegerField(allow_null=True, help_text="Only when the hospital turned rankings on")


class BranchTotalSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    name = serializers.CharField()
    members = serializers.IntegerField()
    with_points = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    average = serializers.DecimalField(max_digits=10, decimal_places=1)


def _manager(request):
    if not access.manages(request.user):
        raise exceptions.PermissionDenied(_("You have no permission for this page."))


class TotalsViewSet(viewsets.ViewSet):
    """A branch's members and their totals of a year (``?organization=&year=``)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("organization", int, required=True), OpenApiParameter("year", int)],
        responses=MemberTotalSerializer(many=True),
    )
    def list(self, request):
        _manager(request)
        raw = request.query_params.get("organization", "")
        if not raw.isdigit():
            raise exceptions.ValidationError({"organization": _("Choose the Party organisation.")})
        org = get_object_or_404(
            PartyOrganization.objects.restrict(request.user, VIEW, area="points"), pk=int(raw)
        )
        year_raw = request.query_params.get("year", "")
        year = int(year_raw) if year_raw.isdigit() else totals.current_year(org.hospital_id)
        ranked = totals.rankings(org.hospital_id)["enabled"]
        rows = totals.members_of(request.user, org, year, with_ranks=ranked)
        out = [
            {
                "person": r.membership.person_id,
                "name": r.membership.person.name,
                "staff_no": r.membership.person.staff_no,
                "organization": r.membership.organization.name,
                "total": r.total,
                "rank": r.rank,
            }
            for r in rows
        ]
        return Response(MemberTotalSerializer(out, many=True).data)


class BranchTotalsViewSet(viewsets.ViewSet):
    """The branches of a hospital with their members' totals of a year (``?hospital=&year=``)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("hospital", int), OpenApiParameter("year", int)],
        responses=BranchTotalSerializer(many=True),
    )
    def list(self, request):
        _manager(request)
        from ..views.ledger import _points_hospitals

        ids = _points_hospitals(request.user)
        if not ids:  # a branch's roles: their branches of their hospital
            ids = sorted(
                set(
                    PartyOrganization.objects.restrict(request.user, VIEW, area="points").values_list(
                        "hospital_id", flat=True
                    )
                )
            )
        raw = request.query_params.get("hospital", "")
        hospital_id = int(raw) if raw.isdigit() else (ids[0] if ids else None)
        if hospital_id not in ids:
            raise exceptions.NotFound()
        year_raw = request.query_params.get("year", "")
        year = int(year_raw) if year_raw.isdigit() else totals.current_year(hospital_id)
        out = [
            {
                "organization": r.organization.pk,
                "name": r.organization.name,
                "members": r.members,
                "with_points": r.with_points,
                "total": r.total,
                "average": r.average,
            }
            for r in totals.branch_totals(request.user, hospital_id, year)
        ]
        return Response(BranchTotalSerializer(out, many=True).data)


# Closed years ----------------------------------------------------------------------------------------
class ClosedYearSerializer(HQSerializer):
    class Meta:
        model = ClosedYear
        fields = ["id", "hospital", "year", "note", "closed_by", "created"]
        read_only_fields = ["closed_by", "created"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "hospital" in fields:
            fields["hospital"].queryset = Hospital.objects.filter(
                pk__in=access.office_hospitals(request.user)
            )
        return fields

    def validate(self, attrs):
        return attrs


class ClosedYearViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The closed points years; POST closes one (the Party office; the year must have ended)."""

    queryset = ClosedYear.objects.select_related("closed_by")
    serializer_class = ClosedYearSerializer

    def get_queryset(self):
        act = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return super().get_queryset().restrict(self.request.user, act)

    def perform_create(self, serializer):
        d = serializer.validated_data
        if not access.is_office(self.request.user, d["hospital"].pk):
            raise exceptions.PermissionDenied(_("Only the Party office closes a points year."))
        try:
            serializer.instance = ledger.close_year(
                d["hospital"], d["year"], actor=self.request.user, note=d.get("note", "")
            )
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
