"""Dues API: the permission contracts of bases and payments, the services' refusals as 400, the book."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hongqing.core.testing.contracts import ApiContract
from hongqing.party.models import DuesBase, DuesPayment
from hongqing.party.services import dues as services

from .dues_records import DuesWorld

pytestmark = pytest.mark.django_db
BASES = "/api/party/dues-bases/"
PAYMENTS = "/api/party/dues-payments/"
BOOK = "/api/party/dues-book/"


class TestDuesBaseApi(DuesWorld, ApiContract):
    model = DuesBase
    api_list = BASES
    api_changes = {"category": "retired", "change_reason": "退休"}

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

    def api_create_data(self, world):
        return {
            "membership": world.dues["sec_a"].pk,
            "year": world.dues["year"],
            "category": "salaried",
            "base": "4000",
        }

    def api_created(self, world):
        return DuesBase.objects.filter(membership=world.dues["sec_a"], year=world.dues["year"])

    def api_create_outside_data(self, world):
        return {"membership": world.rec.membership_b.pk, "year": world.dues["year"] + 1, "base": "4000"}


class TestDuesPaymentApi(DuesWorld, ApiContract):
    model = DuesPayment
    api_list = PAYMENTS
    api_changes = {"note": "现金"}

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

    def api_create_data(self, world):
        today = services.today()
        return {"membership": world.rec.membership_a.pk, "year": today.year, "month": today.month}

    def api_created(self, world):
        today = services.today()
        return DuesPayment.objects.filter(
            membership=world.rec.membership_a, year=today.year, month=today.month
        )

    def api_create_outside_data(self, world):
        today = services.today()
        return {"membership": world.rec.membership_b.pk, "year": today.year, "month": today.month}


class TestRefusals(DuesWorld):
    def post(self, client, url, data):
        return client.post(url, data, content_type="application/json")

    @pytest.mark.parametrize("bad", ["-1", "abc"])
    def test_a_bad_base_is_400_with_nothing_written(self, client, world, bad):
        client.force_login(world.secretary_a)
        before = DuesBase.objects.count()
        data = {"membership": world.dues["sec_a"].pk, "year": world.dues["year"], "base": bad}
        response = self.post(client, BASES, data)
        assert response.status_code == 400 and "base" in response.json()
        assert DuesBase.objects.count() == before

    def test_a_change_without_a_reason_is_400(self, client, world):
        client.force_login(world.secretary_a)
        base = world.dues["base_a"]
        response = client.patch(f"{BASES}{base.pk}/", {"base": "6000"}, content_type="application/json")
        assert response.status_code == 400 and "change_reason" in response.json()
        base.refresh_from_db()
        assert base.base == 4000

    def test_the_base_and_year_stay(self, client, world):
        client.force_login(world.secretary_a)
        base = world.dues["base_a"]
        data = {"year": 2001, "membership": world.dues["sec_a"].pk, "change_reason": "x"}
        assert client.patch(f"{BASES}{base.pk}/", data, content_type="application/json").status_code == 200
        base.refresh_from_db()
        assert (base.year, base.membership_id) == (world.dues["year"], world.rec.membership_a.pk)

    def test_a_second_payment_of_a_month_is_400(self, client, world):
        client.force_login(world.secretary_a)
        data = {
            "membership": world.rec.membership_a.pk,
            "year": world.dues["year"],
            "month": world.dues["month"],
        }
        response = self.post(client, PAYMENTS, data)
        assert response.status_code == 400 and "month" in response.json()
        assert DuesPayment.objects.count() == 3

    def test_a_payment_keeps_its_amount(self, client, world):
        client.force_login(world.secretary_a)
        pay = world.dues["pay_a"]
        response = client.patch(
            f"{PAYMENTS}{pay.pk}/", {"amount": "1", "note": "x"}, content_type="application/json"
        )
        assert response.status_code == 200
        pay.refresh_from_db()
        assert (str(pay.amount), pay.note) == ("40.00", "x")


class TestBookApi(DuesWorld):
    def test_scoped_like_the_page(self, client, world):
        client.force_login(world.secretary_a)
        response = client.get(BOOK, {"organization": world.branch_a.pk})
        assert response.status_code == 200
        names = {r["name"] for r in response.json()["rows"]}
        assert "张伟" in names and "李娜" not in names
        assert len(response.json()["rows"][0]["months"]) == 12
        assert client.get(BOOK, {"organization": world.branch_b.pk}).status_code == 404
        client.force_login(world.member_a)
        assert client.get(BOOK, {"organization": world.branch_a.pk}).status_code == 404
        client.force_login(world.auditor)
        assert client.get(BOOK, {"organization": world.branch_a.pk}).status_code == 403

    def test_api_list_budget(self, client, world, django_assert_max_num_queries):
        client.force_login(world.office)
        with CaptureQueriesContext(connection) as small:
            client.get(PAYMENTS)
        DuesPayment.objects.bulk_create(
            DuesPayment(
                membership=world.rec.membership_a,
                year=2000 + i // 12,
                month=i % 12 + 1,
                amount=40,
                paid_on="2020-01-01",
            )
            for i in range(240)
        )
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(PAYMENTS, {"page_size": 300}).status_code == 200
