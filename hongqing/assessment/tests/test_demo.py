"""The demo builder: the catalogue, three years of values, schemes scored, closed months, the demo
secretary's lists — and a quadrant that tells the story (Party work and business move together)."""

import datetime as dt

import pytest
from django.utils import timezone

from hongqing.assessment.models import (
    DualScorecard,
    Indicator,
    IndicatorValue,
    MonthClose,
    ResponsibilityList,
    Scheme,
)
from hongqing.assessment.services.cockpit import pearson
from hongqing.core import demo as core_demo


@pytest.fixture
def built(db):
    return core_demo.run(core_demo.make_context())


def test_the_demo_hospital_gets_its_assessment(built):
    hospital = built.data["hospitals"][0]["hospital"]
    today = timezone.localdate()
    assert Indicator.objects.filter(hospital=hospital, code="maternal_deaths").exists()
    values = IndicatorValue.objects.filter(hospital=hospital)
    months = set(values.values_list("month", flat=True))
    assert min(months) == dt.date(today.year - 2, 1, 1)
    assert len(months) >= 24
    assert values.count() > 5000
    assert Scheme.objects.filter(hospital=hospital).count() == 2
    cards = DualScorecard.objects.filter(hospital=hospital, period_start__year=today.year)
    assert cards.exists() and cards.filter(party_score__isnull=False, business_score__isnull=False).exists()
    closed = set(MonthClose.objects.filter(hospital=hospital, closed=True).values_list("month", flat=True))
    assert closed == {dt.date(today.year, m, 1) for m in range(1, today.month)}
    secretary = built.data["people"]["secretaries"][built.data["hospitals"][0]["branches"][0].pk]
    lists = ResponsibilityList.objects.filter(owner=secretary, year=today.year)
    assert {rl.role for rl in lists} == {"secretary", "head"}
    assert sum(rl.items.count() for rl in lists) >= 6
    # A neighbour (a general hospital) has the catalogue without the maternal-and-child indicators.
    other = built.data["hospitals"][1]["hospital"]
    assert Indicator.objects.filter(hospital=other).exists()
    assert not Indicator.objects.filter(hospital=other, code="maternal_deaths").exists()


def test_the_quadrant_tells_the_story(built):
    hospital = built.data["hospitals"][0]["hospital"]
    cards = DualScorecard.objects.filter(
        hospital=hospital, party_score__isnull=False, business_score__isnull=False
    ).order_by("-period_start")
    latest = cards.first().period_start
    pairs = [(float(c.party_score), float(c.business_score)) for c in cards.filter(period_start=latest)]
    assert len(pairs) >= 8
    assert pearson([p for p, _b in pairs], [b for _p, b in pairs]) > 0.2
