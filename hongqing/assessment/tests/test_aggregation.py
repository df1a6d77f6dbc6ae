"""How values add up over departments and months: the sum of the parts is the total, a weighted
mean weighs, a ratio is the ratio of the totals (never an average of ratios), latest is the last."""

import datetime as dt
from decimal import Decimal

import pytest

from hongqing.assessment.services import aggregate
from hongqing.assessment.services.aggregate import DEPT, HOSPITAL, ORG, Unit
from hongqing.organization.models import BranchDepartment, Department

from .support import formula, indicator, month, refresh, value

D = Decimal


@pytest.fixture
def h(world):
    return world.hospital


@pytest.fixture
def third(world):
    """A third department, also of branch A."""
    d = Department.objects.add_root(dict(hospital=world.hospital, name="妇科", code="03"))
    BranchDepartment.objects.create(organization=world.branch_a, department=d, start=dt.date(2020, 1, 1))
    return d


def result(world, ind, unit, first, last):
    return aggregate.value_of(world.hospital.pk, ind, unit, first, last)


def test_the_sum_of_the_departments_and_months_is_the_total(world, h, third):
    visits = indicator(h, "op_visits")
    m1, m2 = month(2), month(1)
    for dept, a, b in ((world.dept_a, 100, 110), (world.dept_b, 200, 210), (third, 50, 55)):
        value(visits, dept, m1, a)
        value(visits, dept, m2, b)
    refresh(h, m1, m2)
    hospital = result(world, visits, Unit(HOSPITAL, h.pk), m1, m2)
    parts = [
        result(world, visits, Unit(DEPT, d.pk), m1, m2).value for d in (world.dept_a, world.dept_b, third)
    ]
    assert parts == [D(210), D(410), D(105)]
    assert hospital.value == sum(parts) == D(725)
    # branch A is built on departments A and the third one
    assert result(world, visits, Unit(ORG, world.branch_a.pk), m1, m2).value == D(315)
    assert result(world, visits, Unit(ORG, world.branch_b.pk), m1, m2).value == D(410)


def test_a_ratio_across_departments_is_the_ratio_of_totals_not_an_average_of_ratios(world, h):
    ops = indicator(h, "operations")
    lvl4 = indicator(h, "level4_ops")
    share = formula(h, "level4_share", "level4_ops / operations * 100")
    m = month(1)
    # department A: 10 of 20 (50 %); department B: 10 of 180 (5.6 %)
    value(ops, world.dept_a, m, 20)
    value(lvl4, world.dept_a, m, 10)
    value(ops, world.dept_b, m, 180)
    value(lvl4, world.dept_b, m, 10)
    refresh(h, m)
    total = result(world, share, Unit(HOSPITAL, h.pk), m, m)
    assert total.value == D(10)  # 20 / 200, not (50 + 5.6) / 2
    assert total.operands["level4_ops"].value == D(20)
    assert total.operands["operations"].value == D(200)


def test_a_ratio_across_months_is_the_ratio_of_totals(world, h):
    ops = indicator(h, "operations")
    lvl4 = indicator(h, "level4_ops")
    share = formula(h, "level4_share", "level4_ops / operations * 100")
    m1, m2 = month(2), month(1)
    value(ops, world.dept_a, m1, 10)
    value(lvl4, world.dept_a, m1, 10)  # 100 %
    value(ops, world.dept_a, m2, 90)
    value(lvl4, world.dept_a, m2, 0)  # 0 %
    refresh(h, m1, m2)
    assert result(world, share, Unit(DEPT, world.dept_a.pk), m1, m2).value == D(10)  # not 50


def test_a_weighted_mean_weighs_each_departments_value(world, h):
    discharges = indicator(h, "discharges")
    alos = indicator(h, "alos", unit="天", aggregation="weighted_mean", weight=discharges, direction="lower")
    m = month(1)
    value(discharges, world.dept_a, m, 100)
    value(alos, world.dept_a, m, "5")
    value(discharges, world.dept_b, m, 300)
    value(alos, world.dept_b, m, "9")
    refresh(h, m)
    r = result(world, alos, Unit(HOSPITAL, h.pk), m, m)
    assert r.value == D(8)  # (5×100 + 9×300) / 400, not (5 + 9) / 2
    assert (r.num, r.den) == (D(3200), D(400))


