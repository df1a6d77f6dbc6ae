"""Dues pages: the permission contracts of the bases and payments, the base form's rules, list budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from hongqing.core.testing.contracts import PageContract
from hongqing.core.testing.world import make_person
from hongqing.party.models import DuesBase, DuesPayment
from hongqing.party.services import dues as services
from hongqing.people.choices import Stage
from hongqing.people.models import Membership

from .dues_records import DuesWorld

pytestmark = pytest.mark.django_db


class TestDuesBasePages(DuesWorld, PageContract):
    model = DuesBase
    edit_changes = {"category": "retired", "change_reason": "退休"}

    def in_scope(self, world):
        return world.dues["base_a"]

    def elsewhere(self, world):
        return world.dues["base_b"]

    def deletable(self, world):
        return world.dues["base_sec_a_last_year"]

    def member_own(self, world):
        return world.dues["base_a"]

    def member_other(self, world):
        return world.dues["base_b"]

    def export_marker(self, obj):
        return obj.membership.person.staff_no

    def create_data(self, world):
        return {
            "membership": world.dues["sec_a"].pk,
            "year": world.dues["year"],
            "category": "salaried",
            "base": "4000",
        }

    def created(self, world):
        return DuesBase.objects.filter(membership=world.dues["sec_a"], year=world.dues["year"])

    def create_outside_data(self, world):
        m = Membership.objects.create(
            person=make_person(world.hospital, world.dept_b, "孔明"),
            organization=world.branch_b,
            stage=Stage.FULL,
            admission_date=dt.date(2010, 1, 1),
        )
        return {"membership": m.pk, "year": world.dues["year"], "category": "salaried", "base": "4000"}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b, world.rec.branch_h2]}

    def forbidden_choices(self, world):
        return {"membership": [world.rec.membership_b, world.rec.membership_h2]}


class TestDuesPaymentPages(DuesWorld, PageContract):
    model = DuesPayment

    def in_scope(self, world):
        return world.dues["pay_a"]

    def elsewhere(self, world):
        return world.dues["pay_b"]

    def deletable(self, world):
        return world.dues["pay_a"]

    def member_own(self, world):
        return world.dues["pay_a"]

    def member_other(self, world):
        return world.dues["pay_b"]

    def export_marker(self, obj):
        return obj.membership.person.staff_no

    def create_data(self, world):
        today = services.today()
        return {
            "membership": world.rec.membership_a.pk,
            "year": today.year,
            "month": today.month,
            "amount": "",
            "paid_on": today.isoformat(),
            "note": "",
        }

    def created(self, world):
        today = services.today()
        return DuesPayment.objects.filter(
            membership=world.rec.membership_a, year=today.year, month=today.month
        )

    def create_outside_data(self, world):
        data = self.create_data(world)
        data["membership"] = world.rec.membership_b.pk
        return data

    def forbidden_choices(self, world):
        return {"membership": [world.rec.membership_b, world.rec.membership_h2]}


class TestBaseForm(DuesWorld):
    """The base page refuses what the service refuses, with its messages, and writes through it."""

    def url(self, obj=None):
        return reverse("party:duesbase_edit", kwargs={"pk": obj.pk}) if obj else reverse("party:duesbase_add")

    def test_items_give_the_base_and_the_form_names_the_items(self, client, world):
        client.force_login(world.secretary_a)
        response = client.get(self.url())
        html = response.content.decode()
        for item in ("岗位工资", "薪级工资", "基础性绩效", "规范津贴补贴"):
            assert item in html
        year = world.dues["year"]
        response = client.post(
            self.url(),
            {
                "membership": world.dues["sec_a"].pk,
                "year": year,
                "category": "salaried",
                "base": "",
                "item_0": "3200",
                "item_1": "1500.50",
                "item_2": "2000",
                "item_3": "800",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        base = DuesBase.objects.get(membership=world.dues["sec_a"], year=year)
        assert (base.base, base.monthly) == (Decimal("7500.50"), Decimal("112.51"))
        assert base.created_by == world.secretary_a

    @pytest.mark.parametrize("bad", ["-100", "abc", "3,000x"])
    def test_a_bad_base_is_refused_with_nothing_written(self, client, world, bad):
        client.force_login(world.secretary_a)
        before = DuesBase.objects.count()
        response = client.post(
            self.url(),
            {
                "membership": world.dues["sec_a"].pk,
                "year": world.dues["year"],
                "category": "salaried",
                "base": bad,
            },
        )
        assert response.status_code == 422
        assert response.context["form"].errors["base"]
        assert DuesBase.objects.count() == before

    def test_a_second_base_for_the_year_is_refused(self, client, world):
        client.force_login(world.secretary_a)
        response = client.post(
            self.url(),
            {
                "membership": world.rec.membership_a.pk,
                "year": world.dues["year"],
                "category": "salaried",
                "base": "5000",
            },
        )
        assert response.status_code == 422
        assert response.context["form"].errors["year"]

    def test_a_change_in_the_year_needs_a_reason_and_is_audited(self, client, world):
        base = world.dues["base_a"]
        client.force_login(world.secretary_a)
        data = {"category": "salaried", "base": "6000", "change_reason": ""}
        response = client.post(self.url(base), data)
        assert response.status_code == 422
        assert response.context["form"].errors["change_reason"]
        base.refresh_from_db()
        assert base.monthly == Decimal("40.00")
        data["change_reason"] = "岗位调整"
        assert client.post(self.url(base), data).status_code == 302
        base.refresh_from_db()
        assert (base.monthly, base.change_reason) == (Decimal("90.00"), "岗位调整")
        assert (
            LogEntry.objects.filter(
                additional_data__event="dues_base_change", actor=world.secretary_a
            ).count()
            == 1
        )

    def test_the_detail_page_shows_the_months_and_the_cap_warning(self, client, world):
        base = world.dues["base_a"]
        client.force_login(world.secretary_a)
        html = client.get(base.get_absolute_url()).content.decode()
        assert "dues-cap-warning" not in html
        assert html.count("dues-cell dues-") == 12
        services.set_base(
            base.membership, base.year, category="salaried", base="60000", actor=None, reason="测试"
        )
        assert "dues-cap-warning" in client.get(base.get_absolute_url()).content.decode()

    def test_the_list_flags_bases_over_the_cap(self, client, world):
        services.set_base(
            world.rec.membership_a,
            world.dues["year"],
            category="salaried",
            base="60000",
            actor=None,
            reason="x",
        )
        client.force_login(world.secretary_a)
        html = client.get(reverse("party:duesbase_list")).content.decode()
        assert "dues-cap" in html

    def test_the_list_is_of_this_year_unless_another_is_asked(self, client, world):
        client.force_login(world.secretary_a)
        rows = list(client.get(reverse("party:duesbase_list")).context["table"].data)
        assert world.dues["base_sec_a_last_year"] not in rows
        rows = list(
            client.get(reverse("party:duesbase_list"), {"year": world.dues["year"] - 1}).context["table"].data
        )
        assert rows == [world.dues["base_sec_a_last_year"]]


class TestPaymentForm(DuesWorld):
    def test_a_make_up_beyond_six_months_is_refused_on_the_page(self, client, world, monkeypatch):
        monkeypatch.setattr(services, "today", lambda: dt.date(world.dues["year"], 12, 15))
        client.force_login(world.secretary_a)
        response = client.post(
            reverse("party:duespayment_add"),
            {
                "membership": world.rec.membership_a.pk,
                "year": world.dues["year"],
                "month": 5,
                "amount": "",
                "paid_on": f"{world.dues['year']}-12-15",
                "note": "",
            },
        )
        assert response.status_code == 422
        assert response.context["form"].errors["month"]
        assert not DuesPayment.objects.filter(month=5).exists()


class TestListBudgets:
    """The base and payment lists: a constant number of queries for a few hundred rows."""

    def test_lists_with_three_hundred_members(self, client, world, django_assert_max_num_queries):
        from hongqing.people.models import Person

        year = services.today().year
        persons = Person.objects.bulk_create(
            Person(
                hospital=world.hospital,
                department=world.dept_a,
                name=f"成员{i}",
                staff_no=f"Q{i:05d}",
                gender="F",
            )
            for i in range(300)
        )
        members = Membership.objects.bulk_create(
            Membership(
                person=p, organization=world.branch_a, stage=Stage.FULL, admission_date=dt.date(2010, 1, 1)
            )
            for p in persons
        )
        DuesBase.objects.bulk_create(
            DuesBase(
                membership=m, year=year, base=Decimal("4000"), rate=Decimal("0.01"), monthly=Decimal("40")
            )
            for m in members
        )
        DuesPayment.objects.bulk_create(
            DuesPayment(membership=m, year=year, month=1, amount=Decimal("40"), paid_on=dt.date(year, 1, 5))
            for m in members
        )
        client.force_login(world.secretary_a)
        for url in (reverse("party:duesbase_list"), reverse("party:duespayment_list")):
            with django_assert_max_num_queries(20):
                response = client.get(url, {"per_page": 200})
            assert response.status_code == 200
        with django_assert_max_num_queries(20):
            assert client.get(reverse("party:duesbase_list") + "?export=xlsx").status_code == 200
