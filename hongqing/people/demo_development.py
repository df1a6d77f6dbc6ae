"""Demo builder: the dated steps of the demo's applicants, activists, candidates and probationers.

Runs after the people builder. Most steps are on time; a few are late or missing so the pipeline
has something overdue. Every step fits the stage milestones and lies in the past.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from hongqing.core.calendar import WorkingCalendar
from hongqing.core.demo import DemoContext, register_builder

from .choices import Stage, StepKind
from .development import notice_min_end
from .models import DevelopmentStep, Membership


def steps_for(ctx: DemoContext, m: Membership, cal: WorkingCalendar) -> list[DevelopmentStep]:
    today, rng = ctx.today, ctx.rng
    out: list[DevelopmentStep] = []

    def add(kind, date, end=None, hours=None, note=""):
        if date is not None and date <= today and (end is None or end >= date):
            out.append(
                DevelopmentStep(membership=m, kind=kind, date=date, end_date=end, hours=hours, note=note)
            )

    app, act, cand, adm = m.application_date, m.activist_date, m.candidate_date, m.admission_date
    if app and (today - app).days > 10:
        add(StepKind.TALK, app + dt.timedelta(days=rng.randint(5, 25)))
    if act:
        add(StepKind.CONTACTS, act)
        end = cand or today
        day = act + relativedelta(months=6)
        while day < end:
            if rng.random() < 0.9:  # now and then an assessment is missing
                add(StepKind.ASSESSMENT, day - dt.timedelta(days=rng.randint(0, 20)))
            day += relativedelta(months=6)
    if cand:
        add(StepKind.POLITICAL_REVIEW, cand + dt.timedelta(days=rng.randint(10, 30)))
        start = cand + dt.timedelta(days=rng.randint(5, 15))
        add(StepKind.TRAINING, start, start + dt.timedelta(days=2), 24)
        if adm:
            pre = adm - dt.timedelta(days=rng.randint(12, 25))
            add(StepKind.PRE_REVIEW, pre)
            add(
                StepKind.ADMISSION_NOTICE,
                pre + dt.timedelta(days=1),
                notice_min_end(cal, pre + dt.timedelta(days=1), 5),
            )
    if adm:
        add(StepKind.ADMISSION, adm, note="支部党员大会表决通过")
        approval = adm + dt.timedelta(days=rng.randint(30, 80))
        add(StepKind.APPROVAL, approval)
        add(StepKind.OATH, approval + dt.timedelta(days=rng.randint(3, 20)))
    if act:
        add(StepKind.ACTIVIST, act)
    if cand:
        add(StepKind.CANDIDATE, cand)
    return out


def build(ctx: DemoContext) -> None:
    hospital = ctx.data["hospitals"][0]["hospital"]
    cal = WorkingCalendar()
    memberships = (
        Membership.objects.filter(organization__hospital=hospital).exclude(stage=Stage.FULL).order_by("pk")
    )
    DevelopmentStep.objects.bulk_create([s for m in memberships for s in steps_for(ctx, m, cal)])


register_builder(25, "development", build)
