"""The points pages as their users use them (in Chinese): bad input refused with its message and
nothing written, the office's decisions, a member's page with the records behind the lines, rankings
invisible unless turned on, the participants sheet, loading the catalogue, closing a year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.context import disable_auditlog
from django.utils import timezone

from hongqing.core.testing.records import add_records
from hongqing.points.choices import DecisionMethod, HonorKind, NominationStatus, ProposalStatus
from hongqing.points.models import ClosedYear, Honor, Nomination, PointEntry, PointProposal, PointRule
from hongqing.points.services import honors, periods
from hongqing.points.services import ledger as ledger_services

from .support import (
    YEAR,
    add_activity_records,
    add_point_records,
    rule,
    set_rule,
    total,
    volunteering,
)

CHINESE = True


@pytest.fixture
def world(db, world):
    with disable_auditlog():
        return add_activity_records(add_point_records(add_records(world)))


def text(response) -> str:
    return response.content.decode()


# Bad input: a Chinese message and nothing written ---------------------------------------------------
RULE = {
    "name": "新规则",
    "trigger": "meeting_attendance",
    "amount": "2",
    "active_from": "2025-01-01",
    "sort_order": "100",
}


def test_a_rule_with_a_negative_cap_is_refused(client, world):
    client.force_login(world.office)
    data = {**RULE, "hospital": world.hospital.pk, "cap": "-5", "cap_period": "month"}
    response = client.post("/points/rules/add/", data)
    assert response.status_code == 422
    assert "封顶分值须为正数" in text(response)
    assert not PointRule.objects.filter(name="新规则").exists()


def test_a_rule_of_zero_points_is_refused(client, world):
    client.force_login(world.office)
    response = client.post("/points/rules/add/", {**RULE, "hospital": world.hospital.pk, "amount": "0"})
    assert response.status_code == 422
    assert "请填写非零的分值" in text(response)
    assert not PointRule.objects.filter(name="新规则").exists()


def test_an_absence_rule_that_adds_is_refused(client, world):
    client.force_login(world.office)
    data = {**RULE, "hospital": world.hospital.pk, "trigger": "meeting_absence", "amount": "3"}
    response = client.post("/points/rules/add/", data)
    assert response.status_code == 422 and "请填写负数" in text(response)


def test_a_proposal_for_a_person_outside_the_branch_is_refused(client, world):
    client.force_login(world.secretary_a)
    before = PointProposal.objects.count()
    data = {"person": world.person_b.pk, "rule": world.prec.manual_h.pk, "date": "2025-05-04", "reason": "x"}
    response = client.post("/points/proposals/add/", data)
    assert response.status_code == 422
    assert "person" in response.context["form"].errors  # not even offered
    assert PointProposal.objects.count() == before


def test_a_proposal_of_zero_points_is_refused(client, world):
    client.force_login(world.secretary_a)
    before = PointProposal.objects.count()
    data = {
        "person": world.person_a.pk,
        "rule": world.prec.manual_h.pk,
        "amount": "0",
        "date": "2025-05-04",
        "reason": "x",
    }
    response = client.post("/points/proposals/add/", data)
    assert response.status_code == 422 and "请填写非零的分值" in text(response)
    assert PointProposal.objects.count() == before


def test_points_on_a_locked_year_are_refused(client, world):
    ClosedYear.objects.create(hospital=world.hospital, year=YEAR)
    client.force_login(world.secretary_a)
    before = PointProposal.objects.count()
    data = {
        "person": world.person_a.pk,
        "rule": world.prec.manual_h.pk,
        "date": "2025-05-04",
        "reason": "抢救",
    }
    response = client.post("/points/proposals/add/", data)
    assert response.status_code == 422
    assert "2025积分年度已关账" in text(response)
    assert PointProposal.objects.count() == before
    client.force_login(world.office)
    client.post(f"/points/proposals/{world.prec.proposal_a.pk}/decide/", {"decision": "approve"}, follow=True)
    world.prec.proposal_a.refresh_from_db()
    assert world.prec.proposal_a.status == ProposalStatus.PENDING


# The office's decisions ---------------------------------------------------------------------------------
def test_the_office_approves_a_proposal_and_the_member_total_shows_it(client, world):
    before = total(world.person_a)
    client.force_login(world.office)
    response = client.post(
        f"/points/proposals/{world.prec.proposal_a.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert "已通过" in text(response)
    assert total(world.person_a) == before + 3
    client.force_login(world.member_a)
    assert "+3" in text(client.get("/points/?year=2025"))


def test_a_secretary_cannot_decide_a_proposal(client, world):
    client.force_login(world.secretary_a)
    response = client.post(f"/points/proposals/{world.prec.proposal_a.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    world.prec.proposal_a.refresh_from_db()
    assert world.prec.proposal_a.status == ProposalStatus.PENDING
    assert 'id="approve"' not in text(client.get(world.prec.proposal_a.get_absolute_url()))


def test_rejecting_needs_a_reason(client, world):
    client.force_login(world.office)
    url = f"/points/proposals/{world.prec.proposal_a.pk}/decide/"
    assert "请填写退回理由" in text(client.post(url, {"decision": "reject"}, follow=True))
    client.post(url, {"decision": "reject", "note": "材料不全"})
    world.prec.proposal_a.refresh_from_db()
    assert world.prec.proposal_a.status == ProposalStatus.REJECTED


def test_the_office_corrects_a_line_with_a_reason(client, world):
    client.force_login(world.office)
    entry = world.prec.entry_a
    page = text(client.get(entry.get_absolute_url()))
    assert 'id="correct"' in page
    client.post(f"/points/entries/{entry.pk}/correct/", {"reason": "重复登记"})
    assert PointEntry.objects.filter(reverses=entry, kind="correction", reason="重复登记").exists()
    client.force_login(world.secretary_a)
    assert 'id="correct"' not in text(client.get(entry.get_absolute_url()))
    assert client.post(f"/points/entries/{entry.pk}/correct/", {"reason": "x"}).status_code == 403


def test_the_office_closes_an_ended_year(client, world):
    client.force_login(world.office)
    response = client.post("/points/years/", {"hospital": world.hospital.pk, "year": YEAR, "note": ""})
    assert response.status_code == 422 and "待审核" in text(response)  # two proposals of 2025 wait
    for p in PointProposal.objects.filter(hospital=world.hospital, status="pending"):
        p.status = "rejected"
        p.save()
    response = client.post(
        "/points/years/", {"hospital": world.hospital.pk, "year": YEAR, "note": "年度考核完成"}
    )
    assert response.status_code == 302
    assert ClosedYear.objects.filter(hospital=world.hospital, year=YEAR).exists()
    client.force_login(world.secretary_a)
    assert client.post("/points/years/", {"hospital": world.hospital.pk, "year": YEAR - 1}).status_code == 403


def test_loading_the_catalogue_offers_only_hospitals_without_one(client, world):
    from hongqing.organization.models import Hospital

    fresh = Hospital.objects.create(name="新建医院", code="fresh")
    from hongqing.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=world.office, role="party_office", hospital=fresh)
    client.force_login(world.office)
    page = text(client.get("/points/rules/"))
    assert 'id="load-catalogue"' in page and "新建医院" in page
    client.post("/points/rules/load-default/", {"hospital": fresh.pk})
    assert PointRule.objects.filter(hospital=fresh).count() >= 8
    client.post("/points/rules/load-default/", {"hospital": world.hospital.pk})
    assert PointRule.objects.filter(hospital=world.hospital, name="基础积分").count() == 0


# The member's page ---------------------------------------------------------------------------------------
def test_a_member_sees_their_lines_with_the_record_behind_each(client, world):
    client.force_login(world.member_a)
    page = text(client.get("/points/?year=2025"))
    assert world.prec.meeting_a.get_absolute_url() in page
    assert world.prec.approved_a.get_absolute_url() in page
    assert "乙支部主题党日" not in page and "李娜" not in page
    assert 'id="points-rank"' not in page
    # …and follows the line to the meeting
    assert client.get(world.prec.meeting_a.get_absolute_url()).status_code == 200
    assert client.get(world.prec.approved_a.get_absolute_url()).status_code == 200


def test_a_member_without_a_staff_record_is_told_so(client, world):
    client.force_login(world.region)
    assert 'id="points-none"' in text(client.get("/points/"))


def test_rankings_stay_hidden_until_the_hospital_turns_them_on(client, world):
    client.force_login(world.secretary_a)
    branch = text(client.get(f"/points/branches/{world.branch_a.pk}/?year=2025"))
    assert 'class="rank"' not in branch and 'id="no-ranking"' in branch
    client.force_login(world.member_a)
    assert client.get(f"/points/branches/{world.branch_a.pk}/").status_code == 403
    assert 'id="points-rank"' not in text(client.get("/points/?year=2025"))
    set_rule("points.rankings", {"enabled": True, "scope": "branch"}, world.hospital)
    assert "支部2人中第1名" in text(client.get("/points/?year=2025"))
    client.force_login(world.secretary_a)
    branch = text(client.get(f"/points/branches/{world.branch_a.pk}/?year=2025"))
    assert 'class="rank"' in branch
    assert "李娜" not in branch  # only the branch's own members
    client.force_login(world.secretary_b)
    assert client.get(f"/points/branches/{world.branch_a.pk}/").status_code == 404


def test_the_office_sees_every_branch_total(client, world):
    client.force_login(world.office)
    response = client.get("/points/branches/?year=2025")
    rows = {r.organization: r for r in response.context["rows"]}
    assert rows[world.branch_a].total == total(world.person_a) and world.branch_b in rows
    client.force_login(world.secretary_a)
    response = client.get("/points/branches/")
    assert response.status_code == 302 and response["Location"].startswith(
        f"/points/branches/{world.branch_a.pk}/"
    )


# Volunteering ------------------------------------------------------------------------------------------
def test_participants_are_ticked_off_the_roster_on_one_page(client, world):
    rule(world.hospital, "volunteering_hours", "1")
    v = volunteering(world.branch_a, dt.date(YEAR, 7, 1), hours=Decimal("3"))
    client.force_login(world.secretary_a)
    page = client.get(f"/points/volunteering/{v.pk}/participants/")
    names = [r.person for r in page.context["sheet"].rows]
    assert world.person_a in names and world.secretary_a.person in names and world.person_b not in names
    a, s = world.person_a.pk, world.secretary_a.person.pk
    response = client.post(
        f"/points/volunteering/{v.pk}/participants/",
        {f"p-{a}-on": "on", f"p-{a}-hours": "3", f"p-{s}-hours": "3", f"p-{s}-note": ""},
    )
    assert response.status_code == 302
    assert list(v.participants.values_list("person_id", flat=True)) == [a]
    (line,) = PointEntry.objects.filter(person=world.person_a, rule__trigger="volunteering_hours")
    assert (line.amount, line.record_url()) == (Decimal("3"), v.get_absolute_url())


def test_a_participant_with_bad_hours_writes_nothing(client, world):
    v = volunteering(world.branch_a, dt.date(YEAR, 7, 1))
    client.force_login(world.secretary_a)
    a = world.person_a.pk
    response = client.post(
        f"/points/volunteering/{v.pk}/participants/", {f"p-{a}-on": "on", f"p-{a}-hours": "30"}
    )
    assert response.status_code == 422 and "最多24小时" in text(response)
    assert not v.participants.exists()


def test_the_volunteering_list_shows_the_report_figures(client, world):
    client.force_login(world.office)
    response = client.get("/points/volunteering/")
    assert 'id="volunteering-figures"' in text(response)
    figures = next(ctx for t, ctx in response.context["panels"] if "figures" in ctx)["figures"]
    assert (figures.activities, figures.people_served) == (3, 240)


# Honours --------------------------------------------------------------------------------------------------
def test_a_secretary_nominates_and_the_office_approves_from_the_pages(client, world):
    today = timezone.localdate()
    n, _s, _e = next(p for p in periods.honor_periods(today.year, None) if p[1] <= today <= p[2])
    client.force_login(world.office)
    client.post("/points/rounds/open/", {"hospital": world.hospital.pk, "period": f"{today.year}-{n}"})
    rnd = world.hospital.honor_rounds.get(year=today.year, number=n)
    client.force_login(world.secretary_a)
    page = text(client.get(rnd.get_absolute_url()))
    assert 'id="nominate"' in page
    response = client.post(
        f"/points/rounds/{rnd.pk}/nominate/",
        {"kind": HonorKind.MODEL_POST, "person": world.person_a.pk, "reason": "门诊服务零投诉"},
    )
    nom = Nomination.objects.get(round=rnd, person=world.person_a)
    assert response.status_code == 302
    assert 'id="evidence"' in text(client.get(nom.get_absolute_url()))
    client.post(
        f"/points/nominations/{nom.pk}/decision/",
        {
            "method": DecisionMethod.VOTE,
            "votes_for": "7",
            "votes_against": "1",
            "votes_abstain": "0",
            "decided_on": str(today),
        },
    )
    nom.refresh_from_db()
    assert nom.status == NominationStatus.ENDORSED
    assert client.post(f"/points/nominations/{nom.pk}/review/", {"decision": "approve"}).status_code == 403
    client.force_login(world.office)
    client.post(f"/points/nominations/{nom.pk}/review/", {"decision": "approve"})
    assert Honor.objects.filter(nomination=nom, person=world.person_a).exists()
    client.force_login(world.member_a)
    assert "党员示范岗" in text(client.get(f"/people/persons/{world.person_a.pk}/"))


def test_a_secretary_cannot_nominate_another_branchs_member_from_the_page(client, world):
    rnd = world.arec.round_h
    client.force_login(world.secretary_a)
    response = client.post(
        f"/points/rounds/{rnd.pk}/nominate/",
        {"kind": HonorKind.EXCELLENT_MEMBER, "person": world.person_b.pk, "reason": "x"},
    )
    assert response.status_code == 422
    assert not Nomination.objects.filter(
        round=rnd, person=world.person_b, organization=world.branch_a
    ).exists()


def test_the_office_home_lists_proposals_to_approve(client, world):
    client.force_login(world.office)
    page = text(client.get("/"))
    assert 'id="proposals-waiting"' in page and "条积分申报待审核" in page
    client.force_login(world.member_a)
    page = text(client.get("/"))
    assert 'id="proposals-waiting"' not in page


def test_the_person_and_organisation_pages_show_points(client, world):
    client.force_login(world.secretary_a)
    assert 'id="person-points"' in text(client.get(f"/people/persons/{world.person_a.pk}/"))
    assert 'id="org-points"' in text(client.get(f"/organization/party-organizations/{world.branch_a.pk}/"))


def test_a_deleted_honour_withdraws_its_points(client, world):
    rule(world.hospital, "honor", "10")
    h = world.arec.honor_a
    ledger_services.sync("honor", [h.pk])
    before = total(world.person_a)
    client.force_login(world.office)
    assert client.post(f"/points/honors/{h.pk}/delete/").status_code == 302
    assert total(world.person_a) == before - 10


def test_approving_through_the_round_page_returns_there(client, world):
    nom = world.arec.nom_a
    honors.record_decision(nom, method=DecisionMethod.COMMITTEE, note="同意", actor=world.secretary_a)
    client.force_login(world.office)
    response = client.post(f"/points/nominations/{nom.pk}/review/", {"decision": "approve", "next": "round"})
    assert response["Location"] == nom.round.get_absolute_url()
