"""Appraisal pages and API: the permission contracts (secretary B sees none of A's; a member sees only
their own entry and the forms to rate), the member's flow, the branch's flow, query budgets."""

from __future__ import annotations

import pytest
from auditlog.context import disable_auditlog

from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world, make_member, make_person
from hongqing.party.choices import AppraisalStage, Rating
from hongqing.party.models import AppraisalCampaign, AppraisalEntry, AppraisalVote
from hongqing.party.services import appraisal as svc

YEAR = 2025


def add_campaigns(world):
    world.campaign_a = svc.open_campaign(world.branch_a, year=YEAR, actor=world.secretary_a)
    world.campaign_b = svc.open_campaign(world.branch_b, year=YEAR, actor=world.secretary_b)
    world.entry_a = world.campaign_a.entries.get(membership__person=world.person_a)
    world.entry_sec_a = world.campaign_a.entries.get(membership__person=world.secretary_a.person)
    world.entry_b = world.campaign_b.entries.get(membership__person=world.person_b)
    return world


@pytest.fixture
def world(db):
    with disable_auditlog():
        return add_campaigns(add_records(build_world()))


class CampaignCase:
    model = AppraisalCampaign
    viewer = editor = "secretary_a"

    @pytest.fixture
    def world(self, db):
        with disable_auditlog():
            return add_campaigns(add_records(build_world()))

    def in_scope(self, world):
        return world.campaign_a

    def elsewhere(self, world):
        return world.campaign_b

    def member_other(self, world):
        return world.campaign_a  # a member reaches a campaign only through their own entry


class TestCampaignPages(CampaignCase, PageContract):
    def export_marker(self, obj):
        return obj.organization.name

    def create_data(self, world):
        return {"organization": world.branch_a.pk, "year": YEAR - 1}

    def created(self, world):
        return AppraisalCampaign.objects.filter(organization=world.branch_a, year=YEAR - 1)

    def create_outside_data(self, world):
        return {"organization": world.branch_b.pk, "year": YEAR - 1}

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b, world.committee, world.rec.branch_h2]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        return svc.open_campaign(world.branch_a, year=YEAR - 2, actor=world.secretary_a)


class TestCampaignApi(CampaignCase, ApiContract):
    api_list = "/api/party/appraisals/"

    def api_create_data(self, world):
        return {"organization": world.branch_a.pk, "year": YEAR - 1}

    def api_created(self, world):
        return AppraisalCampaign.objects.filter(organization=world.branch_a, year=YEAR - 1)

    def api_create_outside_data(self, world):
        return {"organization": world.branch_b.pk, "year": YEAR - 1}

    def deletable(self, world):
        return svc.open_campaign(world.branch_a, year=YEAR - 2, actor=world.secretary_a)

    def test_api_write_elsewhere_is_404(self, client, world):
        # A campaign is never edited (PATCH is 405); it moves through its stages; a delete elsewhere is 404.
        self.login(client, world, self.editor)
        obj = self.elsewhere(world)
        assert self.patch(client, self.api_detail(obj), {}).status_code == 405
        assert client.delete(self.api_detail(obj)).status_code == 404
        assert client.post(f"{self.api_detail(obj)}move/", {"to_stage": "peer"}).status_code == 404
        obj.refresh_from_db()
        assert obj.stage == AppraisalStage.SELF

    def test_api_move_tally_and_a_campaign_past_self_assessment_is_kept(self, client, world):
        self.login(client, world, self.editor)
        c = world.campaign_a
        url = f"{self.api_detail(c)}move/"
        assert self.post(client, url, {"to_stage": "democratic"}).status_code == 400
        response = self.post(client, url, {"to_stage": "peer"})
        assert response.status_code == 200 and response.json()["stage"] == "peer"
        assert client.delete(self.api_detail(c)).status_code == 409
        tally = client.get(f"{self.api_detail(c)}tally/").json()
        assert {row["entry"] for row in tally} == {world.entry_a.pk, world.entry_sec_a.pk}
        self.login(client, world, "member_a")
        assert client.get(f"{self.api_detail(c)}tally/").status_code == 404


class EntryCase:
    model = AppraisalEntry
    viewer = "secretary_a"
    editor = None

    @pytest.fixture
    def world(self, db):
        with disable_auditlog():
            return add_campaigns(add_records(build_world()))

    def in_scope(self, world):
        return world.entry_a

    def elsewhere(self, world):
        return world.entry_b

    def member_own(self, world):
        return world.entry_a

    def member_other(self, world):
        return world.entry_sec_a  # the same branch: still not theirs


