"""Demo builder (after the meetings, order 40): the duty lists of every demo hospital.

The meetings builder bulk-creates a year of meetings (no signals), so the duties are computed here
from the table, for the current year and the one before (a year of meetings spans both). The demo
hospital reminds its theme day from the start of the month (a hospital's own rule, shown on the
rules page), so this month's missing theme day is amber whatever the day: the heat map shows green
(held), amber (due soon) and red (missed).
"""

from __future__ import annotations

from hongqing.core.demo import DemoContext, register_builder
from hongqing.core.models import Rule
from hongqing.core.rules import rule_value
from hongqing.organization.models import PartyOrganization

from .services.duties import sync_obligations

EARLY_THEME_DAY_REMINDER = 25  # working days: more than any month has


def build(ctx: DemoContext) -> None:
    hospitals = ctx.data.get("hospitals", [])
    if not hospitals:
        return
    main = hospitals[0]["hospital"]
    theme_day = dict(rule_value("duty.theme_day", main.pk))
    theme_day["remind_working_days"] = EARLY_THEME_DAY_REMINDER
    Rule.objects.create(
        key="duty.theme_day",
        hospital_id=main.pk,
        value=theme_day,
        source="本院规定：主题党日每月初即列入提醒",
        confidence="L",
        description="主题党日：每月一次，月初起提醒",
    )
    orgs = PartyOrganization.objects.filter(hospital__in=[h["hospital"] for h in hospitals])
    for year in (ctx.today.year - 1, ctx.today.year):
        sync_obligations(orgs, year, today=ctx.today)


register_builder(40, "party-duties", build)
