"""The permission contracts of every assessment page: the catalogue, schemes and closed months are the
hospital's (a branch gets 403); a secretary sees their branch's scorecard, lists and departments'
values, not another branch's; a member sees only their own list; readers read and write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.context import disable_auditlog

from hongqing.assessment.models import (
    DualScorecard,
    Indicator,
    IndicatorValue,
    ResponsibilityItem,
    ResponsibilityList,
    Scheme,
)
from hongqing.core.testing.contracts import PageContract, form_data
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world

from .support import TODAY, add_assessment_records, indicator


class AssessmentWorld:
    @pytest.fixture
    def world(self, db, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        with disable_auditlog():
            w = add_assessment_records(add_records(build_world()))
            w.spare_indicator = indicator(w.hospital, "spare", name="备用指标")
            w.spare_scheme = Scheme.objects.create(hospital=w.hospital, name="备用方案", year=TODAY.year)
            w.spare_list = ResponsibilityList.objects.create(
                hospital=w.hospital,
                year=TODAY.year - 1,
                owner=w.secretary_a.person,
                role="secretary",
                organization=w.branch_a,
            )
            return w


# The catalogue: hospital-wide roles only -----------------------------------------------------------
class TestIndicatorPages(AssessmentWorld, PageContract):
    model = Indicator
    viewer = editor = "office"
    edit_changes = {"name": "门急诊人次"}

    def in_scope(self, world):
        return world.arec.indicator_h

    def elsewhere(self, world):
        return world.arec.indicator_h2

    def create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "code": "new_techniques2",
            "name": "新开展技术",
            "unit": "项",
            "family": "business",
            "direction": "higher",
            "source": "entered",
            "aggregation": "sum",
            "entry_level": "department",
            "decimals": 0,
            "sort_order": 100,
            "is_active": "on",
        }

    def created(self, world):
        return Indicator.objects.filter(code="new_techniques2")

    def create_outside_data(self, world):
        return {**self.create_data(world), "hospital": world.hospital2.pk}

    def forbidden_choices(self, world):
        return {"hospital": [world.hospital2], "weight": [world.arec.indicator_h2]}

    def deletable(self, world):
        return world.spare_indicator


def test_a_branch_has_no_catalogue_pages(client, world):
    from django.urls import reverse

    for persona in ("secretary_a", "member_a"):
        client.force_login(getattr(world, persona))
        for name in (
            "assessment:indicator_list",
            "assessment:indicator_add",
            "assessment:scheme_list",
            "assessment:months",
        ):
            assert client.get(reverse(name)).status_code == 403, (persona, name)


# Values: entered by the office, read by a branch for its departments ----------------------------
class ValueCase(AssessmentWorld):
    model = IndicatorValue
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.arec.value_a

    def elsewhere(self, world):
        return world.arec.value_b

    def export_marker(self, obj):
        return obj.department.name

    def forbidden_filter_choices(self, world):
        return {"department": [world.dept_b]}

    def member_other(self, world):
        return world.arec.value_a


class TestValuePagesOfABranch(ValueCase, PageContract):
    pass


class TestValuePagesOfTheOffice(ValueCase, PageContract):
    viewer = "office"

    def elsewhere(self, world):
        return world.arec.value_h2

    def forbidden_filter_choices(self, world):
        return {"department": [world.rec.dept_h2]}


# Schemes: hospital-wide roles only --------------------------------------------------------------
class TestSchemePages(AssessmentWorld, PageContract):
    model = Scheme
    viewer = editor = "office"

    def in_scope(self, world):
        return world.arec.scheme_h

    def elsewhere(self, world):
        return world.arec.scheme_h2

    def items(self, world, ind=None):
        ind = ind or world.arec.indicator_h
        return {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-indicator": ind.pk,
            "form-0-weight": "100",
            "form-0-method": "linear",
            "form-0-target": "10000",
        }

    def create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "name": "新方案",
            "year": TODAY.year,
            "period": "quarter",
            "party_share": "50",
            "is_active": "on",
            **self.items(world),
        }

    def created(self, world):
        return Scheme.objects.filter(name="新方案")

    def create_outside_data(self, world):
        return {
            **self.create_data(world),
            "hospital": world.hospital2.pk,
            **self.items(world, world.arec.indicator_h2),
        }

    def forbidden_choices(self, world):
        return {"hospital": [world.hospital2]}

    def deletable(self, world):
        return world.spare_scheme

    def test_edit_saves_in_scope(self, client, world):
        obj = self.in_scope(world)
        client.force_login(world.office)
        response = client.get(self.url("edit", obj))
        data = {**form_data(response.context["form"]), **self.items(world), "name": "改名的方案"}
        response = client.post(self.url("edit", obj), data)
        assert response.status_code == 302
        obj.refresh_from_db()
        assert obj.name == "改名的方案" and obj.items.count() == 1

    def test_the_add_page_offers_only_the_hospitals_indicators(self, client, world):
        client.force_login(world.office)
        html = client.get(self.url("add")).content.decode()
        assert f'value="{world.arec.indicator_h.pk}"' in html
        assert f'value="{world.arec.indicator_h2.pk}"' not in html


# Scorecards: a branch sees its own --------------------------------------------------------------
class ScorecardCase(AssessmentWorld):
    model = DualScorecard
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.arec.card_a

    def elsewhere(self, world):
        return world.arec.card_b

    def export_marker(self, obj):
        return obj.organization.name

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def member_other(self, world):
        return world.arec.card_a


class TestScorecardPagesOfABranch(ScorecardCase, PageContract):
    def test_the_secretary_sees_no_rank_column(self, client, world):
        client.force_login(world.secretary_a)
        response = client.get(self.url("list"))
        assert "total_rank" not in [c.name for c in response.context["table"].columns]


class TestScorecardPagesOfTheOffice(ScorecardCase, PageContract):
    viewer = "office"

    def elsewhere(self, world):
        return world.arec.card_h2

    def forbidden_filter_choices(self, world):
        return {"organization": [world.rec.branch_h2]}


# Responsibility lists: the branch writes them, their owner reads them -----------------------------
class TestResponsibilityListPages(AssessmentWorld, PageContract):
    model = ResponsibilityList
    viewer = editor = "secretary_a"
    edit_changes = {"note": "年中调整"}

    def in_scope(self, world):
        return world.arec.list_a

    def elsewhere(self, world):
        return world.arec.list_b

    def export_marker(self, obj):
        return obj.owner.name

    def create_data(self, world):
        return {
            "year": TODAY.year,
            "owner": world.rec.staff_a.pk,
            "role": "head",
            "organization": world.branch_a.pk,
            "department": world.dept_a.pk,
        }

    def created(self, world):
        return ResponsibilityList.objects.filter(owner=world.rec.staff_a)

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.branch_b.pk}

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b], "owner": [world.person_b], "department": [world.dept_b]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        return world.spare_list

    def member_own(self, world):
        return world.arec.list_member_a

    def member_other(self, world):
        return world.arec.list_a


class TestResponsibilityItemPages(AssessmentWorld, PageContract):
    model = ResponsibilityItem
    viewer = editor = "secretary_a"
    edit_changes = {"title": "讲两次专题党课"}

    def in_scope(self, world):
        return world.arec.item_a

    def elsewhere(self, world):
        return world.arec.item_b

    def create_data(self, world):
        return {
            "responsibility_list": world.arec.list_a.pk,
            "kind": "text",
            "title": "新的清单事项",
            "due": dt.date(TODAY.year, 12, 31).isoformat(),
            "sort_order": 100,
        }

    def created(self, world):
        return ResponsibilityItem.objects.filter(title="新的清单事项")

    def create_outside_data(self, world):
        return {**self.create_data(world), "responsibility_list": world.arec.list_b.pk}

    def forbidden_choices(self, world):
        return {"responsibility_list": [world.arec.list_b, world.arec.list_h2]}

    def deletable(self, world):
        return world.arec.item_a

    def member_own(self, world):
        return world.arec.item_member_a

    def member_other(self, world):
        return world.arec.item_a


def test_the_owner_marks_an_item_done_on_their_own_with_a_read_grant(client, world):
    from django.urls import reverse

    with disable_auditlog():
        add_assessment_records(add_records(world))
    item = world.arec.item_member_a
    url = reverse("assessment:responsibilityitem_done", args=[item.pk])
    client.force_login(world.secretary_a)  # the branch writes the list, but the owner marks it done
    assert client.post(url, {"evidence": "x"}).status_code == 403
    client.force_login(world.member_a)
    response = client.post(url, {"evidence": "已开展宫腔镜新技术"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-status="done"' in response.content.decode()
    item.refresh_from_db()
    assert item.done_on == TODAY and item.done_by == world.member_a
    other = world.arec.item_a
    assert (
        client.post(
            reverse("assessment:responsibilityitem_done", args=[other.pk]), {"evidence": "x"}
        ).status_code
        == 404
    )