class TestEntryPages(EntryCase, PageContract):
    pass


class TestEntryApi(EntryCase, ApiContract):
    api_list = "/api/party/appraisal-entries/"
    read_only = True

    def test_api_self_assessment_propose_and_decide(self, client, world):
        e = world.entry_a
        url = self.api_detail(e)
        self.login(client, world, "secretary_a")
        data = {"text": "代写", "rating": "excellent"}
        assert self.post(client, f"{url}self-assessment/", data).status_code == 400  # not theirs
        self.login(client, world, "member_a")
        assert (
            self.post(client, f"{self.api_detail(world.entry_sec_a)}self-assessment/", data).status_code
            == 404
        )
        response = self.post(client, f"{url}self-assessment/", {"text": "自评", "rating": "qualified"})
        assert response.status_code == 200 and response.json()["self_rating"] == "qualified"
        assert self.post(client, f"{url}propose/", {"rating": "excellent"}).status_code == 403
        self.login(client, world, "secretary_b")
        assert self.post(client, f"{url}propose/", {"rating": "excellent"}).status_code == 404
        self.login(client, world, "secretary_a")
        assert self.post(client, f"{url}propose/", {"rating": "excellent"}).status_code == 400  # wrong stage
        for stage in (AppraisalStage.PEER, AppraisalStage.DEMOCRATIC, AppraisalStage.COMMITTEE):
            svc.move_to(world.campaign_a, stage, actor=world.secretary_a)
        response = self.post(client, f"{url}propose/", {"rating": "excellent"})
        assert response.status_code == 200
        assert response.json()["warning"]  # 1 of 2 proposed excellent: more than a third
        e.refresh_from_db()
        assert e.proposal == Rating.EXCELLENT


# The member's flow on the pages
def test_the_member_writes_the_self_assessment_rates_peers_and_sees_the_result(client, world):
    client.force_login(world.member_a)
    home = client.get("/").content.decode()
    assert f"/party/appraisal-entries/{world.entry_a.pk}/self/" in home
    page = client.get("/party/appraisals/mine/").content.decode()
    assert 'id="self-assessment"' in page
    url = f"/party/appraisal-entries/{world.entry_a.pk}/self/"
    assert client.post(url, {"text": "", "rating": ""}).status_code == 422
    response = client.post(url, {"text": "全年学习32学时，按时参加组织生活。", "rating": "qualified"})
    assert response.status_code == 302
    assert client.get(f"/party/appraisal-entries/{world.entry_sec_a.pk}/self/").status_code == 404
    ballot = f"/party/appraisals/{world.campaign_a.pk}/ballot/"
    assert client.get(ballot).status_code == 403  # no round open yet
    svc.begin_peer_assessment(world.campaign_a, actor=world.secretary_a)
    page = client.get(ballot).content.decode()
    assert world.secretary_a.person.name in page and f"rating_{world.entry_a.pk}" not in page
    field = f"rating_{world.entry_sec_a.pk}"
    assert client.post(ballot, {field: "excellent"}).status_code == 302
    vote = AppraisalVote.objects.get(voter=world.person_a)
    assert (vote.entry, vote.round, vote.rating) == (world.entry_sec_a, "peer", "excellent")
    # Once only: the form no longer offers that member, and a forged second ballot is refused.
    assert field not in client.get(ballot).content.decode()
    assert client.post(ballot, {field: "qualified"}).status_code == 422
    assert AppraisalVote.objects.filter(voter=world.person_a).count() == 1
    # A member sees neither the campaign's page nor another's entry nor the tallies.
    assert client.get(world.campaign_a.get_absolute_url()).status_code == 404
    assert client.get(world.entry_sec_a.get_absolute_url()).status_code == 404
    own = client.get(world.entry_a.get_absolute_url()).content.decode()
    assert 'id="tally"' not in own
    # Secretary B's ballot page for A's campaign does not exist for them.
    client.force_login(world.secretary_b)
    assert client.get(ballot).status_code == 404
    assert client.post(ballot, {field: "unqualified"}).status_code == 404
    # The result on the member's record.
    for stage in (AppraisalStage.DEMOCRATIC, AppraisalStage.COMMITTEE):
        svc.move_to(world.campaign_a, stage, actor=world.secretary_a)
    for e in world.campaign_a.entries.all():
        svc.propose(e, rating=Rating.QUALIFIED, actor=world.secretary_a)
    svc.begin_congress_decision(world.campaign_a, actor=world.secretary_a)
    for e in world.campaign_a.entries.all():
        svc.decide(e, rating=Rating.QUALIFIED, actor=world.secretary_a)
    svc.close_campaign(world.campaign_a, actor=world.secretary_a)
    client.force_login(world.member_a)
    person_page = client.get(world.person_a.get_absolute_url()).content.decode()
    assert 'id="appraisal-results"' in person_page and 'data-result="qualified"' in person_page
    assert 'id="my-result"' in client.get("/party/appraisals/mine/").content.decode()


