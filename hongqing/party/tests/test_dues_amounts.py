from decimal import Decimal

import pytest

from hongqing.core.models import Rule
from hongqing.party.choices import DuesCategory
from hongqing.party.services.dues import base_from_items, monthly_dues

pytestmark = pytest.mark.django_db
S, R, M = DuesCategory.SALARIED, DuesCategory.RETIRED, DuesCategory.MINIMAL


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0", "0.00"),
        ("2999.99", "15.00"),
        ("3000.00", "15.00"),
        ("3000.01", "30.00"),
        ("5000.00", "50.00"),
        ("5000.01", "75.00"),
        ("6500.00", "97.50"),
        ("10000.00", "150.00"),
        ("10000.01", "200.00"),
        ("12345.67", "246.91"),
    ],
)
def test_salaried_brackets_apply_the_rate_to_the_whole_base(base, expected):
    assert monthly_dues(S, Decimal(base)).monthly == Decimal(expected)


@pytest.mark.parametrize(
    ("base", "expected"), [("5000.00", "25.00"), ("5000.01", "50.00"), ("3100", "15.50")]
)
def test_retired_brackets(base, expected):
    assert monthly_dues(R, Decimal(base)).monthly == Decimal(expected)


def test_students_unemployed_and_relief_pay_twenty_fen():
    assert monthly_dues(M, Decimal("0")).monthly == Decimal("0.20")
    assert monthly_dues(M, Decimal("8000")).monthly == Decimal("0.20")


def test_over_one_thousand_a_month_is_flagged_as_voluntary():
    assert not monthly_dues(S, Decimal("50000")).over_cap  # 1,000.00 exactly
    assert monthly_dues(S, Decimal("50000.50")).over_cap


def test_a_negative_base_is_refused():
    with pytest.raises(ValueError):
        monthly_dues(S, Decimal("-1"))


def test_a_hospital_override_of_the_brackets_applies_to_that_hospital_only():
    Rule.objects.create(
        key="dues.brackets.salaried",
        hospital_id=7,
        value=[[4000, "0.005"], [None, "0.01"]],
        effective_from="2026-01-01",
    )
    assert monthly_dues(S, Decimal("3500"), hospital_id=7).monthly == Decimal("17.50")
    assert monthly_dues(S, Decimal("3500"), hospital_id=8).monthly == Decimal("35.00")


def test_the_base_counts_included_pay_items_only():
    base, ignored = base_from_items(
        {"岗位工资": "3200", "薪级工资": "1500.5", "奖励性绩效": "6000", "住房公积金": "800"}
    )
    assert base == Decimal("4700.50")
    assert sorted(ignored) == ["住房公积金", "奖励性绩效"]
