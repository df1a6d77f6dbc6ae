"""The default catalogue, and the other record types: volunteering (per activity and per hour),
honours and base points."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hongqing.points.choices import HonorKind, VolunteeringKind
from hongqing.points.models import PointRule
from hongqing.points.services import catalogue, ledger

from .support import YEAR, D, honor, lines, participate, rule, total, volunteering

DAY = dt.date(YEAR, 6, 8)


def test_the_default_catalogue_loads_once_and_only_with_installed_record_types(world):
    rules = catalogue.load_default_catalogue(world.hospital, actor=world.office)
    assert {r.trigger for r in rules} >= {"base", "meeting_attendance", "meeting_absence", "manual", "honor"}
    assert all(r.trigger_obj() is not None for r in rules)
    for r in rules:
        r.full_clean()  # every default item is a valid rule
    assert PointRule.objects.filter(hospital=world.hospital2).count() == 0
    with pytest.raises(ValidationError, match="already has a point catalogue"):
        catalogue.load_default_catalogue(world.hospital, actor=world.office)


def test_volunteering_earns_per_activity_and_per_hour(world):
    rule(world.hospital, "volunteering_activity", "2", kinds=[VolunteeringKind.FREE_CLINIC])
    rule(world.hospital, "volunteering_hours", "0.5")
    v = volunteering(world.branch_a, DAY)
    p = participate(v, world.person_a, hours="3")
    assert total(world.person_a) == D("2") + D("1.5")
    p.hours = D("4")
    p.save()
    assert total(world.person_a) == D("2") + D("2")  # the hours changed: re-counted
    v.delete()
    assert total(world.person_a) == 0


def test_a_pairing_activity_does_not_count_for_a_free_clinic_item(world):
    rule(world.hospital, "volunteering_activity", "2", kinds=[VolunteeringKind.FREE_CLINIC])
    participate(volunteering(world.branch_a, DAY, VolunteeringKind.PAIRING), world.person_a)
    assert total(world.person_a) == 0


def test_moving_an_activity_to_another_month_moves_its_points(world):
    rule(world.hospital, "volunteering_activity", "2")
    v = volunteering(world.branch_a, DAY)
    participate(v, world.person_a)
    v.date = DAY + dt.timedelta(days=30)
    v.save()
    assert total(world.person_a) == 2
    current = [x for x in lines(world.person_a) if x.amount > 0]
    assert current[-1].date == v.date


def test_a_personal_honour_earns_points_a_branch_honour_none(world):
    rule(world.hospital, "honor", "10", kinds=[HonorKind.EXCELLENT_MEMBER])
    honor(world.person_a, DAY)
    honor(world.person_a, DAY, kind=HonorKind.MODEL_POST)
    assert total(world.person_a) == 10


def test_an_honour_item_refuses_a_branch_honour_kind(world):
    r = PointRule(
        hospital=world.hospital,
        name="示范支部",
        trigger="honor",
        amount=D("5"),
        kinds=[HonorKind.MODEL_BRANCH],
        active_from=DAY,
    )
    with pytest.raises(ValidationError):
        r.full_clean()


def test_base_points_of_a_member_who_joined_this_year_start_on_the_day(world):
    rule(world.hospital, "base", "60")
    m = world.person_b.membership
    m.admission_date, m.conversion_date, m.stage = dt.date(YEAR, 9, 1), None, "probationary"
    m.save()
    ledger.sync("base", [m.pk], years=[YEAR])
    (line,) = lines(world.person_b)
    assert line.date == dt.date(YEAR, 9, 1)
