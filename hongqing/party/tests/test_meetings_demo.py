"""The meetings' demo builder on a small demo hospital: every record valid, the gaps the duty list
shows red and amber, and the 三重一大 decisions that follow the rule."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta

from hongqing.core import demo
from hongqing.party import demo_meetings
from hongqing.party.choices import ItemStatus, MeetingKind, MeetingStatus
from hongqing.party.models import AgendaItem, Attendance, MajorMatter, Meeting
from hongqing.party.services import meetings as svc


def test_the_demo_meetings(db):
    ctx = demo.make_context(demo.DemoScale(hospitals=1, staff=150))
    for _order, name, fn in demo.builders():
        if name in ("organization", "people"):
            fn(ctx)
    demo_meetings.build(ctx)
    h = ctx.data["hospitals"][0]
    today, this_month = ctx.today, ctx.today.replace(day=1)
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert held.count() > 300 and not held.filter(start__date__gt=today).exists()
    for m in Meeting.objects.all()[:60]:
        m.full_clean()
    for a in Attendance.objects.select_related("meeting__organization", "person")[:100]:
        a.full_clean()
    # The gaps: the third branch missed last month's committee meeting, the sixth this month's.
    committee = held.filter(kind=MeetingKind.BRANCH_COMMITTEE)
    last_month = this_month - relativedelta(months=1)
    third, sixth = h["branches"][2], h["branches"][5]
    assert not committee.filter(organization=third, start__date__gte=last_month).exists()
    assert committee.filter(organization=third, start__date__lt=last_month).exists()
    assert not committee.filter(organization=sixth, start__date__gte=this_month).exists()
    # Every decided item passes the rules (the 三重一大 one after the committee studied it, the
    # urgent one with the secretary's consent).
    decided = AgendaItem.objects.filter(status=ItemStatus.DECIDED).select_related("meeting__organization")
    assert decided.count() == 3
    for item in decided:
        assert svc.item_errors(item) == {}, item
    urgent = decided.get(meeting__kind=MeetingKind.PRESIDENT_OFFICE_MEETING, urgent=True)
    assert urgent.secretary_consent and not svc.committee_studied(urgent)
    studied_first = decided.get(meeting__kind=MeetingKind.PRESIDENT_OFFICE_MEETING, urgent=False)
    assert svc.committee_studied(studied_first)
    assert MajorMatter.objects.filter(hospital=h["hospital"]).count() == 4
