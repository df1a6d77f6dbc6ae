import datetime as dt

import pytest

from hongqing.core.calendar import calendar
from hongqing.core.models import CalendarOverride

D = dt.date


@pytest.mark.django_db
class TestWorkingDays:
    def test_national_day_2026_is_a_holiday_and_its_saturday_a_working_day(self):
        cal = calendar()
        assert not cal.is_working_day(D(2026, 10, 1))
        assert not cal.is_working_day(D(2026, 10, 7))
        assert cal.is_working_day(D(2026, 10, 8))
        assert cal.is_working_day(D(2026, 10, 10))  # the adjusted Saturday
        assert cal.is_working_day(D(2026, 9, 20))  # the adjusted Sunday before

    def test_a_deadline_across_national_day(self):
        cal = calendar()
        # 30 Sept (Wed) + 1 working day skips 1–7 Oct: 8 Oct; + 3 reaches the adjusted Saturday 10 Oct.
        assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
        assert cal.add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)
        assert cal.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
        assert cal.add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)

    def test_five_working_days_of_public_notice(self):
        cal = calendar()
        # From Monday 28 Sept: 29, 30 Sept, 8, 9 Oct and the adjusted Saturday 10 Oct.
        assert cal.working_days_between(D(2026, 9, 28), D(2026, 10, 9)) == 4
        assert cal.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 10)
        assert cal.working_days_between(D(2026, 9, 28), D(2026, 10, 10)) == 5

    def test_2027_without_an_override_falls_back_to_weekdays_and_says_so(self):
        cal = calendar()
        assert cal.schedule_missing(2027)
        assert cal.is_working_day(D(2027, 2, 8))  # a Monday: plain weekday rule
        assert cal.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 8)

    def test_2027_with_overrides(self):
        CalendarOverride.objects.create(date=D(2027, 2, 8), is_working_day=False, name="春节")
        CalendarOverride.objects.create(date=D(2027, 2, 6), is_working_day=True, name="春节调休上班")
        cal = calendar()
        assert not cal.schedule_missing(2027)
        assert not cal.is_working_day(D(2027, 2, 8))
        assert cal.is_working_day(D(2027, 2, 6))
        assert cal.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 6)
        assert cal.add_working_days(D(2027, 2, 5), 2) == D(2027, 2, 9)

    def test_an_override_wins_over_the_package(self):
        CalendarOverride.objects.create(date=D(2026, 10, 10), is_working_day=False, name="test")
        assert not calendar().is_working_day(D(2026, 10, 10))

    def test_negative_offsets_count_back(self):
        assert calendar().add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)


def test_the_office_enters_the_2027_schedule(client, world):
    client.force_login(world.office)
    response = client.get("/calendar/?year=2027")
    assert response.status_code == 200
    assert 'id="schedule-missing"' in response.content.decode()
    response = client.post(
        "/calendar/", {"date": "2027-02-08", "is_working_day": "", "name": "春节", "year": "2027"}
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get(date=D(2027, 2, 8)).is_working_day is False
    assert 'id="schedule-missing"' not in client.get("/calendar/?year=2027").content.decode()


def test_readers_cannot_change_the_calendar(client, world):
    for user in (world.inspector, world.region):
        client.force_login(user)
        assert client.get("/calendar/").status_code == 200
        assert client.post("/calendar/", {"date": "2027-02-08", "name": "x"}).status_code == 403
    for user in (world.member_a, world.sysadmin):
        client.force_login(user)
        assert client.get("/calendar/").status_code == 403
    assert not CalendarOverride.objects.exists()


def test_a_bad_date_is_refused(client, world):
    client.force_login(world.office)
    response = client.post("/calendar/", {"date": "2027-02-30", "name": "x", "year": "2027"})
    assert response.status_code == 422
    assert not CalendarOverride.objects.exists()
