"""Dues services: the yearly base (and its audited change), payments and their kinds, the book's alerts.

Amounts at the bracket boundaries are in test_dues_amounts.py; here the rules are exercised through
the services that use them.
"""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from hongqing.core.models import Rule
from hongqing.core.testing.world import build_world, make_person
from hongqing.party.choices import DuesCategory, PaymentKind
from hongqing.party.models import DuesBase, DuesPayment
from hongqing.party.services import dues
from hongqing.people.choices import Stage
from hongqing.people.models import Membership

pytestmark = pytest.mark.django_db
S, R, M = DuesCategory.SALARIED, DuesCategory.RETIRED, DuesCategory.MINIMAL
D = Decimal


@pytest.fixture
def world(db):
    # The personas without the change log of their setup (what these tests audit are the dues events).
    with disable_auditlog():
        return build_world()


@pytest.fixture
def today(monkeypatch):
    """Move the services' today: ``today(2026, 9, 10)``."""

    def move(*args):
        day = dt.date(*args)
        monkeypatch.setattr(dues, "today", lambda: day)
        return day

    move(2026, 9, 10)
    return move


@pytest.fixture
def member(world):
    return world.person_a.membership


def probationary(world, admitted=dt.date(2026, 3, 15), name="吴磊"):
    person = make_person(world.hospital, world.dept_a, name)
    return Membership.objects.create(
        person=person,
        organization=world.branch_a,
        stage=Stage.PROBATIONARY,
        application_date=dt.date(2024, 1, 5),
        activist_date=dt.date(2024, 3, 1),
        candidate_date=dt.date(2025, 5, 1),
        admission_date=admitted,
    )


def events(name):
    return LogEntry.objects.filter(additional_data__event=name)


