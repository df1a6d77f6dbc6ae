"""Duty reminders: in-app and by e-mail to the person responsible, ahead and overdue, never twice."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from hongqing.accounts.choices import Role
from hongqing.core.models import Notification, Rule
from hongqing.core.rules import rule_value
from hongqing.core.testing.world import make_user
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.party.choices import MeetingKind, MeetingStatus
from hongqing.party.models import Meeting, Obligation, Reminder
from hongqing.party.services.duties import responsible_users, send_reminders

D = dt.date
SH = ZoneInfo("Asia/Shanghai")
SEPT_22 = D(2026, 9, 22)  # September's duties turn amber (five working days before 30 Sept)
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    world.secretary_a.email = "sec-a@hospital.example"
    world.secretary_a.save()
    world.office.email = "office@hospital.example"
    world.office.save()
    return world


def notes(user):
    return list(Notification.objects.filter(user=user).order_by("pk"))


def reminded(user, kind=None):
    rows = Reminder.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(kind=kind)
    return {(r.obligation.organization_id, r.obligation.code, r.obligation.period_start) for r in rows}


def test_a_run_reminds_each_secretary_of_their_branchs_duties_entering_amber(people, mailoutbox):
    w = people
    run = send_reminders(today=SEPT_22)
    assert reminded(w.secretary_a, "ahead") == {
        (w.branch_a.pk, "duty.branch_committee", D(2026, 9, 1)),
        (w.branch_a.pk, "duty.theme_day", D(2026, 9, 1)),
        (w.branch_a.pk, "duty.member_congress", D(2026, 7, 1)),
        (w.branch_a.pk, "duty.party_lecture", D(2026, 7, 1)),
    }
    assert {o[0] for o in reminded(w.secretary_b)} == {w.branch_b.pk}
    # One notification per person and kind, listing the duties; e-mailed to those with an address.
    [note] = notes(w.secretary_a)
    assert "4" in note.title and "产科党支部" in note.body and note.url == "/party/duties/?status=due_soon"
    assert len(notes(w.secretary_b)) == 1
    assert [m.to for m in mailoutbox] == [["sec-a@hospital.example"]]
    assert mailoutbox[0].subject == note.title and "2026-09-30" in mailoutbox[0].body
    assert Reminder.objects.filter(recipient=w.secretary_a, emailed=True).count() == 4
    assert not Reminder.objects.filter(recipient=w.secretary_b, emailed=True).exists()
    assert run.ahead == Reminder.objects.count() and run.overdue == 0
    assert notes(w.member_a) == [] and notes(w.inspector) == []


def test_running_twice_sends_each_reminder_once(people, mailoutbox):
    send_reminders(today=SEPT_22)
    count, mails = Notification.objects.count(), len(mailoutbox)
    again = send_reminders(today=SEPT_22)
    assert (again.ahead, again.overdue, again.notifications) == (0, 0, 0)
    assert Notification.objects.count() == count and len(mailoutbox) == mails
    send_reminders(today=SEPT_22 + dt.timedelta(days=1))  # the next day: nothing new either
    assert Notification.objects.count() == count and len(mailoutbox) == mails


def test_a_duty_satisfied_before_the_run_is_not_reminded(people, mailoutbox):
    w = people
    Meeting.objects.create(
        organization=w.branch_a,
        kind=MeetingKind.THEME_DAY,
        status=MeetingStatus.HELD,
        start=dt.datetime(2026, 9, 21, 15, tzinfo=SH),
        topic="主题党日",
    )
    send_reminders(today=SEPT_22)
    codes = {c for _o, c, _s in reminded(w.secretary_a)}
    assert "duty.theme_day" not in codes and "duty.branch_committee" in codes


def test_nothing_is_reminded_the_day_before_the_amber_window(people, mailoutbox):
    send_reminders(today=SEPT_22 - dt.timedelta(days=1))
    assert not Reminder.objects.filter(obligation__period_start__month__in=(7, 9)).exists()
    assert mailoutbox == []


def test_the_overdue_reminder_goes_out_the_day_after_the_due_date(people, mailoutbox):
    w = people
    send_reminders(today=D(2026, 9, 30))  # due today: still amber, not overdue
    assert reminded(w.secretary_a, "overdue") == set()
    run = send_reminders(today=D(2026, 10, 1))
    assert (w.branch_a.pk, "duty.theme_day", D(2026, 9, 1)) in reminded(w.secretary_a, "overdue")
    assert (w.branch_a.pk, "duty.member_congress", D(2026, 7, 1)) in reminded(w.secretary_a, "overdue")
    assert run.overdue > 0
    overdue_note = notes(w.secretary_a)[-1]
    assert "/party/duties/?status=overdue" == overdue_note.url
    assert mailoutbox[-1].to == ["sec-a@hospital.example"]


def test_the_overdue_delay_is_a_rule(people, mailoutbox):
    w = people
    Rule.objects.create(key="duty.reminder_overdue_days", hospital_id=w.hospital.pk, value=2)
    send_reminders(today=D(2026, 10, 2))
    assert reminded(w.secretary_a, "overdue") == set()
    send_reminders(today=D(2026, 10, 3))
    assert (w.branch_a.pk, "duty.theme_day", D(2026, 9, 1)) in reminded(w.secretary_a, "overdue")


def test_a_missed_day_is_caught_up_within_the_rules_days(people, mailoutbox):
    w = people
    assert rule_value("duty.reminder_catch_up_days") == 7
    send_reminders(today=D(2026, 10, 9))  # overdue from 1 Oct: 8 days later is too late
    assert reminded(w.secretary_a, "overdue") == set()
    send_reminders(today=D(2026, 10, 8))  # the 7th day after: still sent
    assert (w.branch_a.pk, "duty.theme_day", D(2026, 9, 1)) in reminded(w.secretary_a, "overdue")
    assert (w.branch_a.pk, "duty.theme_day", D(2026, 8, 1)) not in reminded(w.secretary_a, "overdue")


def test_a_reminder_recorded_by_another_run_is_not_sent_again(people, mailoutbox):
    w = people
    send_reminders(today=SEPT_22 - dt.timedelta(days=1))  # builds the rows
    theme = Obligation.objects.get(organization=w.branch_a, code="duty.theme_day", period_start=D(2026, 9, 1))
    Reminder.objects.create(obligation=theme, recipient=w.secretary_a, kind=Reminder.Kind.AHEAD)
    send_reminders(today=SEPT_22)
    assert Reminder.objects.filter(obligation=theme, recipient=w.secretary_a).count() == 1
    assert "3" in notes(w.secretary_a)[0].title


def test_who_is_responsible(people):
    w = people
    group = PartyOrganization.objects.add_child(
        w.branch_a, dict(hospital=w.hospital, name="产科第一党小组", kind=OrgKind.GROUP)
    )
    h2_branch = PartyOrganization.objects.get(hospital=w.hospital2, kind=OrgKind.BRANCH)
    gone = make_user("gone", {"role": Role.BRANCH_SECRETARY, "organization": w.branch_b})
    gone.is_active = False
    gone.save()
    obligations = [
        Obligation(
            organization=org,
            code="x",
            period_start=D(2026, 1, 1),
            period_end=D(2026, 1, 31),
            due=D(2026, 1, 31),
        )
        for org in (w.branch_a, group, w.branch_b, w.committee, h2_branch)
    ]
    who = responsible_users(obligations)
    assert who[w.branch_a.pk] == [w.secretary_a]
    assert who[group.pk] == [w.secretary_a]  # a Party group's duties: its branch's secretary
    assert who[w.branch_b.pk] == [w.secretary_b]  # not the inactive one
    assert who[w.committee.pk] == [w.office]  # no secretary over the committee: the Party office
    assert who[h2_branch.pk] == [w.office_h2]


def test_a_mail_server_failure_keeps_the_in_app_reminder(people, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("hongqing.core.notifications.send_mail", refuse)
    run = send_reminders(today=SEPT_22)
    assert run.emails == 0 and run.notifications > 0
    assert len(notes(people.secretary_a)) == 1
    assert not Reminder.objects.filter(emailed=True).exists()


def test_the_command(people, mailoutbox):
    out = StringIO()
    call_command("send_reminders", "--date", "2026-09-22", "--dry-run", stdout=out)
    assert "secretary_a" in out.getvalue() and Reminder.objects.count() == 0 and mailoutbox == []
    out = StringIO()
    call_command("send_reminders", "--date", "2026-09-22", stdout=out)
    assert "4 due soon" not in out.getvalue()  # all branches together
    assert Reminder.objects.filter(recipient=people.secretary_a).count() == 4
    out = StringIO()
    call_command("send_reminders", "--date", "2026-09-22", stdout=out)
    assert "0 due soon, 0 overdue, in 0 notifications" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "22/09/2026")
