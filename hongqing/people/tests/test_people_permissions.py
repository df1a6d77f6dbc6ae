"""The permission contracts for memberships, transfers, cadres, rotations, talent tags and committee posts.

Two views of each model: the secretary of branch A (against branch B) and the Party office of
hospital H (against hospital H2). Persons are in ``test_person_permissions.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.core.testing.records import add_records
from hongqing.people.choices import Post, Stage
from hongqing.people.models import Cadre, Membership, Rotation, TalentTag, TermPosition, Transfer


@pytest.fixture
def world(db, world):
    # ``db`` is named here too: through the override alone, pytest-django does not set up the test
    # database and the test would run against the development database.
    return add_records(world)


# Memberships: secretary A reads and writes branch A's; a member sees their own.
class MembershipBranchCase:
    model = Membership
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"note": "按时交纳党费"}

    def in_scope(self, world):
        return world.rec.membership_a

    def elsewhere(self, world):
        return world.rec.membership_b

    def export_marker(self, obj):
        return obj.person.name

    def create_data(self, world):
        return {
            "person": world.rec.staff_a.pk,
            "organization": world.branch_a.pk,
            "stage": Stage.APPLICANT,
            "application_date": "2024-01-01",
            "note": "",
        }

    def api_create_data(self, world):
        return {
            "person": world.rec.staff_a.pk,
            "organization": world.branch_a.pk,
            "stage": Stage.APPLICANT,
            "application_date": "2024-01-01",
        }

    def created(self, world):
        return Membership.objects.filter(person=world.rec.staff_a)

    api_created = created

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.branch_b.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organization": world.branch_b.pk}

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b, world.committee], "person": [world.person_b]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b], "department": [world.dept_b]}

    def deletable(self, world):
        return Membership.objects.create(
            person=world.rec.staff_a,
            organization=world.branch_a,
            stage=Stage.APPLICANT,
            application_date=dt.date(2024, 1, 1),
        )

    def member_own(self, world):
        return world.rec.membership_a

    def member_other(self, world):
        return world.rec.membership_b


class TestMembershipBranchPages(MembershipBranchCase, PageContract):
    pass


class TestMembershipBranchApi(MembershipBranchCase, ApiContract):
    api_list = "/api/people/memberships/"


class MembershipCase(MembershipBranchCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.rec.membership_h2

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.rec.branch_h2.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organization": world.rec.branch_h2.pk}

    def forbidden_choices(self, world):
        return {"organization": [world.rec.branch_h2], "person": [world.person_h2]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.rec.branch_h2], "department": [world.rec.dept_h2]}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.rec.membership_h2


class TestMembershipPages(MembershipCase, PageContract):
    pass


class TestMembershipApi(MembershipCase, ApiContract):
    api_list = "/api/people/memberships/"


def test_membership_of_a_person_outside_scope_is_400_through_the_api(client, world):
    client.force_login(world.secretary_a)
    before = Membership.objects.count()
    data = {"person": world.rec.staff_a.pk, "organization": world.rec.branch_h2.pk, "stage": Stage.APPLICANT}
    response = client.post("/api/people/memberships/", data, content_type="application/json")
    assert response.status_code == 400
    assert "organization" in response.json()
    assert Membership.objects.count() == before


# Transfers: read-only records of the transfer action.
class TransferBranchCase:
    model = Transfer
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.rec.transfer_a

    def elsewhere(self, world):
        return world.rec.transfer_b

    def export_marker(self, obj):
        return obj.membership.person.name

    def member_own(self, world):
        return world.rec.transfer_a

    def member_other(self, world):
        return world.rec.transfer_b


class TestTransferBranchPages(TransferBranchCase, PageContract):
    pass


class TestTransferBranchApi(TransferBranchCase, ApiContract):
    api_list = "/api/people/transfers/"
    read_only = True


class TransferCase(TransferBranchCase):
    viewer = "office"

    def elsewhere(self, world):
        return world.rec.transfer_h2

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.rec.transfer_h2


class TestTransferPages(TransferCase, PageContract):
    pass


class TestTransferApi(TransferCase, ApiContract):
    api_list = "/api/people/transfers/"
    read_only = True


def test_office_transfers_a_membership_and_the_history_is_kept(client, world):
    m = world.rec.membership_a
    client.force_login(world.office)
    url = f"/people/memberships/{m.pk}/transfer/"
    response = client.post(
        url, {"to_organization": world.branch_b.pk, "date": "2025-03-01", "reason": "调岗"}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.organization == world.branch_b
    t = Transfer.objects.get(membership=m, date=dt.date(2025, 3, 1))
    assert (t.from_organization, t.to_organization, t.created_by) == (
        world.branch_a,
        world.branch_b,
        world.office,
    )


def test_transfer_action_is_scoped(client, world):
    # Secretary A cannot act on branch B's membership, nor move theirs to an organisation they cannot see.
    client.force_login(world.secretary_a)
    other = world.rec.membership_b
    assert client.get(f"/people/memberships/{other.pk}/transfer/").status_code == 404
    assert client.post(f"/people/memberships/{other.pk}/transfer/", {}).status_code == 404
    own = world.rec.membership_a
    response = client.post(
        f"/people/memberships/{own.pk}/transfer/",
        {"to_organization": world.rec.branch_h2.pk, "date": "2025-03-01"},
    )
    assert response.status_code == 422
    own.refresh_from_db()
    assert own.organization == world.branch_a
    for persona in ("region", "inspector", "member_a"):
        client.force_login(getattr(world, persona))
        assert client.post(f"/people/memberships/{own.pk}/transfer/", {}).status_code in (403, 404)


# Cadres: secretary A reads department A's cadres; the office writes.
class CadreBranchCase:
    model = Cadre
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.rec.cadre_a

    def elsewhere(self, world):
        return world.rec.cadre_b

    def export_marker(self, obj):
        return obj.title

    def forbidden_filter_choices(self, world):
        return {"department": [world.dept_b]}

    def member_own(self, world):
        return world.rec.cadre_a

    def member_other(self, world):
        return world.rec.cadre_b


class TestCadreBranchPages(CadreBranchCase, PageContract):
    pass


class TestCadreBranchApi(CadreBranchCase, ApiContract):
    api_list = "/api/people/cadres/"


class CadreCase(CadreBranchCase):
    viewer = editor = "office"
    edit_changes = api_changes = {"appointment": "竞聘"}

    def elsewhere(self, world):
        return world.rec.cadre_h2

    def create_data(self, world):
        return {
            "person": world.person_b.pk,
            "department": world.dept_b.pk,
            "title": "儿科副主任",
            "level": "deputy",
            "start": "2024-01-01",
            "end": "",
            "appointment": "",
        }

    def api_create_data(self, world):
        return {
            "person": world.person_b.pk,
            "department": world.dept_b.pk,
            "title": "儿科副主任",
            "level": "deputy",
            "start": "2024-01-01",
        }

    def created(self, world):
        return Cadre.objects.filter(title="儿科副主任")

    api_created = created

    def create_outside_data(self, world):
        return {**self.create_data(world), "person": world.person_h2.pk, "department": world.rec.dept_h2.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "department": world.rec.dept_h2.pk}

    def forbidden_choices(self, world):
        return {"person": [world.person_h2], "department": [world.rec.dept_h2]}

    def forbidden_filter_choices(self, world):
        return {"department": [world.rec.dept_h2]}

    def deletable(self, world):
        return Cadre.objects.create(person=world.person_b, title="待免职务", start=dt.date(2020, 1, 1))

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.rec.cadre_h2


class TestCadrePages(CadreCase, PageContract):
    pass


class TestCadreApi(CadreCase, ApiContract):
    api_list = "/api/people/cadres/"


# Rotations: secretary A reads the rotations into department A.
class RotationBranchCase:
    model = Rotation
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.rec.rotation_a

    def elsewhere(self, world):
        return world.rec.rotation_b

    def member_own(self, world):
        return world.rec.rotation_a

    def member_other(self, world):
        return world.rec.rotation_b


class TestRotationBranchPages(RotationBranchCase, PageContract):
    pass


class TestRotationBranchApi(RotationBranchCase, ApiContract):
    api_list = "/api/people/rotations/"


class RotationCase(RotationBranchCase):
    viewer = editor = "office"
    edit_changes = api_changes = {"note": "已轮转"}

    def elsewhere(self, world):
        return world.rec.rotation_h2

    def create_data(self, world):
        return {
            "person": world.person_b.pk,
            "kind": "key_post",
            "from_department": world.dept_b.pk,
            "to_department": world.dept_a.pk,
            "start": "2024-06-01",
            "end": "",
            "note": "新轮岗",
        }

    def api_create_data(self, world):
        return {**self.create_data(world), "end": None}

    def created(self, world):
        return Rotation.objects.filter(note="新轮岗")

    api_created = created

    def create_outside_data(self, world):
        return {**self.create_data(world), "to_department": world.rec.dept_h2.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "to_department": world.rec.dept_h2.pk}

    def forbidden_choices(self, world):
        return {
            "person": [world.person_h2],
            "from_department": [world.rec.dept_h2],
            "to_department": [world.rec.dept_h2],
        }

    def deletable(self, world):
        return Rotation.objects.create(
            person=world.person_b, to_department=world.dept_a, start=dt.date(2023, 1, 1), note="待删"
        )

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.rec.rotation_h2


class TestRotationPages(RotationCase, PageContract):
    pass


class TestRotationApi(RotationCase, ApiContract):
    api_list = "/api/people/rotations/"


# Talent tags: hospital-wide.
class TalentTagCase:
    model = TalentTag
    viewer = editor = "office"
    edit_changes = api_changes = {"description": "院级人才"}

    def in_scope(self, world):
        return world.rec.tag_h

    def elsewhere(self, world):
        return world.rec.tag_h2

    def create_data(self, world):
        return {"hospital": world.hospital.pk, "name": "新秀", "description": ""}

    api_create_data = create_data

    def created(self, world):
        return TalentTag.objects.filter(name="新秀")

    api_created = created

    def create_outside_data(self, world):
        return {**self.create_data(world), "hospital": world.hospital2.pk}

    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"hospital": [world.hospital2]}

    def deletable(self, world):
        return world.rec.tag_h

    def member_other(self, world):
        return world.rec.tag_h


class TestTalentTagPages(TalentTagCase, PageContract):
    pass


class TestTalentTagApi(TalentTagCase, ApiContract):
    api_list = "/api/people/talent-tags/"


# Committee posts: secretary A reads and writes branch A's terms' posts.
class TermPositionBranchCase:
    model = TermPosition
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"start": "2025-01-02"}

    def in_scope(self, world):
        return world.rec.position_a

    def elsewhere(self, world):
        return world.rec.position_b

    def create_data(self, world):
        return {
            "term": world.rec.term_a.pk,
            "person": world.rec.staff_a.pk,
            "post": Post.ORGANIZATION,
            "start": "2025-01-01",
            "end": "",
        }

    def api_create_data(self, world):
        return {**self.create_data(world), "end": None}

    def created(self, world):
        return TermPosition.objects.filter(term=world.rec.term_a, post=Post.ORGANIZATION)

    api_created = created

    def create_outside_data(self, world):
        return {**self.create_data(world), "term": world.rec.term_b.pk, "person": world.person_b.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "term": world.rec.term_b.pk}

    def forbidden_choices(self, world):
        return {"term": [world.rec.term_b], "person": [world.person_b]}

    def deletable(self, world):
        return TermPosition.objects.create(
            term=world.rec.term_a, person=world.rec.staff_a, post=Post.PUBLICITY
        )

    # A member sees their own organisation's committee, no other's.
    def member_own(self, world):
        return world.rec.position_a

    def member_other(self, world):
        return world.rec.position_b


class TestTermPositionBranchPages(TermPositionBranchCase, PageContract):
    pass


class TestTermPositionBranchApi(TermPositionBranchCase, ApiContract):
    api_list = "/api/people/term-positions/"


class TermPositionCase(TermPositionBranchCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.rec.position_h2

    def create_outside_data(self, world):
        return {**self.create_data(world), "term": world.rec.term_h2.pk, "person": world.person_h2.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "person": world.person_h2.pk}

    def forbidden_choices(self, world):
        return {"term": [world.rec.term_h2], "person": [world.person_h2]}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.rec.position_h2


class TestTermPositionPages(TermPositionCase, PageContract):
    pass


class TestTermPositionApi(TermPositionCase, ApiContract):
    api_list = "/api/people/term-positions/"
