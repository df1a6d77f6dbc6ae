"""The API: permission contracts of every endpoint, the statistics office's bulk write (all or nothing,
closed months refused, each error naming its item), schemes with their items, scores, the owner's
"done", closing months; query budgets of the lists; a clean OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hongqing.assessment.models import (
    DualScorecard,
    Indicator,
    IndicatorValue,
    MonthClose,
    ResponsibilityItem,
    ResponsibilityList,
    Scheme,
)
from hongqing.assessment.services import values as services
from hongqing.core.testing.contracts import ApiContract

from .support import TODAY, month
from .test_permissions import AssessmentWorld

D = Decimal
API = "/api/assessment/"


class TestIndicatorApi(AssessmentWorld, ApiContract):
    model = Indicator
    viewer = editor = "office"
    api_list = API + "indicators/"
    api_changes = {"name": "门急诊人次"}

    def in_scope(self, world):
        return world.arec.indicator_h

    def elsewhere(self, world):
        return world.arec.indicator_h2

    def api_create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "code": "referrals",
            "name": "双向转诊人次",
            "unit": "人次",
            "family": "business",
            "source": "entered",
            "aggregation": "sum",
            "decimals": 0,
        }

    def api_created(self, world):
        return Indicator.objects.filter(code="referrals")

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "hospital": world.hospital2.pk}

    def deletable(self, world):
        return world.spare_indicator


def test_the_api_refuses_a_formula_that_refers_to_itself_naming_the_cycle(client, world):
    from .support import formula, indicator

    indicator(world.hospital, "ops")
    a = formula(world.hospital, "rate_a", "ops * 2")
    formula(world.hospital, "rate_b", "rate_a + 1")
    client.force_login(world.office)
    response = client.patch(
        f"{API}indicators/{a.pk}/", {"formula": "rate_b / ops"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "rate_a → rate_b → rate_a" in response.json()["formula"][0]


class ValueApiCase(AssessmentWorld):
    model = IndicatorValue
    viewer = "secretary_a"
    editor = None
    read_only = True
    api_list = API + "values/"

    def in_scope(self, world):
        return world.arec.value_a

    def elsewhere(self, world):
        return world.arec.value_b

    def member_other(self, world):
        return world.arec.value_a


class TestValueApiOfABranch(ValueApiCase, ApiContract):
    pass


class TestValueApiOfTheOffice(ValueApiCase, ApiContract):
    viewer = "office"

    def elsewhere(self, world):
        return world.arec.value_h2


# The bulk write ----------------------------------------------------------------------------------


@pytest.fixture
def cat(world):
    from hongqing.assessment.services.catalogue import load_defaults

    load_defaults(world.hospital, actor=world.office)
    return {i.code: i for i in Indicator.objects.filter(hospital=world.hospital)}


def bulk(client, values, **extra):
    return client.post(API + "values/bulk/", {"values": values, **extra}, content_type="application/json")


def test_the_statistics_office_writes_a_month_through_the_api(client, world, cat):
    m = f"{month(1):%Y-%m}"
    client.force_login(world.office)
    response = bulk(
        client,
        [
            {"indicator": "op_visits", "department": "产科", "month": m, "value": "1200"},
            {"indicator": "op_visits", "department": "02", "month": m, "value": "800"},
            {"indicator": "mch_clinic_coverage", "department": None, "month": m, "value": "50"},
        ],
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3
    assert IndicatorValue.objects.get(department=world.dept_b).source == "api"


def test_one_bad_item_writes_nothing_and_each_error_names_its_item(client, world, cat):
    m = f"{month(1):%Y-%m}"
    client.force_login(world.office)
    response = bulk(
        client,
        [
            {"indicator": "op_visits", "department": "产科", "month": m, "value": "1200"},
            {"indicator": "sat_outpatient", "department": "产科", "month": m, "value": "101"},
            {"indicator": "discharges", "department": "产科", "month": m, "value": "3天"},
        ],
    )
    assert response.status_code == 400
    items = {e["item"] for e in response.json()["errors"]}
    assert items == {"values[1]", "values[2]"}
    response = bulk(client, [{"indicator": "nope", "department": "产科", "month": m, "value": "1"}])
    assert response.status_code == 400 and "nope" in response.json()["errors"][0]["message"]
    response = bulk(client, [{"indicator": "op_visits", "department": "神经外科", "month": m, "value": "1"}])
    assert response.status_code == 400 and "神经外科" in response.json()["errors"][0]["message"]
    assert not IndicatorValue.objects.exists()


def test_a_closed_month_refuses_the_api(client, world, cat):
    services.close_month(world.hospital, month(1), actor=world.office)
    client.force_login(world.office)
    response = bulk(
        client, [{"indicator": "op_visits", "department": "产科", "month": f"{month(1):%Y-%m}", "value": "1"}]
    )
    assert response.status_code == 400
    assert not IndicatorValue.objects.exists()


def test_only_hospital_wide_writers_use_the_bulk_write(client, world, cat):
    item = [{"indicator": "op_visits", "department": "产科", "month": f"{month(1):%Y-%m}", "value": "1"}]
    for persona in ("secretary_a", "member_a", "region", "inspector", "auditor"):
        client.force_login(getattr(world, persona))
        assert bulk(client, item).status_code == 403, persona
    client.force_login(world.office)
    assert bulk(client, item, hospital=world.hospital2.pk).status_code == 400
    assert not IndicatorValue.objects.exists()


def test_closing_and_reopening_through_the_api(client, world):
    client.force_login(world.office)
    m = f"{month(1):%Y-%m}"
    assert (
        client.post(API + "closed-months/close/", {"month": m}, content_type="application/json").status_code
        == 200
    )
    assert MonthClose.objects.get().closed
    response = client.post(API + "closed-months/reopen/", {"month": m}, content_type="application/json")
    assert response.status_code == 400 and MonthClose.objects.get().closed
    response = client.post(
        API + "closed-months/reopen/", {"month": m, "reason": "更正"}, content_type="application/json"
    )
    assert response.status_code == 200 and not MonthClose.objects.get().closed
    client.force_login(world.secretary_a)
    assert client.get(API + "closed-months/").status_code == 403
    assert (
        client.post(API + "closed-months/close/", {"month": m}, content_type="application/json").status_code
        == 403
    )


# Schemes ----------------------------------------------------------------------------------------


class TestSchemeApi(AssessmentWorld, ApiContract):
    model = Scheme
    viewer = editor = "office"
    api_list = API + "schemes/"
    api_changes = {"name": "改名的方案"}

    def in_scope(self, world):
        return world.arec.scheme_h

    def elsewhere(self, world):
        return world.arec.scheme_h2

    def api_create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "name": "接口方案",
            "year": TODAY.year,
            "period": "year",
            "items": [
                {
                    "indicator": world.arec.indicator_h.pk,
                    "weight": "100",
                    "method": "linear",
                    "target": "1000",
                }
            ],
        }

    def api_created(self, world):
        return Scheme.objects.filter(name="接口方案")

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "hospital": world.hospital2.pk}

    def deletable(self, world):
        return world.spare_scheme


def test_the_scheme_api_refuses_weights_that_do_not_add_up_and_a_zero_ratio_target(client, world, cat):
    client.force_login(world.office)
    data = {
        "hospital": world.hospital.pk,
        "name": "错误方案",
        "year": TODAY.year,
        "period": "year",
        "items": [
            {"indicator": cat["op_visits"].pk, "weight": "70", "method": "linear", "target": "1000"},
            {"indicator": cat["surgery_share"].pk, "weight": "20", "method": "linear", "target": "0"},
        ],
    }
    response = client.post(API + "schemes/", data, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "90" in " ".join(body["items"]) and "items[1].target" in body
    assert not Scheme.objects.filter(name="错误方案").exists()


def test_scoring_through_the_api_and_a_secretary_reads_no_ranks(client, world, cat):
    client.force_login(world.office)
    data = {
        "hospital": world.hospital.pk,
        "name": "接口方案",
        "year": TODAY.year,
        "period": "year",
        "items": [{"indicator": cat["op_visits"].pk, "weight": "100", "method": "rank"}],
    }
    s = client.post(API + "schemes/", data, content_type="application/json").json()
    services.write_values(
        world.hospital,
        [
            services.Cell(cat["op_visits"], world.dept_a, month(0), "10"),
            services.Cell(cat["op_visits"], world.dept_b, month(0), "20"),
        ],
        actor=world.office,
        source="api",
    )
    response = client.post(
        f"{API}schemes/{s['id']}/score/", {"period": f"{TODAY.year}-01"}, content_type="application/json"
    )
    assert response.status_code == 200
    ranks = {r["organization"]: r["business_rank"] for r in response.json()}
    assert ranks == {world.branch_a.pk: 2, world.branch_b.pk: 1}
    client.force_login(world.secretary_a)
    rows = client.get(API + "scorecards/").json()["results"]
    assert [r["organization"] for r in rows] == [world.branch_a.pk]
    assert rows[0]["business_rank"] is None and all("rank" not in c for c in rows[0]["components"])


class ScorecardApiCase(AssessmentWorld):
    model = DualScorecard
    viewer = "secretary_a"
    editor = None
    read_only = True
    api_list = API + "scorecards/"

    def in_scope(self, world):
        return world.arec.card_a

    def elsewhere(self, world):
        return world.arec.card_b

    def member_other(self, world):
        return world.arec.card_a


class TestScorecardApiOfABranch(ScorecardApiCase, ApiContract):
    pass


class TestScorecardApiOfTheOffice(ScorecardApiCase, ApiContract):
    viewer = "office"

    def elsewhere(self, world):
        return world.arec.card_h2


# Responsibility lists ---------------------------------------------------------------------------


class TestResponsibilityListApi(AssessmentWorld, ApiContract):
    model = ResponsibilityList
    viewer = editor = "secretary_a"
    api_list = API + "responsibility-lists/"
    api_changes = {"note": "年中调整"}

    def in_scope(self, world):
        return world.arec.list_a

    def elsewhere(self, world):
        return world.arec.list_b

    def api_create_data(self, world):
        return {
            "year": TODAY.year,
            "owner": world.rec.staff_a.pk,
            "role": "head",
            "organization": world.branch_a.pk,
            "department": world.dept_a.pk,
        }

    def api_created(self, world):
        return ResponsibilityList.objects.filter(owner=world.rec.staff_a)

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organization": world.branch_b.pk}

    def deletable(self, world):
        return world.spare_list

    def member_own(self, world):
        return world.arec.list_member_a

    def member_other(self, world):
        return world.arec.list_a


class TestResponsibilityItemApi(AssessmentWorld, ApiContract):
    model = ResponsibilityItem
    viewer = editor = "secretary_a"
    api_list = API + "responsibility-items/"
    api_changes = {"title": "讲两次专题党课"}

    def in_scope(self, world):
        return world.arec.item_a

    def elsewhere(self, world):
        return world.arec.item_b

    def api_create_data(self, world):
        return {
            "responsibility_list": world.arec.list_a.pk,
            "kind": "text",
            "title": "接口事项",
            "due": dt.date(TODAY.year, 12, 31).isoformat(),
        }

    def api_created(self, world):
        return ResponsibilityItem.objects.filter(title="接口事项")

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "responsibility_list": world.arec.list_b.pk}

    def deletable(self, world):
        return world.arec.item_a

    def member_own(self, world):
        return world.arec.item_member_a

    def member_other(self, world):
        return world.arec.item_a

    def test_the_owner_marks_done_through_the_api(self, client, world):
        item = world.arec.item_member_a
        client.force_login(world.secretary_a)
        assert (
            client.post(
                f"{self.api_list}{item.pk}/done/", {"evidence": "x"}, content_type="application/json"
            ).status_code
            == 403
        )
        client.force_login(world.member_a)
        response = client.post(
            f"{self.api_list}{item.pk}/done/", {"evidence": "已完成"}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["done_on"] == TODAY.isoformat()
        other = world.arec.item_a
        assert (
            client.post(
                f"{self.api_list}{other.pk}/done/", {"evidence": "x"}, content_type="application/json"
            ).status_code
            == 404
        )


# Query budgets and the schema -------------------------------------------------------------------


def test_the_api_lists_do_not_grow_with_their_rows(client, world, cat):
    from .test_query_budgets import grow

    data = {
        "inds": cat,
        "n": 0,
        "scheme": Scheme.objects.create(hospital=world.hospital, name="考核", year=TODAY.year),
    }
    from hongqing.assessment.models import SchemeItem

    SchemeItem.objects.create(scheme=data["scheme"], indicator=cat["op_visits"], weight=D(100), method="rank")
    lists = [
        "indicators/",
        "values/",
        "schemes/",
        "scorecards/",
        "responsibility-lists/",
        "responsibility-items/",
        "closed-months/",
    ]
    client.force_login(world.office)

    def counts():
        out = {}
        for name in lists:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(API + name, {"page_size": 500}).status_code == 200
            out[name] = len(ctx.captured_queries)
        return out

    grow(world, data, branches=1, months_back=1)
    small = counts()
    grow(world, data, branches=8, months_back=3)
    large = counts()
    for name in lists:
        assert large[name] <= small[name], (name, small[name], large[name])
        assert large[name] <= 15, (name, large[name])


def test_the_openapi_schema_has_no_warnings_about_the_assessment_api():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/assessment/values/bulk/" in schema["paths"]
    warnings = [w for w in GENERATOR_STATS._warn_cache if "assessment" in str(w).lower()]
    errors = [e for e in GENERATOR_STATS._error_cache if "assessment" in str(e).lower()]
    assert not warnings and not errors, (warnings, errors)
