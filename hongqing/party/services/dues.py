"""Dues (党费, RULES.md §4): the monthly amount from the yearly base, and the dues book.

Not progressive: the whole base times the rate of the bracket it falls in, to the fen
(6,500.00 → 97.50; 3,000.00 → 15.00 but 3,000.01 → 30.00). The brackets are rule data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hongqing.core.rules import rule_value

from ..choices import DuesCategory

FEN = Decimal("0.01")


@dataclass(frozen=True)
class DuesAmount:
    monthly: Decimal
    rate: Decimal  # 0 for the fixed minimal amount
    over_cap: bool  # above the monthly amount beyond which dues are voluntary (a warning)


def _bracket_rate(brackets, base: Decimal) -> Decimal:
    for upper, rate in brackets:
        if upper is None or base <= Decimal(str(upper)):
            return Decimal(str(rate))
    raise ValueError("the brackets have no open upper bound")


def monthly_dues(
    category: str, base: Decimal, hospital_id: int | None = None, on: dt.date | None = None
) -> DuesAmount:
    """The monthly dues for a base and category, by the rules in force for the hospital on a date."""
    if base is None or Decimal(base) < 0:
        raise ValueError("the base cannot be negative")
    base = Decimal(base).quantize(FEN, rounding=ROUND_HALF_UP)
    if category == DuesCategory.MINIMAL:
        amount, rate = Decimal(str(rule_value("dues.minimal_amount", hospital_id, on))), Decimal(0)
    else:
        key = "dues.brackets.retired" if category == DuesCategory.RETIRED else "dues.brackets.salaried"
        rate = _bracket_rate(rule_value(key, hospital_id, on), base)
        amount = (base * rate).quantize(FEN, rounding=ROUND_HALF_UP)
    cap = Decimal(str(rule_value("dues.cap_warning", hospital_id, on)))
    return DuesAmount(monthly=amount, rate=rate, over_cap=amount > cap)


def base_from_items(
    items: dict, hospital_id: int | None = None, on: dt.date | None = None
) -> tuple[Decimal, list[str]]:
    """The base from pay items: included items summed; excluded or unknown items listed, never counted."""
    included = set(rule_value("dues.included_items", hospital_id, on))
    total, ignored = Decimal(0), []
    for name, value in items.items():
        if name in included:
            total += Decimal(str(value))
        else:
            ignored.append(name)
    return total.quantize(FEN, rounding=ROUND_HALF_UP), ignored
