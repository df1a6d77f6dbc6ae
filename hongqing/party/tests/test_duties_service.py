"""Duty lists: which duties each organisation owes, what satisfies them, their deadlines — at every boundary."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hongqing.core.calendar import calendar
from hongqing.core.models import CalendarOverride, Rule
from hongqing.core.rules import RuleBook, rule_value
from hongqing.core.testing.world import make_person
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import CommitteeTerm, PartyOrganization
from hongqing.party.choices import AppraisalStage, MeetingKind, MeetingStatus
from hongqing.party.models import AppraisalCampaign, DutyStatus, Meeting, Obligation
from hongqing.party.services import duties
from hongqing.party.services.duties import status_of, status_q, sync_obligations

D = dt.date
SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
pytestmark = pytest.mark.django_db


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def held(org, kind, start, status=MeetingStatus.HELD):
    return Meeting.objects.create(organization=org, kind=kind, status=status, start=start, topic="测试")


def duty(org, code, start):
    return Obligation.objects.get(organization=org, code=f"duty.{code}", period_start=start)


def codes(org, year=2026):
    rows = Obligation.objects.filter(organization=org, period_start__year=year)
    out: dict[str, int] = {}
    for code in rows.values_list("code", flat=True):
        out[code] = out.get(code, 0) + 1
    return out


def override(hospital, key, effective_from="2000-01-01", **changes):
    value = dict(rule_value(key, hospital.pk))
    value.update(changes)
    return Rule.objects.create(key=key, hospital_id=hospital.pk, value=value, effective_from=effective_from)


# --- what is owed --------------------------------------------------------------------------------


def test_a_branch_owes_the_statutory_duties_of_a_year(world):
    sync_obligations([world.branch_a, world.committee], 2026)
    assert codes(world.branch_a) == {
        "duty.branch_committee": 12,
        "duty.theme_day": 12,
        "duty.member_congress": 4,
        "duty.party_lecture": 4,
        "duty.org_life_session": 1,
        "duty.appraisal": 1,
        "duty.heart_to_heart": 1,
        "duty.study_hours": 1,  # learning's: the members' study hours
    }
    assert codes(world.committee) == {"duty.committee_lecture": 1}
    march = duty(world.branch_a, "branch_committee", D(2026, 3, 1))
    assert (march.period_end, march.due, march.required, march.done_on) == (D(2026, 3, 31),) * 2 + (1, None)
    q2 = duty(world.branch_a, "member_congress", D(2026, 4, 1))
    assert q2.period_end == q2.due == D(2026, 6, 30)


def test_a_party_group_owes_its_monthly_meeting(world):
    group = PartyOrganization.objects.add_child(
        world.branch_a, dict(hospital=world.hospital, name="产科第一党小组", kind=OrgKind.GROUP)
    )
    sync_obligations([group], 2026)
    assert codes(group) == {"duty.group_meeting": 12}


def test_sync_is_idempotent(world):
    first = sync_obligations(PartyOrganization.objects.filter(hospital=world.hospital), 2026)
    assert first.created > 0
    count = Obligation.objects.count()
    again = sync_obligations(PartyOrganization.objects.filter(hospital=world.hospital), 2026)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert Obligation.objects.count() == count


def _sync_queries(orgs, year):
    with CaptureQueriesContext(connection) as ctx:
        result = sync_obligations(orgs, year)
    sql = [q["sql"] for q in ctx.captured_queries]
    inserts = [q for q in sql if q.startswith("INSERT")]
    return result, len(sql) - len(inserts), len(inserts)


def test_sync_takes_the_same_few_queries_for_3_or_30_branches(world):
    orgs = PartyOrganization.objects.filter(hospital=world.hospital)
    _result, small, _ = _sync_queries(orgs, 2026)
    assert small <= 18  # 12, and 6 for learning's study-hours satisfier (members, hours, posts, rules)
    assert _sync_queries(orgs, 2026)[1] == small - 0  # nothing to write: the same reads
    Obligation.objects.all().delete()
    for n in range(27):
        branch = PartyOrganization.objects.add_child(
            world.committee, dict(hospital=world.hospital, name=f"第{n}党支部", kind=OrgKind.BRANCH)
        )
        world.committee.refresh_from_db()
        CommitteeTerm.objects.create(organization=branch, number=1, start=D(2025, 1, 1))
        held(branch, MeetingKind.THEME_DAY, at(2026, 5, 8))
    result, large, inserts = _sync_queries(orgs, 2026)
    assert result.organizations == 30 and result.created == 29 * 36 + 1  # 29 branches, the committee
    assert large == small  # besides the batched inserts (rows / the backend's batch size)
    assert inserts <= result.created // 60 + 1
    assert _sync_queries(orgs, 2026)[1:] == (small, 0)


def test_an_organisation_founded_in_the_year_owes_from_its_founding(world):
    branch = PartyOrganization.objects.add_child(
        world.committee,
        dict(hospital=world.hospital, name="新党支部", kind=OrgKind.BRANCH, established=D(2026, 8, 15)),
    )
    sync_obligations([branch], 2026)
    assert codes(branch)["duty.theme_day"] == 5  # August to December
    assert codes(branch)["duty.member_congress"] == 2  # Q3 and Q4
    sync_obligations([branch], 2025)
    assert codes(branch, 2025) == {}


# --- needs_committee --------------------------------------------------------------------------


def test_a_branch_without_a_committee_term_owes_no_committee_meetings(world):
    CommitteeTerm.objects.filter(organization=world.branch_b).delete()
    sync_obligations([world.branch_b], 2026)
    assert "duty.branch_committee" not in codes(world.branch_b)
    assert codes(world.branch_b)["duty.theme_day"] == 12


def test_committee_meetings_are_owed_while_a_term_runs(world):
    term = CommitteeTerm.objects.get(organization=world.branch_b)
    term.start, term.actual_end = D(2026, 5, 10), D(2026, 9, 1)
    term.save()
    sync_obligations([world.branch_b], 2026)
    months = sorted(
        Obligation.objects.filter(organization=world.branch_b, code="duty.branch_committee").values_list(
            "period_start__month", flat=True
        )
    )
    assert months == [5, 6, 7, 8, 9]


def test_a_term_ending_removes_the_later_committee_duties(world):
    sync_obligations([world.branch_b], 2026)
    assert codes(world.branch_b)["duty.branch_committee"] == 12
    term = CommitteeTerm.objects.get(organization=world.branch_b)
    term.actual_end = D(2026, 3, 15)
    term.save()  # the term signal re-syncs the years on record
    assert codes(world.branch_b)["duty.branch_committee"] == 3


# --- what satisfies a duty: periods and time zones --------------------------------------------


def test_a_meeting_late_on_31_march_local_time_satisfies_march_and_q1(world):
    sync_obligations([world.branch_a], 2026)
    late = held(world.branch_a, MeetingKind.BRANCH_COMMITTEE, at(2026, 3, 31, 23, 30))
    congress = held(world.branch_a, MeetingKind.MEMBER_CONGRESS, at(2026, 3, 31, 23, 30))
    assert late.start.astimezone(UTC).date() == D(2026, 3, 31)
    march = duty(world.branch_a, "branch_committee", D(2026, 3, 1))
    assert march.satisfied_by == late and march.done_on == D(2026, 3, 31)
    assert duty(world.branch_a, "member_congress", D(2026, 1, 1)).satisfied_by == congress
    assert duty(world.branch_a, "branch_committee", D(2026, 4, 1)).done_on is None


def test_a_meeting_just_after_midnight_on_1_april_does_not_satisfy_q1(world):
    sync_obligations([world.branch_a], 2026)
    early = held(world.branch_a, MeetingKind.MEMBER_CONGRESS, at(2026, 4, 1, 0, 10))
    assert early.start.astimezone(UTC).date() == D(2026, 3, 31)  # still 31 March in UTC
    assert duty(world.branch_a, "member_congress", D(2026, 1, 1)).done_on is None
    q2 = duty(world.branch_a, "member_congress", D(2026, 4, 1))
    assert (q2.satisfied_by, q2.done_on) == (early, D(2026, 4, 1))


def test_a_meeting_on_the_last_day_of_the_period_satisfies_it_on_that_day(world):
    held(world.branch_a, MeetingKind.PARTY_LECTURE, at(2026, 6, 30, 16))
    sync_obligations([world.branch_a], 2026)
    q2 = duty(world.branch_a, "party_lecture", D(2026, 4, 1))
    assert q2.done_on == D(2026, 6, 30) == q2.due
    assert status_of(q2, D(2026, 6, 30)) == DutyStatus.DONE
    assert status_of(q2, D(2026, 7, 1)) == DutyStatus.DONE


def test_only_held_meetings_of_the_organisation_count(world):
    held(world.branch_a, MeetingKind.THEME_DAY, at(2026, 2, 10), status=MeetingStatus.PLANNED)
    held(world.branch_a, MeetingKind.THEME_DAY, at(2026, 2, 11), status=MeetingStatus.CANCELLED)
    held(world.branch_b, MeetingKind.THEME_DAY, at(2026, 2, 12))
    held(world.branch_a, MeetingKind.BRANCH_COMMITTEE, at(2026, 2, 13))
    sync_obligations([world.branch_a], 2026)
    feb = duty(world.branch_a, "theme_day", D(2026, 2, 1))
    assert (feb.done_count, feb.done_on) == (0, None)


def test_a_rule_asking_for_two_meetings_is_done_by_the_second(world):
    override(world.hospital, "duty.theme_day", count=2)
    first = held(world.branch_a, MeetingKind.THEME_DAY, at(2026, 5, 5))
    sync_obligations([world.branch_a], 2026)
    may = duty(world.branch_a, "theme_day", D(2026, 5, 1))
    assert (may.required, may.done_count, may.done_on) == (2, 1, None)
    second = held(world.branch_a, MeetingKind.THEME_DAY, at(2026, 5, 20))
    may.refresh_from_db()
    assert (may.done_count, may.satisfied_by, may.done_on) == (2, second, D(2026, 5, 20))
    assert first != second


# --- the signals keep it right -------------------------------------------------------------------


def test_a_meeting_re_dated_cancelled_or_deleted_is_re_evaluated(world):
    sync_obligations([world.branch_a, world.branch_b], 2026)
    m = held(world.branch_a, MeetingKind.THEME_DAY, at(2026, 3, 20))
    assert duty(world.branch_a, "theme_day", D(2026, 3, 1)).satisfied_by == m
    m.start = at(2026, 4, 2)
    m.save()
    assert duty(world.branch_a, "theme_day", D(2026, 3, 1)).done_on is None
    assert duty(world.branch_a, "theme_day", D(2026, 4, 1)).done_on == D(2026, 4, 2)
    m.organization = world.branch_b
    m.save()
    assert duty(world.branch_a, "theme_day", D(2026, 4, 1)).done_on is None
    assert duty(world.branch_b, "theme_day", D(2026, 4, 1)).satisfied_by == m
    m.status = MeetingStatus.CANCELLED
    m.save()
    assert duty(world.branch_b, "theme_day", D(2026, 4, 1)).done_on is None
    m.status = MeetingStatus.HELD
    m.save()
    assert duty(world.branch_b, "theme_day", D(2026, 4, 1)).done_on == D(2026, 4, 2)
    Meeting.objects.get(pk=m.pk).delete()
    april = duty(world.branch_b, "theme_day", D(2026, 4, 1))
    assert (april.done_on, april.satisfied_by, april.done_count) == (None, None, 0)


def test_a_meeting_loaded_with_deferred_fields_costs_no_query_for_the_signal(
    world, django_assert_num_queries
):
    held(world.branch_a, MeetingKind.THEME_DAY, at(2026, 3, 20))
    with django_assert_num_queries(1):
        list(Meeting.objects.only("pk", "topic"))


def test_a_meeting_of_an_organisation_without_duties_costs_one_query(world):
    m = held(world.branch_a, MeetingKind.THEME_DAY, at(2026, 3, 20))
    m.topic = "改"
    with CaptureQueriesContext(connection) as ctx:
        m.save()
    ours = [q["sql"] for q in ctx.captured_queries if "party_obligation" in q["sql"]]
    assert len(ours) == 1 and ours[0].startswith("SELECT")  # the look for duties of its period


def test_the_appraisal_is_done_when_the_campaign_closes(world):
    sync_obligations([world.branch_a], 2026)
    campaign = AppraisalCampaign.objects.create(organization=world.branch_a, year=2026)
    row = duty(world.branch_a, "appraisal", D(2026, 1, 1))
    assert row.done_on is None
    congress = held(world.branch_a, MeetingKind.MEMBER_CONGRESS, at(2026, 11, 12))
    campaign.stage, campaign.congress = AppraisalStage.CLOSED, congress
    campaign.save()
    row.refresh_from_db()
    assert (row.satisfied_by_appraisal, row.done_on, row.record) == (campaign, D(2026, 11, 12), campaign)
    campaign.stage = AppraisalStage.CONGRESS
    campaign.save()
    row.refresh_from_db()
    assert row.done_on is None and row.record is None


def test_a_closed_appraisal_of_another_year_does_not_count(world):
    AppraisalCampaign.objects.create(organization=world.branch_a, year=2025, stage=AppraisalStage.CLOSED)
    sync_obligations([world.branch_a], 2026)
    assert duty(world.branch_a, "appraisal", D(2026, 1, 1)).done_on is None
    sync_obligations([world.branch_a], 2025)
    assert duty(world.branch_a, "appraisal", D(2025, 1, 1)).done_on is not None


# --- term renewals ---------------------------------------------------------------------------------


def test_a_term_due_in_the_year_owes_its_renewal_in_its_month(world):
    term = CommitteeTerm.objects.get(organization=world.branch_b)
    term.start, term.due_end = D(2023, 6, 15), D(2026, 6, 15)
    term.save()
    sync_obligations([world.branch_b], 2026)
    row = duty(world.branch_b, "term_renewal", D(2026, 6, 1))
    assert (row.period_end, row.due, row.done_on) == (D(2026, 6, 30), D(2026, 6, 15), None)
    assert row.remind_from == calendar().add_working_days(D(2026, 6, 15), -60)
    assert status_of(row, D(2026, 6, 16)) == DutyStatus.OVERDUE
    term.actual_end = D(2026, 6, 19)
    term.save()
    new = CommitteeTerm.objects.create(organization=world.branch_b, number=2, start=D(2026, 6, 20))
    row.refresh_from_db()
    assert (row.satisfied_by_term, row.done_on, row.record) == (new, D(2026, 6, 20), new)


def test_a_term_renewed_early_owes_nothing_in_its_due_month(world):
    term = CommitteeTerm.objects.get(organization=world.branch_b)
    term.start, term.due_end, term.actual_end = D(2023, 6, 15), D(2026, 6, 15), D(2025, 12, 1)
    term.save()
    CommitteeTerm.objects.create(organization=world.branch_b, number=2, start=D(2025, 12, 2))
    sync_obligations([world.branch_b], 2026)
    assert "duty.term_renewal" not in codes(world.branch_b)


# --- rules as data ----------------------------------------------------------------------------------


def test_a_hospital_override_changes_its_duties_and_no_other_hospitals(world):
    sync_obligations([world.branch_a], 2026)
    assert codes(world.branch_a)["duty.theme_day"] == 12
    override(world.hospital, "duty.theme_day", effective_from="2026-07-01", period="quarter")
    # The rule signal re-synced the hospital: monthly until June, quarterly from July.
    starts = sorted(
        Obligation.objects.filter(organization=world.branch_a, code="duty.theme_day").values_list(
            "period_start", flat=True
        )
    )
    assert starts == [D(2026, m, 1) for m in range(1, 7)] + [D(2026, 7, 1), D(2026, 10, 1)]
    other = PartyOrganization.objects.get(hospital=world.hospital2, kind=OrgKind.BRANCH)
    sync_obligations([other], 2026)
    assert codes(other)["duty.theme_day"] == 12


def test_an_override_can_drop_a_duty_or_extend_it_to_other_kinds(world):
    sync_obligations([world.branch_a, world.committee], 2026)
    override(world.hospital, "duty.party_lecture", applies_to=["committee"])
    assert "duty.party_lecture" not in codes(world.branch_a)
    assert codes(world.committee)["duty.party_lecture"] == 4


def test_the_rule_book_answers_like_rule_value(world):
    Rule.objects.create(
        key="duty.theme_day", hospital_id=world.hospital.pk, value={"x": 1}, effective_from=D(2026, 7, 1)
    )
    book = RuleBook("duty.", [world.hospital.pk, world.hospital2.pk])
    for hospital in (world.hospital, world.hospital2, None):
        hid = hospital.pk if hospital else None
        for on in (D(2026, 6, 30), D(2026, 7, 1)):
            assert book.value("duty.theme_day", hid, on) == rule_value("duty.theme_day", hid, on)
    assert "duty.term_renewal" in book.keys()


# --- deadlines in working days ------------------------------------------------------------------


def test_due_soon_from_five_working_days_before_the_end_of_september_2026(world):
    sync_obligations([world.branch_a], 2026)
    sept = duty(world.branch_a, "theme_day", D(2026, 9, 1))
    # 30 Sept (Wed) back five working days: 29, 28, (27–26 weekend, 25 Mid-Autumn Festival), 24, 23, 22.
    assert (sept.due, sept.remind_from) == (D(2026, 9, 30), D(2026, 9, 22))
    assert status_of(sept, D(2026, 9, 21)) == DutyStatus.OPEN
    assert status_of(sept, D(2026, 9, 22)) == DutyStatus.DUE_SOON
    assert status_of(sept, D(2026, 9, 30)) == DutyStatus.DUE_SOON
    assert status_of(sept, D(2026, 10, 1)) == DutyStatus.OVERDUE


def test_deadlines_across_national_day_2026_and_its_adjusted_saturday(world):
    override(world.hospital, "duty.theme_day", due="last_working_day", remind_working_days=15)
    sync_obligations([world.branch_a], 2026)
    october = duty(world.branch_a, "theme_day", D(2026, 10, 1))
    # 31 Oct is a Saturday off: due on Friday 30 Oct; 15 working days back reach the adjusted Saturday 10 Oct.
    assert (october.due, october.remind_from) == (D(2026, 10, 30), D(2026, 10, 10))
    assert status_of(october, D(2026, 10, 9)) == DutyStatus.OPEN
    assert status_of(october, D(2026, 10, 10)) == DutyStatus.DUE_SOON
    assert status_of(october, D(2026, 10, 30)) == DutyStatus.DUE_SOON
    assert status_of(october, D(2026, 10, 31)) == DutyStatus.OVERDUE
    # The September duty is due on its last working day, Wednesday 30 Sept, before the holiday.
    assert duty(world.branch_a, "theme_day", D(2026, 9, 1)).due == D(2026, 9, 30)


def test_a_reminder_window_across_the_national_day_holiday(world):
    # A term due on Friday 9 Oct, reminded 5 working days ahead: 8 Oct, (1–7 Oct off) 30, 29, 28 Sept,
    # (27–26 weekend, 25 Mid-Autumn Festival) 24 Sept.
    override(world.hospital, "duty.term_renewal", remind_working_days=5)
    term = CommitteeTerm.objects.get(organization=world.branch_b)
    term.start, term.due_end = D(2023, 10, 9), D(2026, 10, 9)
    term.save()
    sync_obligations([world.branch_b], 2026)
    renewal = duty(world.branch_b, "term_renewal", D(2026, 10, 1))
    assert (renewal.due, renewal.remind_from) == (D(2026, 10, 9), D(2026, 9, 24))
    assert status_of(renewal, D(2026, 9, 23)) == DutyStatus.OPEN
    assert status_of(renewal, D(2026, 9, 24)) == DutyStatus.DUE_SOON
    assert status_of(renewal, D(2026, 10, 5)) == DutyStatus.DUE_SOON  # in the holiday
    assert status_of(renewal, D(2026, 10, 10)) == DutyStatus.OVERDUE  # the adjusted Saturday: a working day
    # Due on the adjusted Saturday itself: one working day back is Friday 9 Oct.
    term.due_end = D(2026, 10, 10)
    term.save()
    renewal.refresh_from_db()
    assert renewal.due == D(2026, 10, 10)
    assert calendar().add_working_days(D(2026, 10, 10), -1) == D(2026, 10, 9)


def test_a_2027_deadline_without_the_official_schedule_counts_weekdays(world):
    override(world.hospital, "duty.theme_day", due="last_working_day")
    sync_obligations([world.branch_a], 2027)
    feb = duty(world.branch_a, "theme_day", D(2027, 2, 1))
    assert duties.schedule_missing([2026, 2027]) == [2027]
    # 28 Feb 2027 is a Sunday: plain weekdays give Friday 26 Feb.
    assert (feb.due, feb.remind_from) == (D(2027, 2, 26), D(2027, 2, 19))


def test_a_2027_deadline_with_a_calendar_override(world):
    override(world.hospital, "duty.theme_day", due="last_working_day")
    sync_obligations([world.branch_a], 2027)
    # The notice makes Saturday 27 Feb a working day and 22–24 Feb holidays: the signal moves the dates.
    CalendarOverride.objects.create(date=D(2027, 2, 27), is_working_day=True, name="调休上班")
    for day in (22, 23, 24):
        CalendarOverride.objects.create(date=D(2027, 2, day), is_working_day=False, name="春节")
    feb = duty(world.branch_a, "theme_day", D(2027, 2, 1))
    assert duties.schedule_missing([2027]) == []
    # Back from Sat 27 Feb: 26, 25, (24, 23, 22 off), 19, 18, 17.
    assert (feb.due, feb.remind_from) == (D(2027, 2, 27), D(2027, 2, 17))
    again = sync_obligations([world.branch_a], 2027)
    assert again.updated == 0


# --- status -----------------------------------------------------------------------------------------


def test_status_filters_agree_with_the_status_of_each_row(world):
    held(world.branch_a, MeetingKind.THEME_DAY, at(2026, 9, 2))
    sync_obligations(PartyOrganization.objects.filter(hospital=world.hospital), 2026)
    for today in (D(2026, 9, 22), D(2026, 9, 23), D(2026, 9, 30), D(2026, 10, 1)):
        for status in DutyStatus.values:
            expected = {o.pk for o in Obligation.objects.all() if status_of(o, today) == status}
            assert (
                set(Obligation.objects.filter(status_q(status, today)).values_list("pk", flat=True))
                == expected
            )
            assert all(o.status_on(today) == status for o in Obligation.objects.filter(pk__in=expected))


def test_a_person_is_not_needed_to_compute_duties(world):
    # Duties belong to organisations: a person in the branch changes nothing.
    make_person(world.hospital, world.dept_a, "新人")
    assert sync_obligations([world.branch_a], 2026).created == 36
