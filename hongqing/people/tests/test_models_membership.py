"""Membership.clean (RULES.md §3): milestones per stage, in order, none in the future; Party age; hospitals."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from hongqing.core.testing.world import make_person
from hongqing.organization.models import PartyOrganization
from hongqing.people.choices import Stage
from hongqing.people.models import Membership

pytestmark = pytest.mark.django_db

DATES = {
    "application_date": dt.date(2020, 3, 1),
    "activist_date": dt.date(2020, 6, 1),
    "candidate_date": dt.date(2021, 9, 1),
    "admission_date": dt.date(2022, 1, 10),
    "conversion_date": dt.date(2023, 1, 10),
}
FIELDS = list(DATES)
STAGES = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL]


def tr(msgid, **params):
    text = gettext(msgid)
    return text % params if params else text


@pytest.fixture
def person(world):
    return make_person(world.hospital, world.dept_a, "周杰")


def membership(world, person, stage, **dates):
    return Membership(person=person, organization=world.branch_a, stage=stage, **dates)


def dates_for(stage, **overrides):
    n = STAGES.index(stage) + 1
    values = {f: DATES[f] for f in FIELDS[:n]}
    values.update(overrides)
    return values


def errors_of(m) -> dict:
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    return exc.value.message_dict


class TestMilestones:
    @pytest.mark.parametrize("stage", STAGES)
    def test_complete_record_is_valid(self, world, person, stage):
        membership(world, person, stage, **dates_for(stage)).full_clean()

    @pytest.mark.parametrize("stage", STAGES[1:])
    def test_own_milestone_required(self, world, person, stage):
        own = FIELDS[STAGES.index(stage)]
        errors = errors_of(membership(world, person, stage, **dates_for(stage, **{own: None})))
        assert errors == {own: [tr("Required for the stage %(stage)s.", stage=Stage(stage).label)]}

    def test_earlier_milestones_required(self, world, person):
        errors = errors_of(membership(world, person, Stage.FULL, conversion_date=dt.date(2023, 1, 10)))
        assert set(errors) == {"activist_date", "candidate_date", "admission_date"}

    def test_application_date_may_be_unknown(self, world, person):
        # Old records often lack the application date; it is never required.
        membership(world, person, Stage.APPLICANT).full_clean()
        membership(world, person, Stage.FULL, **dates_for(Stage.FULL, application_date=None)).full_clean()

    @pytest.mark.parametrize("stage", STAGES[:-1])
    def test_no_milestone_beyond_the_stage(self, world, person, stage):
        nxt = FIELDS[STAGES.index(stage) + 1]
        errors = errors_of(membership(world, person, stage, **dates_for(stage, **{nxt: dt.date(2024, 1, 1)})))
        assert errors == {nxt: [tr("This step comes after the current stage.")]}

    @pytest.mark.parametrize("index", range(1, 5))
    def test_out_of_order(self, world, person, index):
        field, before = FIELDS[index], DATES[FIELDS[index - 1]]
        dates = dates_for(Stage.FULL, **{field: before - dt.timedelta(days=1)})
        if index < 4:  # keep the later steps after the moved one: only this field is wrong
            for later in FIELDS[index + 1 :]:
                dates[later] = DATES[later]
        errors = errors_of(membership(world, person, Stage.FULL, **dates))
        assert errors[field] == [tr("This date is earlier than the step before it.")]

    def test_same_day_steps_allowed(self, world, person):
        d = dt.date(2021, 5, 4)
        membership(
            world, person, Stage.CANDIDATE, application_date=d, activist_date=d, candidate_date=d
        ).full_clean()

    def test_order_checked_across_a_missing_application_date(self, world, person):
        errors = errors_of(
            membership(
                world,
                person,
                Stage.CANDIDATE,
                activist_date=dt.date(2022, 1, 1),
                candidate_date=dt.date(2021, 1, 1),
            )
        )
        assert "candidate_date" in errors

    def test_future_date_refused(self, world, person):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        errors = errors_of(
            membership(world, person, Stage.ACTIVIST, **dates_for(Stage.ACTIVIST, activist_date=tomorrow))
        )
        assert errors == {"activist_date": [tr("This date is in the future.")]}

    def test_today_allowed(self, world, person):
        today = timezone.localdate()
        membership(
            world, person, Stage.ACTIVIST, **dates_for(Stage.ACTIVIST, activist_date=today)
        ).full_clean()

    def test_organisation_of_another_hospital_refused(self, world, person):
        other = PartyOrganization.objects.get(hospital=world.hospital2, kind="branch")
        m = Membership(person=person, organization=other, stage=Stage.APPLICANT)
        errors = errors_of(m)
        assert errors == {"organization": [tr("The organisation belongs to another hospital.")]}

    def test_one_membership_per_person(self, world):
        m = membership(world, world.person_a, Stage.APPLICANT)
        errors = errors_of(m)
        assert "person" in errors


class TestPartyAge:
    def m(self, conversion):
        return Membership(stage=Stage.FULL, conversion_date=conversion)

    def test_none_before_conversion(self):
        assert Membership(stage=Stage.PROBATIONARY).party_age(dt.date(2026, 1, 1)) is None

    def test_full_years(self):
        m = self.m(dt.date(2015, 7, 1))
        assert m.party_age(dt.date(2026, 6, 30)) == 10
        assert m.party_age(dt.date(2026, 7, 1)) == 11  # the anniversary day counts
        assert m.party_age(dt.date(2026, 7, 2)) == 11

    def test_first_year(self):
        m = self.m(dt.date(2025, 7, 1))
        assert m.party_age(dt.date(2025, 7, 1)) == 0
        assert m.party_age(dt.date(2026, 6, 30)) == 0
        assert m.party_age(dt.date(2026, 7, 1)) == 1

    def test_never_negative(self):
        assert self.m(dt.date(2026, 7, 1)).party_age(dt.date(2026, 1, 1)) == 0

    def test_29_february(self):
        m = self.m(dt.date(2020, 2, 29))
        assert m.party_age(dt.date(2021, 2, 28)) == 0
        assert m.party_age(dt.date(2021, 3, 1)) == 1
        assert m.party_age(dt.date(2024, 2, 29)) == 4

    def test_defaults_to_today(self):
        m = self.m(timezone.localdate() - relativedelta(years=3))
        assert m.party_age() == 3

    def test_shown_on_the_membership_page(self, client, world):
        client.force_login(world.office)
        m = world.person_a.membership
        response = client.get(m.get_absolute_url())
        assert response.status_code == 200
        assert response.context["party_age"] == m.party_age()
