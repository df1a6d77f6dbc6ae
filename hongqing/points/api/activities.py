"""API: volunteering and honours.

- ``/api/points/volunteering/``: activities (scoped like the pages); ``…/{id}/participants/`` GET the
  participants, POST records them all at once (``[{person, hours, note, take_part}]``, all or
  nothing; the points follow); ``…/figures/`` the report figures of the filtered activities.
- ``/api/points/honors/``: honours (the office records one from outside directly).
- ``/api/points/honor-rounds/``: rounds; POST opens one (the office), ``…/{id}/close/``.
- ``/api/points/nominations/``: POST nominates (a branch), ``…/{id}/decision/`` (the branch's vote or
  committee decision), ``…/{id}/approve/`` and ``…/{id}/reject/`` (the office), ``…/{id}/evidence/``
  (the candidate's points of the period and the records behind them).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hongqing.core.api import HQSerializer, ScopedViewSet
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Hospital, PartyOrganization
from hongqing.people.models import Person

from .. import access, filtersets
from ..choices import BRANCH_HONORS, DecisionMethod
from ..models import Honor, HonorRound, Nomination, Volunteering, VolunteeringParticipant
from ..services import honors, volunteering
from .ledger import PointEntrySerializer, drf_error


# Volunteering ----------------------------------------------------------------------------------------
class VolunteeringSerializer(HQSerializer):
    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "organizer" in fields:
            fields["organizer"].queryset = PartyOrganization.objects.restrict(
                request.user, CHANGE, area="points"
            ).exclude(kind=OrgKind.DISCIPLINE_COMMITTEE)
        return fields

    def validate(self, attrs):
        org = attrs.get("organizer")
        if org is not None:
            attrs["hospital"] = org.hospital
        return super().validate(attrs)

    class Meta:
        model = Volunteering
        fields = [
            "id",
            "url",
            "hospital",
            "organizer",
            "kind",
            "title",
            "date",
            "hours",
            "place",
            "served_kind",
            "served_unit",
            "people_served",
            "description",
        ]
        read_only_fields = ["hospital"]


class ParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = VolunteeringParticipant
        fields = ["id", "person", "name", "hours", "note"]


class ParticipantRowSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    take_part = serializers.BooleanField(default=True, help_text="false removes the participant")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["person"].queryset = Person.objects.restrict(request.user, VIEW)
        return fields


class FiguresSerializer(serializers.Serializer):
    activities = serializers.IntegerField()
    participations = serializers.IntegerField(help_text="人次")
    participants = serializers.IntegerField(help_text="distinct persons")
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)
    people_served = serializers.IntegerField()
    villages = serializers.IntegerField()
    units = serializers.IntegerField()


class VolunteeringViewSet(ScopedViewSet):
    queryset = Volunteering.objects.select_related("organizer")
    serializer_class = VolunteeringSerializer
    filterset_class = filtersets.VolunteeringFilterSet

    @extend_schema(request=ParticipantRowSerializer(many=True), responses=ParticipantSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def participants(self, request, pk=None):
        """GET: who took part. POST: record them all at once (all or nothing); the points follow."""
        v = self.get_object() if request.method == "GET" else self._writable(pk)
        if request.method == "POST":
            rows = ParticipantRowSerializer(
                data=request.data, many=True, context=self.get_serializer_context()
            )
            rows.is_valid(raise_exception=True)
            data = [
                {
                    **r,
                    "hours": r.get("hours")
                    if r.get("hours") is not None
                    else (v.hours if r["take_part"] else None),
                }
                for r in rows.validated_data
            ]
            try:
                volunteering.record_participants(v, data, actor=request.user, request=request)
            except volunteering.ParticipantsRefused as exc:
                raise exceptions.ValidationError(
                    {"participants": {str(k): m for k, m in exc.rows.items()}}
                ) from exc
            except DjangoValidationError as exc:
                raise drf_error(exc) from exc
        rows = (
            VolunteeringParticipant.objects.restrict(request.user, VIEW)
            .filter(volunteering=v)
            .select_related("person")
        )
        return Response(ParticipantSerializer(rows, many=True).data)

    def _writable(self, pk):
        qs = Volunteering.objects.restrict(self.request.user, CHANGE)
        v = qs.filter(pk=pk).first()
        if v is None:
            raise exceptions.NotFound()
        return v

    @extend_schema(responses=FiguresSerializer)
    @action(detail=False, methods=["get"])
    def figures(self, request):
        """The report figures of the activities the filters select (people served, hours, villages)."""
        qs = self.filter_queryset(self.get_queryset())
        f = volunteering.figures(Volunteering.objects.filter(pk__in=qs.values("pk")))
        return Response(FiguresSerializer(f.__dict__).data)


class VolunteeringParticipantViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Participations in scope (a member: their own)."""

    queryset = VolunteeringParticipant.objects.select_related("person", "volunteering")
    serializer_class = ParticipantSerializer

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, VIEW)


