"""API: the democratic appraisal.

- ``/api/party/appraisals/``: the campaigns in scope; POST opens one (entries for every member),
  DELETE removes one still at self-assessment; ``…/<id>/move/`` to the next stage (closing may name
  the congress); ``…/<id>/tally/`` the ratings counted per member (never per voter).
- ``/api/party/appraisal-entries/``: the entries in scope (a member: their own); ``…/<id>/self-assessment/``
  (the member's own), ``…/<id>/propose/`` and ``…/<id>/decide/`` (the branch, at those stages).
- ``/api/party/appraisal-ballots/``: the user's open ballots (GET) and casting one (POST).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from hongqing.core.api import HQSerializer
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization

from ..choices import AppraisalStage, Rating
from ..filtersets_appraisal import AppraisalCampaignFilterSet, AppraisalEntryFilterSet
from ..models import AppraisalCampaign, AppraisalEntry, AppraisalVote, Meeting
from ..services import appraisal as services

router = DefaultRouter()


def _drf_error(exc: DjangoValidationError):
    return exceptions.ValidationError({"non_field_errors": exc.messages})


class AppraisalCampaignSerializer(HQSerializer):
    entry_count = serializers.SerializerMethodField()

    def get_entry_count(self, obj) -> int:
        return getattr(obj, "entry_count", None) or obj.entries.count()

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "organization" in fields and not fields["organization"].read_only:
            fields["organization"].queryset = PartyOrganization.objects.restrict(
                request.user, CHANGE, area=AppraisalCampaign.scope_area
            ).filter(kind=OrgKind.BRANCH)
        return fields

    def validate(self, attrs):
        return attrs  # open_campaign checks the rules (and writes the entries)

    class Meta:
        model = AppraisalCampaign
        fields = ["id", "url", "organization", "year", "stage", "congress", "entry_count"]
        read_only_fields = ["stage", "congress"]
        validators = []  # the once-a-year rule is open_campaign's, with its message


class MoveSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=AppraisalStage.choices)
    congress = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.none(), required=False, allow_null=True
    )

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["congress"].queryset = Meeting.objects.restrict(request.user, VIEW)
        return fields


class TallySerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    name = serializers.CharField()
    peer = serializers.DictField(child=serializers.IntegerField())
    democratic = serializers.DictField(child=serializers.IntegerField())


class AppraisalCampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = AppraisalCampaign.objects.select_related("organization")
    serializer_class = AppraisalCampaignSerializer
    filterset_class = AppraisalCampaignFilterSet

    def get_queryset(self):
        action_ = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return super().get_queryset().restrict(self.request.user, action_)

    def perform_create(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            try:
                campaign = services.open_campaign(
                    data["organization"], year=data["year"], actor=self.request.user
                )
            except DjangoValidationError as exc:
                raise _drf_error(exc) from exc
            if (
                not AppraisalCampaign.objects.restrict(self.request.user, CHANGE)
                .filter(pk=campaign.pk)
                .exists()
            ):
                raise exceptions.PermissionDenied(_("The record would be outside your scope."))
        serializer.instance = campaign

    def destroy(self, request, *args, **kwargs):
        campaign = self.get_object()
        reasons = campaign.delete_blockers()
        if reasons:
            return Response({"detail": " ".join(str(r) for r in reasons)}, status=status.HTTP_409_CONFLICT)
        campaign.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveSerializer, responses=AppraisalCampaignSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the appraisal to its next stage (in order; closing needs every result and may name the congress)."""
        campaign = self.get_object()
        data = MoveSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        try:
            campaign = services.move_to(
                campaign,
                data.validated_data["to_stage"],
                actor=request.user,
                congress=data.validated_data.get("congress"),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(campaign).data)

    @extend_schema(responses=TallySerializer(many=True))
    @action(detail=True, methods=["get"])
    def tally(self, request, pk=None):
        """The ratings each member received, counted per round and rating (never who gave them)."""
        campaign = self.get_object()
        counts = services.tally(campaign)
        rows = []
        for e in campaign.entries.select_related("membership__person").order_by(
            "membership__person__staff_no"
        ):
            t = counts.get(e.pk, {})
            rows.append(
                {
                    "entry": e.pk,
                    "name": e.membership.person.name,
                    "peer": dict(t.get("peer", {})),
                    "democratic": dict(t.get("democratic", {})),
                }
            )
        return Response(TallySerializer(rows, many=True).data)


