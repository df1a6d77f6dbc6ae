"""Dues records for the permission contracts: a base and a payment in branch A, branch B and hospital H2."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.context import disable_auditlog

from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world
from hongqing.party.choices import DuesCategory, PaymentKind
from hongqing.party.models import DuesBase, DuesPayment
from hongqing.party.services import dues as services


def paid_month(today: dt.date) -> int:
    """A month of this year the records pay, never the current one (the tests record that one)."""
    return 1 if today.month != 1 else 2


def add_dues(world):
    today = services.today()
    year = today.year
    month = paid_month(today)

    def base(membership, y=year, amount="4000"):
        value = Decimal(amount)
        due = services.monthly_dues(DuesCategory.SALARIED, value)
        return DuesBase.objects.create(
            membership=membership, year=y, base=value, rate=due.rate, monthly=due.monthly
        )

    def payment(membership):
        return DuesPayment.objects.create(
            membership=membership,
            year=year,
            month=month,
            amount=Decimal("40.00"),
            paid_on=dt.date(year, month, 5) if dt.date(year, month, 5) <= today else today,
            kind=PaymentKind.REGULAR,
        )

    rec = world.rec
    sec_a = world.secretary_a.person.membership
    world.dues = {
        "year": year,
        "month": month,
        "base_a": base(rec.membership_a),
        "base_b": base(rec.membership_b),
        "base_h2": base(rec.membership_h2),
        "base_sec_a_last_year": base(sec_a, year - 1),
        "pay_a": payment(rec.membership_a),
        "pay_b": payment(rec.membership_b),
        "pay_h2": payment(rec.membership_h2),
        "sec_a": sec_a,
    }
    return world


class DuesWorld:
    """Contracts over dues: the personas, a record of every model, and the dues records."""

    @pytest.fixture
    def world(self, db):
        with disable_auditlog():
            return add_dues(add_records(build_world()))
