"""Term due dates from the rule table (RULES.md §2), hospital overrides and effective dates; the term form."""

import datetime as dt

import pytest
from django.utils.translation import gettext

from hongqing.core.models import Rule
from hongqing.core.rules import rule_value
from hongqing.organization.choices import OrgKind
from hongqing.organization.forms import CommitteeTermForm
from hongqing.organization.models import CommitteeTerm, PartyOrganization, term_due_end

pytestmark = pytest.mark.django_db


def tr(msgid: str) -> str:
    return gettext(msgid)


def org(world, kind, name=None, parent=None, hospital=None):
    hospital = hospital or world.hospital
    data = dict(hospital=hospital, name=name or f"{kind}-{PartyOrganization.objects.count()}", kind=kind)
    if parent is None:
        return PartyOrganization.objects.add_root(data)
    parent.refresh_from_db()
    return PartyOrganization.objects.add_child(parent, data)


def term(organization, start, **kwargs):
    number = kwargs.pop("number", organization.terms.count() + 1)
    return CommitteeTerm.objects.create(organization=organization, number=number, start=start, **kwargs)


class TestDefaults:
    def test_rule_rows_exist_with_sources(self, db):
        for key, years in (
            ("term.years.committee", 5),
            ("term.years.discipline_committee", 5),
            ("term.years.general_branch", 3),
            ("term.years.branch", 3),
        ):
            row = Rule.objects.get(key=key, hospital_id__isnull=True)
            assert row.value == years
            assert row.source

    def test_committee_five_years(self, world):
        t = term(org(world, OrgKind.COMMITTEE, "第二党委"), dt.date(2024, 3, 15))
        assert t.due_end == dt.date(2029, 3, 15)

    def test_discipline_committee_five_years(self, world):
        t = term(org(world, OrgKind.DISCIPLINE_COMMITTEE, "纪委"), dt.date(2024, 3, 15))
        assert t.due_end == dt.date(2029, 3, 15)

    def test_general_branch_three_years(self, world):
        general = org(world, OrgKind.GENERAL_BRANCH, "总支", parent=world.committee)
        assert term(general, dt.date(2024, 3, 15)).due_end == dt.date(2027, 3, 15)

    def test_branch_three_years(self, world):
        branch = org(world, OrgKind.BRANCH, "新支部", parent=world.committee)
        assert term(branch, dt.date(2024, 3, 15)).due_end == dt.date(2027, 3, 15)

    def test_world_terms(self, world):
        assert world.committee.current_term().due_end == dt.date(2030, 1, 1)
        assert world.branch_a.current_term().due_end == dt.date(2028, 1, 1)

    def test_29_february_start(self, world):
        branch = org(world, OrgKind.BRANCH, "闰年支部", parent=world.committee)
        assert term(branch, dt.date(2024, 2, 29)).due_end == dt.date(2027, 2, 28)
        committee = org(world, OrgKind.COMMITTEE, "闰年党委")
        assert term(committee, dt.date(2024, 2, 29)).due_end == dt.date(2029, 2, 28)

    def test_29_february_to_a_leap_year_stays(self, world):
        Rule.objects.create(key="term.years.branch", hospital_id=world.hospital.pk, value=4)
        branch = org(world, OrgKind.BRANCH, "闰年支部", parent=world.committee)
        assert term(branch, dt.date(2024, 2, 29)).due_end == dt.date(2028, 2, 29)

    def test_explicit_due_end_kept(self, world):
        branch = org(world, OrgKind.BRANCH, "延期支部", parent=world.committee)
        t = term(branch, dt.date(2024, 3, 15), due_end=dt.date(2027, 9, 30))
        t.refresh_from_db()
        assert t.due_end == dt.date(2027, 9, 30)

    def test_saved_due_end_not_recomputed(self, world):
        t = world.branch_a.current_term()
        Rule.objects.filter(key="term.years.branch", hospital_id__isnull=True).update(value=4)
        t.note = "changed"
        t.save()
        t.refresh_from_db()
        assert t.due_end == dt.date(2028, 1, 1)


