from rest_framework import serializers

from hongqing.core.api import HQSerializer

from ..models import BranchDepartment, Campus, CommitteeTerm, Department, Hospital, PartyOrganization


class HospitalSerializer(HQSerializer):
    class Meta:
        model = Hospital
        fields = ["id", "url", "name", "short_name", "code", "level", "kind", "address"]


class CampusSerializer(HQSerializer):
    class Meta:
        model = Campus
        fields = ["id", "url", "hospital", "name", "address"]


class TreeSerializer(HQSerializer):
    """Tree nodes are created under ``parent`` (or as a root); the path fields are read-only."""

    parent = serializers.SerializerMethodField()
    depth = serializers.IntegerField(read_only=True)

    def get_parent(self, obj) -> int | None:
        parent = type(obj).objects.get_parent(obj)
        return parent.pk if parent else None

    def create(self, validated_data):
        parent_id = self.initial_data.get("parent")
        model = self.Meta.model
        node = model(**validated_data)
        if parent_id:
            parent = (
                model.objects.restrict(self.context["request"].user, "change").filter(pk=parent_id).first()
            )
            if parent is None:
                raise serializers.ValidationError({"parent": "不存在或不在您的管辖范围内。"})
            if parent.hospital_id != node.hospital_id:
                raise serializers.ValidationError({"parent": "上级属于另一家医院。"})
            return model.objects.add_child(parent, instance=node)
        return model.objects.add_root(instance=node)


class DepartmentSerializer(TreeSerializer):
    class Meta:
        model = Department
        fields = ["id", "url", "hospital", "parent", "depth", "name", "code", "kind", "campus", "is_active"]


class PartyOrganizationSerializer(TreeSerializer):
    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "url",
            "hospital",
            "parent",
            "depth",
            "name",
            "short_name",
            "kind",
            "discipline_group",
            "established",
            "sort_order",
        ]


class BranchDepartmentSerializer(HQSerializer):
    class Meta:
        model = BranchDepartment
        fields = ["id", "url", "organization", "department", "start", "end"]


class CommitteeTermSerializer(HQSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = CommitteeTerm
        fields = ["id", "url", "organization", "number", "start", "due_end", "actual_end", "status", "note"]
        extra_kwargs = {"due_end": {"required": False}}
