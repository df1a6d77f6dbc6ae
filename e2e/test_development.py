"""Member development in a browser, on a phone: a secretary advances a candidate and sees the next due date."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from hongqing.core.calendar import WorkingCalendar
from hongqing.core.demo import DEMO_PASSWORD
from hongqing.people.choices import Stage, StepKind
from hongqing.people.development import notice_min_end
from hongqing.people.models import DevelopmentStep, Membership

from .test_phone import assert_no_horizontal_scroll


def ready_candidate(demo) -> Membership:
    """A candidate of the secretary's branch whose file is complete up to the admission."""
    branch = demo.data["hospitals"][0]["branches"][0]
    m = Membership.objects.filter(organization=branch, stage=Stage.CANDIDATE).select_related("person").first()
    assert m is not None, "the demo's first branch has a candidate"
    today = timezone.localdate()
    candidate = today - relativedelta(months=5)
    Membership.objects.filter(pk=m.pk).update(
        application_date=today - relativedelta(years=3),
        activist_date=today - relativedelta(years=2),
        candidate_date=candidate,
    )
    m.steps.all().delete()
    # The admission is due a month after the pre-review: three weeks ago keeps it on time in any month
    # (thirty days ago made it late on the 3rd of a month after a 31-day one).
    notice = today - dt.timedelta(days=20)
    DevelopmentStep.objects.bulk_create(
        [
            DevelopmentStep(membership=m, kind=StepKind.CANDIDATE, date=candidate),
            DevelopmentStep(
                membership=m, kind=StepKind.POLITICAL_REVIEW, date=candidate + dt.timedelta(days=10)
            ),
            DevelopmentStep(
                membership=m,
                kind=StepKind.TRAINING,
                date=candidate + dt.timedelta(days=20),
                end_date=candidate + dt.timedelta(days=22),
            ),
            DevelopmentStep(membership=m, kind=StepKind.PRE_REVIEW, date=notice - dt.timedelta(days=1)),
            DevelopmentStep(
                membership=m,
                kind=StepKind.ADMISSION_NOTICE,
                date=notice,
                end_date=notice_min_end(WorkingCalendar(), notice, 5),
            ),
        ]
    )
    return m


def test_secretary_advances_a_candidate_and_sees_the_next_due_date(live_server, phone_page, demo, log_in):
    page = phone_page
    m = ready_candidate(demo)
    today = timezone.localdate()
    log_in(page, "secretary", DEMO_PASSWORD)

    page.goto(f"{live_server.url}{m.get_absolute_url()}")
    timeline = page.locator("#development")
    expect(timeline.locator('[data-kind="political_review"]')).to_have_attribute("data-status", "done")
    assert_no_horizontal_scroll(page, "the membership page with its timeline")

    page.evaluate("window.hqNoReload = true")
    page.locator("#development-advance").click()
    form = page.locator("#development-form form")
    expect(form.locator("input[name=date]")).to_have_value(today.isoformat())
    form.locator("input[name=note]").fill("支部党员大会表决通过")
    form.locator("button[type=submit]").click()

    expect(page.locator("#development-message")).to_be_visible()
    approval_due = (today + relativedelta(months=3)).isoformat()
    expect(page.locator("#development-next")).to_contain_text(approval_due)
    expect(page.locator('#development [data-kind="admission"]')).to_have_attribute("data-status", "done")
    expect(page.locator('#development [data-kind="approval"]')).to_contain_text(approval_due)
    assert page.evaluate("window.hqNoReload") is True  # the card was swapped in place
    assert_no_horizontal_scroll(page, "the timeline after the advance")

    m.refresh_from_db()
    assert (m.stage, m.admission_date) == (Stage.PROBATIONARY, today)
    assert m.steps.get(kind=StepKind.ADMISSION).note == "支部党员大会表决通过"

    # The branch's pipeline lists the approval to come.
    page.goto(f"{live_server.url}/people/development/")
    expect(page.locator("#stage-counts")).to_be_visible()
    assert_no_horizontal_scroll(page, "the development pipeline")
