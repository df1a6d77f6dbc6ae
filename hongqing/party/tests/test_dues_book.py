"""The dues book: who sees which book, marking a cell and a month paid, the export, a member's page."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from hongqing.party.models import DuesBase, DuesPayment
from hongqing.party.services import dues as services
from hongqing.people.choices import Stage
from hongqing.people.models import Membership, Person

from .dues_records import DuesWorld

pytestmark = pytest.mark.django_db
BOOK = reverse("party:dues_book")
PAY = reverse("party:dues_pay")
PAY_MONTH = reverse("party:dues_pay_month")
EXPORT = reverse("party:dues_export")
MINE = reverse("party:dues_mine")
HTMX = {"HTTP_HX_REQUEST": "true"}


def names(response):
    return {r.membership.person.name for r in response.context["book"].rows}


class TestWhoSeesWhichBook(DuesWorld):
    def test_secretary_a_sees_branch_a_only(self, client, world):
        client.force_login(world.secretary_a)
        response = client.get(BOOK)
        assert response.status_code == 200
        assert response.context["organization"] == world.branch_a
        assert "张伟" in names(response) and "李娜" not in names(response)
        assert [o.pk for o in response.context["organizations"]] == [world.branch_a.pk]
        assert client.get(BOOK, {"organization": world.branch_b.pk}).status_code == 404
        assert client.get(BOOK, {"organization": world.committee.pk}).status_code == 404
        assert client.get(BOOK, {"organization": world.rec.branch_h2.pk}).status_code == 404

    def test_secretary_b_sees_none_of_branch_a(self, client, world):
        client.force_login(world.secretary_b)
        response = client.get(BOOK)
        assert response.context["organization"] == world.branch_b
        assert "张伟" not in names(response) and "李娜" in names(response)
        assert client.get(BOOK, {"organization": world.branch_a.pk}).status_code == 404
        assert client.get(EXPORT, {"organization": world.branch_a.pk}).status_code == 404
        assert client.get("/api/party/dues-book/", {"organization": world.branch_a.pk}).status_code == 404

    def test_the_office_reads_the_whole_hospital_and_not_the_other(self, client, world):
        client.force_login(world.office)
        response = client.get(BOOK, {"organization": world.committee.pk})
        assert {"张伟", "李娜"} <= names(response) and "王芳" not in names(response)
        assert client.get(BOOK, {"organization": world.rec.branch_h2.pk}).status_code == 404

    def test_a_member_has_no_book_but_their_own_page(self, client, world):
        client.force_login(world.member_a)
        response = client.get(BOOK)
        assert response.status_code == 302 and response["Location"] == MINE
        assert client.get(BOOK, {"organization": world.branch_a.pk}).status_code == 404
        assert client.get(EXPORT, {"organization": world.branch_a.pk}).status_code == 404
        cell = f"{world.rec.membership_a.pk}-{services.today().month}"
        response = client.post(
            PAY, {"organization": world.branch_a.pk, "year": world.dues["year"], "cell": cell}
        )
        assert response.status_code == 403
        assert not DuesPayment.objects.filter(month=services.today().month).exists()

    def test_no_grant_is_403(self, client, world):
        for persona in ("auditor", "nobody"):
            client.force_login(getattr(world, persona))
            for url in (BOOK, EXPORT, MINE):
                assert client.get(url).status_code == 403, (persona, url)

    def test_readers_cannot_mark_paid(self, client, world):
        cell = f"{world.rec.membership_a.pk}-{services.today().month}"
        for persona in ("inspector", "region"):
            client.force_login(getattr(world, persona))
            response = client.get(BOOK, {"organization": world.branch_a.pk})
            assert response.status_code == 200 and not response.context["can_change"]
            assert 'class="dues-pay"' not in response.content.decode()
            data = {"organization": world.branch_a.pk, "year": world.dues["year"], "cell": cell}
            assert client.post(PAY, data).status_code == 403
            assert client.post(PAY_MONTH, {**data, "month": 3}).status_code == 403
        assert DuesPayment.objects.count() == 3


class TestMarkingPaid(DuesWorld):
    def post(self, client, world, membership, month, org=None, **extra):
        data = {
            "organization": (org or world.branch_a).pk,
            "year": world.dues["year"],
            "cell": f"{membership.pk}-{month}",
        }
        return client.post(PAY, data, **extra)

    def test_a_cell_turns_paid_in_place(self, client, world):
        today = services.today()
        m = world.rec.membership_a
        client.force_login(world.secretary_a)
        page = client.get(BOOK).content.decode()
        assert f'value="{m.pk}-{today.month}"' in page  # the current month is unpaid: a button
        response = self.post(client, world, m, today.month, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.startswith(f'\n<tr id="dues-row-{m.pk}"') or html.lstrip().startswith(
            f'<tr id="dues-row-{m.pk}"'
        )
        assert f'data-month="{today.month}"' in html and "dues-paid" in html
        assert 'id="dues-totals" hx-swap-oob="true"' in html
        p = DuesPayment.objects.get(membership=m, year=today.year, month=today.month)
        assert (p.kind, p.amount, p.paid_on, p.created_by) == (
            "regular",
            Decimal("40.00"),
            today,
            world.secretary_a,
        )

    def test_without_htmx_it_redirects_with_a_message(self, client, world):
        client.force_login(world.secretary_a)
        response = self.post(client, world, world.rec.membership_a, services.today().month, follow=True)
        assert response.redirect_chain[-1][0].startswith(BOOK)
        assert any("张伟" in str(m) for m in response.context["messages"])

    def test_a_refusal_is_shown_and_nothing_written(self, client, world, monkeypatch):
        monkeypatch.setattr(services, "today", lambda: dt.date(world.dues["year"], 12, 20))
        client.force_login(world.secretary_a)
        response = self.post(client, world, world.rec.membership_a, 5, **HTMX)  # 7 months back
        assert response.status_code == 200
        assert 'id="dues-messages" aria-live="polite" hx-swap-oob="true"><div class="alert alert-danger' in (
            response.content.decode()
        )
        assert not DuesPayment.objects.filter(month=5).exists()

    def test_another_branchs_member_is_404(self, client, world):
        client.force_login(world.secretary_a)
        month = services.today().month
        assert self.post(client, world, world.rec.membership_b, month, **HTMX).status_code == 404
        assert self.post(client, world, world.rec.membership_b, month, org=world.branch_b).status_code == 404
        assert self.post(client, world, world.rec.membership_h2, month).status_code == 404
        assert DuesPayment.objects.count() == 3

    def test_a_bad_cell_is_404(self, client, world):
        client.force_login(world.secretary_a)
        data = {"organization": world.branch_a.pk, "year": world.dues["year"], "cell": "x-y"}
        assert client.post(PAY, data).status_code == 404

    def test_the_whole_month(self, client, world):
        client.force_login(world.secretary_a)
        month = services.today().month
        sec_a = world.dues["sec_a"]  # no base this year: skipped, and said so
        response = client.post(
            PAY_MONTH,
            {"organization": world.branch_a.pk, "year": world.dues["year"], "month": month},
            follow=True,
        )
        assert response.status_code == 200
        assert DuesPayment.objects.filter(month=month, membership=world.rec.membership_a).exists()
        assert not DuesPayment.objects.filter(membership=sec_a).exists()
        assert not DuesPayment.objects.filter(month=month, membership=world.rec.membership_b).exists()
        text = " ".join(str(m) for m in response.context["messages"])
        assert sec_a.person.name in text


class TestAlertsOnThePage(DuesWorld):
    def test_three_and_six_months_behind(self, client, world, monkeypatch):
        year = world.dues["year"]
        monkeypatch.setattr(services, "today", lambda: dt.date(year, 9, 10))
        DuesPayment.objects.all().delete()
        a = world.rec.membership_a
        DuesPayment.objects.bulk_create(
            DuesPayment(membership=a, year=year, month=mo, amount=Decimal(40), paid_on=dt.date(year, mo, 2))
            for mo in range(1, 7)
        )
        DuesBase.objects.create(
            membership=world.dues["sec_a"], year=year, base=4000, rate=Decimal("0.01"), monthly=40
        )
        client.force_login(world.secretary_a)
        response = client.get(BOOK)
        rows = {r.membership.pk: r for r in response.context["book"].rows}
        assert (rows[a.pk].unpaid_run, rows[a.pk].alert) == (3, 3)
        # nothing paid since the start of last year (a base then too): the run crosses the year
        assert (rows[world.dues["sec_a"].pk].unpaid_run, rows[world.dues["sec_a"].pk].alert) == (21, 6)
        html = response.content.decode()
        assert 'data-alert="6"' in html and 'data-alert="3"' in html
        assert "dues-alert-6" in html and "dues-alert-3" in html


class TestExport(DuesWorld):
    def sheets(self, response):
        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}

    def test_the_office_exports_one_sheet_per_branch_with_totals(self, client, world):
        client.force_login(world.office)
        response = client.get(EXPORT, {"organization": world.committee.pk, "year": world.dues["year"]})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheets = self.sheets(response)
        assert set(sheets) >= {"产科党支部", "儿科党支部"} and len(sheets) == 3  # and the summary
        rows = sheets["产科党支部"]
        staff = {r[0] for r in rows[2:-1]}
        assert world.person_a.staff_no in staff and world.person_b.staff_no not in staff
        header = rows[1]
        month = world.dues["month"]
        a_row = next(r for r in rows if r[0] == world.person_a.staff_no)
        assert a_row[header.index("张伟") if "张伟" in header else 1] == "张伟"
        assert a_row[5 + month] == 40  # the paid month's amount
        total = rows[-1]
        assert total[5 + month] == 40
        summary = next(v for k, v in sheets.items() if k not in ("产科党支部", "儿科党支部"))
        assert summary[-1][1] == 4  # two members in each branch

    def test_secretary_a_exports_branch_a_only(self, client, world):
        client.force_login(world.secretary_a)
        response = client.get(EXPORT, {"year": world.dues["year"]})
        sheets = self.sheets(response)
        assert list(sheets) == ["产科党支部"]
        text = " ".join(str(c) for row in sheets["产科党支部"] for c in row if c is not None)
        assert world.person_a.staff_no in text and world.person_b.staff_no not in text


class TestMyDues(DuesWorld):
    def test_a_member_sees_their_own_months(self, client, world):
        client.force_login(world.member_a)
        response = client.get(MINE)
        assert response.status_code == 200
        assert response.context["membership"] == world.rec.membership_a
        html = response.content.decode()
        assert html.count('class="list-group-item d-flex align-items-center gap-2 dues-cell') == 12
        assert "40.00" in html and "李娜" not in html

    def test_someone_without_a_membership(self, client, world):
        client.force_login(world.office)  # the office's person is not a Party member
        response = client.get(MINE)
        assert response.status_code == 200 and response.context["membership"] is None
        assert 'id="dues-none"' in response.content.decode()

    def test_the_home_page_shows_the_members_dues(self, client, world):
        client.force_login(world.member_a)
        html = client.get(reverse("core:home")).content.decode()
        assert 'id="my-dues"' in html
        client.force_login(world.office)
        assert 'id="my-dues"' not in client.get(reverse("core:home")).content.decode()

    def test_the_menu(self, client, world):
        client.force_login(world.member_a)
        html = client.get(reverse("core:home")).content.decode()
        assert MINE in html and BOOK not in html
        client.force_login(world.secretary_a)
        html = client.get(reverse("core:home")).content.decode()
        assert BOOK in html and MINE in html
        client.force_login(world.inspector)  # reads the hospital's dues; no staff record of their own
        html = client.get(reverse("core:home")).content.decode()
        assert BOOK in html and MINE not in html
        client.force_login(world.auditor)
        html = client.get(reverse("core:home")).content.decode()
        assert BOOK not in html and MINE not in html


class TestBookBudget:
    """The book's queries do not grow with its members."""

    def members(self, world, n, start):
        year = services.today().year
        persons = Person.objects.bulk_create(
            Person(
                hospital=world.hospital,
                department=world.dept_a,
                name=f"成员{i}",
                staff_no=f"Q{i:05d}",
                gender="F",
            )
            for i in range(start, start + n)
        )
        members = Membership.objects.bulk_create(
            Membership(
                person=p, organization=world.branch_a, stage=Stage.FULL, admission_date=dt.date(2010, 1, 1)
            )
            for p in persons
        )
        DuesBase.objects.bulk_create(
            DuesBase(membership=m, year=y, base=Decimal("4000"), rate=Decimal("0.01"), monthly=Decimal("40"))
            for m in members
            for y in (year - 1, year)
        )
        DuesPayment.objects.bulk_create(
            DuesPayment(membership=m, year=year, month=mo, amount=Decimal("40"), paid_on=dt.date(year, mo, 5))
            for m in members
            for mo in range(1, 4)
        )

    def count(self, client, url, params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def test_constant_in_the_number_of_members(self, client, world, django_assert_max_num_queries):
        client.force_login(world.secretary_a)
        params = {"organization": world.branch_a.pk}
        self.members(world, 5, 0)
        small = {url: self.count(client, url, params) for url in (BOOK, EXPORT)}
        self.members(world, 300, 100)
        with django_assert_max_num_queries(small[BOOK]):
            response = client.get(BOOK, params)
        assert len(response.context["book"].rows) == 307
        with django_assert_max_num_queries(small[EXPORT]):
            client.get(EXPORT, params)
        assert small[BOOK] <= 25  # the session, the user and their grants, the menu, and the book's own few