class TestBase:
    def test_a_salaried_base_gives_the_bracket_amount(self, world, member, today):
        base = dues.set_base(member, 2026, category=S, base="6500", actor=world.office)
        assert (base.base, base.rate, base.monthly) == (D("6500.00"), D("0.015"), D("97.50"))
        assert not base.over_cap

    @pytest.mark.parametrize(
        ("category", "base", "monthly"),
        [
            (S, "3000.00", "15.00"),
            (S, "3000.01", "30.00"),
            (R, "5000.00", "25.00"),
            (R, "5000.01", "50.00"),
            (M, "", "0.20"),
            (M, "4000", "0.20"),
        ],
    )
    def test_each_category(self, world, member, today, category, base, monthly):
        row = dues.set_base(member, 2026, category=category, base=base, actor=world.office)
        assert row.monthly == D(monthly)
        assert DuesBase.objects.get(pk=row.pk).monthly == D(monthly)

    def test_the_cap_is_a_warning_not_a_refusal(self, world, member, today):
        row = dues.set_base(member, 2026, category=S, base="60000", actor=world.office)
        assert row.monthly == D("1200.00") and row.over_cap

    def test_the_base_from_pay_items_counts_the_included_ones(self, world, member, today):
        items = {
            "岗位工资": "3200",
            "薪级工资": "1500.50",
            "基础性绩效": "2000",
            "规范津贴补贴": "800",
            "奖励性绩效": "6000",
        }
        row = dues.set_base(member, 2026, category=S, items=items, actor=world.office)
        assert row.base == D("7500.50") and row.monthly == D("112.51")
        assert row.items == {
            "岗位工资": "3200.00",
            "薪级工资": "1500.50",
            "基础性绩效": "2000.00",
            "规范津贴补贴": "800.00",
        }
        assert row.ignored_items == ["奖励性绩效"]

    @pytest.mark.parametrize("bad", ["-1", "-0.01", "abc", "1e3x", "NaN", "Infinity", True])
    def test_a_negative_or_non_numeric_base_is_refused_and_nothing_written(self, world, member, today, bad):
        with pytest.raises(ValidationError) as exc:
            dues.set_base(member, 2026, category=S, base=bad, actor=world.office)
        assert "base" in exc.value.message_dict
        assert not DuesBase.objects.exists()

    def test_a_bad_pay_item_is_refused(self, world, member, today):
        with pytest.raises(ValidationError) as exc:
            dues.set_base(member, 2026, category=S, items={"岗位工资": "3000", "薪级工资": "-5"}, actor=None)
        assert "薪级工资" in exc.value.message_dict["items"][0]
        assert not DuesBase.objects.exists()

    def test_base_and_items_together_are_refused(self, world, member, today):
        with pytest.raises(ValidationError):
            dues.set_base(member, 2026, category=S, base="3000", items={"岗位工资": "3000"}, actor=None)

    def test_a_salaried_member_needs_a_base(self, world, member, today):
        with pytest.raises(ValidationError) as exc:
            dues.set_base(member, 2026, category=S, actor=None)
        assert "base" in exc.value.message_dict

    def test_only_members_pay_dues(self, world, today):
        person = make_person(world.hospital, world.dept_a, "郑好")
        applicant = Membership.objects.create(
            person=person,
            organization=world.branch_a,
            stage=Stage.APPLICANT,
            application_date=dt.date(2026, 1, 2),
        )
        with pytest.raises(ValidationError) as exc:
            dues.set_base(applicant, 2026, category=S, base="3000", actor=None)
        assert "membership" in exc.value.message_dict

    def test_no_base_for_a_year_before_admission(self, world, today):
        m = probationary(world)
        with pytest.raises(ValidationError) as exc:
            dues.set_base(m, 2025, category=S, base="3000", actor=None)
        assert "2026-03-15" in exc.value.message_dict["year"][0]

    def test_a_change_within_the_year_needs_a_reason_and_is_audited(self, world, member, today):
        dues.set_base(member, 2026, category=S, base="4000", actor=world.office)
        with pytest.raises(ValidationError) as exc:
            dues.set_base(member, 2026, category=S, base="6000", actor=world.office)
        assert "change_reason" in exc.value.message_dict
        assert DuesBase.objects.get().monthly == D("40.00")
        assert not events("dues_base_change").exists()

        row = dues.set_base(member, 2026, category=S, base="6000", actor=world.office, reason="岗位调整")
        assert (row.monthly, row.change_reason) == (D("90.00"), "岗位调整")
        [event] = events("dues_base_change")
        assert event.actor == world.office
        assert event.additional_data["old"]["monthly"] == "40.00"
        assert event.additional_data["new"]["monthly"] == "90.00"
        assert event.additional_data["reason"] == "岗位调整"

    def test_setting_the_same_base_again_is_no_change(self, world, member, today):
        dues.set_base(member, 2026, category=S, base="4000", actor=world.office)
        dues.set_base(member, 2026, category=S, base="4000.00", actor=world.office)
        assert not events("dues_base_change").exists()

    def test_a_correction_before_the_year_begins_needs_no_reason(self, world, member, today):
        dues.set_base(member, 2027, category=S, base="4000", actor=world.office)
        row = dues.set_base(member, 2027, category=S, base="4500", actor=world.office)
        assert row.monthly == D("45.00")
        assert not events("dues_base_change").exists()
        # …and from 1 January it does.
        with pytest.raises(ValidationError):
            dues.set_base(member, 2027, category=S, base="5500", actor=world.office, on=dt.date(2027, 1, 1))

    def test_the_rules_in_force_on_1_january_fix_the_year(self, world, member, today):
        Rule.objects.create(
            key="dues.brackets.salaried",
            hospital_id=world.hospital.pk,
            value=[[4000, "0.005"], [None, "0.01"]],
            effective_from=dt.date(2026, 7, 1),
        )
        assert dues.set_base(member, 2026, category=S, base="3500", actor=None).monthly == D("35.00")
        assert dues.set_base(member, 2027, category=S, base="3500", actor=None).monthly == D("17.50")
        # A member admitted after the change: the rules of the admission date.
        late = probationary(world, admitted=dt.date(2026, 8, 1))
        assert dues.set_base(late, 2026, category=S, base="3500", actor=None).monthly == D("17.50")
        early = probationary(world, admitted=dt.date(2026, 6, 30), name="冯敏")
        assert dues.set_base(early, 2026, category=S, base="3500", actor=None).monthly == D("35.00")


