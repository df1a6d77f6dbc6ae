"""Tree rules: no move under a descendant, which kind stands under which, hospitals; moving works."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from hongqing.organization.choices import OrgKind
from hongqing.organization.forms import DepartmentForm, PartyOrganizationForm
from hongqing.organization.models import Campus, Department, PartyOrganization

pytestmark = pytest.mark.django_db

DESCENDANT = "A node cannot be moved under itself or one of its descendants."
ROOT_ONLY = "Only a Party committee or a discipline committee stands at the top of the tree."


def tr(msgid, **params):
    text = gettext(msgid)
    return text % params if params else text


def kind_error(kind, parent_kind):
    return tr(
        "A %(kind)s cannot stand under a %(parent)s.",
        kind=OrgKind(kind).label,
        parent=OrgKind(parent_kind).label,
    )


def fresh(node):
    return type(node).objects.get(pk=node.pk)


def add_org(parent, name, kind):
    parent = fresh(parent)
    return PartyOrganization.objects.add_child(parent, dict(hospital=parent.hospital, name=name, kind=kind))


def org_data(node, **changes):
    node = fresh(node)
    parent = PartyOrganization.objects.get_parent(node)
    data = {
        "parent": parent.pk if parent else "",
        "hospital": node.hospital_id,
        "name": node.name,
        "short_name": node.short_name,
        "kind": node.kind,
        "discipline_group": "",
        "established": "",
        "sort_order": node.sort_order,
    }
    data.update(changes)
    return data


def dept_data(node, **changes):
    node = fresh(node)
    parent = Department.objects.get_parent(node)
    data = {
        "parent": parent.pk if parent else "",
        "hospital": node.hospital_id,
        "name": node.name,
        "code": node.code,
        "kind": node.kind,
        "campus": node.campus_id or "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def snapshot(model):
    return dict(model.objects.values_list("pk", "path"))


def post_edit(client, node, data):
    url = reverse(type(node).url_name("edit"), kwargs={"pk": node.pk})
    return client.post(url, data)


@pytest.fixture
def office(client, world):
    client.force_login(world.office)
    return client


@pytest.fixture
def group(world):
    return add_org(world.branch_a, "第一党小组", OrgKind.GROUP)


class TestPartyTreeThroughThePage:
    def test_move_under_own_descendant_refused(self, office, world, group):
        before = snapshot(PartyOrganization)
        response = post_edit(office, world.branch_a, org_data(world.branch_a, parent=group.pk))
        assert response.status_code == 422
        assert escape(tr(DESCENDANT)) in response.content.decode()
        assert snapshot(PartyOrganization) == before

    def test_committee_under_its_branch_refused(self, office, world):
        before = snapshot(PartyOrganization)
        response = post_edit(office, world.committee, org_data(world.committee, parent=world.branch_b.pk))
        assert response.status_code == 422
        assert response.context["form"].errors["parent"] == [tr(DESCENDANT)]
        assert snapshot(PartyOrganization) == before

    def test_move_under_itself_refused(self, office, world):
        before = snapshot(PartyOrganization)
        response = post_edit(office, world.branch_a, org_data(world.branch_a, parent=world.branch_a.pk))
        assert response.status_code == 422
        assert tr(DESCENDANT) in response.context["form"].errors["parent"]
        assert snapshot(PartyOrganization) == before

    def test_branch_under_a_branch_refused(self, office, world):
        before = snapshot(PartyOrganization)
        response = post_edit(office, world.branch_b, org_data(world.branch_b, parent=world.branch_a.pk))
        assert response.status_code == 422
        assert response.context["form"].errors["kind"] == [kind_error(OrgKind.BRANCH, OrgKind.BRANCH)]
        assert escape(kind_error(OrgKind.BRANCH, OrgKind.BRANCH)) in response.content.decode()
        assert snapshot(PartyOrganization) == before

    def test_branch_at_the_root_refused(self, office, world):
        before = snapshot(PartyOrganization)
        response = post_edit(office, world.branch_b, org_data(world.branch_b, parent=""))
        assert response.status_code == 422
        assert response.context["form"].errors["parent"] == [tr(ROOT_ONLY)]
        assert snapshot(PartyOrganization) == before

    def test_move_branch_under_a_general_branch(self, office, world):
        general = add_org(world.committee, "妇产党总支", OrgKind.GENERAL_BRANCH)
        old_path = fresh(world.branch_b).path
        response = post_edit(office, world.branch_b, org_data(world.branch_b, parent=general.pk))
        assert response.status_code == 302, response.context["form"].errors
        moved = fresh(world.branch_b)
        assert moved.path != old_path
        assert moved.path.startswith(fresh(general).path)
        assert PartyOrganization.objects.get_parent(moved) == general
        assert moved.depth == 3

    def test_move_carries_the_subtree(self, office, world, group):
        general = add_org(world.committee, "妇产党总支", OrgKind.GENERAL_BRANCH)
        response = post_edit(office, world.branch_a, org_data(world.branch_a, parent=general.pk))
        assert response.status_code == 302
        assert PartyOrganization.objects.get_parent(fresh(group)) == fresh(world.branch_a)
        assert fresh(group).depth == 4

    def test_kind_change_that_strands_the_children_refused(self, office, world, group):
        # Branch A has a Party group; a general branch may not hold groups.
        before = snapshot(PartyOrganization)
        response = post_edit(office, world.branch_a, org_data(world.branch_a, kind=OrgKind.GENERAL_BRANCH))
        assert response.status_code == 422
        assert "kind" in response.context["form"].errors
        assert fresh(world.branch_a).kind == OrgKind.BRANCH
        assert snapshot(PartyOrganization) == before

    def test_committee_with_branches_cannot_become_a_discipline_committee(self, office, world):
        response = post_edit(
            office, world.committee, org_data(world.committee, kind=OrgKind.DISCIPLINE_COMMITTEE)
        )
        assert response.status_code == 422
        assert "kind" in response.context["form"].errors
        assert fresh(world.committee).kind == OrgKind.COMMITTEE

    def test_kind_change_without_children_allowed(self, office, world):
        response = post_edit(office, world.branch_b, org_data(world.branch_b, kind=OrgKind.GENERAL_BRANCH))
        assert response.status_code == 302
        assert fresh(world.branch_b).kind == OrgKind.GENERAL_BRANCH

    def test_parent_of_another_hospital_is_no_choice(self, office, world):
        other = PartyOrganization.objects.get(hospital=world.hospital2, kind=OrgKind.COMMITTEE)
        before = snapshot(PartyOrganization)
        response = post_edit(office, world.branch_b, org_data(world.branch_b, parent=other.pk))
        assert response.status_code == 422
        assert "parent" in response.context["form"].errors
        assert snapshot(PartyOrganization) == before


class TestPartyKinds:
    """The kind rules in the form itself, for a reader of every hospital (every organisation is a choice)."""

    @pytest.fixture(autouse=True)
    def _reader(self, world):
        self.reader = world.region

    def form(self, parent, kind, hospital):
        data = {
            "parent": parent.pk if parent else "",
            "hospital": hospital.pk,
            "name": "新组织",
            "kind": kind,
            "sort_order": 100,
        }
        return PartyOrganizationForm(data=data, instance=PartyOrganization(), user=self.reader)

    @pytest.mark.parametrize(
        "parent_attr, kind, ok",
        [
            (None, OrgKind.COMMITTEE, True),
            (None, OrgKind.DISCIPLINE_COMMITTEE, True),
            (None, OrgKind.BRANCH, False),
            (None, OrgKind.GENERAL_BRANCH, False),
            (None, OrgKind.GROUP, False),
            ("committee", OrgKind.BRANCH, True),
            ("committee", OrgKind.GENERAL_BRANCH, True),
            ("committee", OrgKind.GROUP, False),
            ("committee", OrgKind.COMMITTEE, False),
            ("branch_a", OrgKind.GROUP, True),
            ("branch_a", OrgKind.BRANCH, False),
            ("branch_a", OrgKind.GENERAL_BRANCH, False),
        ],
    )
    def test_kinds(self, world, parent_attr, kind, ok):
        parent = getattr(world, parent_attr) if parent_attr else None
        form = self.form(parent, kind, world.hospital)
        assert form.is_valid() is ok, form.errors
        if not ok and parent is not None:
            assert form.errors["kind"] == [kind_error(kind, parent.kind)]
        if not ok and parent is None:
            assert form.errors["parent"] == [tr(ROOT_ONLY)]

    def test_general_branch_holds_branches_only(self, world):
        general = add_org(world.committee, "总支", OrgKind.GENERAL_BRANCH)
        assert self.form(general, OrgKind.BRANCH, world.hospital).is_valid()
        assert not self.form(general, OrgKind.GROUP, world.hospital).is_valid()
        assert not self.form(general, OrgKind.GENERAL_BRANCH, world.hospital).is_valid()

    def test_nothing_under_a_discipline_committee_or_a_group(self, world, group):
        discipline = PartyOrganization.objects.add_root(
            dict(hospital=world.hospital, name="纪委", kind=OrgKind.DISCIPLINE_COMMITTEE)
        )
        assert not self.form(discipline, OrgKind.BRANCH, world.hospital).is_valid()
        assert not self.form(group, OrgKind.GROUP, world.hospital).is_valid()

    def test_parent_of_another_hospital(self, world):
        form = self.form(world.committee, OrgKind.BRANCH, world.hospital2)
        assert not form.is_valid()
        assert form.errors["parent"] == [tr("The parent belongs to another hospital.")]


@pytest.fixture
def depts(world):
    """产科 (dept A) → 产一病区 → 产一病区护理组; 儿科 (dept B)."""
    ward = Department.objects.add_child(fresh(world.dept_a), dict(hospital=world.hospital, name="产一病区"))
    team = Department.objects.add_child(fresh(ward), dict(hospital=world.hospital, name="产一病区护理组"))
    return {"ward": ward, "team": team}


class TestDepartmentTree:
    def test_move_under_own_descendant_refused(self, office, world, depts):
        before = snapshot(Department)
        response = post_edit(office, world.dept_a, dept_data(world.dept_a, parent=depts["team"].pk))
        assert response.status_code == 422
        assert response.context["form"].errors["parent"] == [tr(DESCENDANT)]
        assert escape(tr(DESCENDANT)) in response.content.decode()
        assert snapshot(Department) == before

    def test_move_under_itself_refused(self, office, world, depts):
        before = snapshot(Department)
        response = post_edit(office, depts["ward"], dept_data(depts["ward"], parent=depts["ward"].pk))
        assert response.status_code == 422
        assert snapshot(Department) == before

    def test_move_to_another_parent(self, office, world, depts):
        ward = depts["ward"]
        old_path = fresh(ward).path
        response = post_edit(office, ward, dept_data(ward, parent=world.dept_b.pk))
        assert response.status_code == 302, response.context["form"].errors
        moved = fresh(ward)
        assert moved.path != old_path
        assert moved.path.startswith(fresh(world.dept_b).path)
        assert Department.objects.get_parent(moved) == world.dept_b
        # The child came along.
        assert Department.objects.get_parent(fresh(depts["team"])) == moved
        assert fresh(depts["team"]).path.startswith(moved.path)
        assert Department.objects.get_children_count(fresh(world.dept_a)) == 0

    def test_move_to_the_root(self, office, world, depts):
        response = post_edit(office, depts["ward"], dept_data(depts["ward"], parent=""))
        assert response.status_code == 302
        moved = fresh(depts["ward"])
        assert moved.is_root()
        assert moved.depth == 1
        assert fresh(depts["team"]).depth == 2

    def test_move_a_root_under_another(self, office, world, depts):
        response = post_edit(office, world.dept_b, dept_data(world.dept_b, parent=world.dept_a.pk))
        assert response.status_code == 302
        assert Department.objects.get_parent(fresh(world.dept_b)) == world.dept_a

    def test_edit_without_moving_keeps_the_path(self, office, world, depts):
        before = snapshot(Department)
        response = post_edit(office, depts["ward"], dept_data(depts["ward"], name="产科一病区"))
        assert response.status_code == 302
        assert snapshot(Department) == before
        assert fresh(depts["ward"]).name == "产科一病区"

    def test_parent_of_another_hospital_refused_on_the_page(self, office, world, depts):
        other = Department.objects.get(hospital=world.hospital2)
        before = snapshot(Department)
        response = post_edit(office, depts["ward"], dept_data(depts["ward"], parent=other.pk))
        assert response.status_code == 422
        assert "parent" in response.context["form"].errors
        assert snapshot(Department) == before

    def test_parent_of_another_hospital_refused_by_the_form(self, world):
        other = Department.objects.get(hospital=world.hospital2)
        data = {"parent": other.pk, "hospital": world.hospital.pk, "name": "新科室", "kind": "clinical"}
        form = DepartmentForm(data=data, instance=Department(), user=world.region)
        assert not form.is_valid()
        assert form.errors["parent"] == [tr("The parent belongs to another hospital.")]

    def test_campus_of_another_hospital_refused(self, world):
        campus = Campus.objects.create(hospital=world.hospital2, name="东院区")
        data = {"hospital": world.hospital.pk, "name": "新科室", "kind": "clinical", "campus": campus.pk}
        form = DepartmentForm(data=data, instance=Department(), user=world.region)
        assert not form.is_valid()
        assert form.errors["campus"] == [tr("The campus belongs to another hospital.")]

    def test_add_a_child_through_the_page(self, office, world):
        response = office.post(
            reverse("organization:department_add"),
            {
                "parent": world.dept_a.pk,
                "hospital": world.hospital.pk,
                "name": "产二病区",
                "kind": "clinical",
            },
        )
        assert response.status_code == 302
        child = Department.objects.get(name="产二病区")
        assert Department.objects.get_parent(child) == world.dept_a


class TestPartyKindsThroughTheApi:
    """The API places organisations by the same rules as the form."""

    api = "/api/organization/party-organizations/"

    def post(self, client, **data):
        return client.post(
            self.api, {"name": "新组织", "sort_order": 1, **data}, content_type="application/json"
        )

    def test_branch_under_a_branch_refused(self, office, world):
        before = snapshot(PartyOrganization)
        response = self.post(
            office, parent=world.branch_a.pk, hospital=world.hospital.pk, kind=OrgKind.BRANCH
        )
        assert response.status_code == 400
        assert response.json()["kind"] == [kind_error(OrgKind.BRANCH, OrgKind.BRANCH)]
        assert snapshot(PartyOrganization) == before

    def test_branch_at_the_root_refused(self, office, world):
        before = snapshot(PartyOrganization)
        response = self.post(office, hospital=world.hospital.pk, kind=OrgKind.BRANCH)
        assert response.status_code == 400
        assert response.json()["parent"] == [tr(ROOT_ONLY)]
        assert snapshot(PartyOrganization) == before

    def test_group_under_the_committee_refused(self, office, world):
        response = self.post(office, parent=world.committee.pk, kind=OrgKind.GROUP)
        assert response.status_code == 400
        assert "kind" in response.json()

    def test_group_under_a_branch_accepted(self, office, world):
        response = self.post(office, parent=world.branch_a.pk, kind=OrgKind.GROUP)
        assert response.status_code == 201, response.content
        assert (
            PartyOrganization.objects.get_parent(PartyOrganization.objects.get(name="新组织"))
            == world.branch_a
        )

    def test_kind_change_against_the_parent_refused(self, office, world):
        response = office.patch(
            f"{self.api}{world.branch_b.pk}/", {"kind": OrgKind.GROUP}, content_type="application/json"
        )
        assert response.status_code == 400
        assert fresh(world.branch_b).kind == OrgKind.BRANCH

    def test_kind_change_that_strands_the_children_refused(self, office, world, group):
        response = office.patch(
            f"{self.api}{world.branch_a.pk}/",
            {"kind": OrgKind.GENERAL_BRANCH},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert fresh(world.branch_a).kind == OrgKind.BRANCH

    def test_rename_keeps_working(self, office, world, group):
        response = office.patch(
            f"{self.api}{world.branch_a.pk}/", {"name": "产科第一党支部"}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
