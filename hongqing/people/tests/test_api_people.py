"""People API behaviour beyond the permission contracts: what a write may not do behind a service's back."""

from __future__ import annotations

import pytest

from hongqing.people.models import Transfer


@pytest.mark.parametrize("persona,target", [("office", "branch_b"), ("secretary_a", "branch_a")])
def test_a_membership_moves_only_by_a_transfer(client, world, persona, target):
    # The page disables the organisation and the person; a PATCH must not move a member either,
    # or the move would have no Transfer record (history).
    m = world.person_a.membership
    client.force_login(getattr(world, persona))
    other = world.person_b if persona == "office" else world.secretary_a.person
    for field, value in (("organization", getattr(world, target).pk), ("person", other.pk)):
        response = client.patch(
            f"/api/people/memberships/{m.pk}/", {field: value}, content_type="application/json"
        )
        if persona == "secretary_a" and field == "organization":
            # Its own organisation: no move at all, nothing to refuse.
            assert response.status_code == 200
            continue
        assert response.status_code == 400, response.content
        assert field in response.json()
    m.refresh_from_db()
    assert (m.organization, m.person) == (world.branch_a, world.person_a)
    assert not Transfer.objects.filter(membership=m).exists()


def test_other_fields_of_a_membership_still_change(client, world):
    m = world.person_a.membership
    client.force_login(world.secretary_a)
    data = {"note": "按期转正", "organization": world.branch_a.pk, "person": world.person_a.pk}
    response = client.patch(f"/api/people/memberships/{m.pk}/", data, content_type="application/json")
    assert response.status_code == 200
    m.refresh_from_db()
    assert m.note == "按期转正"
