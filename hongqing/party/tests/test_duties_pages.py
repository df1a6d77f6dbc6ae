"""Duty pages and API: the permission contracts, the organisation's list, the heat map, the home panel, budgets."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from auditlog.context import disable_auditlog
from django.urls import reverse
from django.utils import timezone

from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world
from hongqing.core.views import safe_reverse
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import CommitteeTerm, PartyOrganization
from hongqing.party.choices import MeetingKind, MeetingStatus
from hongqing.party.models import Meeting, Obligation
from hongqing.party.services.duties import sync_obligations

D = dt.date
SH = ZoneInfo("Asia/Shanghai")
TODAY = D(2026, 9, 25)  # a Friday: September's duties are amber (from 22 Sept), August's overdue
pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def held(org, kind, day, hour=10):
    return Meeting.objects.create(
        organization=org,
        kind=kind,
        status=MeetingStatus.HELD,
        start=dt.datetime.combine(day, dt.time(hour), tzinfo=SH),
        topic="测试会议",
    )


def duty(org, code, start):
    return Obligation.objects.get(organization=org, code=f"duty.{code}", period_start=start)


class DutyRecords:
    """The contract's world with the 2025 duties of every organisation."""

    @pytest.fixture
    def world(self, db):
        with disable_auditlog():
            w = add_records(build_world())
            sync_obligations(PartyOrganization.objects.all(), 2025)
        return w

    def in_scope(self, world):
        return duty(world.branch_a, "theme_day", D(2025, 3, 1))

    def elsewhere(self, world):
        return duty(world.branch_b, "theme_day", D(2025, 3, 1))

    def member_other(self, world):
        # A member runs no organisation: they see no duty at all, not even their branch's.
        return self.in_scope(world)

    def export_marker(self, obj):
        return obj.organization.name


class TestDutyPages(DutyRecords, PageContract):
    model = Obligation


class TestDutyApi(DutyRecords, ApiContract):
    model = Obligation
    api_list = "/api/party/obligations/"
    read_only = True


# --- the organisation's duty list -----------------------------------------------------------------


