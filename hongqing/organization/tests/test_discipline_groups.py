import pytest
from django.utils import timezone

from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.organization.models import BranchDepartment, Department, DisciplineGroup, PartyOrganization


def make_group(world, name="妇产学科群", *depts, hospital=None):
    group, _ = DisciplineGroup.objects.get_or_create(hospital=hospital or world.hospital, name=name)
    group.departments.set(depts)
    return group


class TestDisciplineGroupPages(PageContract):
    model = DisciplineGroup
    viewer = editor = "office"

    @pytest.fixture(autouse=True)
    def _groups(self, world):
        # The contract looks some rows up only after its request: they must exist before it.
        self.in_scope(world)
        self.elsewhere(world)

    def in_scope(self, world):
        return make_group(world, "甲学科群", world.dept_a)

    def elsewhere(self, world):
        return make_group(world, "乙学科群", hospital=world.hospital2)


class TestDisciplineGroupApi(ApiContract):
    model = DisciplineGroup
    viewer = editor = "office"
    api_list = "/api/organization/discipline-groups/"

    @pytest.fixture(autouse=True)
    def _groups(self, world):
        self.in_scope(world)
        self.elsewhere(world)

    def in_scope(self, world):
        return make_group(world, "甲学科群", world.dept_a)

    def elsewhere(self, world):
        return make_group(world, "乙学科群", hospital=world.hospital2)


def test_linking_a_group_links_each_department_from_today(client, world):
    extra = Department.objects.add_root(dict(hospital=world.hospital, name="生殖医学科"))
    group = make_group(world, "妇产学科群", world.dept_a, extra)
    # Update in the database: the in-memory node's tree path may be stale after later inserts.
    PartyOrganization.objects.filter(pk=world.branch_a.pk).update(discipline_group=group)
    client.force_login(world.office)
    response = client.post(f"/organization/party-organizations/{world.branch_a.pk}/link-group/")
    assert response.status_code == 302
    links = BranchDepartment.objects.filter(organization=world.branch_a, end__isnull=True)
    assert set(links.values_list("department__name", flat=True)) == {"产科", "生殖医学科"}
    assert links.get(department=extra).start == timezone.localdate()
    assert links.count() == 2


def test_a_department_covered_by_another_branch_refuses_all(client, world):
    extra = Department.objects.add_root(dict(hospital=world.hospital, name="生殖医学科"))
    group = make_group(world, "混合学科群", extra, world.dept_b)
    # Update in the database: the in-memory node's tree path may be stale after later inserts.
    PartyOrganization.objects.filter(pk=world.branch_a.pk).update(discipline_group=group)
    before = BranchDepartment.objects.count()
    client.force_login(world.office)
    response = client.post(f"/organization/party-organizations/{world.branch_a.pk}/link-group/", follow=True)
    assert BranchDepartment.objects.count() == before
    assert "儿科" in response.content.decode()


def test_the_secretary_of_another_branch_cannot_link(client, world):
    group = make_group(world, "学科群", world.dept_a)
    # Update in the database: the in-memory node's tree path may be stale after later inserts.
    PartyOrganization.objects.filter(pk=world.branch_a.pk).update(discipline_group=group)
    client.force_login(world.secretary_b)
    assert (
        client.post(f"/organization/party-organizations/{world.branch_a.pk}/link-group/").status_code == 404
    )
