"""Demo builder "party-dues": a base for every member of the demo hospitals and a year of payments.

Most members pay in the month (some a few days into the next, as make-up; a few in advance); about
half have not paid the current month yet; in each hospital a few members are 3 months behind and
one or two are 6 months behind, so the book's alerts have something to show. Nobody with a demo
account (the member, the secretaries) is among those behind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from hongqing.core.demo import DemoContext, register_builder
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from .choices import DuesCategory
from .models import DuesBase, DuesPayment
from .services import dues as services

ITEM_RANGES = {
    "岗位工资": (2000, 5200),
    "薪级工资": (400, 3000),
    "基础性绩效": (1500, 5200),
    "规范津贴补贴": (300, 1500),
}


def _items(ctx: DemoContext, hospital_id: int, on: dt.date) -> dict[str, Decimal]:
    included = [str(i) for i in services._rule("dues.included_items", hospital_id, on)]
    items = {}
    for name in included:
        low, high = ITEM_RANGES.get(name, (200, 1000))
        items[name] = Decimal(ctx.rng.randrange(low * 100, high * 100)) / 100
    return items


def _base_for(ctx: DemoContext, m: Membership, year: int, hospital_id: int) -> DuesBase:
    on = services.rules_date(m, year)
    if (
        m.person.birth_date
        and m.person.birth_date < ctx.today - relativedelta(years=57)
        and ctx.rng.random() < 0.5
    ):
        category, items = DuesCategory.RETIRED, {}
        base = Decimal(ctx.rng.randrange(380000, 720000)) / 100
    else:
        category, items = DuesCategory.SALARIED, _items(ctx, hospital_id, on)
        base, _ignored = services.base_from_items(items, hospital_id, on)
    amount = services.monthly_dues(category, base, hospital_id, on)
    return DuesBase(
        membership=m,
        year=year,
        category=category,
        base=base,
        items={k: str(v) for k, v in items.items()},
        rate=amount.rate,
        monthly=amount.monthly,
    )


def build(ctx: DemoContext) -> None:
    today = ctx.today
    now = services.month_index(today.year, today.month)
    # The demo's accounts (the member, the secretaries …) keep up with their own dues.
    protected = set(Membership.objects.filter(person__user__isnull=False).values_list("pk", flat=True))
    bases, payments = [], []
    with services.cached_rules():
        for h in ctx.data.get("hospitals", []):
            hospital_id = h["hospital"].pk
            members = list(
                Membership.objects.filter(organization__hospital_id=hospital_id, stage__in=MEMBER_STAGES)
                .select_related("person")
                .order_by("organization__path", "person__staff_no")
            )
            # Who is behind: in each branch of seven or more, the second-youngest is 3 months behind;
            # in every third such branch the youngest is 6 behind.
            behind: dict[int, int] = {}
            by_org: dict[int, list[Membership]] = {}
            for m in members:
                by_org.setdefault(m.organization_id, []).append(m)
            for n, group in enumerate(by_org.values()):
                candidates = [m for m in group if m.pk not in protected and m.stage == "full"]
                if len(group) >= 7 and len(candidates) >= 2:
                    behind[candidates[-2].pk] = 3
                    if n % 3 == 0:
                        behind[candidates[-1].pk] = 6
            for m in members:
                first = services.first_due_month(m)
                for year in (today.year - 1, today.year):
                    if m.admission_date and m.admission_date.year > year:
                        continue
                    bases.append(_base_for(ctx, m, year, hospital_id))
                monthly = {b.year: b.monthly for b in bases[-2:] if b.membership is m}
                lag = behind.get(m.pk, 0)
                for index in range(now - 11, now + 1):
                    year, month = divmod(index, 12)
                    month += 1
                    if year not in monthly or (first and (year, month) < first):
                        continue
                    if index > now - lag:  # the last ``lag`` months, this one included, unpaid
                        continue
                    if index == now and m.pk not in protected and ctx.rng.random() < 0.5:
                        continue  # not paid yet this month
                    roll = ctx.rng.random()
                    day = dt.date(year, month, min(28, ctx.rng.randint(1, 28)))
                    if roll < 0.1 and index < now:
                        day = dt.date(year, month, 1) + relativedelta(months=1, days=ctx.rng.randint(0, 9))
                    elif roll > 0.96 and index > now - 11:
                        day = dt.date(year, month, 1) - relativedelta(days=ctx.rng.randint(1, 20))
                    day = min(day, today)
                    payments.append(
                        DuesPayment(
                            membership=m,
                            year=year,
                            month=month,
                            amount=monthly[year],
                            paid_on=day,
                            kind=services.payment_kind(year, month, day),
                        )
                    )
    DuesBase.objects.bulk_create(bases, batch_size=500)
    DuesPayment.objects.bulk_create(payments, batch_size=1000)
    ctx.data["dues"] = {"bases": len(bases), "payments": len(payments)}


register_builder(35, "party-dues", build)
