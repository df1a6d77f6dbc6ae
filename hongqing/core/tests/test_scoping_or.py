"""Several grants OR-ed: the parts that reach other tables are resolved to primary keys first.

A branch secretary's persons are the branch's members (person -> membership -> organisation) OR the
staff of its departments OR their own record. As one OR over joins the database filters the whole
table of every hospital; resolved to keys, the OR is over the model's own indexed columns. The rows
must be exactly the same either way.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hongqing.core import scoping
from hongqing.core.scoping import CHANGE, VIEW, grant_q, grants_for
from hongqing.people.models import Cadre, Membership, Person

USERS = ["secretary_a", "secretary_b", "member_a", "office", "inspector", "region", "office_h2"]


def joined_or(model, user, action):
    """The grants' parts OR-ed as they are (joins and all): what restrict() must equal."""
    q = None
    for g in grants_for(user):
        if g.applies(model.scope_area, action) and (part := grant_q(model, g)) is not None:
            q = part if q is None else q | part
    return q


@pytest.mark.parametrize("limit", [scoping.MATERIALIZE_LIMIT, 0])
@pytest.mark.parametrize("action", [VIEW, CHANGE])
@pytest.mark.parametrize("model", [Person, Membership, Cadre])
def test_restrict_is_exactly_the_or_of_the_grants(world, monkeypatch, model, action, limit):
    monkeypatch.setattr(scoping, "MATERIALIZE_LIMIT", limit)  # 0: every part stays a subquery
    for name in USERS:
        user = getattr(world, name)
        expected = joined_or(model, user, action)
        rows = set(model.objects.restrict(user, action).values_list("pk", flat=True))
        if expected is None:
            assert rows == set(), name
        else:
            assert rows == set(model._base_manager.filter(expected).values_list("pk", flat=True)), name


def test_a_secretarys_person_query_stays_on_the_person_table(world):
    grants_for(world.secretary_a)
    with CaptureQueriesContext(connection) as resolve:
        qs = Person.objects.restrict(world.secretary_a, VIEW)
    sql = str(qs.query)
    assert "people_membership" not in sql and "organization_partyorganization" not in sql
    assert len(resolve.captured_queries) == 1  # the branch's members, as keys
    assert world.person_a in qs


@pytest.mark.parametrize("name", ["office", "region", "member_a"])
def test_a_whole_hospital_or_a_single_grant_is_left_as_it_is(world, name):
    user = getattr(world, name)
    grants_for(user)
    with CaptureQueriesContext(connection) as resolve:
        qs = Membership.objects.restrict(user, VIEW)
        str(qs.query)
    assert resolve.captured_queries == []