class TestPayments:
    @pytest.fixture
    def based(self, world, member, today):
        dues.set_base(member, 2025, category=S, base="4000", actor=None)
        dues.set_base(member, 2026, category=S, base="4000", actor=None)
        return member

    def pay(self, world, m, year, month, paid_on, **kw):
        return dues.record_payment(m, year, month, paid_on=paid_on, actor=world.secretary_a, **kw)

    def test_on_time(self, world, based):
        p = self.pay(world, based, 2026, 9, dt.date(2026, 9, 1))
        assert (p.kind, p.amount) == (PaymentKind.REGULAR, D("40.00"))
        assert events("dues_payment").filter(actor=world.secretary_a).count() == 1

    def test_in_advance(self, world, based):
        assert self.pay(world, based, 2026, 12, dt.date(2026, 9, 10)).kind == PaymentKind.ADVANCE

    def test_make_up_exactly_six_months_back_is_accepted(self, world, based):
        p = self.pay(world, based, 2026, 3, dt.date(2026, 9, 10))
        assert p.kind == PaymentKind.MAKEUP

    def test_make_up_seven_months_back_is_refused(self, world, based):
        with pytest.raises(ValidationError) as exc:
            self.pay(world, based, 2026, 2, dt.date(2026, 9, 10))
        assert "6" in exc.value.message_dict["month"][0]
        assert not DuesPayment.objects.exists()

    def test_the_make_up_window_crosses_the_year(self, world, based, today):
        today(2026, 2, 20)
        assert self.pay(world, based, 2025, 8, dt.date(2026, 2, 20)).kind == PaymentKind.MAKEUP
        with pytest.raises(ValidationError):
            self.pay(world, based, 2025, 7, dt.date(2026, 2, 20))

    def test_the_window_is_a_rule(self, world, based):
        Rule.objects.create(
            key="dues.makeup_max_months", hospital_id=world.hospital.pk, value=7, effective_from="2026-01-01"
        )
        assert self.pay(world, based, 2026, 2, dt.date(2026, 9, 10)).kind == PaymentKind.MAKEUP

    def test_a_second_payment_of_the_same_month_is_refused(self, world, based):
        self.pay(world, based, 2026, 9, dt.date(2026, 9, 1))
        with pytest.raises(ValidationError) as exc:
            self.pay(world, based, 2026, 9, dt.date(2026, 9, 2))
        assert "2026-09-01" in exc.value.message_dict["month"][0]
        assert DuesPayment.objects.count() == 1

    def test_before_admission_is_refused_and_the_admission_month_is_owed(self, world, today):
        m = probationary(world, admitted=dt.date(2026, 3, 15))
        dues.set_base(m, 2026, category=S, base="3000", actor=None)
        with pytest.raises(ValidationError) as exc:
            self.pay(world, m, 2026, 2, dt.date(2026, 9, 1))
        assert "2026-03" in exc.value.message_dict["month"][0]
        assert self.pay(world, m, 2026, 3, dt.date(2026, 9, 1)).kind == PaymentKind.MAKEUP

    def test_a_year_without_a_base_is_refused(self, world, member, today):
        with pytest.raises(ValidationError) as exc:
            self.pay(world, member, 2026, 9, dt.date(2026, 9, 1))
        assert "2026" in exc.value.message_dict["month"][0]

    def test_less_than_the_dues_is_refused_more_is_voluntary(self, world, based):
        with pytest.raises(ValidationError) as exc:
            self.pay(world, based, 2026, 9, dt.date(2026, 9, 1), amount="39.99")
        assert "amount" in exc.value.message_dict
        assert self.pay(world, based, 2026, 9, dt.date(2026, 9, 1), amount="100").amount == D("100.00")

    @pytest.mark.parametrize("bad", ["abc", "-40"])
    def test_a_bad_amount_is_refused(self, world, based, bad):
        with pytest.raises(ValidationError) as exc:
            self.pay(world, based, 2026, 9, dt.date(2026, 9, 1), amount=bad)
        assert "amount" in exc.value.message_dict
        assert not DuesPayment.objects.exists()

    def test_a_payment_in_the_future_is_refused(self, world, based):
        with pytest.raises(ValidationError) as exc:
            self.pay(world, based, 2026, 9, dt.date(2026, 9, 11))
        assert "paid_on" in exc.value.message_dict

    @pytest.mark.parametrize("month", [0, 13, "x"])
    def test_a_month_out_of_range_is_refused(self, world, based, month):
        with pytest.raises(ValidationError):
            self.pay(world, based, 2026, month, dt.date(2026, 9, 1))


class TestMarkMonth:
    def test_the_whole_month_for_a_branch(self, world, today):
        a, sec = world.person_a.membership, world.secretary_a.person.membership
        late = probationary(world, admitted=dt.date(2026, 9, 5))
        nobase = probationary(world, admitted=dt.date(2025, 1, 5), name="冯敏")
        for m in (a, sec, late):
            dues.set_base(m, 2026, category=S, base="4000", actor=None)
        dues.record_payment(sec, 2026, 8, paid_on=dt.date(2026, 8, 3), actor=None)
        members = Membership.objects.filter(pk__in=[a.pk, sec.pk, late.pk, nobase.pk])
        result = dues.mark_month_paid(members, 2026, 8, actor=world.secretary_a, organization=world.branch_a)
        assert {p.membership_id for p in result.paid} == {a.pk}
        assert {m.pk for m, _reason in result.skipped} == {late.pk, nobase.pk}
        assert DuesPayment.objects.get(membership=a, month=8).kind == PaymentKind.MAKEUP
        [event] = events("dues_month_paid")
        assert event.additional_data["memberships"] == [a.pk]


