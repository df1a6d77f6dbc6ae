"""Organisation warnings (RULES.md §2), each at its boundary on both sides; rules are data; the pages show them."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from hongqing.core.models import Rule
from hongqing.core.testing.world import make_member, make_person
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import CommitteeTerm, PartyOrganization
from hongqing.people.choices import Stage
from hongqing.people.models import Membership
from hongqing.people.services import organization_warnings

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def branch(world):
    """A new branch with a current term that is not near its end, and no members yet."""
    world.committee.refresh_from_db()
    node = PartyOrganization.objects.add_child(
        world.committee, dict(hospital=world.hospital, name="测试党支部", kind=OrgKind.BRANCH)
    )
    CommitteeTerm.objects.create(organization=node, number=1, start=today() - relativedelta(years=1))
    return node


def fill(world, org, full=0, probationary=0, applicants=0):
    for _ in range(full):
        make_member(make_person(world.hospital, world.dept_a, "成员"), org)
    for _ in range(probationary):
        m = Membership(
            person=make_person(world.hospital, world.dept_a, "预备"),
            organization=org,
            stage=Stage.PROBATIONARY,
            application_date=dt.date(2023, 1, 1),
            activist_date=dt.date(2023, 3, 1),
            candidate_date=dt.date(2024, 3, 1),
            admission_date=dt.date(2025, 3, 1),
        )
        m.save()
    for _ in range(applicants):
        Membership.objects.create(
            person=make_person(world.hospital, world.dept_a, "申请"),
            organization=org,
            stage=Stage.APPLICANT,
            application_date=dt.date(2026, 1, 1),
        )


def codes(org, on=None) -> set[str]:
    qs = PartyOrganization.objects.filter(pk=org.pk)
    return {w.code for w in organization_warnings(qs, today=on)}


def warning(org, code):
    found = [w for w in organization_warnings(PartyOrganization.objects.filter(pk=org.pk)) if w.code == code]
    assert len(found) == 1
    return found[0]


class TestTooFew:
    def test_two_full_members_warn(self, world, branch):
        fill(world, branch, full=2)
        assert "too_few" in codes(branch)
        w = warning(branch, "too_few")
        assert w.level == "danger"
        assert "测试党支部" in w.message and "2" in w.message and "3" in w.message

    def test_three_full_members_do_not(self, world, branch):
        fill(world, branch, full=3)
        assert "too_few" not in codes(branch)

    def test_probationary_members_are_not_full(self, world, branch):
        fill(world, branch, full=2, probationary=5)
        assert "too_few" in codes(branch)

    def test_no_members_warns(self, world, branch):
        assert "too_few" in codes(branch)

    def test_committee_is_not_held_to_branch_sizes(self, world):
        assert codes(world.committee) == set()


class TestTooMany:
    def test_fifty_members_do_not_warn(self, world, branch):
        fill(world, branch, full=45, probationary=5, applicants=3)
        assert "too_many" not in codes(branch)

    def test_fifty_one_members_warn(self, world, branch):
        fill(world, branch, full=45, probationary=6)
        assert "too_many" in codes(branch)
        assert warning(branch, "too_many").level == "warning"


class TestNoCommittee:
    def test_six_full_members_without_a_term_do_not_warn(self, world, branch):
        branch.terms.all().delete()
        fill(world, branch, full=6)
        assert "no_committee" not in codes(branch)

    def test_seven_full_members_without_a_term_warn(self, world, branch):
        branch.terms.all().delete()
        fill(world, branch, full=7)
        assert "no_committee" in codes(branch)

    def test_seven_full_members_with_an_ended_term_warn(self, world, branch):
        branch.terms.update(actual_end=today() - dt.timedelta(days=1))
        fill(world, branch, full=7)
        assert "no_committee" in codes(branch)

    def test_seven_full_members_with_a_current_term_do_not(self, world, branch):
        fill(world, branch, full=7)
        assert "no_committee" not in codes(branch)

    def test_probationary_do_not_count(self, world, branch):
        branch.terms.all().delete()
        fill(world, branch, full=6, probationary=3)
        assert "no_committee" not in codes(branch)


def set_due(org, due):
    CommitteeTerm.objects.filter(organization=org, actual_end__isnull=True).update(due_end=due)


class TestTermDue:
    def test_due_yesterday_is_overdue(self, world, branch):
        set_due(branch, today() - dt.timedelta(days=1))
        assert "term_overdue" in codes(branch)
        assert "term_due" not in codes(branch)
        w = warning(branch, "term_overdue")
        assert w.level == "danger"
        assert (today() - dt.timedelta(days=1)).isoformat() in w.message

    def test_due_today_is_not_overdue(self, world, branch):
        set_due(branch, today())
        assert "term_overdue" not in codes(branch)
        assert "term_due" in codes(branch)

    def test_exactly_six_months_ahead_warns(self, world, branch):
        set_due(branch, today() + relativedelta(months=6))
        assert "term_due" in codes(branch)
        assert warning(branch, "term_due").level == "warning"

    def test_six_months_and_a_day_ahead_does_not(self, world, branch):
        set_due(branch, today() + relativedelta(months=6) + dt.timedelta(days=1))
        assert not codes(branch) & {"term_due", "term_overdue"}

    def test_ended_term_is_not_overdue(self, world, branch):
        CommitteeTerm.objects.filter(organization=branch).update(
            due_end=today() - dt.timedelta(days=30), actual_end=today() - dt.timedelta(days=40)
        )
        assert not codes(branch) & {"term_due", "term_overdue"}

    def test_committee_term_overdue(self, world):
        set_due(world.committee, today() - dt.timedelta(days=1))
        assert codes(world.committee) == {"term_overdue"}

    def test_given_day(self, world, branch):
        set_due(branch, dt.date(2027, 1, 1))
        assert "term_overdue" in codes(branch, on=dt.date(2027, 1, 2))
        assert "term_due" in codes(branch, on=dt.date(2026, 7, 1))
        assert not codes(branch, on=dt.date(2026, 6, 30)) & {"term_due", "term_overdue"}


class TestRulesAreData:
    def test_lowering_the_minimum(self, world, branch):
        fill(world, branch, full=2)
        Rule.objects.filter(key="branch.min_full_members", hospital_id__isnull=True).update(value=2)
        assert "too_few" not in codes(branch)

    def test_hospital_override_of_the_maximum(self, world, branch):
        fill(world, branch, full=11)
        assert "too_many" not in codes(branch)
        Rule.objects.create(key="branch.max_members", hospital_id=world.hospital.pk, value=10)
        assert "too_many" in codes(branch)

    def test_override_of_another_hospital_does_not_apply(self, world, branch):
        fill(world, branch, full=11)
        Rule.objects.create(key="branch.max_members", hospital_id=world.hospital2.pk, value=10)
        assert "too_many" not in codes(branch)

    def test_override_effective_later_does_not_apply_yet(self, world, branch):
        fill(world, branch, full=11)
        Rule.objects.create(
            key="branch.max_members",
            hospital_id=world.hospital.pk,
            value=10,
            effective_from=today() + dt.timedelta(days=1),
        )
        assert "too_many" not in codes(branch)
        assert "too_many" in codes(branch, on=today() + dt.timedelta(days=1))

    def test_committee_threshold(self, world, branch):
        branch.terms.all().delete()
        fill(world, branch, full=5)
        assert "no_committee" not in codes(branch)
        Rule.objects.filter(key="branch.committee_min_full_members", hospital_id__isnull=True).update(value=5)
        assert "no_committee" in codes(branch)

    def test_reminder_months(self, world, branch):
        set_due(branch, today() + relativedelta(months=4))
        assert "term_due" in codes(branch)
        Rule.objects.filter(key="term.reminder_months", hospital_id__isnull=True).update(value=[3])
        assert "term_due" not in codes(branch)
        Rule.objects.filter(key="term.reminder_months", hospital_id__isnull=True).update(value=[3, 12])
        set_due(branch, today() + relativedelta(months=11))
        assert "term_due" in codes(branch)


class TestPages:
    @pytest.fixture
    def small(self, world, branch):
        fill(world, branch, full=2)
        set_due(branch, today() - dt.timedelta(days=1))
        return branch

    def assert_shown(self, html, org):
        for code in ("too_few", "term_overdue"):
            w = warning(org, code)
            assert f'data-code="{code}"' in html
            assert w.message in html

    def test_tree_page(self, client, world, small):
        client.force_login(world.office)
        response = client.get("/organization/tree/")
        assert response.status_code == 200
        self.assert_shown(response.content.decode(), small)

    def test_branch_detail_page(self, client, world, small):
        client.force_login(world.office)
        response = client.get(small.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        self.assert_shown(html, small)
        # Only this branch's warnings on its page.
        assert warning(world.branch_b, "too_few").message not in html

    def test_office_home_page(self, client, world, small):
        client.force_login(world.office)
        response = client.get("/")
        assert response.status_code == 200
        self.assert_shown(response.content.decode(), small)

    def test_no_warnings_no_card(self, client, world, branch):
        fill(world, branch, full=3)
        client.force_login(world.office)
        html = client.get(branch.get_absolute_url()).content.decode()
        assert 'id="org-warnings"' not in html

    def test_other_hospital_does_not_see_them(self, client, world, small):
        client.force_login(world.office_h2)
        html = client.get("/organization/tree/").content.decode()
        assert "测试党支部" not in html
