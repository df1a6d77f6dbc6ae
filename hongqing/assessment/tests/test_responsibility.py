"""Responsibility lists: an indicator item is done when its target is met, a duty item when the duty is,
a free-text item when its owner marks it with evidence; past due and open is overdue."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from hongqing.assessment.choices import ItemStatus
from hongqing.assessment.models import ResponsibilityItem, ResponsibilityList
from hongqing.assessment.services import responsibility as services
from hongqing.party.models import Obligation

from .support import TODAY, indicator, month, refresh, value

D = Decimal


@pytest.fixture
def lists(world):
    year = TODAY.year
    sec = ResponsibilityList.objects.create(
        hospital=world.hospital,
        year=year,
        owner=world.secretary_a.person,
        role="secretary",
        organization=world.branch_a,
    )
    head = ResponsibilityList.objects.create(
        hospital=world.hospital,
        year=year,
        owner=world.person_a,
        role="head",
        organization=world.branch_a,
        department=world.dept_a,
    )
    return sec, head


def item(rl, kind="text", due=None, **kw):
    return ResponsibilityItem.objects.create(
        responsibility_list=rl,
        kind=kind,
        title=kw.pop("title", "事项"),
        due=due or dt.date(TODAY.year, 12, 31),
        **kw,
    )


def status(it):
    return services.states(
        [
            ResponsibilityItem.objects.select_related("responsibility_list", "indicator", "obligation").get(
                pk=it.pk
            )
        ]
    )[0]


def test_an_indicator_item_is_done_when_the_owners_unit_meets_the_target(world, lists):
    _sec, head = lists
    visits = indicator(world.hospital, "op_visits", decimals=0)
    m = month(0)
    v = value(visits, world.dept_a, m, 900)
    value(visits, world.dept_b, m, 5000)
    refresh(world.hospital, m)
    it = item(head, "indicator", indicator=visits, target=D(1000))
    s = status(it)
    assert s.status == ItemStatus.OPEN and s.value == D(900)  # department B's visits do not count
    v.value = D(1100)
    v.save()
    refresh(world.hospital, m)
    assert status(it).status == ItemStatus.DONE


def test_lower_is_better_is_met_at_or_below_the_target(world, lists):
    sec, _head = lists
    complaints = indicator(world.hospital, "complaints", unit="件", decimals=0, direction="lower")
    m = month(0)
    value(complaints, world.dept_a, m, 2)
    refresh(world.hospital, m)
    assert status(item(sec, "indicator", indicator=complaints, target=D(2))).status == ItemStatus.DONE
    assert status(item(sec, "indicator", indicator=complaints, target=D(1))).status == ItemStatus.OPEN


def test_a_duty_item_is_done_when_the_duty_is(world, lists):
    sec, _head = lists
    duty = Obligation.objects.create(
        organization=world.branch_a,
        code="duty.theme_day",
        period_start=month(0),
        period_end=month(0),
        due=TODAY,
    )
    it = item(sec, "duty", obligation=duty)
    assert status(it).status == ItemStatus.OPEN
    Obligation.objects.filter(pk=duty.pk).update(done_on=TODAY)
    assert status(it).status == ItemStatus.DONE


def test_an_open_item_past_its_due_date_is_overdue(world, lists):
    sec, _head = lists
    assert status(item(sec, due=TODAY - dt.timedelta(days=1))).status == ItemStatus.OVERDUE


def test_the_owner_marks_a_text_item_done_with_evidence_and_it_is_audited(world, lists):
    sec, _head = lists
    it = item(sec)
    with pytest.raises(ValidationError):
        services.mark_done(it, actor=world.secretary_a, evidence=" ")
    services.mark_done(it, actor=world.secretary_a, evidence="4月12日讲授专题党课，课件存档")
    it.refresh_from_db()
    assert it.done_on == TODAY and it.done_by == world.secretary_a
    assert status(it).status == ItemStatus.DONE
    assert LogEntry.objects.filter(additional_data__event="responsibility_done").count() == 1
    services.undo(it, actor=world.secretary_a)
    assert status(it).status == ItemStatus.OPEN


def test_only_the_owner_marks_an_item_done(world, lists):
    sec, _head = lists
    it = item(sec)
    for user in (world.office, world.secretary_b, world.member_a):
        with pytest.raises(PermissionDenied):
            services.mark_done(it, actor=user, evidence="x")
    it.refresh_from_db()
    assert it.done_on is None


def test_a_record_backed_item_is_not_marked_by_hand(world, lists):
    sec, _head = lists
    duty = Obligation.objects.create(
        organization=world.branch_a,
        code="duty.theme_day",
        period_start=month(0),
        period_end=month(0),
        due=TODAY,
    )
    with pytest.raises(ValidationError):
        services.mark_done(item(sec, "duty", obligation=duty), actor=world.secretary_a, evidence="x")


def test_a_target_of_zero_for_a_ratio_item_is_refused(world, lists):
    from .support import formula

    indicator(world.hospital, "a")
    share = formula(world.hospital, "share", "a / a * 100")
    it = ResponsibilityItem(
        responsibility_list=lists[0], kind="indicator", indicator=share, target=D(0), title="x", due=TODAY
    )
    with pytest.raises(ValidationError) as exc:
        it.full_clean(exclude=["created_by"])
    assert "target" in exc.value.message_dict


def test_completion_counts_the_done_items(world, lists):
    sec, _head = lists
    done = item(sec)
    item(sec)
    services.mark_done(done, actor=world.secretary_a, evidence="完成")
    items = list(sec.items.select_related("responsibility_list", "indicator", "obligation"))
    assert services.completion(services.states(items)) == (1, 2)
