"""The learning and points apps' indicators, each from a hand-built set of records with a known answer:
study hours against the plan, points per member, volunteering hours, honours."""

import datetime as dt
from decimal import Decimal

import pytest

from hongqing.assessment import computations
from hongqing.assessment.services import aggregate, rollups
from hongqing.assessment.services.aggregate import ORG, Unit
from hongqing.learning.choices import SelfStudyStatus
from hongqing.learning.tests.learning_records import attend, self_study, session
from hongqing.people.choices import Post
from hongqing.people.models import TermPosition
from hongqing.points.tests.support import honor, participate, rule, volunteering

from .support import TODAY, computed

D = Decimal
YEAR = TODAY.year - 1  # a whole past year


def value(world, ind, org, first, last):
    rollups.refresh_party(world.hospital.pk, first, last)
    return aggregate.value_of(world.hospital.pk, ind, Unit(ORG, org.pk), first, last).value


def at(month, day=10):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(YEAR, month, day, 9))


def test_study_hours_are_the_members_hours_against_their_yearly_requirement(world):
    ind = computed(world.hospital, "study_hours_rate", "learning.study_hours")
    # Branch A: member A (32 hours a year) and secretary A (a committee post: 56 hours a year).
    from hongqing.organization.models import CommitteeTerm

    term = CommitteeTerm.objects.get(organization=world.branch_a)
    term.start = dt.date(YEAR - 1, 1, 1)
    term.save()
    TermPosition.objects.create(term=term, person=world.secretary_a.person, post=Post.SECRETARY)
    s = session(world.branch_a, start=at(3), hours="4")
    attend(s, [world.person_a, world.secretary_a.person])
    self_study(world.person_a, hours="4", status=SelfStudyStatus.CONFIRMED, on=dt.date(YEAR, 5, 1))
    self_study(
        world.person_a, hours="10", status=SelfStudyStatus.PENDING, on=dt.date(YEAR, 5, 2)
    )  # not counted
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 1)
    q = rollups.party_query(world.hospital.pk, first, last, org_ids=[world.branch_a.pk])
    facts = computations.get("learning.study_hours").facts(q)
    assert sum(f.num for f in facts) == D(12)  # 4 + 4 at the session, 4 of confirmed self-study
    assert sum(f.den for f in facts).quantize(D("0.01")) == D(88)  # 32 + 56
    assert value(world, ind, world.branch_a, first, last).quantize(D("0.01")) == (
        D(12) / D(88) * 100
    ).quantize(D("0.01"))
    # March alone: 8 hours against a twelfth of 88
    assert value(world, ind, world.branch_a, dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 1)).quantize(D("0.1")) == (
        D(8) / (D(88) / 12) * 100
    ).quantize(D("0.1"))


def test_points_per_member_are_the_ledgers_points_over_the_member_months(world):
    from hongqing.points.tests.support import attended

    ind = computed(world.hospital, "points_per_member", "points.points_per_member", unit="分")
    rule(world.hospital, amount="3")
    attended(world.branch_a, world.person_a, dt.date(YEAR, 3, 10))
    attended(world.branch_a, world.secretary_a.person, dt.date(YEAR, 3, 12))
    attended(world.branch_a, world.person_a, dt.date(YEAR, 4, 12))
    m3, m4 = dt.date(YEAR, 3, 1), dt.date(YEAR, 4, 1)
    # 9 points over 2 members × 2 months
    assert value(world, ind, world.branch_a, m3, m4) == D("2.25")
    assert value(world, ind, world.branch_a, m3, m3) == D(3)


def test_volunteering_hours_are_the_participants_hours_of_the_organisations_activities(world):
    ind = computed(world.hospital, "volunteer_hours", "points.volunteering_hours", unit="小时")
    v = volunteering(world.branch_a, dt.date(YEAR, 6, 1))
    participate(v, world.person_a, "3")
    participate(v, world.secretary_a.person, "2.5")
    other = volunteering(world.branch_b, dt.date(YEAR, 6, 2))
    participate(other, world.person_b, "8")
    m = dt.date(YEAR, 6, 1)
    assert value(world, ind, world.branch_a, m, m) == D("5.5")
    assert value(world, ind, world.branch_b, m, m) == D(8)


def test_honours_are_counted_in_the_month_awarded(world):
    ind = computed(world.hospital, "honours", "points.honours", unit="项")
    honor(world.person_a, day=dt.date(YEAR, 4, 2))
    honor(world.secretary_a.person, day=dt.date(YEAR, 4, 20))
    honor(world.person_b, day=dt.date(YEAR, 5, 2))
    assert value(world, ind, world.branch_a, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 1)) == D(2)
    q = rollups.party_query(
        world.hospital.pk, dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 1), org_ids=[world.branch_a.pk]
    )
    comp = computations.get("points.honours")
    rows = comp.describe(comp.facts(q), world.secretary_a)
    assert len(rows) == 2 and all(r.url for r in rows)


@pytest.mark.parametrize(
    "code",
    ["learning.study_hours", "points.points_per_member", "points.volunteering_hours", "points.honours"],
)
def test_the_learning_and_points_indicators_are_available_and_loaded_by_default(world, code):
    from hongqing.assessment.models import Indicator
    from hongqing.assessment.services.catalogue import load_defaults

    assert computations.get(code).available()
    load_defaults(world.hospital, actor=world.office)
    assert Indicator.objects.filter(hospital=world.hospital, computation=code).exists()
