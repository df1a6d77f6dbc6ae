"""The points API: permission contracts of every endpoint, the actions (correct, approve, reject,
participants, open and close a round, nominate, decide, review), the caller's own points, totals,
query budgets of the lists, and a warning-free OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from auditlog.context import disable_auditlog
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hongqing.core.testing.contracts import ApiContract
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world
from hongqing.points.choices import HonorKind, NominationStatus, ProposalStatus, VolunteeringKind
from hongqing.points.models import (
    ClosedYear,
    Honor,
    HonorRound,
    Nomination,
    PointEntry,
    PointProposal,
    PointRule,
    Volunteering,
)
from hongqing.points.services import periods

from .support import YEAR, add_activity_records, add_point_records, rule, set_rule, total
from .test_query_budgets import grow_lines, grow_members

API = "/api/points/"


class PointsWorld:
    @pytest.fixture
    def world(self, db):
        with disable_auditlog():
            return add_activity_records(add_point_records(add_records(build_world())))


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


# Contracts --------------------------------------------------------------------------------------------
class TestEntryApi(PointsWorld, ApiContract):
    model = PointEntry
    api_list = API + "entries/"
    read_only = True
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.prec.entry_a

    def elsewhere(self, world):
        return world.prec.entry_b

    def member_own(self, world):
        return world.prec.entry_a

    def member_other(self, world):
        return world.prec.entry_b


class TestEntryOfficeApi(TestEntryApi):
    viewer = "office"

    def elsewhere(self, world):
        return world.prec.entry_h2


class TestRuleApi(PointsWorld, ApiContract):
    model = PointRule
    api_list = API + "rules/"
    viewer = "secretary_a"
    editor = "office"
    api_changes = {"name": "参加组织生活（接口改）"}

    def in_scope(self, world):
        return world.prec.rule_h

    def elsewhere(self, world):
        return world.prec.rule_h2

    def api_create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "name": "接口新增",
            "trigger": "manual",
            "amount": "2",
            "active_from": "2025-01-01",
        }

    def api_created(self, world):
        return PointRule.objects.filter(name="接口新增")

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "hospital": world.hospital2.pk}

    def deletable(self, world):
        return rule(world.hospital, "honor", "5", name="未用")

    def member_own(self, world):
        return world.prec.rule_h

    def member_other(self, world):
        return world.prec.rule_h2

    def test_api_a_secretary_reads_but_does_not_write(self, client, world):
        client.force_login(world.secretary_a)
        before = PointRule.objects.count()
        assert post(client, self.api_list, self.api_create_data(world)).status_code == 403
        assert self.patch(client, self.api_detail(world.prec.rule_h), {"name": "x"}).status_code == 403
        assert PointRule.objects.count() == before

    def test_api_a_zero_amount_is_a_400_with_its_message(self, client, world):
        client.force_login(world.office)
        response = post(client, self.api_list, {**self.api_create_data(world), "amount": "0"})
        assert response.status_code == 400 and "amount" in response.json()


class ProposalApiCase(PointsWorld, ApiContract):
    model = PointProposal
    api_list = API + "proposals/"
    viewer = editor = "secretary_a"

    def in_scope(self, world):
        return world.prec.proposal_a

    def elsewhere(self, world):
        return world.prec.proposal_b

    def api_create_data(self, world):
        return {
            "person": world.person_a.pk,
            "rule": world.prec.manual_h.pk,
            "date": "2025-05-04",
            "reason": "接口申报",
        }

    def api_created(self, world):
        return PointProposal.objects.filter(reason="接口申报")

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "person": world.person_b.pk}

    def deletable(self, world):
        return world.prec.proposal_a

    def member_own(self, world):
        return world.prec.approved_a

    def member_other(self, world):
        return world.prec.proposal_b

    def test_api_write_elsewhere_is_404(self, client, world):
        # A proposal is never edited (PATCH is 405); it is decided; elsewhere is 404.
        self.login(client, world, self.editor)
        obj = self.elsewhere(world)
        assert self.patch(client, self.api_detail(obj), {}).status_code == 405
        assert client.delete(self.api_detail(obj)).status_code == 404
        assert post(client, f"{self.api_detail(obj)}approve/").status_code == 404


class TestProposalApi(ProposalApiCase):
    pass


class TestProposalOfficeApi(ProposalApiCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.prec.proposal_h2

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "person": world.person_h2.pk}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.prec.proposal_h2


class VolunteeringApiCase(PointsWorld, ApiContract):
    model = Volunteering
    api_list = API + "volunteering/"
    viewer = editor = "secretary_a"
    api_changes = {"place": "村委会"}

    def in_scope(self, world):
        return world.arec.vol_a

    def elsewhere(self, world):
        return world.arec.vol_b

    def api_create_data(self, world):
        return {
            "organizer": world.branch_a.pk,
            "kind": VolunteeringKind.PAIRING,
            "title": "接口结对帮扶",
            "date": "2025-08-01",
            "served_unit": "石桥村",
            "people_served": 40,
        }

    def api_created(self, world):
        return Volunteering.objects.filter(title="接口结对帮扶")

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organizer": world.branch_b.pk}

    def deletable(self, world):
        return world.arec.vol_empty_a

    def member_own(self, world):
        return world.arec.vol_a

    def member_other(self, world):
        return world.arec.vol_b


class TestVolunteeringApi(VolunteeringApiCase):
    pass


class TestVolunteeringOfficeApi(VolunteeringApiCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.arec.vol_h2

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organizer": world.rec.branch_h2.pk}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.arec.vol_h2


class TestHonorApi(PointsWorld, ApiContract):
    model = Honor
    api_list = API + "honors/"
    viewer = "secretary_a"
    editor = "office"
    api_changes = {"note": "省级表彰"}

    def in_scope(self, world):
        return world.arec.honor_a

    def elsewhere(self, world):
        return world.arec.honor_b

    def edit_elsewhere(self, world):
        return world.arec.honor_h2

    def api_create_data(self, world):
        return {
            "kind": HonorKind.MODEL_POST,
            "person": world.person_a.pk,
            "organization": world.branch_a.pk,
            "title": "市级党员示范岗（接口）",
            "awarded_on": "2025-09-01",
        }

    def api_created(self, world):
        return Honor.objects.filter(title="市级党员示范岗（接口）")

    def api_create_outside_data(self, world):
        return {
            **self.api_create_data(world),
            "person": world.person_h2.pk,
            "organization": world.rec.branch_h2.pk,
        }

    def deletable(self, world):
        return world.arec.honor_a

    def member_own(self, world):
        return world.arec.honor_a

    def member_other(self, world):
        return world.arec.honor_b


class TestRoundApi(PointsWorld, ApiContract):
    model = HonorRound
    api_list = API + "honor-rounds/"
    viewer = "secretary_a"
    editor = "office"

    def in_scope(self, world):
        return world.arec.round_h

    def elsewhere(self, world):
        return world.arec.round_h2

    def deletable(self, world):
        return world.arec.round_empty_h

    def member_other(self, world):
        return world.arec.round_h

    def test_api_write_elsewhere_is_404(self, client, world):
        client.force_login(world.office)
        obj = world.arec.round_h2
        assert self.patch(client, self.api_detail(obj), {}).status_code == 405
        assert client.delete(self.api_detail(obj)).status_code == 404
        assert post(client, f"{self.api_detail(obj)}close/").status_code == 404


class NominationApiCase(PointsWorld, ApiContract):
    model = Nomination
    api_list = API + "nominations/"
    viewer = editor = "secretary_a"

    def in_scope(self, world):
        return world.arec.nom_a

    def elsewhere(self, world):
        return world.arec.nom_b

    def api_create_data(self, world):
        return {
            "round": world.arec.round_h.pk,
            "kind": HonorKind.MODEL_POST,
            "person": world.person_a.pk,
            "reason": "接口推荐",
        }

    def api_created(self, world):
        return Nomination.objects.filter(reason="接口推荐")

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "person": world.person_b.pk}

    def deletable(self, world):
        return world.arec.nom_a

    def member_other(self, world):
        return world.arec.nom_a

    def test_api_write_elsewhere_is_404(self, client, world):
        self.login(client, world, self.editor)
        obj = self.elsewhere(world)
        assert self.patch(client, self.api_detail(obj), {}).status_code == 405
        assert client.delete(self.api_detail(obj)).status_code == 404
        assert (
            post(client, f"{self.api_detail(obj)}decision/", {"method": "committee", "note": "x"}).status_code
            == 404
        )


class TestNominationApi(NominationApiCase):
    pass


class TestNominationOfficeApi(NominationApiCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.arec.nom_h2

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "person": world.person_h2.pk}


# Actions ---------------------------------------------------------------------------------------------
@pytest.fixture
def world(db):
    with disable_auditlog():
        return add_activity_records(add_point_records(add_records(build_world())))


def test_the_office_approves_and_rejects_proposals_through_the_api(client, world):
    p = world.prec.proposal_a
    before = total(world.person_a)
    client.force_login(world.secretary_a)
    assert post(client, f"{API}proposals/{p.pk}/approve/").status_code == 403
    client.force_login(world.office)
    response = post(client, f"{API}proposals/{p.pk}/approve/", {"note": "同意"})
    assert response.status_code == 200 and response.json()["status"] == ProposalStatus.APPROVED
    assert total(world.person_a) == before + 3
    assert post(client, f"{API}proposals/{p.pk}/approve/").status_code == 400
    response = post(client, f"{API}proposals/{world.prec.proposal_b.pk}/reject/")
    assert response.status_code == 400  # a rejection has a reason
    assert (
        post(client, f"{API}proposals/{world.prec.proposal_b.pk}/reject/", {"note": "不符合条件"}).status_code
        == 200
    )


def test_a_proposal_outside_the_branch_is_a_400_and_nothing_is_written(client, world):
    client.force_login(world.secretary_a)
    before = PointProposal.objects.count()
    data = {"person": world.person_b.pk, "rule": world.prec.manual_h.pk, "date": "2025-05-04", "reason": "x"}
    assert post(client, f"{API}proposals/", data).status_code == 400
    assert PointProposal.objects.count() == before


def test_a_proposal_on_a_locked_year_is_a_400(client, world):
    ClosedYear.objects.create(hospital=world.hospital, year=YEAR)
    client.force_login(world.secretary_a)
    data = {"person": world.person_a.pk, "rule": world.prec.manual_h.pk, "date": "2025-05-04", "reason": "x"}
    response = post(client, f"{API}proposals/", data)
    assert response.status_code == 400 and "2025" in str(response.json())


def test_a_members_nomination_evidence_lists_the_lines_of_the_period(client, world):
    from hongqing.points.models import HonorRound as R

    rnd = R.objects.create(
        hospital=world.hospital, year=YEAR, number=1, start=dt.date(YEAR, 1, 1), end=dt.date(YEAR, 3, 31)
    )
    nom = Nomination.objects.create(
        round=rnd,
        kind=HonorKind.EXCELLENT_MEMBER,
        person=world.person_a,
        organization=world.branch_a,
        reason="x",
    )
    client.force_login(world.secretary_a)
    data = client.get(f"{API}nominations/{nom.pk}/evidence/").json()
    assert Decimal(data["total"]) == 2 and len(data["lines"]) == 1  # the theme day of 12 March
    assert world.prec.meeting_a.get_absolute_url() in data["lines"][0]["record_url"]


def test_a_correction_through_the_api(client, world):
    entry = world.prec.entry_a
    client.force_login(world.secretary_a)
    assert post(client, f"{API}entries/{entry.pk}/correct/", {"reason": "重复"}).status_code == 403
    client.force_login(world.office)
    assert post(client, f"{API}entries/{entry.pk}/correct/", {}).status_code == 400
    response = post(client, f"{API}entries/{entry.pk}/correct/", {"reason": "重复登记"})
    assert response.status_code == 201 and response.json()["kind"] == "correction"
    assert post(client, f"{API}entries/{entry.pk}/correct/", {"reason": "再次"}).status_code == 400


def test_my_points_through_the_api(client, world):
    client.force_login(world.member_a)
    data = client.get(f"{API}mine/", {"year": YEAR}).json()
    assert Decimal(data["total"]) == total(world.person_a)
    assert {line["person"] for line in data["lines"]} == {world.person_a.pk}
    assert data["rank"] is None and len(data["months"]) == 12
    assert any(world.prec.meeting_a.get_absolute_url() in line["record_url"] for line in data["lines"])
    client.force_login(world.region)
    assert client.get(f"{API}mine/").status_code == 404


def test_totals_through_the_api_ranked_only_when_on(client, world):
    client.force_login(world.secretary_a)
    rows = client.get(f"{API}totals/", {"organization": world.branch_a.pk, "year": YEAR}).json()
    assert {r["person"] for r in rows} == {world.person_a.pk, world.secretary_a.person.pk}
    assert all(r["rank"] is None for r in rows)
    assert client.get(f"{API}totals/", {"organization": world.branch_b.pk}).status_code == 404
    set_rule("points.rankings", {"enabled": True, "scope": "branch"}, world.hospital)
    rows = client.get(f"{API}totals/", {"organization": world.branch_a.pk, "year": YEAR}).json()
    assert rows[0]["rank"] == 1
    client.force_login(world.member_a)
    assert client.get(f"{API}totals/", {"organization": world.branch_a.pk}).status_code == 403
    client.force_login(world.office)
    rows = client.get(f"{API}branch-totals/", {"year": YEAR}).json()
    assert {r["organization"] for r in rows} >= {world.branch_a.pk, world.branch_b.pk}


def test_participants_through_the_api(client, world):
    rule(world.hospital, "volunteering_activity", "2")
    v = world.arec.vol_empty_a
    client.force_login(world.secretary_a)
    rows = [{"person": world.person_a.pk, "hours": "3"}, {"person": world.secretary_a.person.pk}]
    response = post(client, f"{API}volunteering/{v.pk}/participants/", rows)
    assert response.status_code == 200 and len(response.json()) == 2
    assert total(world.person_a) >= 2
    bad = post(
        client, f"{API}volunteering/{v.pk}/participants/", [{"person": world.person_a.pk, "hours": "30"}]
    )
    assert bad.status_code == 400
    client.force_login(world.secretary_b)
    assert post(client, f"{API}volunteering/{v.pk}/participants/", rows).status_code == 404
    client.force_login(world.office)
    figures = client.get(f"{API}volunteering/figures/").json()
    assert figures["activities"] == 3 and figures["people_served"] == 240  # hospital H's three


def test_a_round_through_the_api(client, world):
    today = timezone.localdate()
    n = next(p for p in periods.honor_periods(today.year, None) if p[1] <= today <= p[2])[0]
    client.force_login(world.secretary_a)
    assert (
        post(
            client, f"{API}honor-rounds/", {"hospital": world.hospital.pk, "year": today.year, "number": n}
        ).status_code
        == 403
    )
    client.force_login(world.office)
    response = post(
        client, f"{API}honor-rounds/", {"hospital": world.hospital.pk, "year": today.year, "number": n}
    )
    assert response.status_code == 201, response.content
    rnd = HonorRound.objects.get(pk=response.json()["id"])
    client.force_login(world.secretary_a)
    response = post(
        client,
        f"{API}nominations/",
        {
            "round": rnd.pk,
            "kind": HonorKind.MODEL_BRANCH,
            "candidate_organization": world.branch_a.pk,
            "reason": "支部规范化建设",
        },
    )
    assert response.status_code == 201, response.content
    nom = Nomination.objects.get(pk=response.json()["id"])
    assert client.get(f"{API}nominations/{nom.pk}/evidence/").status_code == 200
    response = post(
        client,
        f"{API}nominations/{nom.pk}/decision/",
        {"method": "vote", "votes_for": 9, "votes_against": 0, "votes_abstain": 1},
    )
    assert response.json()["status"] == NominationStatus.ENDORSED
    assert post(client, f"{API}nominations/{nom.pk}/approve/").status_code == 403
    client.force_login(world.office)
    assert post(client, f"{API}nominations/{nom.pk}/approve/").json()["status"] == NominationStatus.APPROVED
    assert Honor.objects.filter(nomination=nom, organization=world.branch_a, person=None).exists()
    assert post(client, f"{API}honor-rounds/{rnd.pk}/close/").status_code == 200


def test_closing_a_year_through_the_api(client, world):
    client.force_login(world.office)
    PointProposal.objects.filter(status="pending").update(status="rejected")
    response = post(client, f"{API}years/", {"hospital": world.hospital.pk, "year": YEAR, "note": "考核结束"})
    assert response.status_code == 201, response.content
    response = post(
        client, f"{API}years/", {"hospital": world.hospital.pk, "year": timezone.localdate().year}
    )
    assert response.status_code == 400
    client.force_login(world.secretary_a)
    assert post(client, f"{API}years/", {"hospital": world.hospital.pk, "year": YEAR - 1}).status_code in (
        400,
        403,
    )


# Budgets and the schema ---------------------------------------------------------------------------------
def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url, grow",
    [
        ("entries/?page_size=500", lambda w, n: grow_lines(w, w.person_a, n)),
        (
            "proposals/?page_size=500",
            lambda w, n: PointProposal.objects.bulk_create(
                [
                    PointProposal(
                        hospital=w.hospital,
                        person=w.person_a,
                        organization=w.branch_a,
                        rule=w.prec.manual_h,
                        amount=Decimal(1),
                        date=dt.date(YEAR, 5, 1),
                        reason="x",
                    )
                    for _ in range(n)
                ]
            ),
        ),
        ("mine/?year=2025", lambda w, n: grow_lines(w, w.person_a, n)),
        (None, lambda w, n: [grow_lines(w, p, 1) for p in grow_members(w, n)]),
    ],
)
def test_api_lists_do_not_grow(client, world, url, grow):
    url = url or f"totals/?organization={world.branch_a.pk}&year={YEAR}"
    client.force_login(world.office if "mine" not in url else world.member_a)
    grow(world, 5)
    few = _count(client, API + url)
    grow(world, 300)
    many = _count(client, API + url)
    assert few == many and many <= 16, (url, few, many)


def test_the_openapi_schema_of_points_has_no_warning(db):
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=out, stderr=out)
    assert "/api/points/nominations/{id}/approve/" in out.getvalue()
