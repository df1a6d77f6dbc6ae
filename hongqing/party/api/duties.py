"""API: duties (read only: a duty is done when a record satisfies it, never by a write)."""

from django.utils import timezone
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import DefaultRouter

from hongqing.core.api import HQSerializer

from ..filtersets_duties import ObligationFilterSet
from ..models import Obligation
from ..services.duties import duty_label, status_of


class ObligationSerializer(HQSerializer):
    duty = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    def get_duty(self, obj) -> str:
        return duty_label(obj.code)

    def get_status(self, obj) -> str:
        return status_of(obj, timezone.localdate())

    class Meta:
        model = Obligation
        fields = [
            "id",
            "url",
            "organization",
            "code",
            "duty",
            "period_start",
            "period_end",
            "due",
            "remind_from",
            "required",
            "done_count",
            "done_on",
            "status",
            "satisfied_by",
            "satisfied_by_term",
            "satisfied_by_appraisal",
        ]
        read_only_fields = fields


class ObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Duties in the user's scope; ``status`` (done, due_soon, overdue, open) is computed against today."""

    queryset = Obligation.objects.select_related("organization")
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilterSet

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")


router = DefaultRouter()
router.register("obligations", ObligationViewSet, basename="obligation")
