"""Query budgets of the points pages: a few rows or a few hundred, the same number of queries, within
the budget (no N+1) — my points, the ledger, a branch's members, the hospital's branches, the lists,
a round's page and the home page. The API lists' budgets are in test_api.py."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from auditlog.context import disable_auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import make_member
from hongqing.people.models import Person
from hongqing.points.choices import HonorKind, ProposalStatus
from hongqing.points.models import (
    Honor,
    Nomination,
    PointEntry,
    PointProposal,
    Volunteering,
    VolunteeringParticipant,
)

from .support import YEAR, add_activity_records, add_point_records

SMALL, LARGE = 5, 300
PAGE_BUDGET = 30
_seq = itertools.count(1)


@pytest.fixture
def world(db, world):
    with disable_auditlog():
        return add_activity_records(add_point_records(add_records(world)))


def grow_members(world, n) -> list[Person]:
    persons = Person.objects.bulk_create(
        [
            Person(
                hospital=world.hospital,
                department=world.dept_a,
                staff_no=f"P{next(_seq):06d}",
                name=f"党员{i}",
                gender="F",
            )
            for i in range(n)
        ]
    )
    for p in persons:
        make_member(p, world.branch_a)
    return persons


def grow_lines(world, person, n):
    ct = ContentType.objects.get_for_model(Volunteering)
    PointEntry.objects.bulk_create(
        [
            PointEntry(
                hospital=world.hospital,
                person=person,
                year=YEAR,
                date=dt.date(YEAR, 1 + i % 12, 1 + i % 28),
                rule=world.prec.rule_h,
                amount=Decimal("1"),
                requested=Decimal("1"),
                source_type=ct,
                source_id=900000 + next(_seq),
                record_type=ct,
                record_id=world.arec.vol_a.pk,
                label=f"活动{i}",
            )
            for i in range(n)
        ]
    )


def grow_lines_of(world, persons):
    for p in persons:
        grow_lines(world, p, 2)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def same_few_and_many(client, url, grow, budget=PAGE_BUDGET):
    grow(SMALL)
    queries(client, url)  # warm: the first request fills per-process caches (content types, the menu)
    few = queries(client, url)
    grow(LARGE)
    many = queries(client, url)
    assert many == few, (url, few, many)
    assert many <= budget, (url, many)


def test_my_points_does_not_grow_with_the_lines(client, world):
    client.force_login(world.member_a)
    same_few_and_many(client, f"/points/?year={YEAR}", lambda n: grow_lines(world, world.person_a, n))


@pytest.mark.parametrize("persona", ["secretary_a", "office", "region"])
def test_the_ledger_list_and_its_export_do_not_grow(client, world, persona):
    client.force_login(getattr(world, persona))
    same_few_and_many(client, "/points/entries/", lambda n: grow_lines(world, world.person_a, n))
    same_few_and_many(client, "/points/entries/?export=xlsx", lambda n: grow_lines(world, world.person_a, n))


@pytest.mark.parametrize("persona", ["secretary_a", "office"])
def test_a_branch_members_page_does_not_grow_with_its_members(client, world, persona):
    client.force_login(getattr(world, persona))
    same_few_and_many(
        client,
        f"/points/branches/{world.branch_a.pk}/?year={YEAR}",
        lambda n: grow_lines_of(world, grow_members(world, n)),
    )


def test_the_hospitals_branches_do_not_grow_with_its_members(client, world):
    client.force_login(world.office)
    same_few_and_many(
        client, f"/points/branches/?year={YEAR}", lambda n: grow_lines_of(world, grow_members(world, n))
    )


def test_the_proposals_list_does_not_grow(client, world):
    def grow(n):
        PointProposal.objects.bulk_create(
            [
                PointProposal(
                    hospital=world.hospital,
                    person=world.person_a,
                    organization=world.branch_a,
                    rule=world.prec.manual_h,
                    amount=Decimal("3"),
                    date=dt.date(YEAR, 5, 1),
                    reason="x",
                    status=ProposalStatus.PENDING,
                )
                for _ in range(n)
            ]
        )

    client.force_login(world.office)
    same_few_and_many(client, "/points/proposals/", grow)
    same_few_and_many(client, "/", grow, budget=60)  # the home page, with the office's queue


def test_the_volunteering_list_does_not_grow(client, world):
    def grow(n):
        vs = Volunteering.objects.bulk_create(
            [
                Volunteering(
                    hospital=world.hospital,
                    organizer=world.branch_a,
                    kind="volunteer",
                    title=f"活动{i}",
                    date=dt.date(YEAR, 6, 1),
                    served_unit=f"村{i % 7}",
                    people_served=10,
                )
                for i in range(n)
            ]
        )
        VolunteeringParticipant.objects.bulk_create(
            [VolunteeringParticipant(volunteering=v, person=world.person_a, hours=Decimal("2")) for v in vs]
        )

    client.force_login(world.secretary_a)
    same_few_and_many(client, "/points/volunteering/", grow)


def test_the_honours_list_and_a_rounds_page_do_not_grow(client, world):
    rnd = world.arec.round_h

    def grow(n):
        persons = grow_members(world, n)
        Honor.objects.bulk_create(
            [
                Honor(
                    hospital=world.hospital,
                    kind=HonorKind.MODEL_POST,
                    person=p,
                    organization=world.branch_a,
                    title="示范岗",
                    awarded_on=dt.date(YEAR, 4, 2),
                )
                for p in persons
            ]
        )
        Nomination.objects.bulk_create(
            [
                Nomination(
                    round=rnd, kind=HonorKind.MODEL_POST, person=p, organization=world.branch_a, reason="x"
                )
                for p in persons
            ]
        )

    client.force_login(world.office)
    same_few_and_many(client, "/points/honors/", grow)
    same_few_and_many(client, rnd.get_absolute_url(), grow)
    same_few_and_many(client, "/points/nominations/", grow)


def test_the_person_page_panel_does_not_grow(client, world):
    client.force_login(world.secretary_a)
    same_few_and_many(
        client,
        f"/people/persons/{world.person_a.pk}/",
        lambda n: grow_lines(world, world.person_a, n),
        budget=60,
    )