# Honours ---------------------------------------------------------------------------------------------
class HonorSerializer(HQSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            offices = access.office_hospitals(request.user)
            if "organization" in fields:
                fields["organization"].queryset = PartyOrganization.objects.filter(hospital_id__in=offices)
            if "person" in fields:
                fields["person"].queryset = Person.objects.filter(hospital_id__in=offices)
        return fields

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        person = attrs.get("person", getattr(self.instance, "person", None))
        org = attrs.get("organization", getattr(self.instance, "organization", None))
        if kind in BRANCH_HONORS and person is not None:
            raise exceptions.ValidationError({"person": _("A model branch honours a branch, not a person.")})
        if kind and kind not in BRANCH_HONORS and person is None:
            raise exceptions.ValidationError({"person": _("Choose the member honoured.")})
        if org is not None:
            attrs["hospital"] = org.hospital
        return super().validate(attrs)

    class Meta:
        model = Honor
        fields = [
            "id",
            "url",
            "hospital",
            "kind",
            "person",
            "person_name",
            "organization",
            "title",
            "awarded_on",
            "round",
            "nomination",
            "note",
        ]
        read_only_fields = ["hospital", "round", "nomination"]


class HonorViewSet(ScopedViewSet):
    queryset = Honor.objects.select_related("person", "organization")
    serializer_class = HonorSerializer
    filterset_class = filtersets.HonorFilterSet

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS and not access.is_office(request.user):
            raise exceptions.PermissionDenied(_("Only the Party office records honours directly."))

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.method not in permissions.SAFE_METHODS:
            qs = qs.filter(hospital_id__in=access.office_hospitals(self.request.user))
        return qs


class HonorRoundSerializer(HQSerializer):
    title = serializers.CharField(read_only=True)
    hospital = serializers.PrimaryKeyRelatedField(queryset=Hospital.objects.none())

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["hospital"].queryset = Hospital.objects.filter(
                pk__in=access.office_hospitals(request.user)
            )
        return fields

    def validate(self, attrs):
        return attrs  # open_round() checks

    class Meta:
        model = HonorRound
        fields = [
            "id",
            "url",
            "hospital",
            "title",
            "year",
            "number",
            "period_months",
            "start",
            "end",
            "status",
            "closed_at",
        ]
        read_only_fields = ["period_months", "start", "end", "status", "closed_at"]
        validators = []


class HonorRoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = HonorRound.objects.select_related("hospital")
    serializer_class = HonorRoundSerializer
    filterset_class = filtersets.HonorRoundFilterSet

    def get_queryset(self):
        act = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        qs = super().get_queryset().restrict(self.request.user, act)
        if act == CHANGE:
            qs = qs.filter(hospital_id__in=access.office_hospitals(self.request.user))
        return qs

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS and not access.is_office(request.user):
            raise exceptions.PermissionDenied(_("Only the Party office opens a selection round."))

    def perform_create(self, serializer):
        d = serializer.validated_data
        try:
            serializer.instance = honors.open_round(
                d["hospital"], year=d["year"], number=d["number"], actor=self.request.user
            )
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc

    def destroy(self, request, *args, **kwargs):
        rnd = self.get_object()
        reasons = rnd.delete_blockers()
        if reasons:
            return Response({"detail": " ".join(str(r) for r in reasons)}, status=status.HTTP_409_CONFLICT)
        rnd.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=HonorRoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the round once every nomination is reviewed or withdrawn."""
        rnd = self.get_object()
        try:
            honors.close_round(rnd, actor=request.user)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(rnd).data)


class NominationSerializer(HQSerializer):
    candidate = serializers.CharField(source="candidate_name", read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "url",
            "round",
            "kind",
            "person",
            "candidate_organization",
            "candidate",
            "organization",
            "reason",
            "status",
            "method",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "decided_on",
            "decision_note",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = [
            "organization",
            "status",
            "method",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "decided_on",
            "decision_note",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            from ..forms import proposable_members

            if "person" in fields:
                fields["person"].queryset = proposable_members(request.user)
            if "candidate_organization" in fields:
                fields["candidate_organization"].queryset = honors.nominating_organizations(request.user)
        return fields

    def validate(self, attrs):
        return attrs  # nominate() checks


class NominationDecisionSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DecisionMethod.choices)
    votes_for = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    votes_against = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    votes_abstain = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    decided_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ItemSerializer(serializers.Serializer):
    item = serializers.CharField()
    points = serializers.DecimalField(max_digits=10, decimal_places=2)
    records = serializers.IntegerField()


class EvidenceSerializer(serializers.Serializer):
    total = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="The candidate's points of the period"
    )
    by_item = ItemSerializer(many=True)
    lines = PointEntrySerializer(many=True, help_text="A member's lines of the period, with their records")
    members = serializers.IntegerField(help_text="A branch: its members")
    average = serializers.DecimalField(
        max_digits=10, decimal_places=1, help_text="A branch: points per member"
    )
    activities = serializers.IntegerField(help_text="A branch: volunteering activities of the period")


class NominationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Nomination.objects.select_related("round", "person", "candidate_organization", "organization")
    serializer_class = NominationSerializer
    filterset_class = filtersets.NominationFilterSet

    def get_queryset(self):
        act = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return super().get_queryset().restrict(self.request.user, act)

    def perform_create(self, serializer):
        d = serializer.validated_data
        rnd = HonorRound.objects.restrict(self.request.user, VIEW).filter(pk=d["round"].pk).first()
        if rnd is None:
            raise exceptions.ValidationError({"round": _("The round is closed.")})
        try:
            serializer.instance = honors.nominate(
                rnd,
                kind=d["kind"],
                person=d.get("person"),
                branch=d.get("candidate_organization"),
                reason=d.get("reason", ""),
                actor=self.request.user,
            )
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc

    def destroy(self, request, *args, **kwargs):
        n = self.get_object()
        reasons = n.delete_blockers()
        if reasons:
            return Response({"detail": " ".join(str(r) for r in reasons)}, status=status.HTTP_409_CONFLICT)
        n.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=NominationDecisionSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        """The branch records its vote (the counts) or its committee's decision."""
        n = self.get_object()
        data = NominationDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            honors.record_decision(n, actor=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return Response(self.get_serializer(n).data)

    def _review(self, request, fn):
        n = self.get_object()
        if not access.is_office(request.user, n.round.hospital_id):
            raise exceptions.PermissionDenied(_("Only the Party office approves honours."))
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            fn(n, actor=request.user, note=data.validated_data["note"])
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        n.refresh_from_db()
        return Response(self.get_serializer(n).data)

    @extend_schema(request=ReviewSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The Party office approves an endorsed nomination: the honour goes on the record."""
        return self._review(request, honors.approve)

    @extend_schema(request=ReviewSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The Party office rejects, with the reason (``note``)."""
        return self._review(request, honors.reject)

    @extend_schema(responses=EvidenceSerializer)
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        """The candidate's points of the round's period and the records behind them."""
        n = self.get_object()
        ev = honors.evidence(request.user, n)
        data = {
            "total": ev.total,
            "by_item": [{"item": name, "points": pts, "records": k} for name, pts, k in ev.by_item],
            "lines": ev.lines,
            "members": ev.members,
            "average": ev.average,
            "activities": ev.activities,
        }
        return Response(EvidenceSerializer(data, context=self.get_serializer_context()).data)