def test_secretary_moves_the_stages_in_order_and_rates_with_htmx(client, world):
    c = world.campaign_a
    client.force_login(world.secretary_a)
    move = f"/party/appraisals/{c.pk}/move/"
    client.post(move, {"to_stage": "committee"})
    c.refresh_from_db()
    assert c.stage == AppraisalStage.SELF
    for stage in ("peer", "democratic", "committee"):
        assert client.post(move, {"to_stage": stage}).status_code == 302
    c.refresh_from_db()
    assert c.stage == AppraisalStage.COMMITTEE
    page = client.get(c.get_absolute_url()).content.decode()
    assert f"/party/appraisal-entries/{world.entry_a.pk}/rate/" in page
    response = client.post(
        f"/party/appraisal-entries/{world.entry_a.pk}/rate/", {"rating": "excellent"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and f'id="entry-{world.entry_a.pk}"' in body
    assert 'hx-swap-oob="true"' in body and "2名党员中有1名评为优秀" in body  # Chinese by default
    client.force_login(world.secretary_b)
    assert (
        client.post(f"/party/appraisal-entries/{world.entry_a.pk}/rate/", {"rating": "qualified"}).status_code
        == 404
    )
    assert client.post(move, {"to_stage": "congress"}).status_code == 404
    world.entry_a.refresh_from_db()
    assert world.entry_a.proposal == Rating.EXCELLENT


def test_the_ballot_api_is_the_members_own(client, world):
    svc.begin_peer_assessment(world.campaign_a, actor=world.secretary_a)
    client.force_login(world.member_a)
    ballots = client.get("/api/party/appraisal-ballots/").json()
    assert [b["campaign"] for b in ballots] == [world.campaign_a.pk]
    assert [e["entry"] for e in ballots[0]["entries"]] == [world.entry_sec_a.pk]
    cast = {"campaign": world.campaign_a.pk, "ratings": {str(world.entry_sec_a.pk): "qualified"}}
    response = client.post("/api/party/appraisal-ballots/", cast, content_type="application/json")
    assert response.status_code == 201
    assert (
        client.post("/api/party/appraisal-ballots/", cast, content_type="application/json").status_code == 400
    )
    other = {"campaign": world.campaign_b.pk, "ratings": {str(world.entry_b.pk): "qualified"}}
    assert (
        client.post("/api/party/appraisal-ballots/", other, content_type="application/json").status_code
        == 404
    )
    client.logout()
    assert client.get("/api/party/appraisal-ballots/").status_code in (401, 403)


# Query budgets
def test_the_list_and_a_campaign_page_do_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    with disable_auditlog():
        AppraisalCampaign.objects.bulk_create(
            AppraisalCampaign(organization=world.branch_a, year=1800 + i) for i in range(5)
        )
    client.get("/party/appraisals/")
    with django_assert_max_num_queries(25) as few:
        assert client.get("/party/appraisals/").status_code == 200
    with disable_auditlog():
        AppraisalCampaign.objects.bulk_create(
            AppraisalCampaign(organization=world.branch_b, year=1500 + i) for i in range(300)
        )
    with django_assert_max_num_queries(25) as many:
        assert client.get("/party/appraisals/", {"per_page": 100}).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    # A campaign of a branch of 300 members, with their ratings.
    with disable_auditlog():
        people = [make_person(world.hospital, world.dept_a, f"党员{i}") for i in range(300)]
        for p in people:
            make_member(p, world.branch_a)
        big = svc.open_campaign(world.branch_a, year=YEAR - 1, actor=world.office)
        entries = list(big.entries.all())
        AppraisalVote.objects.bulk_create(
            AppraisalVote(entry=e, voter=people[0], round="peer", rating="qualified") for e in entries[1:]
        )
    with django_assert_max_num_queries(25):
        response = client.get(big.get_absolute_url())
    assert response.status_code == 200 and "党员299" in response.content.decode()
