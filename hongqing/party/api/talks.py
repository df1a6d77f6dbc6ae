"""API: talks (谈心谈话 and growth conversations), scoped like the pages, with the same FilterSet."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from hongqing.core.api import HQSerializer, ScopedViewSet

from ..filtersets_talks import TalkFilterSet
from ..models import Talk


class TalkSerializer(HQSerializer):
    class Meta:
        model = Talk
        fields = [
            "id",
            "url",
            "organization",
            "kind",
            "date",
            "talker",
            "person",
            "department",
            "place",
            "notes",
            "goals",
        ]


class TalkViewSet(ScopedViewSet):
    queryset = Talk.objects.select_related("organization", "talker", "person", "department")
    serializer_class = TalkSerializer
    filterset_class = TalkFilterSet


router = DefaultRouter()
router.register("talks", TalkViewSet)
