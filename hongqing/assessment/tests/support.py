"""Helpers of the assessment tests (no tests here): indicators, values, schemes and records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from hongqing.assessment.choices import Aggregation, Family, Method, Source, ValueSource
from hongqing.assessment.models import (
    DualScorecard,
    Indicator,
    IndicatorValue,
    ResponsibilityItem,
    ResponsibilityList,
    Scheme,
    SchemeItem,
)
from hongqing.assessment.services import rollups

D = Decimal
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


def month(n: int) -> dt.date:
    """The first day of the month ``n`` months before this one (0: this month)."""
    index = THIS_MONTH.year * 12 + THIS_MONTH.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def indicator(hospital, code, *, unit="人次", family=Family.BUSINESS, **kw) -> Indicator:
    defaults = dict(
        name=kw.pop("name", code),
        unit=unit,
        family=family,
        source=kw.pop("source", Source.ENTERED),
        aggregation=kw.pop("aggregation", Aggregation.SUM),
        decimals=kw.pop("decimals", 2),
    )
    defaults.update(kw)
    ind = Indicator(hospital=hospital, code=code, **defaults)
    ind.full_clean(exclude=["created_by"])
    ind.save()
    return ind


def value(ind, dept, when, v, *, hospital=None) -> IndicatorValue:
    """Store a value directly (the services' checks are tested elsewhere), and its rollups."""
    obj = IndicatorValue.objects.create(
        hospital=hospital or ind.hospital,
        indicator=ind,
        department=dept,
        month=when,
        value=D(str(v)),
        source=ValueSource.GRID,
    )
    return obj


def refresh(hospital, *months) -> None:
    rollups.refresh_entered(hospital.pk, months)


def computed(hospital, code, computation, **kw) -> Indicator:
    return indicator(
        hospital,
        code,
        unit=kw.pop("unit", "%"),
        family=Family.PARTY,
        source=Source.COMPUTED,
        computation=computation,
        **kw,
    )


def formula(hospital, code, text, **kw) -> Indicator:
    return indicator(hospital, code, unit=kw.pop("unit", "%"), source=Source.FORMULA, formula=text, **kw)


def scheme(hospital, *items, year=None, period="year", party_share=50, name="双目标考核") -> Scheme:
    """``items``: (indicator, weight, method, target, extra) tuples, written without the weight check."""
    s = Scheme.objects.create(
        hospital=hospital, name=name, year=year or TODAY.year, period=period, party_share=D(str(party_share))
    )
    for n, (ind, weight, method, target, *extra) in enumerate(items):
        SchemeItem.objects.create(
            scheme=s,
            indicator=ind,
            weight=D(str(weight)),
            method=method,
            target=None if target is None else D(str(target)),
            sort_order=n,
            **(extra[0] if extra else {}),
        )
    return s


@dataclass
class AssessmentRecords:
    indicator_h: Indicator
    indicator_h2: Indicator
    value_a: IndicatorValue
    value_b: IndicatorValue
    value_h2: IndicatorValue
    scheme_h: Scheme
    scheme_h2: Scheme
    card_a: DualScorecard
    card_b: DualScorecard
    card_h2: DualScorecard
    list_a: ResponsibilityList  # secretary A's
    list_b: ResponsibilityList
    list_h2: ResponsibilityList
    list_member_a: ResponsibilityList  # member A's, as the head of department A
    item_a: ResponsibilityItem
    item_b: ResponsibilityItem
    item_h2: ResponsibilityItem
    item_member_a: ResponsibilityItem


def add_assessment_records(world):
    """One record of each assessment model in branch A, branch B and hospital H2 (as ``world.arec``)."""
    from hongqing.organization.models import Department

    h, h2 = world.hospital, world.hospital2
    dept_h2 = Department.objects.get(hospital=h2, code="01")
    from hongqing.organization.models import PartyOrganization

    branch_h2 = PartyOrganization.objects.get(hospital=h2, kind="branch")
    m = month(1)
    ind_h = indicator(h, "op_visits", name="门诊人次", decimals=0)
    ind_h2 = indicator(h2, "op_visits", name="门诊人次（二院）", decimals=0)
    va, vb, vh2 = (
        value(ind_h, world.dept_a, m, 1200),
        value(ind_h, world.dept_b, m, 900),
        value(ind_h2, dept_h2, m, 300),
    )
    refresh(h, m)
    refresh(h2, m)
    year = TODAY.year
    s_h = scheme(h, (ind_h, 100, Method.LINEAR, 12000), name="本院双目标考核")
    s_h2 = scheme(h2, (ind_h2, 100, Method.LINEAR, 3000), name="二院考核")
    now = timezone.now()

    def card(s, org):
        return DualScorecard.objects.create(
            scheme=s,
            hospital=s.hospital,
            organization=org,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 1),
            through=m,
            business_score=D("80"),
            computed=now,
        )

    def rlist(owner, org, role="secretary", dept=None):
        return ResponsibilityList.objects.create(
            hospital=owner.hospital, year=year, owner=owner, role=role, organization=org, department=dept
        )

    la = rlist(world.secretary_a.person, world.branch_a)
    lb = rlist(world.secretary_b.person, world.branch_b)
    lh2 = rlist(world.person_h2, branch_h2)
    lm = rlist(world.person_a, world.branch_a, role="head", dept=world.dept_a)
    due = dt.date(year, 12, 31)

    def item(rl, title):
        return ResponsibilityItem.objects.create(responsibility_list=rl, kind="text", title=title, due=due)

    world.arec = AssessmentRecords(
        indicator_h=ind_h,
        indicator_h2=ind_h2,
        value_a=va,
        value_b=vb,
        value_h2=vh2,
        scheme_h=s_h,
        scheme_h2=s_h2,
        card_a=card(s_h, world.branch_a),
        card_b=card(s_h, world.branch_b),
        card_h2=card(s_h2, branch_h2),
        list_a=la,
        list_b=lb,
        list_h2=lh2,
        list_member_a=lm,
        item_a=item(la, "讲一次专题党课"),
        item_b=item(lb, "儿科支部共建活动"),
        item_h2=item(lh2, "二院支部活动"),
        item_member_a=item(lm, "开展一项新技术"),
    )
    return world