class AppraisalEntrySerializer(HQSerializer):
    name = serializers.CharField(source="membership.person.name", read_only=True)

    class Meta:
        model = AppraisalEntry
        fields = [
            "id",
            "url",
            "campaign",
            "membership",
            "name",
            "self_assessment",
            "self_rating",
            "proposal",
            "result",
        ]
        read_only_fields = fields


class SelfAssessmentSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    rating = serializers.ChoiceField(choices=Rating.choices)


class RatingSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)


class RatingResultSerializer(serializers.Serializer):
    entry = AppraisalEntrySerializer()
    warning = serializers.CharField(
        allow_null=True, help_text="The one-third warning, if excellent exceeds it"
    )


class AppraisalEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = AppraisalEntry.objects.select_related("membership__person", "campaign")
    serializer_class = AppraisalEntrySerializer
    filterset_class = AppraisalEntryFilterSet

    def get_permissions(self):
        if self.action == "self_assessment":
            # The member writes their own: a read grant over their own entry is enough.
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        read = self.request.method in permissions.SAFE_METHODS or self.action == "self_assessment"
        return super().get_queryset().restrict(self.request.user, VIEW if read else CHANGE)

    @extend_schema(request=SelfAssessmentSerializer, responses=AppraisalEntrySerializer)
    @action(detail=True, methods=["post"], url_path="self-assessment")
    def self_assessment(self, request, pk=None):
        """The member's own self-assessment and self rating (at the self-assessment stage)."""
        entry = self.get_object()
        data = SelfAssessmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.submit_self_assessment(
                entry,
                text=data.validated_data["text"],
                rating=data.validated_data["rating"],
                actor=request.user,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(entry).data)

    def _rate(self, request, fn):
        entry = self.get_object()
        data = RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            warning = fn(entry, rating=data.validated_data["rating"], actor=request.user)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response({"entry": self.get_serializer(entry).data, "warning": warning})

    @extend_schema(request=RatingSerializer, responses=RatingResultSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """The branch committee's proposed rating (at the committee stage)."""
        return self._rate(request, services.propose)

    @extend_schema(request=RatingSerializer, responses=RatingResultSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The congress's decided rating (at the congress stage)."""
        return self._rate(request, services.decide)


class BallotEntrySerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    name = serializers.CharField()
    rated = serializers.BooleanField()


class OpenBallotSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    year = serializers.IntegerField()
    organization = serializers.CharField()
    round = serializers.ChoiceField(choices=AppraisalVote.Round.choices)
    entries = BallotEntrySerializer(many=True)


class CastSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    ratings = serializers.DictField(
        child=serializers.ChoiceField(choices=Rating.choices),
        help_text="{entry id: rating}",
        allow_empty=False,
    )


class AppraisalBallotViewSet(viewsets.ViewSet):
    """The user's own ballots: a member reaches a campaign only through their own entry."""

    permission_classes = [permissions.IsAuthenticated]

    def _person(self, request):
        from ..views.appraisal import own_person

        return own_person(request.user)

    def _own(self, request):
        from ..views.appraisal import own_entries

        return own_entries(request.user).select_related("campaign__organization")

    @extend_schema(responses=OpenBallotSerializer(many=True))
    def list(self, request):
        person = self._person(request)
        out = []
        for e in self._own(request).filter(campaign__stage__in=services.VOTING_STAGES):
            c = e.campaign
            rows = services.ballot(c, person, c.stage)
            out.append(
                {
                    "campaign": c.pk,
                    "year": c.year,
                    "organization": str(c.organization),
                    "round": c.stage,
                    "entries": [
                        {"entry": x.pk, "name": x.membership.person.name, "rated": rated} for x, rated in rows
                    ],
                }
            )
        return Response(OpenBallotSerializer(out, many=True).data)

    @extend_schema(request=CastSerializer, responses={201: None})
    def create(self, request):
        data = CastSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        own = self._own(request).filter(campaign_id=data.validated_data["campaign"]).first()
        if own is None:
            raise exceptions.NotFound()
        c = own.campaign
        try:
            n = services.cast_ballot(
                c,
                person=self._person(request),
                round_=c.stage,
                ratings={int(k): v for k, v in data.validated_data["ratings"].items() if str(k).isdigit()},
                actor=request.user,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response({"ratings": n}, status=status.HTTP_201_CREATED)


router.register("appraisals", AppraisalCampaignViewSet)
router.register("appraisal-entries", AppraisalEntryViewSet)
router.register("appraisal-ballots", AppraisalBallotViewSet, basename="appraisal-ballot")
