from django.utils.translation import gettext as _
from rest_framework import serializers

from hongqing.core.api import HQSerializer

from ..models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition, Transfer


class TalentTagSerializer(HQSerializer):
    class Meta:
        model = TalentTag
        fields = ["id", "url", "hospital", "name", "description"]


class PersonSerializer(HQSerializer):
    """The ID number is write-only here; read it masked (``id_number_masked``)."""

    id_number_masked = serializers.CharField(source="masked_id_number", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "hospital",
            "staff_no",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "id_number_masked",
            "phone",
            "department",
            "post",
            "title_grade",
            "education",
            "employment_start",
            "status",
            "talent_tags",
        ]
        # The default keeps the ID number optional: the validator of the (hospital, id_number) constraint
        # otherwise calls a missing one required.
        extra_kwargs = {
            "id_number": {"write_only": True, "required": False, "default": ""},
            "gender": {"required": False},
        }


class MembershipSerializer(HQSerializer):
    party_age = serializers.SerializerMethodField()

    def validate_stage(self, value):
        # A stage changes only through development's "advance" (rules checked, step recorded, audited).
        if self.instance is not None and value != self.instance.stage:
            raise serializers.ValidationError(
                _("The stage changes through /api/people/development-steps/advance/, which checks its rules.")
            )
        return value

    def get_party_age(self, obj) -> int | None:
        return obj.party_age()

    def validate(self, attrs):
        # As on the page: a member moves by the transfer action, which keeps the history.
        if self.instance is not None:
            for name in ("person", "organization"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: _("A membership moves by a transfer, which keeps the history.")}
                    )
        return super().validate(attrs)

    class Meta:
        model = Membership
        fields = [
            "id",
            "url",
            "person",
            "organization",
            "stage",
            "application_date",
            "activist_date",
            "candidate_date",
            "admission_date",
            "conversion_date",
            "party_age",
            "note",
        ]


class TransferSerializer(HQSerializer):
    class Meta:
        model = Transfer
        fields = [
            "id",
            "url",
            "membership",
            "kind",
            "from_organization",
            "to_organization",
            "external_unit",
            "date",
            "reason",
        ]
        read_only_fields = fields


class CadreSerializer(HQSerializer):
    class Meta:
        model = Cadre
        fields = ["id", "url", "person", "department", "title", "level", "start", "end", "appointment"]


class RotationSerializer(HQSerializer):
    class Meta:
        model = Rotation
        fields = ["id", "url", "person", "kind", "from_department", "to_department", "start", "end", "note"]


class TermPositionSerializer(HQSerializer):
    class Meta:
        model = TermPosition
        fields = ["id", "url", "term", "person", "post", "start", "end"]
