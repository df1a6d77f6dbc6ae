"""The democratic appraisal on a member's phone: the self-assessment, then the peer ratings, once."""

from django.utils import timezone
from playwright.sync_api import expect

from hongqing.accounts.models import User
from hongqing.core.demo import DEMO_PASSWORD
from hongqing.party.models import AppraisalCampaign, AppraisalVote
from hongqing.party.services import appraisal as svc

from .test_phone import assert_no_horizontal_scroll


def test_a_member_appraises_on_a_phone(live_server, phone_page, demo, log_in):
    page = phone_page
    branch = demo.data["hospitals"][0]["branches"][0]
    secretary = User.objects.get(username="secretary")
    # The demo's first branch is at this year's self-assessment (party.demo_appraisal); else open it.
    year = timezone.localdate().year
    campaign = AppraisalCampaign.objects.filter(organization=branch, year=year).first()
    campaign = campaign or svc.open_campaign(branch, year=year, actor=secretary)
    member = User.objects.get(username="member").person
    peers = campaign.entries.count() - 1
    assert peers >= 5

    log_in(page, "member", DEMO_PASSWORD)
    # The home page asks for the self-assessment.
    page.locator("#appraisal-tasks a").first.click()
    expect(page.locator("h1")).to_be_visible()
    page.locator("textarea[name=text]").fill("全年参加组织生活12次，学习38学时，带教进修医生2名。")
    page.locator("label", has_text="合格").first.click()
    assert_no_horizontal_scroll(page, "the self-assessment")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    entry = campaign.entries.get(membership__person=member)
    entry.refresh_from_db()
    assert entry.self_rating == "qualified" and entry.self_assessment.startswith("全年参加")

    svc.begin_peer_assessment(campaign, actor=secretary)
    page.goto(f"{live_server.url}/party/appraisals/mine/")
    page.locator("#ballot").click()
    fieldsets = page.locator("#ballot-form fieldset")
    expect(fieldsets).to_have_count(peers)
    assert_no_horizontal_scroll(page, "the ballot")
    for i in range(peers):
        # 优秀 for the first, 合格 for the others: one tap each.
        fieldsets.nth(i).locator("label").nth(0 if i == 0 else 1).click()
    page.locator("#cast").click()
    expect(page.locator("#ballot-done")).to_be_visible()
    votes = AppraisalVote.objects.filter(voter=member, entry__campaign=campaign)
    assert votes.count() == peers and votes.filter(rating="excellent").count() == 1
    # Once only: the ballot has nobody left to rate.
    page.goto(f"{live_server.url}/party/appraisals/{campaign.pk}/ballot/")
    expect(page.locator("#ballot-form fieldset")).to_have_count(0)
    # Nobody's ratings are shown, and the campaign's page is not the member's.
    response = page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    assert response.status == 404
