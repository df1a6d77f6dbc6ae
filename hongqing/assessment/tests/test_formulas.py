"""Formulas over indicators: parsed with a whitelist (never eval), evaluated on aggregates, cycles refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hongqing.assessment.formulas import FormulaError, find_cycle, parse
from hongqing.assessment.models import Indicator

from .support import formula, indicator

D = Decimal


def values(**kw):
    def get(code, prior):
        key = f"prior_{code}" if prior else code
        v = kw.get(key)
        return None if v is None else D(str(v))

    return get


def test_a_share_is_its_parts_divided():
    f = parse("level4_ops / operations * 100")
    assert f.codes == {"level4_ops", "operations"}
    assert f.evaluate(values(level4_ops=30, operations=120)) == D(25)


def test_growth_reads_the_prior_year():
    f = parse("(op_cost - prior(op_cost)) / prior(op_cost) * 100")
    assert f.prior_codes == {"op_cost"}
    assert f.evaluate(values(op_cost=220, prior_op_cost=200)) == D(10)


def test_full_width_brackets_and_signs_are_read():
    assert parse("（a － b）× 2 ÷ 4").evaluate(values(a=10, b=4)) == D(3)


def test_a_leading_minus_and_plain_numbers():
    assert parse("-a + 2.5").evaluate(values(a=1)) == D("1.5")


def test_division_by_zero_gives_no_value():
    assert parse("a / b").evaluate(values(a=1, b=0)) is None


def test_a_missing_operand_gives_no_value():
    assert parse("a + b").evaluate(values(a=1)) is None


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.real",
        "a ** 2",
        "a % 2",
        "a // 2",
        "a if b else c",
        "a < b",
        "a and b",
        "'text'",
        "[a][0]",
        "lambda: a",
        "max(a, b)",
        "prior(a, b)",
        "prior(1)",
        "A + b",
        "prior",
        "",
        "a +",
    ],
)
def test_anything_outside_the_whitelist_is_refused(text):
    with pytest.raises(FormulaError):
        parse(text)


def test_the_refusal_names_the_construct():
    with pytest.raises(FormulaError, match="\\*\\*"):
        parse("a ** 2")


def test_find_cycle_names_the_chain():
    refs = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle("a", refs) == ["a", "b", "c", "a"]
    assert find_cycle("d", refs) is None


def test_a_formula_that_refers_to_itself_is_refused(world):
    indicator(world.hospital, "ops")
    ind = Indicator(
        hospital=world.hospital,
        code="share",
        name="占比",
        unit="%",
        family="business",
        source="formula",
        formula="share / ops * 100",
    )
    with pytest.raises(ValidationError) as exc:
        ind.full_clean(exclude=["created_by"])
    assert "share" in exc.value.message_dict["formula"][0]


def test_a_formula_that_refers_to_itself_through_others_is_refused_naming_the_cycle(world):
    indicator(world.hospital, "ops")
    a = formula(world.hospital, "rate_a", "ops * 2")
    formula(world.hospital, "rate_b", "rate_a + 1")
    a.formula = "rate_b / ops"
    with pytest.raises(ValidationError) as exc:
        a.full_clean(exclude=["created_by"])
    message = exc.value.message_dict["formula"][0]
    assert "rate_a → rate_b → rate_a" in message
    assert Indicator.objects.get(pk=a.pk).formula == "ops * 2"  # nothing written


def test_a_formula_naming_an_unknown_indicator_is_refused(world):
    ind = Indicator(
        hospital=world.hospital,
        code="x",
        name="x",
        unit="%",
        family="business",
        source="formula",
        formula="nope / 2",
    )
    with pytest.raises(ValidationError) as exc:
        ind.full_clean(exclude=["created_by"])
    assert "nope" in exc.value.message_dict["formula"][0]


def test_a_formula_cannot_read_another_hospitals_indicator(world):
    indicator(world.hospital2, "ops")
    ind = Indicator(
        hospital=world.hospital,
        code="x",
        name="x",
        unit="%",
        family="business",
        source="formula",
        formula="ops / 2",
    )
    with pytest.raises(ValidationError):
        ind.full_clean(exclude=["created_by"])


def test_an_eval_attempt_writes_nothing_and_runs_nothing(world, tmp_path):
    marker = tmp_path / "ran"
    ind = Indicator(
        hospital=world.hospital,
        code="evil",
        name="evil",
        unit="%",
        family="business",
        source="formula",
        formula=f"__import__('pathlib').Path('{marker}').touch()",
    )
    with pytest.raises(ValidationError):
        ind.full_clean(exclude=["created_by"])
    assert not marker.exists()
