"""The commands: the daily safety-net sync and loading the default catalogue."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from hongqing.party.models import Attendance
from hongqing.points.models import PointRule

from .support import YEAR, meeting, rule, total


def test_sync_points_catches_up_on_rows_written_in_bulk(world):
    rule(world.hospital, amount="2")
    m = meeting(world.branch_a, dt.date(YEAR, 4, 1))
    Attendance.objects.bulk_create([Attendance(meeting=m, person=world.person_a, status="present")])
    assert total(world.person_a) == 0
    out = io.StringIO()
    call_command("sync_points", "--hospital", world.hospital.code, stdout=out)
    assert total(world.person_a) == 2 and "1 ledger lines written" in out.getvalue()
    call_command("sync_points", stdout=out)
    assert total(world.person_a) == 2


def test_load_point_catalogue(world):
    call_command("load_point_catalogue", "--hospital", world.hospital2.code, stdout=io.StringIO())
    assert PointRule.objects.filter(hospital=world.hospital2).count() >= 8
    with pytest.raises(CommandError, match="already has"):
        call_command("load_point_catalogue", "--hospital", world.hospital2.code, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("load_point_catalogue", "--hospital", "nope", stdout=io.StringIO())
