"""The learning demo builder on the demo hospital: valid records, members short of their hours, the
demo accounts with something to do (a check-in open now, an open quiz, self-study to confirm)."""

from __future__ import annotations

from django.utils import timezone

from hongqing.accounts.models import User
from hongqing.core import demo
from hongqing.learning.choices import SelfStudyStatus
from hongqing.learning.models import (
    CheckIn,
    Question,
    SelfStudy,
    StudyAttendance,
    StudyPlan,
    StudySession,
)
from hongqing.learning.services import hours
from hongqing.learning.services import sessions as services
from hongqing.learning.views.study import open_quizzes, open_sessions


def test_the_demo_year_of_study(db, client):
    ctx = demo.run(demo.make_context())
    h = ctx.data["hospitals"][0]
    today = ctx.today
    assert StudyPlan.objects.filter(year=today.year, published_on__isnull=False).count() == 3
    assert StudySession.objects.count() > 100 and StudyAttendance.objects.count() > 500
    assert CheckIn.objects.filter(attendance__via="checkin").exists()
    assert StudyAttendance.objects.filter(status="makeup").exclude(makeup_note="").exists() or today.month < 3
    for s in StudySession.objects.order_by("?")[:60]:
        s.full_clean()
    for a in StudyAttendance.objects.select_related("session__organization", "person").order_by("?")[:150]:
        a.full_clean()
    for q in Question.objects.all():
        q.full_clean()
    assert Question.objects.count() >= 40
    # The red-education trip: three batches, everyone counted once.
    trip = StudySession.objects.get(kind="red_education", batch_of__isnull=True)
    assert trip.batches.count() == 3
    assert (
        services.counts(trip)["counted"]
        == StudyAttendance.objects.filter(session__batch_of=trip, status__in=("present", "makeup"))
        .values("person")
        .distinct()
        .count()
    )
    # Some members are short of their hours.
    c = hours.completion(h["branches"], today.year)
    assert any(x.short for x in c.values())
    # The demo member: a check-in open now (not yet done), the open quiz, a self-study awaiting.
    member = User.objects.get(username="member").person
    sessions = open_sessions(member)
    assert any(o["open"] for o in sessions)
    assert [o for o in open_quizzes(member) if not o["submitted"]]
    assert SelfStudy.objects.filter(person=member, status=SelfStudyStatus.PENDING).exists()
    open_now = ctx.data["learning"]["open_session"]
    assert services.checkin_window(open_now).contains(timezone.now())
    assert not StudyAttendance.objects.filter(session=open_now, person=member).exists()
    # The secretary has self-study to confirm; the office sees the whole hospital's completion.
    client.force_login(User.objects.get(username="secretary"))
    assert 'id="review-selfstudy"' in client.get("/").content.decode()
    client.force_login(User.objects.get(username="office"))
    page = client.get("/learning/completion/")
    assert page.status_code == 200 and len(page.context["rows"]) >= 12
