"""Demo builder (after the meetings, before the duties: order 32): talks of the demo hospital.

Heart-to-heart talks: last year every pair of every branch talked except in 护理党支部 (the ninth
branch), whose duty stayed red; this year about four pairs in five have talked so far, so the yearly
duty shows its progress. Growth talks: each department head's monthly talks with a few colleagues
and last December's yearly reviews. Rows are bulk-created (no signals): the duties builder derives
the duty lists from the table.
"""

from __future__ import annotations

import datetime as dt

from hongqing.core.demo import DemoContext, register_builder
from hongqing.people.models import Person

from .choices import TalkKind
from .models import Talk
from .services.talks import coverage

MISSED_LAST_YEAR = 8  # branch index: 护理党支部 left a third of its pairs without a talk
NOTES = [
    "交流近期思想和工作情况，谈了对科室发展的想法",
    "了解家庭困难，支部将协调排班",
    "就带教年轻医生交换意见",
    "谈了参与义诊和志愿服务的体会",
    "提醒注意医德医风，坚守“九项准则”",
]
GOALS = ["本季度完成一项新技术申报", "参加夜校大讲堂并分享心得", "带教一名规培医师", "完成继续教育学分"]


def _day(ctx: DemoContext, year: int, last: dt.date) -> dt.date:
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=ctx.rng.randrange(max((last - first).days, 0) + 1))


def build(ctx: DemoContext) -> None:
    hospitals = ctx.data.get("hospitals", [])
    if not hospitals:
        return
    h = hospitals[0]
    today, rng = ctx.today, ctx.rng
    branches = list(h["branches"])
    rows = []
    for year, share in ((today.year - 1, 1.0), (today.year, 0.8)):
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        last = min(end, today)
        cov = coverage([b.pk for b in branches], [(start, end)])
        for index, branch in enumerate(branches):
            pairs = sorted(tuple(sorted(p)) for p in cov[(branch.pk, start)].pairs)
            keep = share if not (year < today.year and index == MISSED_LAST_YEAR) else 0.66
            committee = cov[(branch.pk, start)].committee
            for a, b in pairs:
                if rng.random() >= keep:
                    continue
                talker, person = (a, b) if a in committee else (b, a)
                rows.append(
                    Talk(
                        organization=branch,
                        kind=TalkKind.HEART_TO_HEART,
                        talker_id=talker,
                        person_id=person,
                        date=_day(ctx, year, last),
                        place="党员活动室",
                        notes=rng.choice(NOTES),
                    )
                )
    # Growth talks: in each branch's departments, its secretary with three colleagues each month.
    secretaries = ctx.data.get("people", {}).get("secretaries", {})
    for branch in branches:
        secretary = secretaries.get(branch.pk)
        dept_ids = list(
            branch.department_links.filter(end__isnull=True).values_list("department_id", flat=True)
        )
        if secretary is None or not dept_ids:
            continue
        staff = list(
            Person.objects.filter(department_id__in=dept_ids)
            .exclude(pk=secretary.pk)
            .order_by("staff_no")[:3]
        )
        months = [dt.date(today.year - 1, m, 15) for m in range(1, 13)]
        months += [
            dt.date(today.year, m, 15)
            for m in range(1, today.month + 1)
            if dt.date(today.year, m, 15) <= today
        ]
        for person in staff:
            for day in months:
                rows.append(
                    Talk(
                        organization=branch,
                        kind=TalkKind.GROWTH_MONTHLY,
                        talker=secretary,
                        person=person,
                        department_id=person.department_id,
                        date=day,
                        notes="月度成长对话：回顾本月工作与学习",
                        goals=rng.choice(GOALS),
                    )
                )
            rows.append(
                Talk(
                    organization=branch,
                    kind=TalkKind.GROWTH_REVIEW,
                    talker=secretary,
                    person=person,
                    department_id=person.department_id,
                    date=dt.date(today.year - 1, 12, 20),
                    notes="年度成长复盘：对照职业规划检视一年进步",
                    goals=rng.choice(GOALS),
                )
            )
    Talk.objects.bulk_create(rows, batch_size=1000)


register_builder(32, "party-talks", build)
