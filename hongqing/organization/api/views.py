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


class PartyOrganizationViewSet(ScopedViewSet):
    queryset = PartyOrganization.objects.all()
    serializer_class = serializers.PartyOrganizationSerializer
    filterset_class = filtersets.PartyOrganizationFilterSet


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
