from rest_framework import serializers

from hongqing.core.api import HQSerializer

from ..models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    Hospital,
    PartyOrganization,
    placement_errors,
)


class HospitalSerializer(HQSerializer):
    class Meta:
        model = Hospital
        fields = ["id", "url", "name", "short_name", "code", "level", "kind", "address"]


class CampusSerializer(HQSerializer):
    class Meta:
        model = Campus
        fields = ["id", "url", "hospital", "name", "address"]


class TreeSerializer(HQSerializer):
    """Tree nodes are created under ``parent`` (or as a root); the path fields are read-only.

    Under a parent the hospital may be left out: it is the parent's (a branch secretary, who
    cannot list hospitals, adds a Party group under their branch).
    """

    parent = serializers.SerializerMethodField()
    depth = serializers.IntegerField(read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        if "hospital" in fields and not fields["hospital"].read_only:
            fields["hospital"].required = False
        return fields

    def get_validators(self):
        # The (hospital, name) uniqueness validator would demand the hospital: checked in validate().
        return [v for v in super().get_validators() if "hospital" not in getattr(v, "fields", ())]

    def get_parent(self, obj) -> int | None:
        if hasattr(obj, "parent_pk"):  # annotated by the viewset: no query per row
            return obj.parent_pk
        parent = type(obj).objects.get_parent(obj)
        return parent.pk if parent else None

    def new_parent(self):
        parent_id = self.initial_data.get("parent") if self.instance is None else None
        if not parent_id:
            return None
        model = self.Meta.model
        parent = model.objects.restrict(self.context["request"].user, "change").filter(pk=parent_id).first()
        if parent is None:
            raise serializers.ValidationError({"parent": "不存在或不在您的管辖范围内。"})
        return parent

    def validate(self, attrs):
        if self.instance is None:
            parent = self.new_parent()
            hospital = attrs.get("hospital")
            if parent is not None and hospital is None:
                attrs["hospital"] = parent.hospital
            elif parent is not None and parent.hospital_id != hospital.pk:
                raise serializers.ValidationError({"parent": "上级属于另一家医院。"})
            elif parent is None and hospital is None:
                raise serializers.ValidationError({"hospital": "该字段是必填项。"})
        hospital = attrs.get("hospital") or getattr(self.instance, "hospital", None)
        name = attrs.get("name", getattr(self.instance, "name", None))
        same = self.Meta.model.objects.filter(hospital=hospital, name=name)
        if self.instance is not None:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise serializers.ValidationError({"name": "本院已有同名记录。"})
        return super().validate(attrs)

    def create(self, validated_data):
        parent = self.new_parent()
        model = self.Meta.model
        node = model(**validated_data)
        if parent is not None:
            return model.objects.add_child(parent, instance=node)
        return model.objects.add_root(instance=node)


class DepartmentSerializer(TreeSerializer):
    class Meta:
        model = Department
        fields = ["id", "url", "hospital", "parent", "depth", "name", "code", "kind", "campus", "is_active"]


class PartyOrganizationSerializer(TreeSerializer):
    def validate(self, attrs):
        attrs = super().validate(attrs)
        # Which kind stands where: the same rules as the form (a branch is no root, nor under a branch).
        if self.instance is None:
            parent = self.new_parent()
        else:
            parent = PartyOrganization.objects.get_parent(self.instance)
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        errors = placement_errors(kind, parent, self.instance)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

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


class DisciplineGroupSerializer(HQSerializer):
    class Meta:
        model = DisciplineGroup
        fields = ["id", "url", "hospital", "name", "departments"]