class TestOverridesAndDates:
    def test_hospital_override_applies_to_that_hospital_only(self, world):
        Rule.objects.create(
            key="term.years.branch", hospital_id=world.hospital.pk, value=2, source="院党委决定"
        )
        here = org(world, OrgKind.BRANCH, "本院支部", parent=world.committee)
        committee2 = PartyOrganization.objects.get(hospital=world.hospital2, kind=OrgKind.COMMITTEE)
        there = org(world, OrgKind.BRANCH, "他院支部", parent=committee2, hospital=world.hospital2)
        assert term(here, dt.date(2025, 5, 1)).due_end == dt.date(2027, 5, 1)
        assert term(there, dt.date(2025, 5, 1)).due_end == dt.date(2028, 5, 1)

    def test_hospital_override_does_not_touch_other_kinds(self, world):
        Rule.objects.create(key="term.years.branch", hospital_id=world.hospital.pk, value=2)
        committee = org(world, OrgKind.COMMITTEE, "新党委")
        general = org(world, OrgKind.GENERAL_BRANCH, "总支", parent=world.committee)
        assert term(committee, dt.date(2025, 5, 1)).due_end == dt.date(2030, 5, 1)
        assert term(general, dt.date(2025, 5, 1)).due_end == dt.date(2028, 5, 1)

    def test_group_follows_the_branch_rule(self, world):
        Rule.objects.create(key="term.years.branch", hospital_id=world.hospital.pk, value=2)
        assert term_due_end(OrgKind.GROUP, dt.date(2025, 5, 1), world.hospital.pk) == dt.date(2027, 5, 1)

    def test_later_global_row_does_not_apply_to_earlier_terms(self, world):
        Rule.objects.create(key="term.years.branch", value=4, effective_from=dt.date(2026, 1, 1))
        before = org(world, OrgKind.BRANCH, "旧支部", parent=world.committee)
        after = org(world, OrgKind.BRANCH, "新支部", parent=world.committee)
        assert term(before, dt.date(2025, 12, 31)).due_end == dt.date(2028, 12, 31)
        assert term(after, dt.date(2026, 1, 1)).due_end == dt.date(2030, 1, 1)

    def test_later_hospital_override_does_not_apply_to_earlier_terms(self, world):
        Rule.objects.create(
            key="term.years.branch",
            hospital_id=world.hospital.pk,
            value=2,
            effective_from=dt.date(2026, 7, 1),
        )
        assert term_due_end(OrgKind.BRANCH, dt.date(2026, 6, 30), world.hospital.pk) == dt.date(2029, 6, 30)
        assert term_due_end(OrgKind.BRANCH, dt.date(2026, 7, 1), world.hospital.pk) == dt.date(2028, 7, 1)

    def test_newest_effective_override_wins(self, world):
        h = world.hospital.pk
        Rule.objects.create(
            key="term.years.branch", hospital_id=h, value=2, effective_from=dt.date(2020, 1, 1)
        )
        Rule.objects.create(
            key="term.years.branch", hospital_id=h, value=4, effective_from=dt.date(2024, 1, 1)
        )
        assert rule_value("term.years.branch", h, dt.date(2023, 12, 31)) == 2
        assert rule_value("term.years.branch", h, dt.date(2024, 1, 1)) == 4
        assert rule_value("term.years.branch", world.hospital2.pk, dt.date(2024, 1, 1)) == 3
        assert rule_value("term.years.branch", None, dt.date(2024, 1, 1)) == 3

    def test_rule_before_any_row_falls_back_to_the_declaration(self, world):
        assert rule_value("term.years.branch", world.hospital.pk, dt.date(1990, 1, 1)) == 3

    def test_undeclared_rule(self, db):
        with pytest.raises(KeyError):
            rule_value("no.such.rule")


class TestCommitteeTermForm:
    def form(self, world, **data):
        base = {"organization": world.branch_b.pk, "number": 9, "start": "2025-06-01"}
        base.update(data)
        return CommitteeTermForm(data=base, instance=CommitteeTerm(), user=world.office)

    def test_second_current_term_refused(self, world):
        before = CommitteeTerm.objects.count()
        form = self.form(world)
        assert not form.is_valid()
        assert tr("The organisation already has a current term: end it first.") in form.errors["actual_end"]
        assert CommitteeTerm.objects.count() == before

    def test_past_term_with_an_end_accepted(self, world):
        form = self.form(world, number=0, start="2019-01-01", actual_end="2021-12-31")
        assert form.is_valid(), form.errors
        t = form.save()
        assert t.due_end == dt.date(2022, 1, 1)

    def test_editing_the_current_term_is_not_a_second_one(self, world):
        current = world.branch_b.current_term()
        data = {
            "organization": world.branch_b.pk,
            "number": current.number,
            "start": "2025-01-01",
            "note": "x",
        }
        form = CommitteeTermForm(data=data, instance=current, user=world.office)
        assert form.is_valid(), form.errors

    def test_new_term_after_ending_the_old_one(self, world):
        current = world.branch_b.current_term()
        current.actual_end = dt.date(2025, 5, 31)
        current.save()
        form = self.form(world, number=2)
        assert form.is_valid(), form.errors
        t = form.save()
        assert t.due_end == dt.date(2028, 6, 1)  # from the rule when left empty

    @pytest.mark.parametrize("due", ["2025-06-01", "2025-05-31"])
    def test_due_end_after_start(self, world, due):
        world.branch_b.terms.update(actual_end=dt.date(2025, 5, 31))
        form = self.form(world, due_end=due)
        assert not form.is_valid()
        assert form.errors["due_end"] == [tr("The due end must be after the start.")]

    def test_due_end_a_day_after_start_accepted(self, world):
        world.branch_b.terms.update(actual_end=dt.date(2025, 5, 31))
        form = self.form(world, due_end="2025-06-02")
        assert form.is_valid(), form.errors

    def test_actual_end_before_start(self, world):
        form = self.form(world, number=0, start="2019-01-01", actual_end="2018-12-31")
        assert not form.is_valid()
        assert form.errors["actual_end"] == [tr("The end is before the start.")]

    def test_through_the_page(self, client, world):
        client.force_login(world.office)
        before = CommitteeTerm.objects.count()
        response = client.post(
            "/organization/terms/add/",
            {"organization": world.branch_b.pk, "number": 2, "start": "2025-06-01"},
        )
        assert response.status_code == 422
        assert tr("The organisation already has a current term: end it first.") in response.content.decode()
        assert CommitteeTerm.objects.count() == before
