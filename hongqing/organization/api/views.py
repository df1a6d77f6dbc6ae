from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr

from hongqing.core.api import ScopedViewSet

from .. import filtersets
from ..models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    Hospital,
    PartyOrganization,
)
from . import serializers


def with_parent_pk(qs):
    """Each node's parent id, in the same query (the serializer's ``parent``; one query per row otherwise)."""
    model = qs.model
    parent = model._base_manager.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - model.steplen)
    )
    return qs.annotate(parent_pk=Subquery(parent.values("pk")[:1]))


class HospitalViewSet(ScopedViewSet):
    queryset = Hospital.objects.all()
    serializer_class = serializers.HospitalSerializer
    filterset_class = filtersets.HospitalFilterSet


class CampusViewSet(ScopedViewSet):
    queryset = Campus.objects.select_related("hospital")
    serializer_class = serializers.CampusSerializer
    filterset_class = filtersets.CampusFilterSet


class DepartmentViewSet(ScopedViewSet):
    queryset = Department.objects.all()
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet

    def get_queryset(self):
        return with_parent_pk(super().get_queryset())


class PartyOrganizationViewSet(ScopedViewSet):
    queryset = PartyOrganization.objects.all()
    serializer_class = serializers.PartyOrganizationSerializer
    filterset_class = filtersets.PartyOrganizationFilterSet

    def get_queryset(self):
        return with_parent_pk(super().get_queryset())


class BranchDepartmentViewSet(ScopedViewSet):
    queryset = BranchDepartment.objects.all()
    serializer_class = serializers.BranchDepartmentSerializer
    filterset_fields = ["organization", "department"]


class CommitteeTermViewSet(ScopedViewSet):
    queryset = CommitteeTerm.objects.select_related("organization")
    serializer_class = serializers.CommitteeTermSerializer
    filterset_class = filtersets.CommitteeTermFilterSet


class DisciplineGroupViewSet(ScopedViewSet):
    queryset = DisciplineGroup.objects.prefetch_related("departments")
    serializer_class = serializers.DisciplineGroupSerializer
    filterset_class = filtersets.DisciplineGroupFilterSet