def test_a_value_without_its_weight_is_left_out_of_a_weighted_mean(world, h):
    discharges = indicator(h, "discharges")
    alos = indicator(h, "alos", unit="天", aggregation="weighted_mean", weight=discharges)
    m = month(1)
    value(discharges, world.dept_a, m, 100)
    value(alos, world.dept_a, m, "5")
    value(alos, world.dept_b, m, "50")  # no discharges entered for B
    refresh(h, m)
    assert result(world, alos, Unit(HOSPITAL, h.pk), m, m).value == D(5)


def test_a_mean_is_the_mean_of_the_values(world, h):
    sat = indicator(h, "sat_staff", unit="分", aggregation="mean")
    m1, m2 = month(2), month(1)
    value(sat, world.dept_a, m1, 90)
    value(sat, world.dept_b, m1, 80)
    value(sat, world.dept_a, m2, 70)
    refresh(h, m1, m2)
    assert result(world, sat, Unit(HOSPITAL, h.pk), m1, m2).value == D(80)


def test_latest_takes_the_last_month_with_data(world, h):
    red = indicator(h, "high_risk_red", unit="人", aggregation="latest")
    m1, m2, m3 = month(3), month(2), month(1)
    value(red, world.dept_a, m1, 4)
    value(red, world.dept_b, m1, 1)
    value(red, world.dept_a, m2, 6)
    value(red, world.dept_b, m2, 2)
    refresh(h, m1, m2)
    r = result(world, red, Unit(HOSPITAL, h.pk), m1, m3)
    assert r.value == D(8)  # month m2: 6 + 2 (m3 has no data)
    assert r.months == [m2]


def test_growth_reads_the_same_months_a_year_earlier(world, h):
    visits = indicator(h, "op_visits")
    cost = indicator(h, "op_cost", unit="元", aggregation="weighted_mean", weight=visits)
    growth = formula(h, "op_cost_growth", "(op_cost - prior(op_cost)) / prior(op_cost) * 100")
    m, last_year = month(1), month(13)
    for when, c in ((m, "330"), (last_year, "300")):
        value(visits, world.dept_a, when, 100)
        value(cost, world.dept_a, when, c)
    refresh(h, m, last_year)
    assert result(world, growth, Unit(HOSPITAL, h.pk), m, m).value == D(10)


def test_no_values_is_no_data_not_zero(world, h):
    visits = indicator(h, "op_visits")
    r = result(world, visits, Unit(HOSPITAL, h.pk), month(2), month(1))
    assert r.value is None and not r.has_data


def test_a_department_counts_for_the_branch_it_was_built_on_that_month(world, h):
    visits = indicator(h, "op_visits")
    m1, m2 = month(3), month(1)
    link = BranchDepartment.objects.get(department=world.dept_b)
    # department B moved from branch B to branch A at the start of month m2's
    link.end = m2 - dt.timedelta(days=1)
    link.save()
    BranchDepartment.objects.create(organization=world.branch_a, department=world.dept_b, start=m2)
    value(visits, world.dept_b, m1, 40)
    value(visits, world.dept_b, m2, 60)
    refresh(h, m1, m2)
    assert result(world, visits, Unit(ORG, world.branch_b.pk), m1, m2).value == D(40)
    assert result(world, visits, Unit(ORG, world.branch_a.pk), m1, m2).value == D(60)


def test_hospital_level_values_count_only_for_the_hospital(world, h):
    cov = indicator(h, "mch_clinic_coverage", unit="%", aggregation="latest", entry_level="hospital")
    m = month(1)
    value(cov, None, m, 50)
    refresh(h, m)
    assert result(world, cov, Unit(HOSPITAL, h.pk), m, m).value == D(50)
    assert result(world, cov, Unit(ORG, world.branch_a.pk), m, m).value is None


def test_a_page_reads_only_the_rollups_in_its_users_scope(world, h):
    visits = indicator(h, "op_visits")
    m = month(1)
    value(visits, world.dept_a, m, 100)
    value(visits, world.dept_b, m, 200)
    refresh(h, m)
    units = [Unit(DEPT, world.dept_a.pk), Unit(DEPT, world.dept_b.pk), Unit(HOSPITAL, h.pk)]
    agg = aggregate.load(h.pk, units, m, m, user=world.secretary_a)
    assert agg.result(visits, units[0], [m]).value == D(100)
    assert agg.result(visits, units[1], [m]).value is None
    assert agg.result(visits, units[2], [m]).value is None
