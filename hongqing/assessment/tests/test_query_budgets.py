"""Query budgets: every list, the grid, the scorecard, the drill-down, the comparison and the cockpit run
the same queries with a few rows as with a few hundred (nothing is N+1), under a ceiling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hongqing.assessment.models import (
    DualScorecard,
    Indicator,
    IndicatorValue,
    ResponsibilityItem,
    ResponsibilityList,
    Scheme,
    SchemeItem,
)
from hongqing.assessment.services import catalogue, rollups, scoring
from hongqing.core.testing.world import make_member, make_person
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import BranchDepartment, Department, PartyOrganization
from hongqing.party.models import Obligation

from .support import TODAY, month

D = Decimal
CEILING = 40  # the page's own queries plus the layout's (session, user, grants, bell, panels)


@pytest.fixture
def data(world):
    catalogue.load_defaults(world.hospital, actor=world.office)
    inds = {i.code: i for i in Indicator.objects.filter(hospital=world.hospital)}
    s = Scheme.objects.create(hospital=world.hospital, name="考核", year=TODAY.year, period="quarter")
    SchemeItem.objects.create(scheme=s, indicator=inds["op_visits"], weight=D(100), method="rank")
    SchemeItem.objects.create(
        scheme=s, indicator=inds["duty_rate"], weight=D(100), method="linear", target=D(95)
    )
    return {"inds": inds, "scheme": s, "n": 0}


def grow(world, data, branches: int, months_back: int):
    """Add ``branches`` branches, each on a new department with a member, values of ``months_back``
    months for every entered indicator, duties, a responsibility list with items; then score."""
    inds = data["inds"]
    committee = world.committee
    entered = [i for i in inds.values() if i.source == "entered" and i.entry_level == "department"]
    values = []
    for _ in range(branches):
        data["n"] += 1
        n = data["n"]
        committee.refresh_from_db()
        branch = PartyOrganization.objects.add_child(
            committee, dict(hospital=world.hospital, name=f"扩展第{n}党支部", kind=OrgKind.BRANCH)
        )
        dept = Department.objects.add_root(
            dict(hospital=world.hospital, name=f"扩展科室{n}", code=f"x{n:03d}")
        )
        BranchDepartment.objects.create(organization=branch, department=dept, start=dt.date(2020, 1, 1))
        p = make_person(world.hospital, dept, f"扩展党员{n}")
        make_member(p, branch)
        for k in range(months_back):
            m = month(k + 1)
            values += [
                IndicatorValue(
                    hospital=world.hospital,
                    indicator=i,
                    department=dept,
                    month=m,
                    value=D(50 + k),
                    source="demo",
                )
                for i in entered
            ]
            Obligation.objects.create(
                organization=branch,
                code="duty.theme_day",
                period_start=m,
                period_end=m,
                due=m,
                done_on=m if k % 2 else None,
            )
        rl = ResponsibilityList.objects.create(
            hospital=world.hospital, year=TODAY.year, owner=p, role="secretary", organization=branch
        )
        for j in range(3):
            ResponsibilityItem.objects.create(
                responsibility_list=rl, kind="text", title=f"事项{j}", due=TODAY
            )
        ResponsibilityItem.objects.create(
            responsibility_list=rl,
            kind="indicator",
            title="门诊",
            indicator=inds["op_visits"],
            target=D(1),
            due=TODAY,
        )
    IndicatorValue.objects.bulk_create(values)
    rollups.refresh_all(world.hospital.pk)
    scoring.score_scheme(data["scheme"])


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def urls(world, data) -> dict[str, str]:
    inds = data["inds"]
    card = DualScorecard.objects.filter(organization=world.branch_a).first()
    rl = ResponsibilityList.objects.filter(organization__hospital=world.hospital).first()
    m1, m0 = month(3), month(1)
    q = f"from={m1:%Y-%m}&to={m0:%Y-%m}"
    return {
        "indicators": reverse("assessment:indicator_list"),
        "values": reverse("assessment:indicatorvalue_list"),
        "values export": reverse("assessment:indicatorvalue_list") + "?export=xlsx",
        "grid": f"{reverse('assessment:grid')}?month={m0:%Y-%m}",
        "months": reverse("assessment:months"),
        "schemes": reverse("assessment:scheme_list"),
        "scheme": data["scheme"].get_absolute_url(),
        "scorecards": reverse("assessment:dualscorecard_list"),
        "scorecard": card.get_absolute_url(),
        "lists": reverse("assessment:responsibilitylist_list"),
        "list": rl.get_absolute_url(),
        "drill entered": f"{reverse('assessment:drill')}?indicator={inds['alos'].pk}&unit=hospital:{world.hospital.pk}&{q}",
        "drill computed": f"{reverse('assessment:drill')}?indicator={inds['duty_rate'].pk}&unit=hospital:{world.hospital.pk}&{q}",
        "drill formula": f"{reverse('assessment:drill')}?indicator={inds['surgery_share'].pk}&unit=hospital:{world.hospital.pk}&{q}",
        "compare": f"{reverse('assessment:compare')}?indicator={inds['op_visits'].pk}&level=dept",
        "compare branches": f"{reverse('assessment:compare')}?indicator={inds['alos'].pk}&level=org",
        "cockpit": reverse("assessment:cockpit"),
        "screen": reverse("assessment:cockpit_screen"),
    }


def test_the_offices_pages_do_not_grow_with_the_data(client, world, data):
    grow(world, data, branches=2, months_back=2)
    client.force_login(world.office)
    from django.core.cache import cache

    cache.clear()
    small = {name: count(client, url) for name, url in urls(world, data).items()}
    grow(world, data, branches=12, months_back=6)  # hundreds of values, scorecards, items
    cache.clear()
    large = {name: count(client, url) for name, url in urls(world, data).items()}
    for name in small:
        assert large[name] <= small[name] + 1, (name, small[name], large[name])
        assert large[name] <= CEILING, (name, large[name])
    assert IndicatorValue.objects.count() > 800


def test_a_secretarys_pages_do_not_grow_with_the_data(client, world, data):
    grow(world, data, branches=1, months_back=2)
    client.force_login(world.secretary_a)
    pages = {
        "cockpit": reverse("assessment:cockpit"),
        "scorecards": reverse("assessment:dualscorecard_list"),
        "scorecard": DualScorecard.objects.get(
            organization=world.branch_a, period_start=dt.date(TODAY.year, 1, 1)
        ).get_absolute_url(),
        "values": reverse("assessment:indicatorvalue_list"),
        "lists": reverse("assessment:responsibilitylist_list"),
    }
    small = {name: count(client, url) for name, url in pages.items()}
    grow(world, data, branches=10, months_back=6)
    large = {name: count(client, url) for name, url in pages.items()}
    for name in small:
        assert large[name] <= small[name] + 1, (name, small[name], large[name])
        assert large[name] <= CEILING, (name, large[name])


def test_the_owners_page_does_not_grow_with_their_items(client, world, data):
    rl = ResponsibilityList.objects.create(
        hospital=world.hospital,
        year=TODAY.year,
        owner=world.person_a,
        role="head",
        organization=world.branch_a,
        department=world.dept_a,
    )
    client.force_login(world.member_a)
    url = reverse("assessment:responsibility_mine")
    ResponsibilityItem.objects.create(responsibility_list=rl, kind="text", title="一", due=TODAY)
    small = count(client, url)
    for j in range(40):
        ResponsibilityItem.objects.create(responsibility_list=rl, kind="text", title=f"事项{j}", due=TODAY)
    assert count(client, url) <= small
    assert count(client, "/") <= CEILING


def test_a_stale_hospital_is_rebuilt_once_then_costs_one_query(world, data, django_assert_num_queries):
    rollups.mark_stale([world.hospital.pk], month(2))
    rollups.ensure_fresh([world.hospital.pk], today=timezone.localdate())
    with django_assert_num_queries(1):
        rollups.ensure_fresh([world.hospital.pk])
