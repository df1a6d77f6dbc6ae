"""The ``decisions`` area (三重一大 matters) is the hospital-wide roles' only: a branch's roles and a
member's own grant give nothing there, while they keep the ``party`` area (meetings)."""

from hongqing.core.scoping import CHANGE, VIEW, has_permission
from hongqing.party.models import MajorMatter, Meeting


def test_decisions_are_for_hospital_wide_roles_only(world):
    for persona in ("secretary_a", "secretary_b", "member_a", "auditor", "nobody"):
        assert not has_permission(getattr(world, persona), MajorMatter, VIEW), persona
    assert has_permission(world.office, MajorMatter, CHANGE)
    assert has_permission(world.inspector, MajorMatter, VIEW)
    assert not has_permission(world.inspector, MajorMatter, CHANGE)
    assert has_permission(world.region, MajorMatter, VIEW)
    # …while the branch keeps its meetings, and the member reads their own.
    assert has_permission(world.secretary_a, Meeting, CHANGE)
    assert has_permission(world.member_a, Meeting, VIEW)
    assert not has_permission(world.member_a, Meeting, CHANGE)
