"""Entering values: units, decimals and ranges; all cells or none; closed months; the history flag."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from hongqing.assessment.models import IndicatorValue, MonthClose, Rollup
from hongqing.assessment.services import values as services
from hongqing.assessment.services.values import Cell, CellError, ValuesRefused, parse_value

from .support import indicator, month

D = Decimal


@pytest.fixture
def inds(world):
    h = world.hospital
    return {
        "visits": indicator(h, "op_visits", name="门诊人次", unit="人次", decimals=0, min_value=D(0)),
        "sat": indicator(h, "sat", name="门诊患者满意度", unit="分", min_value=D(0), max_value=D(100)),
        "share": indicator(h, "share", name="占比", unit="%", min_value=D(0), max_value=D(100), decimals=1),
    }


def cells(world, inds, **raw):
    m = raw.pop("when", month(1))
    return [Cell(inds[k], world.dept_a, m, v, ref=f"产科 · {inds[k].name}") for k, v in raw.items()]


def test_a_number_with_the_indicators_unit_is_read(inds):
    assert parse_value(inds["share"], "85.5%") == D("85.5")
    assert parse_value(inds["share"], "８５．５％") == D("85.5")
    assert parse_value(inds["visits"], "3,200人次") == D(3200)
    assert parse_value(inds["visits"], " 3200 ") == D(3200)
    assert parse_value(inds["visits"], "") is None


def test_a_value_in_another_unit_is_refused_naming_both_units(inds):
    with pytest.raises(CellError) as exc:
        parse_value(inds["share"], "85元")
    assert "元" in str(exc.value) and "%" in str(exc.value)


@pytest.mark.parametrize("raw", ["abc", "1..2", "--3", "1,2,3x", "nan", "inf"])
def test_text_that_is_not_a_number_is_refused(inds, raw):
    with pytest.raises(CellError):
        parse_value(inds["visits"], raw)


def test_out_of_range_values_of_the_wrong_unit_and_fractions_of_counts_are_refused_naming_the_cell(
    world, inds
):
    c = cells(world, inds, visits="12.5", sat="105", share="90元")
    with pytest.raises(ValuesRefused) as exc:
        services.write_values(world.hospital, c, actor=world.office, source="grid")
    errors = dict(exc.value.errors)
    assert (
        "whole" in errors["产科 · 门诊人次"]
        or "整数" in errors["产科 · 门诊人次"]
        or "人次" in errors["产科 · 门诊人次"]
    )
    assert "100" in errors["产科 · 门诊患者满意度"]
    assert "元" in errors["产科 · 占比"]
    assert not IndicatorValue.objects.exists()


def test_one_bad_cell_writes_none_of_the_good_ones(world, inds):
    c = cells(world, inds, visits="1200", sat="95", share="-1")
    with pytest.raises(ValuesRefused):
        services.write_values(world.hospital, c, actor=world.office, source="grid")
    assert not IndicatorValue.objects.exists()
    assert not Rollup.objects.exists()


def test_good_cells_are_written_with_their_rollups_and_one_audit_event(world, inds):
    m = month(1)
    result = services.write_values(
        world.hospital, cells(world, inds, visits="1200", sat="95.5"), actor=world.office, source="grid"
    )
    assert (result.created, result.updated, result.deleted) == (2, 0, 0)
    v = IndicatorValue.objects.get(indicator=inds["visits"])
    assert (v.value, v.month, v.created_by) == (D(1200), m, world.office)
    # department, branch A (built on department A) and the hospital
    rows = Rollup.objects.filter(indicator=inds["visits"], month=m)
    assert {(r.department_id, r.organization_id, r.num) for r in rows} == {
        (world.dept_a.pk, None, D(1200)),
        (None, world.branch_a.pk, D(1200)),
        (None, None, D(1200)),
    }
    event = LogEntry.objects.filter(additional_data__event="indicator_values").get()
    assert event.actor == world.office
    assert event.additional_data["created"] == 2
    assert ["op_visits", "01", m.isoformat(), None, "1200"] in event.additional_data["changes"]


def test_writing_again_updates_and_an_empty_cell_clears(world, inds):
    services.write_values(
        world.hospital, cells(world, inds, visits="1200", sat="95"), actor=world.office, source="grid"
    )
    result = services.write_values(
        world.hospital, cells(world, inds, visits="1300", sat=""), actor=world.office, source="grid"
    )
    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    assert IndicatorValue.objects.get().value == D(1300)
    assert Rollup.objects.filter(
        indicator=inds["visits"], organization__isnull=True, department__isnull=True
    ).get().num == D(1300)
    assert not Rollup.objects.filter(indicator=inds["sat"]).exists()


def test_the_same_cell_twice_is_refused(world, inds):
    m = month(1)
    c = [
        Cell(inds["visits"], world.dept_a, m, "1", ref="第 2 行"),
        Cell(inds["visits"], world.dept_a, m, "2", ref="第 3 行"),
    ]
    with pytest.raises(ValuesRefused) as exc:
        services.write_values(world.hospital, c, actor=world.office, source="import")
    assert "第 2 行" in exc.value.errors[0][1]


def test_a_department_of_another_hospital_is_refused(world, inds):
    from hongqing.organization.models import Department

    other = Department.objects.get(hospital=world.hospital2)
    with pytest.raises(ValuesRefused):
        services.write_values(
            world.hospital,
            [Cell(inds["visits"], other, month(1), "5", ref="x")],
            actor=world.office,
            source="api",
        )


def test_a_hospital_level_indicator_refuses_a_department(world):
    ind = indicator(world.hospital, "coverage", unit="%", entry_level="hospital", max_value=D(100))
    with pytest.raises(ValuesRefused):
        services.write_values(
            world.hospital,
            [Cell(ind, world.dept_a, month(1), "50", ref="x")],
            actor=world.office,
            source="api",
        )
    services.write_values(
        world.hospital, [Cell(ind, None, month(1), "50", ref="x")], actor=world.office, source="api"
    )
    assert Rollup.objects.get(indicator=ind).num == D(50)


def test_a_computed_indicator_is_not_entered(world):
    from .support import computed

    ind = computed(world.hospital, "duty_rate", "party.duty_completion")
    with pytest.raises(ValuesRefused):
        services.write_values(
            world.hospital,
            [Cell(ind, world.dept_a, month(1), "50", ref="x")],
            actor=world.office,
            source="api",
        )


# Closed months ---------------------------------------------------------------------------------


def test_a_closed_month_refuses_every_write_and_reopening_is_audited(world, inds):
    m = month(1)
    services.write_values(
        world.hospital, cells(world, inds, visits="1200"), actor=world.office, source="grid"
    )
    services.close_month(world.hospital, m, actor=world.office)
    with pytest.raises(ValuesRefused) as exc:
        services.write_values(
            world.hospital, cells(world, inds, visits="1300"), actor=world.office, source="grid"
        )
    assert m.strftime("%Y") in exc.value.errors[0][1]
    assert IndicatorValue.objects.get().value == D(1200)
    with pytest.raises(ValidationError):
        services.reopen_month(world.hospital, m, actor=world.office, reason="  ")
    services.reopen_month(world.hospital, m, actor=world.office, reason="统计室更正门诊人次")
    event = LogEntry.objects.filter(additional_data__event="month_reopened").get()
    assert event.additional_data["reason"] == "统计室更正门诊人次"
    assert event.actor == world.office
    services.write_values(
        world.hospital, cells(world, inds, visits="1300"), actor=world.office, source="grid"
    )
    assert IndicatorValue.objects.get().value == D(1300)


def test_a_month_that_has_not_ended_cannot_be_closed(world):
    with pytest.raises(ValidationError):
        services.close_month(world.hospital, month(0), actor=world.office)
    assert not MonthClose.objects.exists()


def test_a_month_is_closed_once(world):
    services.close_month(world.hospital, month(2), actor=world.office)
    with pytest.raises(ValidationError):
        services.close_month(world.hospital, month(2), actor=world.office)
    assert LogEntry.objects.filter(additional_data__event="month_closed").count() == 1


def test_reopening_a_month_that_is_open_is_refused(world):
    with pytest.raises(ValidationError):
        services.reopen_month(world.hospital, month(2), actor=world.office, reason="x")


def test_closing_one_hospitals_month_leaves_the_others_open(world, inds):
    services.close_month(world.hospital2, month(1), actor=world.office_h2)
    services.write_values(
        world.hospital, cells(world, inds, visits="1200"), actor=world.office, source="grid"
    )
    assert IndicatorValue.objects.count() == 1


# The history flag -------------------------------------------------------------------------------


def test_a_value_far_from_the_departments_history_is_written_and_flagged(world, inds):
    for n in range(2, 8):
        services.write_values(
            world.hospital,
            cells(world, inds, visits=str(1000 + n), when=month(n)),
            actor=world.office,
            source="grid",
        )
    result = services.write_values(
        world.hospital, cells(world, inds, visits="3000"), actor=world.office, source="grid"
    )
    v = IndicatorValue.objects.get(month=month(1))
    assert v.flagged and "%" in v.flag_note
    assert result.flagged and result.flagged[0][0] == "产科 · 门诊人次"
    result = services.write_values(
        world.hospital, cells(world, inds, visits="1010"), actor=world.office, source="grid"
    )
    v.refresh_from_db()
    assert not v.flagged and not result.flagged


def test_too_little_history_flags_nothing(world, inds):
    services.write_values(
        world.hospital, cells(world, inds, visits="10", when=month(2)), actor=world.office, source="grid"
    )
    services.write_values(
        world.hospital, cells(world, inds, visits="5000"), actor=world.office, source="grid"
    )
    assert not IndicatorValue.objects.filter(flagged=True).exists()


def test_the_flag_follows_the_hospitals_rule(world, inds):
    from hongqing.core.models import Rule

    Rule.objects.create(
        key="assessment.deviation_ratio", hospital_id=world.hospital.pk, value=5, effective_from="2000-01-01"
    )
    for n in range(2, 6):
        services.write_values(
            world.hospital,
            cells(world, inds, visits="1000", when=month(n)),
            actor=world.office,
            source="grid",
        )
    services.write_values(
        world.hospital, cells(world, inds, visits="3000"), actor=world.office, source="grid"
    )
    assert not IndicatorValue.objects.filter(flagged=True).exists()


def test_a_secretary_cannot_write_values(world, inds):
    with pytest.raises(ValuesRefused):
        services.write_values(
            world.hospital, cells(world, inds, visits="1"), actor=world.secretary_a, source="api"
        )
    assert not IndicatorValue.objects.exists()
