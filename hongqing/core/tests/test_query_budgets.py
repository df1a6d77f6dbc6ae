"""Query budgets: every list page, its Excel export and every API list run a constant number of
queries, whatever the number of rows (no N+1).

Each case grows one model to a few rows, measures a page, grows it to 500 and measures again: the
counts must be equal and within the budget. 500 rows fill an API page (``page_size=500``) and the
export; the HTML list shows its first 50.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hongqing.accounts.choices import Role
from hongqing.accounts.models import RoleAssignment, User
from hongqing.core.testing.records import add_records
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    Hospital,
    PartyOrganization,
)
from hongqing.people.choices import Post, Stage
from hongqing.people.models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition, Transfer

SMALL, LARGE = 5, 500
PAGE_BUDGET = 25  # a list page: session, user, grants, menu, filters' choices, count, rows, panels
API_BUDGET = 12  # an API list: session, user, grants, count, rows, prefetches

_seq = itertools.count(1)


@pytest.fixture
def world(db, world):
    # ``db`` is named here too: through the override alone, pytest-django does not set up the test
    # database and the test would run against the development database.
    with disable_auditlog():
        return add_records(world)


# Growing each model to n rows (in hospital H, through bulk_create or treebeard's manager API)
def fresh(model, pk):
    return model.objects.get(pk=pk)


def grow_persons(world, n, **extra):
    depts = [world.dept_a, world.dept_b]
    rows = []
    for i in range(n):
        k = next(_seq)
        rows.append(
            Person(
                hospital=world.hospital,
                department=depts[i % 2],
                staff_no=f"Q{k:06d}",
                name=f"职工{k}",
                name_pinyin=f"zhigong{k}",
                name_initials="zg",
                gender="F",
                **extra,
            )
        )
    persons = Person.objects.bulk_create(rows)
    tags = [world.rec.tag_h, TalentTag.objects.get_or_create(hospital=world.hospital, name="青年英才")[0]]
    Through = Person.talent_tags.through
    Through.objects.bulk_create(
        [Through(person_id=p.pk, talenttag_id=t.pk) for p in persons for t in tags[: 1 + p.pk % 2]]
    )
    return persons


def grow_memberships(world, n):
    persons = grow_persons(world, n)
    orgs = [world.branch_a, world.branch_b]
    return Membership.objects.bulk_create(
        [
            Membership(
                person=p,
                organization=orgs[i % 2],
                stage=Stage.FULL,
                application_date=dt.date(2010, 1, 1),
                activist_date=dt.date(2010, 3, 1),
                candidate_date=dt.date(2011, 3, 1),
                admission_date=dt.date(2011, 7, 1),
                conversion_date=dt.date(2012, 7, 1),
            )
            for i, p in enumerate(persons)
        ]
    )


def grow_transfers(world, n):
    memberships = grow_memberships(world, n)
    return Transfer.objects.bulk_create(
        [
            Transfer(
                membership=m,
                from_organization=world.branch_b
                if m.organization_id == world.branch_a.pk
                else world.branch_a,
                to_organization=m.organization,
                date=dt.date(2023, 1, 1),
            )
            for m in memberships
        ]
    )


def grow_cadres(world, n):
    persons = grow_persons(world, n)
    return Cadre.objects.bulk_create(
        [Cadre(person=p, department=p.department, title="护士长", start=dt.date(2020, 1, 1)) for p in persons]
    )


def grow_rotations(world, n):
    persons = grow_persons(world, n)
    return Rotation.objects.bulk_create(
        [
            Rotation(
                person=p, from_department=world.dept_b, to_department=world.dept_a, start=dt.date(2021, 1, 1)
            )
            for p in persons
        ]
    )


def grow_term_positions(world, n):
    persons = grow_persons(world, n)
    terms = [world.rec.term_a, world.rec.term_b]
    return TermPosition.objects.bulk_create(
        [TermPosition(term=terms[i % 2], person=p, post=Post.MEMBER) for i, p in enumerate(persons)]
    )


def grow_campuses(world, n):
    return Campus.objects.bulk_create(
        [Campus(hospital=world.hospital, name=f"院区{next(_seq)}") for _ in range(n)]
    )


def grow_talent_tags(world, n):
    tags = TalentTag.objects.bulk_create(
        [TalentTag(hospital=world.hospital, name=f"人才{next(_seq)}") for _ in range(n)]
    )
    Through = Person.talent_tags.through
    Through.objects.bulk_create([Through(person_id=world.person_a.pk, talenttag_id=t.pk) for t in tags])
    return tags


def grow_hospitals(world, n):
    return Hospital.objects.bulk_create(
        [Hospital(name=f"医院{k}", code=f"h{k}") for k in (next(_seq) for _ in range(n))]
    )


def grow_departments(world, n):
    out = []
    for i in range(n):
        parent = fresh(Department, (world.dept_a if i % 2 else world.dept_b).pk)
        k = next(_seq)  # increasing codes sort last: no sibling is shifted (fast)
        out.append(
            Department.objects.add_child(
                parent, dict(hospital=world.hospital, name=f"病区{k:06d}", code=f"9{k:06d}")
            )
        )
    return out


def grow_party_organizations(world, n):
    out = []
    for i in range(n):
        parent = fresh(PartyOrganization, (world.branch_a if i % 2 else world.branch_b).pk)
        out.append(
            PartyOrganization.objects.add_child(
                parent, dict(hospital=world.hospital, name=f"党小组{next(_seq):06d}", kind=OrgKind.GROUP)
            )
        )
    return out


def grow_groups(world, n):
    groups = DisciplineGroup.objects.bulk_create(
        [DisciplineGroup(hospital=world.hospital, name=f"学科群{next(_seq)}") for _ in range(n)]
    )
    Through = DisciplineGroup.departments.through
    Through.objects.bulk_create(
        [
            Through(disciplinegroup_id=g.pk, department_id=d.pk)
            for g in groups
            for d in (world.dept_a, world.dept_b)
        ]
    )
    return groups


def grow_terms(world, n):
    # Past terms of the two branches (each has one current term already).
    orgs = [world.branch_a, world.branch_b]
    rows = []
    for i in range(n):
        number = 100 + next(_seq)
        start = dt.date(2000, 1, 1) + dt.timedelta(days=number)
        rows.append(
            CommitteeTerm(
                organization=orgs[i % 2],
                number=number,
                start=start,
                due_end=start + dt.timedelta(days=365 * 3),
                actual_end=start + dt.timedelta(days=365 * 3),
            )
        )
    return CommitteeTerm.objects.bulk_create(rows)


def grow_links(world, n):
    # Past links of the two branches to their departments.
    rows = []
    for i in range(n):
        start = dt.date(1990, 1, 1) + dt.timedelta(days=next(_seq))
        org, dept = (world.branch_a, world.dept_a) if i % 2 else (world.branch_b, world.dept_b)
        rows.append(BranchDepartment(organization=org, department=dept, start=start, end=start))
    return BranchDepartment.objects.bulk_create(rows)


# (id, viewer, grow, page url or None, API url)
CASES = [
    ("hospital", "region", grow_hospitals, "/organization/hospitals/", "/api/organization/hospitals/"),
    ("campus", "office", grow_campuses, "/organization/campuses/", "/api/organization/campuses/"),
    (
        "department",
        "office",
        grow_departments,
        "/organization/departments/",
        "/api/organization/departments/",
    ),
    (
        "partyorganization",
        "office",
        grow_party_organizations,
        "/organization/party-organizations/",
        "/api/organization/party-organizations/",
    ),
    (
        "disciplinegroup",
        "office",
        grow_groups,
        "/organization/discipline-groups/",
        "/api/organization/discipline-groups/",
    ),
    ("committeeterm", "office", grow_terms, "/organization/terms/", "/api/organization/committee-terms/"),
    ("branchdepartment", "office", grow_links, None, "/api/organization/branch-departments/"),
    ("person", "office", grow_persons, "/people/persons/", "/api/people/persons/"),
    ("person-secretary", "secretary_a", grow_persons, "/people/persons/", "/api/people/persons/"),
    ("membership", "office", grow_memberships, "/people/memberships/", "/api/people/memberships/"),
    ("transfer", "office", grow_transfers, "/people/transfers/", "/api/people/transfers/"),
    ("cadre", "office", grow_cadres, "/people/cadres/", "/api/people/cadres/"),
    ("rotation", "office", grow_rotations, None, "/api/people/rotations/"),
    ("talenttag", "office", grow_talent_tags, "/people/talent-tags/", "/api/people/talent-tags/"),
    ("termposition", "office", grow_term_positions, None, "/api/people/term-positions/"),
]


def count_queries(client, url, params=None) -> tuple[int, list[str]]:
    client.get(url, params)  # warm up: caches filled once per process (content types, rules)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def grown(world, grow, n_total, have):
    with disable_auditlog():
        grow(world, n_total - have)
    return n_total


def assert_constant(client, world, grow, url, params, budget, django_assert_max_num_queries):
    grown(world, grow, SMALL, 0)
    small, _ = count_queries(client, url, params)
    grown(world, grow, LARGE, SMALL)
    large, sql = count_queries(client, url, params)
    assert large == small, f"{url}: {small} queries with {SMALL} rows, {large} with {LARGE}:\n" + "\n".join(
        sql
    )
    with django_assert_max_num_queries(budget):
        client.get(url, params)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_list_page_queries_do_not_grow(client, world, case, django_assert_max_num_queries):
    _id, viewer, grow, page, _api = case
    if page is None:
        pytest.skip("no list page")
    client.force_login(getattr(world, viewer))
    assert_constant(client, world, grow, page, None, PAGE_BUDGET, django_assert_max_num_queries)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_export_queries_do_not_grow(client, world, case, django_assert_max_num_queries):
    _id, viewer, grow, page, _api = case
    if page is None:
        pytest.skip("no list page")
    client.force_login(getattr(world, viewer))
    assert_constant(client, world, grow, page, {"export": "xlsx"}, PAGE_BUDGET, django_assert_max_num_queries)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_api_list_queries_do_not_grow(client, world, case, django_assert_max_num_queries):
    _id, viewer, grow, _page, api = case
    client.force_login(getattr(world, viewer))
    params = {"page_size": 500}
    assert_constant(client, world, grow, api, params, API_BUDGET, django_assert_max_num_queries)


def test_the_tree_page_queries_do_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    assert_constant(
        client,
        world,
        grow_party_organizations,
        "/organization/tree/",
        None,
        PAGE_BUDGET + 10,
        django_assert_max_num_queries,
    )


def test_the_home_page_queries_do_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    # Every app adds its panels to the home page: a larger budget, the same "does not grow".
    assert_constant(
        client, world, grow_memberships, "/", None, PAGE_BUDGET + 25, django_assert_max_num_queries
    )


def grow_users(world, n):
    users = User.objects.bulk_create(
        [
            User(username=f"user{k}", password="!", display_name=f"用户{k}")
            for k in (next(_seq) for _ in range(n))
        ]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.MEMBER, hospital=world.hospital, organization=world.branch_a)
            for u in users
        ]
    )


def grow_log(world, n):
    ct = ContentType.objects.get_for_model(Person)
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=ct,
                object_pk=str(world.person_a.pk),
                object_repr=str(world.person_a),
                action=LogEntry.Action.UPDATE,
                # Foreign keys too: the history names their records (one query per related model).
                changes={
                    "phone": ["", str(k)],
                    "department": [world.dept_a.pk, world.dept_b.pk],
                    "hospital": [None, world.hospital.pk],
                },
                actor=world.office,
            )
            for k in range(n)
        ]
    )


def test_the_user_list_queries_do_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.secadmin)
    assert_constant(
        client, world, grow_users, "/accounts/users/", None, PAGE_BUDGET, django_assert_max_num_queries
    )


@pytest.mark.parametrize("params", [None, {"export": "xlsx"}], ids=["page", "export"])
def test_the_audit_log_queries_do_not_grow(client, world, params, django_assert_max_num_queries):
    client.force_login(world.auditor)
    assert_constant(
        client, world, grow_log, "/accounts/audit/", params, PAGE_BUDGET, django_assert_max_num_queries
    )


def test_the_history_tab_queries_do_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    url = f"/people/persons/{world.person_a.pk}/history/"
    assert_constant(client, world, grow_log, url, None, PAGE_BUDGET, django_assert_max_num_queries)
