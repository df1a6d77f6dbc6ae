"""The assessment pages as their users use them: the grid (typed, pasted, refused, closed), the import,
closing months, schemes and their scores, the scorecard, the drill-down, the comparison, the cockpit."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from hongqing.assessment.models import DualScorecard, IndicatorValue, MonthClose, Scheme
from hongqing.assessment.services import aggregate, catalogue, rollups, scoring
from hongqing.assessment.services import values as services

from .support import TODAY, month

D = Decimal


@pytest.fixture
def cat(world):
    catalogue.load_defaults(world.hospital, actor=world.office)
    catalogue.load_defaults(world.hospital2, actor=world.office_h2)
    from hongqing.assessment.models import Indicator

    return {i.code: i for i in Indicator.objects.filter(hospital=world.hospital)}


def grid_url(world, m):
    return f"{reverse('assessment:grid')}?hospital={world.hospital.pk}&month={m:%Y-%m}"


def cell(ind, dept):
    return f"c-{ind.pk}-{dept.pk if dept else 0}"


# The grid ------------------------------------------------------------------------------------------


def test_the_office_enters_a_month_in_the_grid(client, world, cat):
    m = month(1)
    client.force_login(world.office)
    page = client.get(grid_url(world, m))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="{cell(cat["op_visits"], world.dept_a)}"' in html
    assert f'name="{cell(cat["mch_clinic_coverage"], None)}"' in html  # the whole hospital's row
    data = {
        "hospital": world.hospital.pk,
        "month": f"{m:%Y-%m}",
        cell(cat["op_visits"], world.dept_a): "1,200",
        cell(cat["op_visits"], world.dept_b): "800",
        cell(cat["mch_clinic_coverage"], None): "50%",
    }
    response = client.post(grid_url(world, m), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="grid-saved"' in response.content.decode()
    assert IndicatorValue.objects.filter(month=m).count() == 3
    assert aggregate.value_of(world.hospital.pk, cat["op_visits"], rollups_unit(world), m, m).value == D(2000)


def rollups_unit(world):
    from hongqing.assessment.services.aggregate import HOSPITAL, Unit

    return Unit(HOSPITAL, world.hospital.pk)


def test_a_bad_cell_is_named_and_nothing_is_saved(client, world, cat):
    m = month(1)
    client.force_login(world.office)
    data = {
        cell(cat["op_visits"], world.dept_a): "1200",
        cell(cat["sat_outpatient"], world.dept_a): "120",
        cell(cat["alos"], world.dept_b): "7天",
        cell(cat["discharges"], world.dept_b): "30元",
    }
    response = client.post(grid_url(world, m), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "产科 · 门诊患者满意度" in html and "儿科 · 出院人次" in html
    assert 'aria-invalid="true"' in html
    assert 'value="1200"' in html  # what was typed is kept
    assert not IndicatorValue.objects.exists()


def test_a_closed_month_refuses_the_grid_and_shows_it_read_only(client, world, cat):
    m = month(1)
    services.close_month(world.hospital, m, actor=world.office)
    client.force_login(world.office)
    page = client.get(grid_url(world, m)).content.decode()
    assert 'id="grid-closed"' in page and "readonly" in page and 'id="grid-save"' not in page
    response = client.post(grid_url(world, m), {cell(cat["op_visits"], world.dept_a): "5"})
    assert response.status_code == 409
    assert not IndicatorValue.objects.exists()


def test_readers_see_the_grid_but_may_not_save(client, world, cat):
    client.force_login(world.region)
    assert client.get(grid_url(world, month(1))).status_code == 200
    assert (
        client.post(grid_url(world, month(1)), {cell(cat["op_visits"], world.dept_a): "5"}).status_code == 403
    )
    for persona in ("secretary_a", "member_a", "auditor"):
        client.force_login(getattr(world, persona))
        assert client.get(grid_url(world, month(1))).status_code == 403, persona
    assert not IndicatorValue.objects.exists()


# Months ----------------------------------------------------------------------------------------


def test_the_office_closes_a_month_and_reopens_it_with_a_reason(client, world, cat):
    m = month(1)
    url = reverse("assessment:months")
    client.force_login(world.office)
    assert client.get(url).status_code == 200
    client.post(url, {"hospital": world.hospital.pk, "month": f"{m:%Y-%m}", "action": "close"})
    assert MonthClose.objects.get(month=m).closed
    response = client.post(
        url, {"hospital": world.hospital.pk, "month": f"{m:%Y-%m}", "action": "reopen", "reason": ""}
    )
    assert response.status_code == 422
    assert MonthClose.objects.get(month=m).closed
    client.post(
        url,
        {"hospital": world.hospital.pk, "month": f"{m:%Y-%m}", "action": "reopen", "reason": "更正出院人次"},
    )
    row = MonthClose.objects.get(month=m)
    assert not row.closed and row.reopen_reason == "更正出院人次" and row.reopened_by == world.office
    assert LogEntry.objects.filter(additional_data__event="month_reopened").exists()


def test_months_are_the_hospitals_business(client, world):
    url = reverse("assessment:months")
    for persona in ("secretary_a", "member_a"):
        client.force_login(getattr(world, persona))
        assert client.get(url).status_code == 403
    client.force_login(world.inspector)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"hospital": world.hospital.pk, "month": f"{month(1):%Y-%m}", "action": "close"}
    )
    assert response.status_code == 403
    assert not MonthClose.objects.exists()


# The import ------------------------------------------------------------------------------------


def workbook(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "values.xlsx"
    return buf


def test_a_year_is_imported_from_excel_whole(client, world, cat):
    url = reverse("assessment:indicatorvalue_import")
    client.force_login(world.office)
    template = client.get(url + "?template=1")
    headers = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.iter_rows(max_row=1))]
    assert headers[:2] == ["月份", "科室"] and "门诊人次" in headers
    m1, m2 = month(2), month(1)
    f = workbook(
        [
            ["月份", "科室", "门诊人次", "discharges"],
            [f"{m1:%Y-%m}", "产科", 1000, 50],
            [f"{m2:%Y-%m}", "01", 1100, 55],
        ]
    )
    response = client.post(url, {"file": f})
    assert response.status_code == 200, response.content.decode()[:2000]
    job = response.context["job"]
    response = client.post(url, {"confirm": "1", "job": job.pk})
    assert response.status_code == 302
    assert IndicatorValue.objects.filter(department=world.dept_a).count() == 4
    assert IndicatorValue.objects.filter(indicator=cat["op_visits"], month=m2).get().source == "import"


def test_unknown_indicator_columns_and_departments_are_refused_naming_the_cell(client, world, cat):
    url = reverse("assessment:indicatorvalue_import")
    client.force_login(world.office)
    f = workbook([["月份", "科室", "门诊人次", "手术量xx"], [f"{month(1):%Y-%m}", "产科", 1, 2]])
    response = client.post(url, {"file": f})
    assert response.status_code == 422
    assert "D1「手术量xx」" in response.content.decode()
    f = workbook(
        [["月份", "科室", "门诊人次"], [f"{month(1):%Y-%m}", "产科", 1], [f"{month(1):%Y-%m}", "神经外科", 2]]
    )
    response = client.post(url, {"file": f})
    assert response.status_code == 422
    errors = response.context["row_errors"]
    assert errors[0]["row"] == 3 and errors[0]["column"] == "科室" and "神经外科" in errors[0]["text"]
    assert not IndicatorValue.objects.exists()


def test_the_import_refuses_a_closed_month_and_a_bad_value_writing_nothing(client, world, cat):
    services.close_month(world.hospital, month(2), actor=world.office)
    url = reverse("assessment:indicatorvalue_import")
    client.force_login(world.office)
    f = workbook(
        [
            ["月份", "科室", "门诊人次", "门诊患者满意度"],
            [f"{month(1):%Y-%m}", "产科", 1, 200],
            [f"{month(2):%Y-%m}", "产科", 5, 90],
        ]
    )
    response = client.post(url, {"file": f})
    assert response.status_code == 422
    texts = [e["text"] for e in response.context["row_errors"]]
    assert any(t.startswith(("第2行", "第 2 行", "Row 2")) for t in texts)
    assert any("门诊患者满意度" in t for t in texts)
    assert len(texts) == 2
    assert not IndicatorValue.objects.exists()


# Schemes, scoring, the scorecard ---------------------------------------------------------------


def scheme_post(world, cat, **over):
    data = {
        "hospital": world.hospital.pk,
        "name": "双目标考核",
        "year": TODAY.year,
        "period": "year",
        "party_share": "50",
        "is_active": "on",
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-indicator": cat["op_visits"].pk,
        "form-0-weight": "60",
        "form-0-method": "linear",
        "form-0-target": "12000",
        "form-1-indicator": cat["alos"].pk,
        "form-1-weight": "40",
        "form-1-method": "bands",
        "form-1-bands": "[[7, 100], [8, 80], [9, 60]]",
        "form-2-indicator": cat["duty_rate"].pk,
        "form-2-weight": "100",
        "form-2-method": "linear",
        "form-2-target": "95",
    }
    data.update(over)
    return data


def test_a_scheme_whose_weights_do_not_add_up_is_refused_naming_the_sum(client, world, cat):
    client.force_login(world.office)
    response = client.post(
        reverse("assessment:scheme_add"), scheme_post(world, cat, **{"form-0-weight": "50"})
    )
    assert response.status_code == 422
    assert "90" in " ".join(response.context["errors"])
    assert not Scheme.objects.exists()


def test_a_zero_target_for_a_ratio_is_refused_on_its_row(client, world, cat):
    client.force_login(world.office)
    response = client.post(
        reverse("assessment:scheme_add"), scheme_post(world, cat, **{"form-2-target": "0"})
    )
    assert response.status_code == 422
    assert response.context["formset"].forms[2].errors["target"]
    assert not Scheme.objects.exists()


def test_the_office_saves_a_scheme_scores_it_and_a_secretary_reads_their_scorecard(client, world, cat):
    client.force_login(world.office)
    response = client.post(reverse("assessment:scheme_add"), scheme_post(world, cat))
    assert response.status_code == 302
    s = Scheme.objects.get()
    assert s.items.count() == 3
    m = month(0)
    for dept, visits in ((world.dept_a, 500), (world.dept_b, 900)):
        services.write_values(
            world.hospital,
            [
                services.Cell(cat["op_visits"], dept, m, str(visits)),
                services.Cell(cat["discharges"], dept, m, "10"),
                services.Cell(cat["alos"], dept, m, "8"),
            ],
            actor=world.office,
            source="grid",
        )
    response = client.post(reverse("assessment:scheme_score", args=[s.pk]), {"period": f"{s.year}-01"})
    assert response.status_code == 302
    card = DualScorecard.objects.get(organization=world.branch_a)
    client.force_login(world.secretary_a)
    page = client.get(card.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "门诊人次" in html and 'class="hq-drill"' in html
    assert "rank" not in html.lower() or "排名" not in html  # no ranks for a branch
    assert not page.context["show_ranks"]
    other = DualScorecard.objects.get(organization=world.branch_b)
    assert client.get(other.get_absolute_url()).status_code == 404
    client.force_login(world.office)
    assert client.get(card.get_absolute_url()).context["show_ranks"]


# Drill-down ------------------------------------------------------------------------------------


def drill(ind, unit, first, last):
    return f"{reverse('assessment:drill')}?indicator={ind.pk}&unit={unit}&from={first:%Y-%m}&to={last:%Y-%m}"


def test_the_values_behind_a_weighted_mean_add_up_to_it(client, world, cat):
    m = month(1)
    cells = [
        services.Cell(cat["discharges"], world.dept_a, m, "100"),
        services.Cell(cat["alos"], world.dept_a, m, "5"),
        services.Cell(cat["discharges"], world.dept_b, m, "300"),
        services.Cell(cat["alos"], world.dept_b, m, "9"),
    ]
    services.write_values(world.hospital, cells, actor=world.office, source="grid")
    client.force_login(world.office)
    response = client.get(drill(cat["alos"], f"hospital:{world.hospital.pk}", m, m))
    assert response.status_code == 200
    ctx = response.context
    rows = list(ctx["rows"])
    assert len(rows) == 2
    assert sum(r["product"] for r in rows) / sum(r["weight"].value for r in rows) == ctx["total"] == D(8)
    assert ctx["stored"].value == D(8) and not ctx["mismatch"]


def test_the_records_behind_a_party_number_add_up_to_it(client, world, cat):
    from hongqing.party.models import Obligation

    m = month(1)
    for code, done in (("duty.theme_day", m), ("duty.branch_committee", None)):
        Obligation.objects.create(
            organization=world.branch_a,
            code=code,
            period_start=m,
            period_end=m.replace(day=28),
            due=m.replace(day=28),
            done_on=done,
        )
    rollups.refresh_party(world.hospital.pk, m, m)
    client.force_login(world.secretary_a)
    response = client.get(drill(cat["duty_rate"], f"org:{world.branch_a.pk}", m, m))
    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert len(rows) == 2
    assert (
        sum(r.fact.num for r in rows) / sum(r.fact.den for r in rows) * 100
        == response.context["total"]
        == D(50)
    )
    assert response.context["stored"].value == D(50)


def test_a_secretary_drills_only_into_their_branch_and_departments(client, world, cat):
    m = month(1)
    client.force_login(world.secretary_a)
    assert client.get(drill(cat["op_visits"], f"org:{world.branch_a.pk}", m, m)).status_code == 200
    assert client.get(drill(cat["op_visits"], f"dept:{world.dept_a.pk}", m, m)).status_code == 200
    assert client.get(drill(cat["op_visits"], f"org:{world.branch_b.pk}", m, m)).status_code == 404
    assert client.get(drill(cat["op_visits"], f"dept:{world.dept_b.pk}", m, m)).status_code == 404
    assert client.get(drill(cat["op_visits"], f"hospital:{world.hospital.pk}", m, m)).status_code == 404
    client.force_login(world.member_a)
    assert client.get(drill(cat["op_visits"], f"org:{world.branch_a.pk}", m, m)).status_code == 403
    client.force_login(world.office_h2)
    assert client.get(drill(cat["op_visits"], f"hospital:{world.hospital.pk}", m, m)).status_code == 404


# Comparison ------------------------------------------------------------------------------------


def test_lower_is_better_reads_right_in_the_comparison(client, world, cat):
    m, prior = month(1), month(13)
    for when, a, b in ((prior, "8", "8"), (m, "6", "10")):
        services.write_values(
            world.hospital,
            [
                services.Cell(cat["discharges"], world.dept_a, when, "10"),
                services.Cell(cat["alos"], world.dept_a, when, a),
                services.Cell(cat["discharges"], world.dept_b, when, "10"),
                services.Cell(cat["alos"], world.dept_b, when, b),
            ],
            actor=world.office,
            source="grid",
        )
    client.force_login(world.office)
    response = client.get(
        f"{reverse('assessment:compare')}?indicator={cat['alos'].pk}&level=dept&year={m.year}"
    )
    assert response.status_code == 200
    peers = {p["name"]: p for p in response.context["peers"]}
    assert peers["产科"]["better"] is True and peers["产科"]["change"] == -25.0  # fewer days: better
    assert peers["儿科"]["better"] is False
    assert [p["name"] for p in response.context["peers"]][:2] == ["产科", "儿科"]  # best (lowest) first
    assert "越低越好" in response.content.decode() or "Lower is better" in response.content.decode()


def test_a_secretary_compares_only_their_departments(client, world, cat):
    client.force_login(world.secretary_a)
    response = client.get(f"{reverse('assessment:compare')}?indicator={cat['op_visits'].pk}&level=dept")
    assert response.status_code == 200
    assert [p["name"] for p in response.context["peers"]] == ["产科"]


# The cockpit -----------------------------------------------------------------------------------


def test_the_committee_reads_the_cockpit_with_the_ranking_and_quadrant(client, world, cat):
    from hongqing.accounts.choices import Role
    from hongqing.core.testing.world import make_user

    committee = make_user("committee", {"role": Role.COMMITTEE_MEMBER, "hospital": world.hospital})
    s = scoring.save_scheme(
        Scheme(hospital=world.hospital, name="考核", year=TODAY.year, period="year"),
        [
            __import__("hongqing.assessment.models", fromlist=["SchemeItem"]).SchemeItem(
                indicator=cat["duty_rate"], weight=D(100), method="linear", target=D(95)
            )
        ],
        actor=world.office,
    )
    scoring.score_scheme(s)
    client.force_login(committee)
    response = client.get(reverse("assessment:cockpit"))
    assert response.status_code == 200
    html = response.content.decode()
    for chart in (
        "chart-party",
        "chart-business",
        "chart-heat",
        "chart-rank",
        "chart-quadrant",
        "chart-corr",
    ):
        assert f'id="{chart}"' in html
    payload = response.context["payload"]
    assert {b["name"] for b in payload["scores"]["branches"]} >= {"产科党支部", "儿科党支部"}
    assert all(b["url"].startswith("/assessment/scorecards/") for b in payload["scores"]["branches"])
    assert all(f["url"].startswith("/assessment/drill/") for f in payload["figures"])
    assert client.get(reverse("assessment:cockpit_screen")).status_code == 200


def test_a_secretary_gets_their_branchs_cockpit_without_the_ranking(client, world, cat):
    client.force_login(world.secretary_a)
    response = client.get(reverse("assessment:cockpit"))
    assert response.status_code == 200
    assert response.context["mode"] == "branch" and response.context["branch"] == world.branch_a
    html = response.content.decode()
    assert 'id="chart-rank"' not in html and 'id="chart-quadrant"' not in html
    assert (
        client.get(f"{reverse('assessment:cockpit')}?branch={world.branch_b.pk}").context["branch"]
        == world.branch_a
    )


def test_a_member_and_the_admins_get_no_cockpit(client, world):
    for persona in ("member_a", "auditor", "sysadmin", "nobody"):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("assessment:cockpit")).status_code == 403, persona


def test_the_regional_reader_reads_every_hospitals_cockpit(client, world, cat):
    client.force_login(world.region)
    for h in (world.hospital, world.hospital2):
        response = client.get(f"{reverse('assessment:cockpit')}?hospital={h.pk}")
        assert response.status_code == 200 and response.context["hospital"] == h


def test_the_cockpit_is_cached_until_the_data_changes(client, world, cat, django_assert_max_num_queries):
    client.force_login(world.office)
    client.get(reverse("assessment:cockpit"))
    services.write_values(
        world.hospital,
        [services.Cell(cat["op_visits"], world.dept_a, month(0), "77")],
        actor=world.office,
        source="grid",
    )
    payload = client.get(reverse("assessment:cockpit")).context["payload"]
    visits = next(f for f in payload["figures"] if f["code"] == "op_visits")
    assert visits["value"] == 77.0


def test_the_cockpits_rendered_figures_follow_a_change_of_the_data(client, world, cat):
    # The page body is cached with the figures: a change must show in the HTML, not only in the context.
    import re

    def shown():
        html = client.get(reverse("assessment:cockpit")).content.decode()
        card = re.search(r'data-code="op_visits">(.*?)</a>', html, re.S).group(1)
        return re.search(r'hq-figure-value">([^<]*)<', card).group(1).strip()

    client.force_login(world.office)
    before = shown()
    services.write_values(
        world.hospital,
        [services.Cell(cat["op_visits"], world.dept_a, month(0), "77")],
        actor=world.office,
        source="grid",
    )
    assert before != shown() and "77" in shown()


def test_the_branch_page_shows_its_latest_scorecard(client, world, cat):
    s = Scheme.objects.create(hospital=world.hospital, name="考核", year=TODAY.year, period="year")
    DualScorecard.objects.create(
        scheme=s,
        hospital=world.hospital,
        organization=world.branch_a,
        period_start=dt.date(TODAY.year, 1, 1),
        period_end=dt.date(TODAY.year, 12, 1),
        through=month(0),
        party_score=D("88.50"),
        computed=__import__("django.utils.timezone", fromlist=["now"]).now(),
    )
    client.force_login(world.secretary_a)
    html = client.get(world.branch_a.get_absolute_url()).content.decode()
    assert 'id="branch-scorecard"' in html and "88.50" in html
