"""What a scope means beyond one page: home counts, filters naming records out of scope, the API's
related fields, and the two hospitals kept apart on every list and API list."""

from __future__ import annotations

import pytest

from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.testing.contracts import xlsx_text
from hongqing.core.testing.records import add_records
from hongqing.organization.models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    Hospital,
    PartyOrganization,
)
from hongqing.people.models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition, Transfer


@pytest.fixture
def world(db, world):
    # ``db`` is named here too: through the override alone, pytest-django does not set up the test
    # database and the test would run against the development database.
    return add_records(world)


def home_counts(client, user) -> dict[str, int]:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {c["url"].split("?")[0]: c["value"] for c in response.context["counts"]}


# Home counts
def test_home_counts_are_the_users_scope(client, world):
    h_active = Person.objects.filter(hospital=world.hospital, status="active").count()
    all_active = Person.objects.filter(status="active").count()
    office = home_counts(client, world.office)
    assert office["/people/persons/"] == h_active
    assert office["/organization/departments/"] == 2
    assert office["/organization/party-organizations/"] == 2  # branches A and B
    region = home_counts(client, world.region)
    assert region["/people/persons/"] == all_active
    assert region["/organization/departments/"] == 3
    assert region["/organization/party-organizations/"] == 3
    office_h2 = home_counts(client, world.office_h2)
    assert office_h2["/people/persons/"] == 1
    assert office_h2["/organization/party-organizations/"] == 1


def test_a_secretary_counts_their_branch_and_linked_department_only(client, world):
    counts = home_counts(client, world.secretary_a)
    visible = Person.objects.filter(department=world.dept_a) | Person.objects.filter(
        membership__organization=world.branch_a
    )
    assert counts["/people/persons/"] == visible.distinct().count()
    assert counts["/people/memberships/"] == Membership.objects.filter(organization=world.branch_a).count()
    assert counts["/organization/departments/"] == 1
    assert counts["/organization/party-organizations/"] == 1


def test_counts_follow_the_records(client, world):
    before = home_counts(client, world.secretary_a)["/people/persons/"]
    Person.objects.create(
        hospital=world.hospital, department=world.dept_b, staff_no="B9", name="乙", gender="M"
    )
    assert home_counts(client, world.secretary_a)["/people/persons/"] == before
    Person.objects.create(
        hospital=world.hospital, department=world.dept_a, staff_no="A9", name="甲", gender="M"
    )
    assert home_counts(client, world.secretary_a)["/people/persons/"] == before + 1


# Filters that name a record out of scope find nothing and leak nothing
def test_a_list_filtered_by_another_branchs_department_shows_nothing(client, world):
    client.force_login(world.secretary_a)
    response = client.get("/people/persons/", {"department": world.dept_b.pk})
    assert response.status_code == 200
    assert world.person_b not in list(response.context["table"].data)
    assert response.context["filter"].errors
    text = xlsx_text(
        client.get("/people/persons/", {"department": world.dept_b.pk, "export": "xlsx"}).content
    )
    assert world.person_b.name not in text


@pytest.mark.parametrize(
    "url,param,target",
    [
        ("/api/people/persons/", "department", "dept_b"),
        ("/api/people/persons/", "branch", "branch_b"),
        ("/api/people/memberships/", "organization", "branch_b"),
        ("/api/organization/committee-terms/", "organization", "branch_b"),
    ],
)
def test_an_api_filter_naming_a_record_out_of_scope_is_400(client, world, url, param, target):
    client.force_login(world.secretary_a)
    response = client.get(url, {param: getattr(world, target).pk})
    assert response.status_code == 400
    assert param in response.json()


def test_the_api_refuses_a_related_record_out_of_scope_on_update(client, world):
    client.force_login(world.secretary_a)
    term = world.rec.term_a
    response = client.patch(
        f"/api/people/term-positions/{world.rec.position_a.pk}/",
        {"term": world.rec.term_b.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    world.rec.position_a.refresh_from_db()
    assert world.rec.position_a.term == term


# The two hospitals never meet
MODELS = {
    Hospital: ("/organization/hospitals/", "/api/organization/hospitals/"),
    Campus: ("/organization/campuses/", "/api/organization/campuses/"),
    Department: ("/organization/departments/", "/api/organization/departments/"),
    DisciplineGroup: ("/organization/discipline-groups/", "/api/organization/discipline-groups/"),
    PartyOrganization: ("/organization/party-organizations/", "/api/organization/party-organizations/"),
    BranchDepartment: (None, "/api/organization/branch-departments/"),
    CommitteeTerm: ("/organization/terms/", "/api/organization/committee-terms/"),
    Person: ("/people/persons/", "/api/people/persons/"),
    Membership: ("/people/memberships/", "/api/people/memberships/"),
    Transfer: ("/people/transfers/", "/api/people/transfers/"),
    Cadre: ("/people/cadres/", "/api/people/cadres/"),
    Rotation: (None, "/api/people/rotations/"),
    TalentTag: ("/people/talent-tags/", "/api/people/talent-tags/"),
    TermPosition: (None, "/api/people/term-positions/"),
}


def in_hospital(model, hospital):
    lookup = model.scope.hospital
    return model.objects.filter(**{f"{lookup}__pk" if lookup else "pk": hospital.pk})


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    "persona,own,other", [("office", "hospital", "hospital2"), ("office_h2", "hospital2", "hospital")]
)
def test_each_hospitals_office_sees_only_its_hospital(client, world, model, persona, own, other):
    own, other = getattr(world, own), getattr(world, other)
    mine = set(in_hospital(model, own).values_list("pk", flat=True))
    theirs = set(in_hospital(model, other).values_list("pk", flat=True))
    assert mine and theirs, "the world has a record of this model in both hospitals"
    client.force_login(getattr(world, persona))
    page, api = MODELS[model]
    if page:
        response = client.get(page, {"per_page": 500})
        assert response.status_code == 200
        assert {o.pk for o in response.context["table"].data} == mine
    response = client.get(api, {"page_size": 500})
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == mine
    for pk in list(theirs)[:3]:
        assert client.get(f"{api}{pk}/").status_code == 404


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_regional_reader_sees_both_hospitals_and_changes_neither(world, model):
    everything = set(model.objects.values_list("pk", flat=True))
    assert set(model.objects.restrict(world.region, VIEW).values_list("pk", flat=True)) == everything
    assert not model.objects.restrict(world.region, CHANGE).exists()
