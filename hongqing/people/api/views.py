from rest_framework import mixins, viewsets

from hongqing.core.api import ScopedViewSet

from .. import filtersets
from ..models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition, Transfer
from . import serializers


class TalentTagViewSet(ScopedViewSet):
    queryset = TalentTag.objects.all()
    serializer_class = serializers.TalentTagSerializer
    filterset_class = filtersets.TalentTagFilterSet


class PersonViewSet(ScopedViewSet):
    queryset = Person.objects.prefetch_related("talent_tags")
    serializer_class = serializers.PersonSerializer
    filterset_class = filtersets.PersonFilterSet


class MembershipViewSet(ScopedViewSet):
    queryset = Membership.objects.all()
    serializer_class = serializers.MembershipSerializer
    filterset_class = filtersets.MembershipFilterSet


class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only: a transfer is made through the membership's transfer action, which keeps history."""

    queryset = Transfer.objects.all()
    serializer_class = serializers.TransferSerializer
    filterset_class = filtersets.TransferFilterSet

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")


class CadreViewSet(ScopedViewSet):
    queryset = Cadre.objects.all()
    serializer_class = serializers.CadreSerializer
    filterset_class = filtersets.CadreFilterSet


class RotationViewSet(ScopedViewSet):
    queryset = Rotation.objects.all()
    serializer_class = serializers.RotationSerializer
    filterset_fields = ["person", "kind"]


class TermPositionViewSet(ScopedViewSet):
    queryset = TermPosition.objects.all()
    serializer_class = serializers.TermPositionSerializer
    filterset_fields = ["term", "person", "post"]
