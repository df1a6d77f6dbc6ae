"""Member development (RULES.md §3): every limit exactly at and one day past it, both rule versions.

A small world per test: one hospital, its committee and a branch, one person. Dates are fixed in
the past; ``plan`` is given ``today``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import translation

from hongqing.accounts.models import User
from hongqing.core.calendar import WorkingCalendar
from hongqing.core.models import Rule
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Hospital, PartyOrganization
from hongqing.people import development as dev
from hongqing.people.choices import Stage, StepKind
from hongqing.people.development import Status
from hongqing.people.models import DevelopmentStep, Membership, Person

D = dt.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def branch(db):
    h = Hospital.objects.create(name="测试医院", code="dev")
    root = PartyOrganization.objects.add_root(dict(hospital=h, name="院党委", kind=OrgKind.COMMITTEE))
    return PartyOrganization.objects.add_child(root, dict(hospital=h, name="内科党支部", kind=OrgKind.BRANCH))


@pytest.fixture
def actor(db):
    return User.objects.create_user(username="sec", password="x-pass-2026")


def member(branch, stage=Stage.APPLICANT, birth=D(1995, 5, 10), **dates) -> Membership:
    n = Person.objects.count() + 1
    person = Person.objects.create(
        hospital=branch.hospital, staff_no=f"D{n:04d}", name="王强", gender="M", birth_date=birth
    )
    return Membership.objects.create(person=person, organization=branch, stage=stage, **dates)


def step(m, kind, date, end=None, hours=None):
    return DevelopmentStep.objects.create(membership=m, kind=kind, date=date, end_date=end, hours=hours)


def use_2026(branch, since=D(2000, 1, 1)):
    Rule.objects.create(
        key="development.version", hospital_id=branch.hospital_id, value=2026, effective_from=since
    )


def row(plan, kind, index=0):
    return [s for s in plan.steps if s.kind == kind][index]


def refused(fn, *args, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return exc.value.messages


def candidate_ready(branch, *, candidate=D(2025, 3, 1), pre_review=D(2025, 6, 2)) -> Membership:
    """A candidate with everything the admission needs, the notice ending on 2025-06-09."""
    m = member(
        branch,
        Stage.CANDIDATE,
        application_date=D(2023, 9, 1),
        activist_date=D(2024, 1, 5),
        candidate_date=candidate,
    )
    step(m, StepKind.POLITICAL_REVIEW, D(2025, 4, 1))
    step(m, StepKind.TRAINING, D(2025, 4, 7), D(2025, 4, 9))
    step(m, StepKind.PRE_REVIEW, pre_review)
    step(m, StepKind.ADMISSION_NOTICE, D(2025, 6, 3), D(2025, 6, 9))
    return m


def probationer(branch, admission=D(2025, 6, 10)) -> Membership:
    return member(
        branch,
        Stage.PROBATIONARY,
        application_date=D(2023, 1, 1),
        activist_date=D(2023, 3, 1),
        candidate_date=D(2024, 3, 1),
        admission_date=admission,
    )


# Rules as data
def test_both_versions_are_declared_with_sources(db):
    from hongqing.core.rules import declared, rule_value

    rules = declared()
    assert rule_value("development.version") == 2014
    for name in ("activist_min_months", "approval_within_months", "probation_months", "notice_working_days"):
        assert f"development.2014.{name}" in rules and f"development.2026.{name}" in rules
    assert "development.2014.candidate_notice_working_days" not in rules
    assert rules["development.2026.candidate_notice_working_days"].value == 5
    assert rules["development.2026.candidate_notice_working_days"].confidence == "M"
    assert "2014" in rules["development.2014.activist_min_months"].source
    assert "2026" in rules["development.2026.oath_within_months"].source
    assert "local" in rules["development.2014.notice_working_days"].source


def test_version_follows_the_hospital_override_from_its_date(branch):
    rules = dev.DevelopmentRules([branch.hospital_id])
    assert rules.version(branch.hospital_id, D(2026, 5, 1)) == "2014"
    use_2026(branch, since=D(2026, 3, 1))
    rules = dev.DevelopmentRules([branch.hospital_id])
    assert rules.version(branch.hospital_id, D(2026, 2, 28)) == "2014"
    assert rules.version(branch.hospital_id, D(2026, 3, 1)) == "2026"
    assert rules.get("candidate_notice_working_days", branch.hospital_id, D(2026, 2, 28)) is None
    assert rules.get("candidate_notice_working_days", branch.hospital_id, D(2026, 3, 1)) == 5
    # Another hospital keeps the default.
    assert rules.version(None, D(2026, 5, 1)) == "2014"


def test_a_hospital_override_of_a_number_wins(branch):
    Rule.objects.create(key="development.2014.activist_min_months", hospital_id=branch.hospital_id, value=18)
    m = member(branch, Stage.ACTIVIST, application_date=D(2023, 1, 1), activist_date=D(2024, 1, 10))
    plan = dev.plan(m, today=D(2025, 2, 1))
    assert row(plan, StepKind.CANDIDATE).earliest == D(2025, 7, 10)


# Age
@pytest.mark.parametrize(("application", "ok"), [(D(2013, 5, 10), True), (D(2013, 5, 9), False)])
def test_age_at_application_is_18_exactly(branch, actor, application, ok):
    m = member(branch, birth=D(1995, 5, 10), application_date=application)
    if ok:
        dev.advance(m, to_stage=Stage.ACTIVIST, date=D(2014, 1, 1), actor=actor)
        assert Membership.objects.get(pk=m.pk).stage == Stage.ACTIVIST
        assert row(dev.plan(m, today=D(2014, 2, 1)), StepKind.APPLICATION).status == Status.DONE
    else:
        assert refused(dev.advance, m, to_stage=Stage.ACTIVIST, date=D(2014, 1, 1), actor=actor) == [
            "王强 applied before the age of 18."
        ]
        assert Membership.objects.get(pk=m.pk).stage == Stage.APPLICANT
        assert row(dev.plan(m, today=D(2014, 2, 1)), StepKind.APPLICATION).status == Status.EARLY


# Talk within a month
def test_talk_on_the_last_day_of_the_month_is_on_time_and_a_day_later_late(branch):
    m = member(branch, application_date=D(2025, 1, 31))
    plan = dev.plan(m, today=D(2025, 2, 10))
    talk = row(plan, StepKind.TALK)
    assert talk.due == D(2025, 2, 28) and talk.status == Status.DUE
    assert row(dev.plan(m, today=D(2025, 3, 1)), StepKind.TALK).status == Status.OVERDUE
    s = step(m, StepKind.TALK, D(2025, 2, 28))
    assert row(dev.plan(m, today=D(2025, 3, 5)), StepKind.TALK).status == Status.DONE
    s.date = D(2025, 3, 1)
    s.save()
    assert row(dev.plan(m, today=D(2025, 3, 5)), StepKind.TALK).status == Status.LATE


# Activist → candidate: a full year
@pytest.mark.parametrize(("date", "ok"), [(D(2025, 3, 15), True), (D(2025, 3, 14), False)])
def test_candidate_after_exactly_twelve_months_as_activist(branch, actor, date, ok):
    m = member(branch, Stage.ACTIVIST, application_date=D(2024, 1, 2), activist_date=D(2024, 3, 15))
    plan = dev.plan(m, today=D(2025, 2, 1))
    assert row(plan, StepKind.CANDIDATE).earliest == D(2025, 3, 15)
    assert row(plan, StepKind.CANDIDATE).status == Status.UPCOMING
    assert row(dev.plan(m, today=D(2025, 2, 14)), StepKind.CANDIDATE).status == Status.DUE  # within 30 days
    if ok:
        s = dev.advance(m, to_stage=Stage.CANDIDATE, date=date, actor=actor, note="支委会讨论同意")
        m.refresh_from_db()
        assert (m.stage, m.candidate_date) == (Stage.CANDIDATE, date)
        assert (s.kind, s.date, s.note, s.created_by) == (StepKind.CANDIDATE, date, "支委会讨论同意", actor)
    else:
        messages = refused(dev.advance, m, to_stage=Stage.CANDIDATE, date=date, actor=actor)
        assert messages == [
            "A candidate is chosen after at least 12 months as activist: not before 2025-03-15."
        ]
        m.refresh_from_db()
        assert m.stage == Stage.ACTIVIST and m.candidate_date is None
        assert not m.steps.exists()


def test_an_old_record_of_a_candidate_chosen_early_is_flagged(branch):
    m = member(
        branch,
        Stage.CANDIDATE,
        application_date=D(2024, 1, 2),
        activist_date=D(2024, 3, 15),
        candidate_date=D(2025, 3, 14),
    )
    candidate = row(dev.plan(m, today=D(2025, 4, 1)), StepKind.CANDIDATE)
    assert candidate.status == Status.EARLY
    assert ("danger", "Chosen before a full year as activist.") in candidate.messages


# Assessments every half year
def test_assessments_every_six_months(branch):
    m = member(branch, Stage.ACTIVIST, application_date=D(2024, 1, 2), activist_date=D(2024, 3, 15))
    first = row(dev.plan(m, today=D(2024, 9, 1)), StepKind.ASSESSMENT)
    assert (first.due, first.status) == (D(2024, 9, 15), Status.DUE)
    assert row(dev.plan(m, today=D(2024, 9, 16)), StepKind.ASSESSMENT).status == Status.OVERDUE
    step(m, StepKind.ASSESSMENT, D(2024, 9, 15))
    step(m, StepKind.ASSESSMENT, D(2025, 3, 16))
    plan = dev.plan(m, today=D(2025, 4, 1))
    assert [r.status for r in plan.steps if r.kind == StepKind.ASSESSMENT] == [
        Status.DONE,
        Status.LATE,
        Status.UPCOMING,
    ]
    assert row(plan, StepKind.ASSESSMENT, 2).due == D(2025, 9, 16)


# Admission: its prerequisites, the notice in working days
def test_admission_lists_every_missing_prerequisite_and_writes_nothing(branch, actor):
    m = member(
        branch,
        Stage.CANDIDATE,
        application_date=D(2023, 9, 1),
        activist_date=D(2024, 1, 5),
        candidate_date=D(2025, 3, 1),
    )
    before = LogEntry.objects.count()
    messages = refused(dev.advance, m, to_stage=Stage.PROBATIONARY, date=D(2025, 7, 1), actor=actor)
    assert messages == [
        "The political review is not recorded.",
        "The short training is not recorded, or is shorter than 3 days and 24 hours.",
        "The base committee's pre-review is not recorded.",
        "A public notice of at least 5 working days comes before the admission.",
    ]
    m.refresh_from_db()
    assert (m.stage, m.admission_date, m.steps.count(), LogEntry.objects.count()) == (
        Stage.CANDIDATE,
        None,
        0,
        before,
    )


def test_admission_is_audited_with_its_actor(branch, actor):
    m = candidate_ready(branch)
    s = dev.advance(m, to_stage=Stage.PROBATIONARY, date=D(2025, 6, 10), actor=actor)
    m.refresh_from_db()
    assert (m.stage, m.admission_date) == (Stage.PROBATIONARY, D(2025, 6, 10))
    entry = LogEntry.objects.filter(additional_data__event="advance_stage").get()
    assert entry.actor == actor and entry.object_pk == str(m.pk)
    assert entry.additional_data["from"] == Stage.CANDIDATE
    assert entry.additional_data["to"] == Stage.PROBATIONARY
    assert entry.additional_data["step"] == s.pk
    assert entry.additional_data["version"] == "2014"


def test_the_notice_must_have_ended_before_the_admission(branch, actor):
    m = candidate_ready(branch)  # the notice ends on 2025-06-09
    assert refused(dev.advance, m, to_stage=Stage.PROBATIONARY, date=D(2025, 6, 9), actor=actor) == [
        "The public notice ends on 2025-06-09: this step comes after it has ended."
    ]
    dev.advance(m, to_stage=Stage.PROBATIONARY, date=D(2025, 6, 10), actor=actor)


def test_notice_working_days_across_the_2026_national_day_holiday(branch, actor):
    cal = WorkingCalendar()
    # 9-29 and 9-30 work; 10-1 … 10-7 off; 10-8, 10-9 work; Saturday 10-10 is an adjusted working day.
    assert dev.notice_days(cal, D(2026, 9, 29), D(2026, 10, 9)) == 4
    assert dev.notice_days(cal, D(2026, 9, 29), D(2026, 10, 10)) == 5
    assert dev.notice_min_end(cal, D(2026, 9, 29), 5) == D(2026, 10, 10)
    assert dev.notice_min_end(cal, D(2026, 9, 30), 5) == D(2026, 10, 12)
    m = candidate_ready(branch, candidate=D(2026, 3, 2), pre_review=D(2026, 9, 28))
    m.steps.filter(kind=StepKind.ADMISSION_NOTICE).delete()
    assert refused(
        dev.record_step,
        m,
        kind=StepKind.ADMISSION_NOTICE,
        date=D(2026, 9, 29),
        end_date=D(2026, 10, 9),
        actor=actor,
    ) == ["A public notice lasts at least 5 working days; this one has 4."]
    assert not m.steps.filter(kind=StepKind.ADMISSION_NOTICE).exists()
    dev.record_step(
        m, kind=StepKind.ADMISSION_NOTICE, date=D(2026, 9, 29), end_date=D(2026, 10, 10), actor=actor
    )
    admission = row(dev.plan(m, today=D(2026, 10, 10)), StepKind.ADMISSION)
    assert admission.earliest == D(2026, 10, 11)
    assert refused(dev.advance, m, to_stage=Stage.PROBATIONARY, date=D(2026, 10, 10), actor=actor)
    dev.advance(m, to_stage=Stage.PROBATIONARY, date=D(2026, 10, 11), actor=actor)


def test_a_notice_recorded_too_short_by_an_override_of_the_rule_is_refused_at_admission(branch, actor):
    m = candidate_ready(branch)  # 2025-06-03 … 06-09: five working days
    Rule.objects.create(key="development.2014.notice_working_days", hospital_id=branch.hospital_id, value=7)
    messages = refused(dev.advance, m, to_stage=Stage.PROBATIONARY, date=D(2025, 6, 10), actor=actor)
    assert messages == ["The public notice lasted 5 working days; at least 7 are required."]
    notice = row(dev.plan(m, today=D(2025, 6, 10)), StepKind.ADMISSION_NOTICE)
    assert notice.status == Status.INCOMPLETE


@pytest.mark.parametrize(
    ("end", "hours", "ok"),
    [
        (D(2025, 4, 9), None, True),  # three days
        (D(2025, 4, 8), Decimal("23.5"), False),  # two days, 23.5 hours
        (None, Decimal("24"), True),  # one day of 24 hours
    ],
)
def test_training_three_days_or_24_hours(branch, actor, end, hours, ok):
    m = candidate_ready(branch)
    m.steps.filter(kind=StepKind.TRAINING).update(end_date=end, hours=hours)
    if ok:
        dev.advance(m, to_stage=Stage.PROBATIONARY, date=D(2025, 6, 10), actor=actor)
    else:
        assert refused(dev.advance, m, to_stage=Stage.PROBATIONARY, date=D(2025, 6, 10), actor=actor) == [
            "The short training is not recorded, or is shorter than 3 days and 24 hours."
        ]
        assert row(dev.plan(m, today=D(2025, 6, 10)), StepKind.TRAINING).status == Status.INCOMPLETE


@pytest.mark.parametrize(("date", "late"), [(D(2025, 7, 2), False), (D(2025, 7, 3), True)])
def test_congress_within_a_month_of_the_pre_review_is_a_warning(branch, actor, date, late):
    m = candidate_ready(branch, pre_review=D(2025, 6, 2))
    s = dev.advance(m, to_stage=Stage.PROBATIONARY, date=date, actor=actor)
    assert bool(s.warnings) is late
    status = row(dev.plan(m, today=D(2025, 8, 1)), StepKind.ADMISSION).status
    assert status == (Status.LATE if late else Status.DONE)


# Approval within 3 months (extendable to 6)
@pytest.mark.parametrize(
    ("date", "status", "danger"),
    [
        (D(2025, 4, 15), Status.DONE, False),
        (D(2025, 4, 16), Status.LATE, False),
        (D(2025, 7, 15), Status.LATE, False),
        (D(2025, 7, 16), Status.LATE, True),
    ],
)
def test_approval_within_three_months(branch, actor, date, status, danger):
    m = probationer(branch, admission=D(2025, 1, 15))
    plan = dev.plan(m, today=D(2025, 4, 15))
    assert (row(plan, StepKind.APPROVAL).due, row(plan, StepKind.APPROVAL).status) == (
        D(2025, 4, 15),
        Status.DUE,
    )
    assert row(dev.plan(m, today=D(2025, 4, 16)), StepKind.APPROVAL).status == Status.OVERDUE
    dev.record_step(m, kind=StepKind.APPROVAL, date=date, actor=actor)
    approval = row(dev.plan(m, today=D(2025, 8, 1)), StepKind.APPROVAL)
    assert approval.status == status
    assert any(level == "danger" for level, _ in approval.messages) is danger


def test_steps_are_refused_before_the_previous_step_in_the_future_or_twice(branch, actor):
    m = probationer(branch, admission=D(2025, 1, 15))
    assert refused(dev.record_step, m, kind=StepKind.APPROVAL, date=D(2025, 1, 14), actor=actor) == [
        "This date is earlier than the step before it (2025-01-15)."
    ]
    assert refused(dev.record_step, m, kind=StepKind.APPROVAL, date=D(2099, 1, 1), actor=actor) == [
        "This date is in the future."
    ]
    dev.record_step(m, kind=StepKind.APPROVAL, date=D(2025, 1, 15), actor=actor)
    assert refused(dev.record_step, m, kind=StepKind.APPROVAL, date=D(2025, 2, 1), actor=actor) == [
        "Approved by the base committee is already recorded."
    ]
    assert refused(dev.record_step, m, kind=StepKind.TALK, date=D(2025, 2, 1), actor=actor)  # wrong stage
    assert refused(dev.record_step, m, kind=StepKind.CONVERSION, date=D(2025, 2, 1), actor=actor) == [
        "A stage changes through “advance”, which checks its rules."
    ]
    assert m.steps.count() == 1
    assert LogEntry.objects.filter(additional_data__event="record_development_step").count() == 1


def test_stages_advance_one_at_a_time_never_in_the_future_nor_before_the_previous(branch, actor):
    m = member(branch, application_date=D(2025, 1, 10))
    assert refused(dev.advance, m, to_stage=Stage.CANDIDATE, date=D(2025, 3, 1), actor=actor) == [
        "The next stage is Activist."
    ]
    assert refused(dev.advance, m, to_stage=Stage.ACTIVIST, date=D(2025, 1, 9), actor=actor) == [
        "This date is earlier than the step before it (2025-01-10)."
    ]
    assert refused(dev.advance, m, to_stage=Stage.ACTIVIST, date=D(2099, 1, 1), actor=actor) == [
        "This date is in the future."
    ]
    dev.advance(m, to_stage=Stage.ACTIVIST, date=D(2025, 1, 10), actor=actor)  # the same day is allowed
    m.person.status = "left"
    m.person.save()
    m.refresh_from_db()
    assert "王强 has left the hospital." in refused(
        dev.advance, m, to_stage=Stage.CANDIDATE, date=D(2026, 1, 10), actor=actor
    )


# Probation: a year from the admission; conversion after it; extension once, 6–12 months
def test_probation_ends_exactly_a_year_after_the_admission(branch, actor):
    m = probationer(branch, admission=D(2025, 6, 10))
    dev.record_step(m, kind=StepKind.APPROVAL, date=D(2025, 8, 1), actor=actor)
    plan = dev.plan(m, today=D(2026, 5, 1))
    assert plan.probation_end == D(2026, 6, 10)
    assert row(plan, StepKind.CONVERSION).earliest == D(2026, 6, 10)
    assert row(plan, StepKind.CONVERSION).due == D(2026, 9, 10)
    assert row(plan, StepKind.CONVERSION_APPLICATION).due == D(2026, 6, 10)
    assert refused(dev.advance, m, to_stage=Stage.FULL, date=D(2026, 6, 10), actor=actor) == [
        "The application for full membership is not recorded."
    ]
    dev.record_step(m, kind=StepKind.CONVERSION_APPLICATION, date=D(2026, 5, 15), actor=actor)
    assert refused(dev.advance, m, to_stage=Stage.FULL, date=D(2026, 6, 9), actor=actor) == [
        "Probation ends on 2026-06-10: the conversion is decided after it."
    ]
    s = dev.advance(m, to_stage=Stage.FULL, date=D(2026, 6, 10), actor=actor)
    assert s.warnings == ["No public notice before the conversion is recorded."]
    m.refresh_from_db()
    assert (m.stage, m.conversion_date) == (Stage.FULL, D(2026, 6, 10))


@pytest.mark.parametrize(("decided", "late"), [(D(2026, 9, 10), False), (D(2026, 9, 11), True)])
def test_conversion_decided_within_three_months_and_the_party_age_counts_from_the_end(
    branch, actor, decided, late
):
    m = probationer(branch, admission=D(2025, 6, 10))
    step(m, StepKind.APPROVAL, D(2025, 8, 1))
    step(m, StepKind.CONVERSION_APPLICATION, D(2026, 5, 15))
    step(m, StepKind.CONVERSION_NOTICE, D(2026, 6, 1), D(2026, 6, 5))
    s = dev.advance(m, to_stage=Stage.FULL, date=decided, actor=actor)
    assert bool(s.warnings) is late
    m.refresh_from_db()
    assert m.conversion_date == D(2026, 6, 10)  # 党章 第七条
    conversion = row(dev.plan(m, today=D(2026, 11, 1)), StepKind.CONVERSION)
    assert conversion.done == decided
    assert conversion.status == (Status.LATE if late else Status.DONE)


def test_conversion_needs_the_approval(branch, actor):
    m = probationer(branch, admission=D(2025, 6, 10))
    step(m, StepKind.CONVERSION_APPLICATION, D(2026, 5, 15))
    assert refused(dev.advance, m, to_stage=Stage.FULL, date=D(2026, 6, 10), actor=actor) == [
        "The base committee's approval of the admission is not recorded."
    ]


@pytest.mark.parametrize(
    ("end", "ok"),
    [
        (D(2026, 12, 10), True),  # 6 months
        (D(2026, 12, 9), False),
        (D(2027, 6, 10), True),  # 12 months
        (D(2027, 6, 11), False),
    ],
)
def test_extension_once_by_six_to_twelve_months_moves_the_end(branch, actor, end, ok):
    m = probationer(branch, admission=D(2025, 6, 10))
    if not ok:
        assert refused(
            dev.record_step, m, kind=StepKind.EXTENSION, date=D(2026, 6, 12), end_date=end, actor=actor
        ) == ["Probation is extended by 6 to 12 months: the new end is from 2026-12-10 to 2027-06-10."]
        return
    dev.record_step(m, kind=StepKind.EXTENSION, date=D(2026, 6, 12), end_date=end, actor=actor)
    assert dev.plan(m, today=D(2026, 7, 1)).probation_end == end
    assert refused(
        dev.record_step, m, kind=StepKind.EXTENSION, date=D(2026, 6, 13), end_date=end, actor=actor
    ) == ["Probation extended is already recorded."]


# The 2026 version: a candidate notice and an oath deadline; 2014 has neither
def test_2014_has_no_candidate_notice_and_no_oath_deadline(branch, actor):
    m = member(branch, Stage.ACTIVIST, application_date=D(2024, 1, 2), activist_date=D(2024, 3, 15))
    plan = dev.plan(m, today=D(2025, 3, 1))
    assert plan.version == "2014"
    assert not [r for r in plan.steps if r.kind == StepKind.CANDIDATE_NOTICE]
    dev.advance(m, to_stage=Stage.CANDIDATE, date=D(2025, 3, 15), actor=actor)
    p = probationer(branch, admission=D(2025, 1, 15))
    step(p, StepKind.APPROVAL, D(2025, 3, 1))
    assert row(dev.plan(p, today=D(2025, 5, 1)), StepKind.OATH).due is None


def test_2026_needs_the_candidate_notice_in_working_days(branch, actor):
    use_2026(branch)
    m = member(branch, Stage.ACTIVIST, application_date=D(2024, 9, 2), activist_date=D(2025, 9, 29))
    plan = dev.plan(m, today=D(2026, 9, 1))
    assert plan.version == "2026"
    notice = row(plan, StepKind.CANDIDATE_NOTICE)
    assert notice.status == Status.DUE
    assert refused(dev.advance, m, to_stage=Stage.CANDIDATE, date=D(2026, 10, 12), actor=actor) == [
        "A public notice of at least 5 working days comes before the candidate is chosen."
    ]
    assert refused(
        dev.record_step,
        m,
        kind=StepKind.CANDIDATE_NOTICE,
        date=D(2026, 9, 29),
        end_date=D(2026, 10, 9),
        actor=actor,
    ) == ["A public notice lasts at least 5 working days; this one has 4."]
    dev.record_step(
        m, kind=StepKind.CANDIDATE_NOTICE, date=D(2026, 9, 29), end_date=D(2026, 10, 10), actor=actor
    )
    assert refused(dev.advance, m, to_stage=Stage.CANDIDATE, date=D(2026, 10, 10), actor=actor) == [
        "The public notice ends on 2026-10-10: this step comes after it has ended."
    ]
    dev.advance(m, to_stage=Stage.CANDIDATE, date=D(2026, 10, 11), actor=actor)
    assert row(dev.plan(m, today=D(2026, 10, 12)), StepKind.CANDIDATE_NOTICE).status == Status.DONE


@pytest.mark.parametrize(("oath", "status"), [(D(2025, 4, 1), Status.DONE), (D(2025, 4, 2), Status.LATE)])
def test_2026_oath_within_a_month_of_the_approval(branch, actor, oath, status):
    use_2026(branch)
    m = probationer(branch, admission=D(2025, 1, 15))
    dev.record_step(m, kind=StepKind.APPROVAL, date=D(2025, 3, 1), actor=actor)
    pending = row(dev.plan(m, today=D(2025, 3, 10)), StepKind.OATH)
    assert (pending.due, pending.status) == (D(2025, 4, 1), Status.DUE)
    dev.record_step(m, kind=StepKind.OATH, date=oath, actor=actor)
    assert row(dev.plan(m, today=D(2025, 5, 1)), StepKind.OATH).status == status


def test_the_oath_needs_the_approval_first(branch, actor):
    m = probationer(branch, admission=D(2025, 1, 15))
    assert refused(dev.record_step, m, kind=StepKind.OATH, date=D(2025, 3, 1), actor=actor) == [
        "The oath is taken after the base committee's approval: record the approval first."
    ]


def test_a_step_recorded_by_mistake_is_removed_but_never_a_stage(branch, actor):
    m = probationer(branch, admission=D(2025, 1, 15))
    s = dev.record_step(m, kind=StepKind.APPROVAL, date=D(2025, 3, 1), actor=actor)
    dev.remove_step(s, actor=actor)
    assert not m.steps.exists()
    assert LogEntry.objects.filter(additional_data__event="remove_development_step", actor=actor).exists()
    stage = step(m, StepKind.ADMISSION, D(2025, 1, 15))
    assert refused(dev.remove_step, stage, actor=actor) == ["A stage's step cannot be removed."]


# The whole path, and the pipeline
def test_a_whole_path_from_application_to_full_member(branch, actor):
    m = member(branch, application_date=D(2022, 3, 1))
    dev.record_step(m, kind=StepKind.TALK, date=D(2022, 3, 20), actor=actor)
    dev.advance(m, to_stage=Stage.ACTIVIST, date=D(2022, 6, 1), actor=actor)
    dev.record_step(m, kind=StepKind.CONTACTS, date=D(2022, 6, 1), actor=actor)
    dev.record_step(m, kind=StepKind.ASSESSMENT, date=D(2022, 12, 1), actor=actor)
    dev.record_step(m, kind=StepKind.ASSESSMENT, date=D(2023, 5, 30), actor=actor)
    dev.advance(m, to_stage=Stage.CANDIDATE, date=D(2023, 6, 1), actor=actor)
    dev.record_step(m, kind=StepKind.POLITICAL_REVIEW, date=D(2023, 7, 1), actor=actor)
    dev.record_step(
        m, kind=StepKind.TRAINING, date=D(2023, 7, 3), end_date=D(2023, 7, 5), hours=24, actor=actor
    )
    dev.record_step(m, kind=StepKind.PRE_REVIEW, date=D(2023, 8, 1), actor=actor)
    dev.record_step(
        m, kind=StepKind.ADMISSION_NOTICE, date=D(2023, 8, 2), end_date=D(2023, 8, 8), actor=actor
    )
    dev.advance(m, to_stage=Stage.PROBATIONARY, date=D(2023, 8, 20), actor=actor)
    dev.record_step(m, kind=StepKind.APPROVAL, date=D(2023, 10, 1), actor=actor)
    dev.record_step(m, kind=StepKind.OATH, date=D(2023, 10, 15), actor=actor)
    dev.record_step(m, kind=StepKind.CONVERSION_APPLICATION, date=D(2024, 7, 20), actor=actor)
    dev.record_step(
        m, kind=StepKind.CONVERSION_NOTICE, date=D(2024, 7, 22), end_date=D(2024, 7, 26), actor=actor
    )
    dev.advance(m, to_stage=Stage.FULL, date=D(2024, 8, 20), actor=actor)
    m.refresh_from_db()
    assert m.stage == Stage.FULL and m.party_age(D(2026, 8, 20)) == 2
    plan = dev.plan(m, today=D(2026, 1, 1))
    assert {r.status for r in plan.steps} == {Status.DONE}, [(r.kind, r.status) for r in plan.steps]
    assert [r.kind for r in plan.steps if r.is_stage] == [
        StepKind.APPLICATION,
        StepKind.ACTIVIST,
        StepKind.CANDIDATE,
        StepKind.ADMISSION,
        StepKind.CONVERSION,
    ]
    assert LogEntry.objects.filter(additional_data__event="advance_stage").count() == 4


def test_pipeline_counts_and_what_is_due(branch):
    today = D(2025, 4, 10)
    member(branch, Stage.APPLICANT, application_date=D(2025, 3, 1))  # talk overdue since 04-01
    member(branch, Stage.ACTIVIST, application_date=D(2024, 1, 2), activist_date=D(2024, 4, 20))
    probationer(branch, admission=D(2025, 1, 15))  # approval due 04-15
    member(
        branch,
        Stage.FULL,
        **{f: D(2015, 1, 1) for f in ("application_date", "activist_date")},
        candidate_date=D(2016, 1, 1),
        admission_date=D(2016, 6, 1),
        conversion_date=D(2017, 6, 1),
    )
    p = dev.pipeline(Membership.objects.all(), today=today)
    assert p.counts == {Stage.APPLICANT: 1, Stage.ACTIVIST: 1, Stage.PROBATIONARY: 1, Stage.FULL: 1}
    assert [(i.membership.stage, i.step.kind) for i in p.overdue] == [
        (Stage.ACTIVIST, StepKind.ASSESSMENT),  # due 2024-10-20
        (Stage.APPLICANT, StepKind.TALK),  # due 2025-04-01
    ]
    due = [(i.membership.stage, i.step.kind) for i in p.due]
    assert (Stage.PROBATIONARY, StepKind.APPROVAL) in due
    assert (Stage.ACTIVIST, StepKind.CANDIDATE) in due  # possible from 04-20
    (org_row,) = p.rows
    assert org_row.organization == branch and org_row.overdue == 2 and org_row.in_development == 3