class TestBook:
    """Consecutive unpaid months counted back from the current month (included), and the alerts."""

    def book(self, world, members, year=2026, on=dt.date(2026, 9, 10)):
        qs = Membership.objects.filter(pk__in=[m.pk for m in members])
        return dues.build_book(qs, year, hospital_id=world.hospital.pk, on=on)

    def paid_through(self, m, year, last_month, first_month=1):
        DuesPayment.objects.bulk_create(
            DuesPayment(membership=m, year=year, month=mo, amount=D("40"), paid_on=dt.date(year, mo, 1))
            for mo in range(first_month, last_month + 1)
        )

    @pytest.mark.parametrize(
        ("paid_until", "run", "alert"), [(7, 2, 0), (6, 3, 3), (4, 5, 3), (3, 6, 6), (0, 9, 6)]
    )
    def test_alerts_at_three_and_six_months(self, world, member, paid_until, run, alert):
        dues.set_base(member, 2026, category=S, base="4000", actor=None)
        self.paid_through(member, 2026, paid_until)
        [row] = self.book(world, [member]).rows
        assert (row.unpaid_run, row.alert) == (run, alert)

    def test_the_run_crosses_the_year(self, world, member):
        for y in (2025, 2026):
            dues.set_base(member, y, category=S, base="4000", actor=None)
        self.paid_through(member, 2025, 9)
        [row] = self.book(world, [member], on=dt.date(2026, 1, 20)).rows
        assert (row.unpaid_run, row.alert) == (4, 3)  # Oct, Nov, Dec 2025 and Jan 2026

    def test_a_year_without_a_base_is_not_counted(self, world, member):
        dues.set_base(member, 2026, category=S, base="4000", actor=None)
        [row] = self.book(world, [member], on=dt.date(2026, 2, 20)).rows
        assert row.unpaid_run == 2  # 2025 had no base: its months are not owed here

    def test_a_probationary_member_owes_from_the_admission_month(self, world):
        m = probationary(world, admitted=dt.date(2026, 3, 15))
        dues.set_base(m, 2026, category=S, base="3000", actor=None)
        [row] = self.book(world, [m], on=dt.date(2026, 5, 31)).rows
        assert [c.status for c in row.cells[:6]] == [
            "not_due",
            "not_due",
            "unpaid",
            "unpaid",
            "unpaid",
            "not_due",
        ]
        assert row.cells[1].due is None and row.cells[2].due == D("15.00")
        assert (row.unpaid_run, row.alert) == (3, 3)
        assert row.due_total == D("150.00")  # March to December

    def test_statuses_totals_and_what_may_be_recorded(self, world, member):
        dues.set_base(member, 2026, category=S, base="4000", actor=None)
        for month, paid_on in ((1, dt.date(2026, 1, 5)), (2, dt.date(2026, 4, 5)), (11, dt.date(2026, 9, 1))):
            dues.record_payment(member, 2026, month, paid_on=paid_on, actor=None)
        book = self.book(world, [member])
        [row] = book.rows
        assert [c.status for c in row.cells] == (
            ["paid", "makeup"] + ["unpaid"] * 7 + ["not_due", "advance", "not_due"]
        )
        assert [c.can_pay for c in row.cells] == [False] * 2 + [True] * 8 + [False, True]
        assert row.cells[2].can_pay and not row.cells[1].can_pay
        assert (row.due_total, row.paid_total, row.arrears) == (D("480"), D("120"), D("280"))
        assert (book.months[0].paid_count, book.months[2].unpaid_count) == (1, 1)
        assert (book.due_total, book.paid_total) == (D("480"), D("120"))

    def test_a_past_year_counts_back_from_december(self, world, member):
        dues.set_base(member, 2025, category=S, base="4000", actor=None)
        self.paid_through(member, 2025, 10)
        [row] = self.book(world, [member], year=2025).rows
        assert row.unpaid_run == 2

    def test_a_future_year_has_no_unpaid_month(self, world, member):
        dues.set_base(member, 2027, category=S, base="4000", actor=None)
        [row] = self.book(world, [member], year=2027).rows
        assert {c.status for c in row.cells} == {"not_due"} and row.unpaid_run == 0