def board(org, **query):
    url = reverse("party:duty_board", kwargs={"pk": org.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_board_groups_a_years_duties_by_month_with_status_and_record(client, world, today):
    meeting = held(world.branch_a, MeetingKind.THEME_DAY, D(2026, 8, 31))
    client.force_login(world.secretary_a)
    response = client.get(board(world.branch_a, year=2026))
    assert response.status_code == 200
    html = response.content.decode()
    groups = response.context["groups"]
    assert [g["month"] for g in groups] == list(range(1, 13))
    august = {i["obj"].code: i for i in groups[7]["items"]}
    assert august["duty.theme_day"]["status"] == "done" and august["duty.theme_day"]["record"] == meeting
    assert august["duty.branch_committee"]["status"] == "overdue"
    september = {i["obj"].code: i for i in groups[8]["items"]}
    assert september["duty.theme_day"]["status"] == "due_soon"
    assert september["duty.member_congress"]["status"] == "due_soon"  # Q3
    assert {i["obj"].code for i in groups[11]["items"]} >= {"duty.org_life_session", "duty.appraisal"}
    assert str(meeting) in html
    add = safe_reverse("party:meeting_add")
    if add:  # the meetings pages: "record a meeting", prefilled with the organisation and the kind
        assert f"{add}?organization={world.branch_a.pk}&amp;kind=branch_committee" in html
    summary = {s["status"]: s["count"] for s in response.context["summary"]}
    assert (
        summary["done"] == 1 and summary["due_soon"] == 4
    )  # Sept committee and theme day, Q3 congress and lecture


def test_the_board_of_one_month_is_what_a_heat_map_cell_counts(client, world, today):
    client.force_login(world.office)
    response = client.get(board(world.branch_a, year=2026, month=3))
    codes = sorted(i["obj"].code for g in response.context["groups"] for i in g["items"])
    assert codes == ["duty.branch_committee", "duty.member_congress", "duty.party_lecture", "duty.theme_day"]


def test_a_branch_board_includes_its_party_groups(client, world, today):
    group = PartyOrganization.objects.add_child(
        world.branch_a, dict(hospital=world.hospital, name="产科第一党小组", kind=OrgKind.GROUP)
    )
    client.force_login(world.secretary_a)
    response = client.get(board(world.branch_a, year=2026, month=5))
    orgs = {i["obj"].organization for g in response.context["groups"] for i in g["items"]}
    assert orgs == {world.branch_a, group}


def test_the_board_is_scoped(client, world, today):
    client.force_login(world.secretary_a)
    assert client.get(board(world.branch_a)).status_code == 200
    assert client.get(board(world.branch_b)).status_code == 404
    assert client.get(board(world.committee)).status_code == 404
    client.force_login(world.member_a)
    assert client.get(board(world.branch_a)).status_code == 404
    client.force_login(world.office_h2)
    assert client.get(board(world.branch_a)).status_code == 404
    client.force_login(world.auditor)
    assert client.get(board(world.branch_a)).status_code == 403
    client.logout()
    assert client.get(board(world.branch_a)).status_code == 302
    assert not Obligation.objects.filter(organization=world.branch_b).exists()  # nothing built for B


def test_a_bad_year_falls_back_to_this_year(client, world, today):
    client.force_login(world.secretary_a)
    for bad in ("abc", "1900", "3000", ""):
        response = client.get(board(world.branch_a, year=bad, month="13"))
        assert response.status_code == 200
        assert (response.context["year"], response.context["month"]) == (2026, None)


def test_the_page_says_when_the_years_holiday_schedule_is_missing(client, world, today):
    client.force_login(world.secretary_a)
    assert 'id="schedule-missing"' not in client.get(board(world.branch_a, year=2026)).content.decode()
    html = client.get(board(world.branch_a, year=2027)).content.decode()
    assert 'id="schedule-missing"' in html and "2027" in html


def test_the_duty_page_shows_the_record_and_the_meetings_of_the_period(client, world, today):
    first = held(world.branch_a, MeetingKind.THEME_DAY, D(2026, 5, 8))
    sync_obligations([world.branch_a], 2026)
    second = held(world.branch_a, MeetingKind.THEME_DAY, D(2026, 5, 20))
    obj = duty(world.branch_a, "theme_day", D(2026, 5, 1))
    client.force_login(world.secretary_a)
    response = client.get(obj.get_absolute_url())
    assert response.status_code == 200
    assert response.context["item"]["record"] == first
    assert list(response.context["meetings"]) == [first, second]


# --- the heat map --------------------------------------------------------------------------------


def heatmap(**query):
    return reverse("party:duty_heatmap") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def cell(response, org, month):
    row = next(r for r in response.context["rows"] if r.organization.pk == org.pk)
    return row.cells[month - 1]


def test_the_heat_map_counts_duties_ending_in_each_month(client, world, today):
    held(world.branch_a, MeetingKind.THEME_DAY, D(2026, 3, 3))
    held(world.branch_a, MeetingKind.BRANCH_COMMITTEE, D(2026, 3, 4))
    held(world.branch_a, MeetingKind.MEMBER_CONGRESS, D(2026, 2, 5))
    held(world.branch_a, MeetingKind.PARTY_LECTURE, D(2026, 1, 6))
    for month in range(1, 9):
        held(world.branch_b, MeetingKind.THEME_DAY, D(2026, month, 10))
        held(world.branch_b, MeetingKind.BRANCH_COMMITTEE, D(2026, month, 11))
    client.force_login(world.office)
    response = client.get(heatmap(year=2026))
    assert response.status_code == 200
    march = cell(response, world.branch_a, 3)
    assert (march.done, march.total, march.status) == (4, 4, "done")  # monthly ×2 and Q1 ×2
    assert (cell(response, world.branch_a, 4).done, cell(response, world.branch_a, 4).total) == (0, 2)
    assert cell(response, world.branch_a, 4).status == "overdue"
    assert cell(response, world.branch_b, 8).status == "done"
    assert cell(response, world.branch_b, 9).status == "due_soon"
    assert cell(response, world.branch_b, 11).status == "open"
    assert cell(response, world.committee, 12).total == 1  # the committee secretary's lecture
    assert cell(response, world.committee, 1).total == 0
    rows = [r.organization for r in response.context["rows"]]
    assert rows == [world.committee, world.branch_a, world.branch_b]
    html = response.content.decode()
    # Each cell leads to that organisation's duties of the month, where the same figures are listed.
    link = f"{reverse('party:duty_board', kwargs={'pk': world.branch_a.pk})}?year=2026&amp;month=3"
    assert link in html
    listed = client.get(board(world.branch_a, year=2026, month=3)).context["summary"]
    assert {s["status"]: s["count"] for s in listed}["done"] == 4


def test_a_group_counts_in_its_branch_row(client, world, today):
    group = PartyOrganization.objects.add_child(
        world.branch_a, dict(hospital=world.hospital, name="产科第一党小组", kind=OrgKind.GROUP)
    )
    held(group, MeetingKind.GROUP_MEETING, D(2026, 2, 2))
    client.force_login(world.secretary_a)
    response = client.get(heatmap(year=2026))
    assert [r.organization for r in response.context["rows"]] == [world.branch_a]
    feb = cell(response, world.branch_a, 2)
    assert (feb.done, feb.total) == (1, 3)


def test_the_heat_map_is_scoped(client, world, today):
    client.force_login(world.secretary_b)
    response = client.get(heatmap(year=2026))
    assert [r.organization for r in response.context["rows"]] == [world.branch_b]
    client.force_login(world.office_h2)
    response = client.get(heatmap(year=2026, hospital=world.hospital.pk))
    assert response.context["hospital"] == world.hospital2  # not a hospital of theirs: their own
    assert world.branch_a not in [r.organization for r in response.context["rows"]]
    client.force_login(world.region)
    response = client.get(heatmap(year=2026, hospital=world.hospital2.pk))
    assert response.context["hospital"] == world.hospital2
    assert len(response.context["hospitals"]) == 2
    client.force_login(world.member_a)
    assert client.get(heatmap()).status_code == 403
    client.force_login(world.auditor)
    assert client.get(heatmap()).status_code == 403


def test_a_hospital_rule_override_changes_the_heat_map(client, world, today):
    from hongqing.core.models import Rule

    client.force_login(world.office)
    before = cell(client.get(heatmap(year=2026)), world.branch_a, 2).total
    Rule.objects.create(
        key="duty.theme_day",
        hospital_id=world.hospital.pk,
        value={"applies_to": ["branch"], "period": "quarter", "satisfied_by": ["theme_day"]},
    )
    after = cell(client.get(heatmap(year=2026)), world.branch_a, 2).total
    assert (before, after) == (2, 1)


def _many_branches(world, n):
    with disable_auditlog():
        for i in range(n):
            branch = PartyOrganization.objects.add_child(
                world.committee, dict(hospital=world.hospital, name=f"第{i}党支部", kind=OrgKind.BRANCH)
            )
            world.committee.refresh_from_db()
            CommitteeTerm.objects.create(organization=branch, number=1, start=D(2025, 1, 1))
            held(branch, MeetingKind.THEME_DAY, D(2026, 4, 9))


def _queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_heat_map_takes_the_same_queries_for_3_or_23_branches(
    client, world, today, django_assert_max_num_queries
):
    client.force_login(world.office)
    client.get(heatmap(year=2026))  # builds the year
    few = _queries(client, heatmap(year=2026), django_assert_max_num_queries)
    _many_branches(world, 20)
    client.get(heatmap(year=2026))  # builds the new branches' year
    many = _queries(client, heatmap(year=2026), django_assert_max_num_queries)
    assert Obligation.objects.filter(period_start__year=2026).count() > 700
    assert many == few <= 15


def test_the_list_and_the_board_have_a_query_budget(client, world, today, django_assert_max_num_queries):
    _many_branches(world, 10)
    client.force_login(world.office)
    client.get(heatmap(year=2026))
    assert Obligation.objects.count() > 300
    with django_assert_max_num_queries(20):
        response = client.get(reverse("party:obligation_list"), {"year": 2026})
    assert len(response.context["table"].page.object_list) == 50
    with django_assert_max_num_queries(20):
        client.get(reverse("party:obligation_list"), {"year": 2026, "status": "overdue", "export": "xlsx"})
    with django_assert_max_num_queries(16):
        client.get(board(world.branch_a, year=2026))
    with django_assert_max_num_queries(12):
        client.get("/api/party/obligations/", {"page_size": 200})


def test_the_list_filters_by_status_against_today(client, world, today):
    client.force_login(world.secretary_a)
    response = client.get(
        reverse("party:obligation_list"), {"year": 2026, "status": "due_soon", "per_page": 100}
    )
    rows = list(response.context["table"].data)
    assert {(o.code, o.period_start) for o in rows} == {
        ("duty.branch_committee", D(2026, 9, 1)),
        ("duty.theme_day", D(2026, 9, 1)),
        ("duty.member_congress", D(2026, 7, 1)),
        ("duty.party_lecture", D(2026, 7, 1)),
    }


# --- the home page ---------------------------------------------------------------------------------


def test_a_secretary_sees_their_due_and_overdue_duties_on_the_home_page(client, world, today):
    held(world.branch_a, MeetingKind.THEME_DAY, D(2026, 9, 3))
    client.force_login(world.secretary_a)
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert 'id="duty-tasks"' in html
    panel = next(
        ctx for template, ctx in response.context["task_panels"] if template.startswith("party/duties")
    )
    items = [(i["obj"].code, i["obj"].period_start, i["status"]) for i in panel["items"]]
    # Nearest first: what is due on 30 Sept (in 5 days), then August's (25 days late); the theme day is done.
    assert items[:3] == [
        ("duty.branch_committee", D(2026, 9, 1), "due_soon"),
        ("duty.member_congress", D(2026, 7, 1), "due_soon"),
        ("duty.party_lecture", D(2026, 7, 1), "due_soon"),
    ]
    assert items[3:5] == [
        ("duty.branch_committee", D(2026, 8, 1), "overdue"),
        ("duty.theme_day", D(2026, 8, 1), "overdue"),
    ]
    assert len(items) == 8 and panel["more"]
    assert all(i["obj"].organization == world.branch_a for i in panel["items"])
    assert board(world.branch_a, year=2026) == panel["all_url"]


def test_members_and_readers_get_no_duty_panel(client, world, today):
    for persona in ("member_a", "inspector", "region"):
        client.force_login(getattr(world, persona))
        html = client.get(reverse("core:home")).content.decode()
        assert 'id="duty-tasks"' not in html, persona


def test_the_menu_offers_the_duty_pages_to_those_who_run_duties(client, world, today):
    client.force_login(world.secretary_a)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("party:duty_heatmap") in html
    client.force_login(world.member_a)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("party:duty_heatmap") not in html
    assert not re.search(r'href="/party/duties/"', html)


# --- a duty rule on the rules page -----------------------------------------------------------------


def test_the_office_changes_a_duty_rule_on_the_rules_page(client, world, today):
    import json

    from hongqing.core.models import Rule
    from hongqing.core.rules import rule_value

    client.force_login(world.office)
    client.get(board(world.branch_a, year=2026))  # the year's duties exist
    form = client.get("/rules/override/", {"key": "duty.theme_day"}).content.decode()
    assert "&quot;applies_to&quot;" in form  # edited as JSON, from the default
    value = dict(rule_value("duty.theme_day"), period="quarter")
    data = {"key": "duty.theme_day", "hospital_id": world.hospital.pk, "effective_from": "2026-01-01"}
    response = client.post("/rules/override/", {**data, "value_text": json.dumps(value)})
    assert response.status_code == 302
    assert (
        Obligation.objects.filter(
            organization=world.branch_a, code="duty.theme_day", period_start__year=2026
        ).count()
        == 4
    )
    before = Rule.objects.count()
    for bad in (
        "abc",
        "5",
        "[1, 2]",
        json.dumps({**value, "period": "week"}),
        json.dumps({**value, "count": 0}),
    ):
        response = client.post("/rules/override/", {**data, "value_text": bad})
        assert response.status_code == 422, bad
    response = client.post(
        "/rules/override/", {**data, "value_text": json.dumps({**value, "period": "week"})}
    )
    assert "month, quarter, year" in response.content.decode()
    assert Rule.objects.count() == before
    assert (
        Obligation.objects.filter(
            organization=world.branch_a, code="duty.theme_day", period_start__year=2026
        ).count()
        == 4
    )
