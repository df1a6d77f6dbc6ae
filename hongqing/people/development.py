"""Member development (发展党员, RULES.md §3): each person's path, its due dates, and the stage changes.

- :func:`plan` lays out a membership's steps in order: for each, the date it was done (the stage
  milestone or a recorded :class:`DevelopmentStep`), the date it is due and the earliest date it is
  allowed, derived from the step before it and the rules in force, and a status.
- :func:`advance` is the only way a stage changes: it checks the rules, sets the milestone, records
  the step and writes the audit event, or refuses with every reason and writes nothing.
- :func:`record_step` records the other steps (talk, contacts, assessment, notices, training, …).
- :func:`pipeline` gives an organisation's counts per stage and what is due or overdue.

Rules are data (``people/rules.py``), in two versions: each step is judged by the version the
hospital follows on the step's date (on ``today`` while it is pending).

Decisions where the regulation says "generally" (RULES.md: warn, do not block), and others:

- refused: an applicant under 18 at the application; a candidate before a full ``activist_min_months``
  as activist (exactly 12 months is allowed); under 2026, a candidate without a public notice of
  ``candidate_notice_working_days`` working days that ended before the day; an admission without the
  political review, the short training (≥ 3 days or ≥ 24 hours in all), the base committee's
  pre-review and a public notice of ``notice_working_days`` working days ended before the day; a
  conversion before the end of probation, without the approval or without the conversion application;
  a date in the future or before the previous stage; a person who has left the hospital.
- warned (the step is late, shown on the timeline): the talk after a month, an assessment gap over
  six months, the admission congress over a month after the pre-review, an approval after 3 months
  (danger after 6), the 2026 oath over a month after the approval, a conversion decided over 3 months
  after probation ended, a conversion without its (local-practice) public notice.
- the conversion date (full member since, from which the Party age counts) is the day probation
  ends (党章 第七条), whatever day the branch congress decides it; the decision's date is the
  step's. An extension (once, 6–12 months) moves the end of probation.
- ``candidate_leaving_months`` is shown as a reminder at the admission: nothing on record says when
  a person will leave.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hongqing.core.audit import log_event
from hongqing.core.calendar import WorkingCalendar

from .choices import EmploymentStatus, Stage, StepKind
from .models import DevelopmentStep, Membership
from .rules import VERSIONS

DAY = dt.timedelta(days=1)
HORIZON_DAYS = 30  # "due soon": within this many days

STAGES = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL]
STAGE_FIELD = {
    Stage.APPLICANT: "application_date",
    Stage.ACTIVIST: "activist_date",
    Stage.CANDIDATE: "candidate_date",
    Stage.PROBATIONARY: "admission_date",
    Stage.FULL: "conversion_date",
}
STAGE_STEP = {
    Stage.APPLICANT: StepKind.APPLICATION,
    Stage.ACTIVIST: StepKind.ACTIVIST,
    Stage.CANDIDATE: StepKind.CANDIDATE,
    Stage.PROBATIONARY: StepKind.ADMISSION,
    Stage.FULL: StepKind.CONVERSION,
}
STAGE_KINDS = frozenset(STAGE_STEP.values())
NOTICE_KINDS = frozenset({StepKind.CANDIDATE_NOTICE, StepKind.ADMISSION_NOTICE, StepKind.CONVERSION_NOTICE})
ONCE_KINDS = frozenset(
    {
        StepKind.POLITICAL_REVIEW,
        StepKind.PRE_REVIEW,
        StepKind.APPROVAL,
        StepKind.OATH,
        StepKind.CONVERSION_APPLICATION,
        StepKind.EXTENSION,
    }
)
# The stage a person is in when each other step is recorded.
STEP_STAGE = {
    StepKind.TALK: (Stage.APPLICANT, Stage.ACTIVIST),
    StepKind.CONTACTS: (Stage.ACTIVIST, Stage.CANDIDATE),
    StepKind.ASSESSMENT: (Stage.ACTIVIST,),
    StepKind.CANDIDATE_NOTICE: (Stage.ACTIVIST,),
    StepKind.POLITICAL_REVIEW: (Stage.CANDIDATE,),
    StepKind.TRAINING: (Stage.CANDIDATE,),
    StepKind.PRE_REVIEW: (Stage.CANDIDATE,),
    StepKind.ADMISSION_NOTICE: (Stage.CANDIDATE,),
    StepKind.APPROVAL: (Stage.PROBATIONARY,),
    StepKind.OATH: (Stage.PROBATIONARY,),
    StepKind.EXTENSION: (Stage.PROBATIONARY,),
    StepKind.CONVERSION_APPLICATION: (Stage.PROBATIONARY,),
    StepKind.CONVERSION_NOTICE: (Stage.PROBATIONARY,),
}
RECORDABLE_KINDS = [k for k in StepKind if k in STEP_STAGE]


class Status:
    """A step's status on the timeline."""

    DONE = "done"
    LATE = "late"  # done after its due date
    EARLY = "early"  # done before the rules allowed it (old records; advance refuses it now)
    OVERDUE = "overdue"
    DUE = "due"  # to do now, or due within HORIZON_DAYS
    UPCOMING = "upcoming"  # not yet
    MISSED = "missed"  # never recorded, and its stage is over
    INCOMPLETE = "incomplete"  # recorded, but short of the rule (a notice, the training)

    LABELS = {
        DONE: gettext_lazy("Done"),
        LATE: gettext_lazy("Done late"),
        EARLY: gettext_lazy("Done too early"),
        OVERDUE: gettext_lazy("Overdue"),
        DUE: pgettext_lazy("development", "Due"),
        UPCOMING: gettext_lazy("Not yet"),
        MISSED: gettext_lazy("Not recorded"),
        INCOMPLETE: gettext_lazy("Incomplete"),
    }
    COLOURS = {
        DONE: "success",
        LATE: "warning",
        EARLY: "warning",
        OVERDUE: "danger",
        DUE: "primary",
        UPCOMING: "secondary",
        MISSED: "secondary",
        INCOMPLETE: "warning",
    }
    OPEN = (OVERDUE, DUE)


# ---------------------------------------------------------------------------------------------
# Rules


class DevelopmentRules:
    """The development rules of some hospitals, read in one query; answers like ``rule_value``.

    ``get(name, hospital_id, on)`` is the number of the version the hospital follows on ``on``, or
    None when that version has no such rule (the 2014 text has no candidate notice).
    """

    def __init__(self, hospital_ids):
        from hongqing.core.models import Rule
        from hongqing.core.rules import declared

        self._declared = {k: d.value for k, d in declared().items() if k.startswith("development.")}
        rows = Rule.objects.filter(key__startswith="development.").filter(
            Q(hospital_id__isnull=True) | Q(hospital_id__in=list(hospital_ids))
        )
        self._rows: dict[str, list] = defaultdict(list)
        for row in rows.order_by("-effective_from"):
            self._rows[row.key].append(row)

    def _value(self, key: str, hospital_id, on: dt.date):
        rows = [r for r in self._rows.get(key, ()) if r.effective_from <= on]
        for row in rows:
            if row.hospital_id is not None and row.hospital_id == hospital_id:
                return row.value
        for row in rows:
            if row.hospital_id is None:
                return row.value
        return self._declared.get(key)

    def version(self, hospital_id, on: dt.date) -> str:
        value = self._value("development.version", hospital_id, on)
        try:
            year = int(float(value))
        except (TypeError, ValueError):
            return VERSIONS[0]
        # The newest version not later than the value (a hospital cannot follow a text not yet kept).
        return max((v for v in VERSIONS if int(v) <= year), default=VERSIONS[0])

    def get(self, name: str, hospital_id, on: dt.date):
        value = self._value(f"development.{self.version(hospital_id, on)}.{name}", hospital_id, on)
        return None if value is None else int(value)


def months_after(day: dt.date, months: int) -> dt.date:
    return day + relativedelta(months=months)


def notice_days(cal: WorkingCalendar, start: dt.date, end: dt.date | None) -> int:
    """Working days of a notice from ``start`` to ``end``, both days included."""
    if end is None or end < start:
        return 0
    return cal.working_days_between(start - DAY, end)


def notice_min_end(cal: WorkingCalendar, start: dt.date, days: int) -> dt.date:
    """The first day on which a notice posted on ``start`` has lasted ``days`` working days."""
    return cal.add_working_days(start - DAY, days)


def probation_end(membership: Membership, steps, rules: DevelopmentRules, hospital_id) -> dt.date | None:
    """The end of probation: a year (the rule) from the admission, or the recorded extension's end."""
    if not membership.admission_date:
        return None
    extension = next((s for s in steps if s.kind == StepKind.EXTENSION and s.end_date), None)
    if extension is not None:
        return extension.end_date
    months = rules.get("probation_months", hospital_id, membership.admission_date)
    return months_after(membership.admission_date, months)


def training_totals(steps, until: dt.date | None = None) -> tuple[int, Decimal]:
    """Days (each training's days, both ends included) and hours of the recorded short trainings."""
    days, hours = 0, Decimal(0)
    for s in steps:
        if s.kind != StepKind.TRAINING or (until is not None and (s.end_date or s.date) > until):
            continue
        days += ((s.end_date or s.date) - s.date).days + 1
        hours += s.hours or 0
    return days, hours


def training_enough(days: int, hours: Decimal, rules: DevelopmentRules, hospital_id, on) -> bool:
    return days >= rules.get("training_min_days", hospital_id, on) or hours >= rules.get(
        "training_min_hours", hospital_id, on
    )


# ---------------------------------------------------------------------------------------------
# The plan


@dataclass
class PlanStep:
    kind: str
    label: str
    done: dt.date | None = None
    end_date: dt.date | None = None
    hours: Decimal | None = None
    due: dt.date | None = None
    earliest: dt.date | None = None
    status: str = Status.UPCOMING
    messages: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    step: DevelopmentStep | None = None
    is_stage: bool = False
    today: dt.date | None = None

    @property
    def status_label(self):
        return Status.LABELS[self.status]

    @property
    def colour(self) -> str:
        return Status.COLOURS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in Status.OPEN

    @property
    def starts(self) -> dt.date | None:
        """The earliest allowed date while it is still ahead (for "from …")."""
        return self.earliest if self.earliest and not self.done and self.earliest > self.today else None

    @property
    def key_date(self) -> dt.date | None:
        """The date that orders what is due: the due date, else the earliest allowed date."""
        return self.due or self.earliest

    def warn(self, text: str, level: str = "warning") -> None:
        self.messages.append((level, text))


@dataclass
class Plan:
    membership: Membership
    today: dt.date
    version: str
    steps: list[PlanStep]
    probation_end: dt.date | None = None

    @property
    def open_steps(self) -> list[PlanStep]:
        return [s for s in self.steps if s.is_open]

    @property
    def next_step(self) -> PlanStep | None:
        """The first step to do: overdue or due, else the next one not yet possible."""
        open_ = self.open_steps
        if open_:
            return open_[0]
        return next((s for s in self.steps if s.status == Status.UPCOMING), None)

    @property
    def next_stage(self) -> str | None:
        index = STAGES.index(self.membership.stage)
        return STAGES[index + 1] if index + 1 < len(STAGES) else None

    @property
    def next_stage_label(self) -> str:
        return Stage(self.next_stage).label if self.next_stage else ""

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return [m for s in self.steps for m in s.messages]


def _label(kind) -> str:
    return str(StepKind(kind).label)


def _open_status(
    today: dt.date, *, due: dt.date | None = None, earliest: dt.date | None = None, possible: bool = True
) -> str:
    """Status of a step not done: overdue after its due date; due when it may be done now or soon."""
    soon = today + dt.timedelta(days=HORIZON_DAYS)
    if not possible:
        return Status.UPCOMING
    if due is not None and due < today:
        return Status.OVERDUE
    if earliest is not None:
        return Status.DUE if earliest <= soon else Status.UPCOMING
    return Status.DUE if due is None or due <= soon else Status.UPCOMING


def _done_status(done: dt.date, due: dt.date | None, earliest: dt.date | None) -> str:
    if earliest is not None and done < earliest:
        return Status.EARLY
    if due is not None and done > due:
        return Status.LATE
    return Status.DONE


def plan(
    membership: Membership,
    *,
    today: dt.date,
    steps: list[DevelopmentStep] | None = None,
    rules: DevelopmentRules | None = None,
    cal: WorkingCalendar | None = None,
) -> Plan:
    """The ordered steps of a membership's development with their dates and status (see the module).

    ``steps``, ``rules`` and ``cal`` let a caller planning many memberships read them once.
    """
    m = membership
    hospital_id = m.organization.hospital_id
    rules = rules or DevelopmentRules([hospital_id])
    cal = cal or WorkingCalendar()
    if steps is None:
        steps = list(m.steps.all())
    steps = sorted(steps, key=lambda s: (s.date, s.pk or 0))
    by_kind: dict[str, list[DevelopmentStep]] = defaultdict(list)
    for s in steps:
        by_kind[s.kind].append(s)
    stage_index = STAGES.index(m.stage)
    out: list[PlanStep] = []

    def reached(stage) -> bool:
        return stage_index >= STAGES.index(stage)

    def first(kind):
        return by_kind[kind][0] if by_kind.get(kind) else None

    def last(kind):
        return by_kind[kind][-1] if by_kind.get(kind) else None

    def get(name, on):
        return rules.get(name, hospital_id, on or today)

    def add(kind, recorded: DevelopmentStep | None = None, **kwargs) -> PlanStep:
        if recorded is not None:
            kwargs.setdefault("done", recorded.date)
            kwargs.update(end_date=recorded.end_date, hours=recorded.hours, step=recorded)
        row = PlanStep(kind=kind, label=_label(kind), today=today, **kwargs)
        out.append(row)
        return row

    def add_stage(stage, **kwargs) -> PlanStep:
        done = getattr(m, STAGE_FIELD[stage])
        kind = STAGE_STEP[stage]
        return add(kind, last(kind) if done else None, done=done, is_stage=True, **kwargs)

    def notice_row(kind, notice, rule, before: dt.date | None, level: str, **kwargs) -> PlanStep:
        row = add(kind, notice, **kwargs)
        if notice is None:
            return row
        row.status = Status.DONE
        days = notice_days(cal, notice.date, notice.end_date)
        if rule is not None and days < rule:
            row.status = Status.INCOMPLETE
            row.warn(
                _("The notice lasted %(d)d working days; at least %(n)d are required.")
                % {"d": days, "n": rule},
                level,
            )
        if before and notice.end_date and notice.end_date >= before:
            row.status = Status.INCOMPLETE
            row.warn(_("The notice had not ended before the next step."), level)
        return row

    # Application, at 18 or older
    app = m.application_date
    row = add_stage(Stage.APPLICANT)
    if app:
        row.status = Status.DONE
        birth = m.person.birth_date
        min_age = get("min_age", app)
        if birth and app < birth + relativedelta(years=min_age):
            row.status = Status.EARLY
            row.warn(_("Applied before the age of %(n)d.") % {"n": min_age}, "danger")
        elif not birth:
            row.warn(_("The birth date is not on record: the age was not checked."), "secondary")
    else:
        row.status = Status.MISSED if reached(Stage.ACTIVIST) else Status.DUE

    # Talk within a month of the application
    talk = first(StepKind.TALK)
    if app or talk:
        due = months_after(app, get("talk_within_months", app)) if app else None
        row = add(StepKind.TALK, talk, due=due, earliest=app)
        if talk:
            row.status = _done_status(talk.date, due, app)
        else:
            row.status = Status.MISSED if reached(Stage.ACTIVIST) else _open_status(today, due=due)

    # Activist, with contacts and an assessment every half year
    act = m.activist_date
    row = add_stage(Stage.ACTIVIST, earliest=app)
    if act:
        row.status = _done_status(act, None, app)
    else:
        row.status = _open_status(today, possible=bool(app))
    if act:
        contacts = first(StepKind.CONTACTS)
        row = add(StepKind.CONTACTS, contacts, earliest=act)
        if contacts:
            row.status = _done_status(contacts.date, None, act)
        else:
            row.status = Status.MISSED if reached(Stage.PROBATIONARY) else Status.DUE
        anchor = act
        for s in by_kind.get(StepKind.ASSESSMENT, []):
            due = months_after(anchor, get("assessment_months", anchor))
            row = add(StepKind.ASSESSMENT, s, due=due, earliest=act)
            row.status = _done_status(s.date, due, act)
            anchor = s.date
        if m.stage == Stage.ACTIVIST:
            due = months_after(anchor, get("assessment_months", anchor))
            add(StepKind.ASSESSMENT, due=due, status=_open_status(today, due=due))
        elif m.candidate_date:
            while (due := months_after(anchor, get("assessment_months", anchor))) < m.candidate_date:
                add(StepKind.ASSESSMENT, due=due, status=Status.MISSED)
                anchor = due

    # Candidate: after a full year as activist; under 2026 after a public notice
    cand = m.candidate_date
    if act:
        earliest = months_after(act, get("activist_min_months", act))
        notice = last(StepKind.CANDIDATE_NOTICE)
        rule = get("candidate_notice_working_days", cand or today)
        if rule is not None or notice is not None:
            row = notice_row(StepKind.CANDIDATE_NOTICE, notice, rule, cand, "danger", earliest=act)
            if notice is None:
                if reached(Stage.CANDIDATE):
                    row.status = Status.MISSED
                else:
                    row.status = _open_status(today, earliest=earliest - dt.timedelta(days=HORIZON_DAYS))
                    row.warn(
                        _("At least %(n)d working days, ended before the candidate is chosen.") % {"n": rule},
                        "secondary",
                    )
        row = add_stage(Stage.CANDIDATE, earliest=earliest)
        if cand:
            row.status = _done_status(cand, None, earliest)
            if row.status == Status.EARLY:
                row.warn(_("Chosen before a full year as activist."), "danger")
        else:
            row.status = _open_status(today, earliest=earliest)

    # The candidate's review, training, pre-review and public notice, then the admission
    adm = m.admission_date
    if cand:
        for kind in (StepKind.POLITICAL_REVIEW, StepKind.TRAINING, StepKind.PRE_REVIEW):
            s = last(kind)
            row = add(kind, s, earliest=cand)
            if s is None:
                row.status = Status.MISSED if adm else Status.DUE
                continue
            row.status = _done_status(s.date, None, cand)
            if kind == StepKind.TRAINING:
                days, hours = training_totals(by_kind[StepKind.TRAINING])
                if not training_enough(days, hours, rules, hospital_id, adm or today):
                    row.status = Status.INCOMPLETE
                    row.warn(
                        _("%(d)d days and %(h)s hours recorded; at least %(days)d days or %(hours)d hours.")
                        % {
                            "d": days,
                            "h": hours,
                            "days": get("training_min_days", adm),
                            "hours": get("training_min_hours", adm),
                        }
                    )
        pre = last(StepKind.PRE_REVIEW)
        notice = last(StepKind.ADMISSION_NOTICE)
        rule = get("notice_working_days", adm)
        row = notice_row(
            StepKind.ADMISSION_NOTICE, notice, rule, adm, "danger", earliest=pre.date if pre else cand
        )
        if notice is None:
            if adm:
                row.status = Status.MISSED
            else:
                row.status = _open_status(today, possible=bool(pre))
                row.warn(
                    _("At least %(n)d working days, ended before the branch congress.") % {"n": rule},
                    "secondary",
                )
        due = months_after(pre.date, get("congress_within_months", pre.date)) if pre else None
        earliest = notice.end_date + DAY if notice and notice.end_date else None
        row = add_stage(Stage.PROBATIONARY, due=due, earliest=earliest)
        if adm:
            row.status = _done_status(adm, due, earliest)
        else:
            row.status = _open_status(today, due=due, earliest=earliest, possible=bool(pre and notice))
            row.warn(
                _("A candidate leaving within %(n)d months is generally not admitted.")
                % {"n": get("candidate_leaving_months", None)},
                "secondary",
            )

    # Probation: approval, oath, the conversion application and notice, then the conversion
    end = None
    if adm:
        end = probation_end(m, steps, rules, hospital_id)
        full = m.stage == Stage.FULL
        approval = last(StepKind.APPROVAL)
        due = months_after(adm, get("approval_within_months", adm))
        limit_months = get("approval_max_months", adm)
        row = add(StepKind.APPROVAL, approval, due=due, earliest=adm)
        if approval:
            row.status = _done_status(approval.date, due, adm)
            if approval.date > months_after(adm, limit_months):
                row.warn(
                    _("Approved more than %(n)d months after the admission.") % {"n": limit_months}, "danger"
                )
        else:
            row.status = Status.MISSED if full else _open_status(today, due=due)
            if not full and today > months_after(adm, limit_months):
                row.warn(_("More than %(n)d months since the admission.") % {"n": limit_months}, "danger")
        oath = last(StepKind.OATH)
        anchor = approval.date if approval else None
        rule = get("oath_within_months", oath.date if oath else today)
        due = months_after(anchor, rule) if anchor and rule is not None else None
        row = add(StepKind.OATH, oath, due=due, earliest=anchor)
        if oath:
            row.status = _done_status(oath.date, due, anchor)
        else:
            row.status = Status.MISSED if full else _open_status(today, due=due, possible=bool(approval))
        for s in by_kind.get(StepKind.EXTENSION, []):
            row = add(StepKind.EXTENSION, s, status=Status.DONE)
            if s.end_date:
                row.warn(_("Probation now ends on %(d)s.") % {"d": s.end_date.isoformat()}, "secondary")
        application = last(StepKind.CONVERSION_APPLICATION)
        row = add(StepKind.CONVERSION_APPLICATION, application, due=end, earliest=adm)
        if application:
            row.status = _done_status(application.date, None, adm)
        else:
            row.status = Status.MISSED if full else _open_status(today, due=end)
        notice = last(StepKind.CONVERSION_NOTICE)
        decision = last(StepKind.CONVERSION)
        done = decision.date if decision else m.conversion_date
        rule = get("notice_working_days", done)
        row = notice_row(
            StepKind.CONVERSION_NOTICE,
            notice,
            rule,
            done,
            "warning",
            earliest=application.date if application else adm,
        )
        if notice is None:
            row.status = Status.MISSED if full else _open_status(today, earliest=end)
        due = months_after(end, get("conversion_decision_months", end))
        row = add(StepKind.CONVERSION, decision, done=done, due=due, earliest=end, is_stage=True)
        if done:
            row.status = _done_status(done, due, end)
            if m.conversion_date and m.conversion_date != done:
                row.warn(_("Full member since %(d)s.") % {"d": m.conversion_date.isoformat()}, "secondary")
        else:
            row.status = _open_status(today, due=due, earliest=end)
            row.warn(_("Probation ends on %(d)s.") % {"d": end.isoformat()}, "secondary")
    return Plan(
        membership=m, today=today, version=rules.version(hospital_id, today), steps=out, probation_end=end
    )


# ---------------------------------------------------------------------------------------------
# Business events


def _fmt(day: dt.date) -> str:
    return day.isoformat()


def _check_date(errors: list, date, previous: dt.date | None, today: dt.date) -> bool:
    if date is None:
        errors.append(_("Enter a date."))
        return False
    if date > today:
        errors.append(_("This date is in the future."))
    if previous is not None and date < previous:
        errors.append(_("This date is earlier than the step before it (%(d)s).") % {"d": _fmt(previous)})
    return True


def advance_check(m: Membership, to_stage: str, date: dt.date | None, *, today: dt.date | None = None):
    """The reasons ``advance`` would refuse, and its warnings: ``(errors, warnings)``."""
    today = today or timezone.localdate()
    errors: list[str] = []
    warnings: list[str] = []
    index = STAGES.index(m.stage)
    if index + 1 >= len(STAGES):
        return [_("%(name)s is already a full member.") % {"name": m.person.name}], []
    expected = STAGES[index + 1]
    if to_stage != expected:
        return [_("The next stage is %(stage)s.") % {"stage": Stage(expected).label}], []
    previous = getattr(m, STAGE_FIELD[m.stage])
    if not _check_date(errors, date, previous, today):
        return errors, warnings
    if m.person.status == EmploymentStatus.LEFT:
        errors.append(_("%(name)s has left the hospital.") % {"name": m.person.name})
    hospital_id = m.organization.hospital_id
    rules = DevelopmentRules([hospital_id])
    cal = WorkingCalendar()
    steps = [s for s in m.steps.all() if s.date <= date]

    def last(kind):
        found = [s for s in steps if s.kind == kind]
        return found[-1] if found else None

    def get(name):
        return rules.get(name, hospital_id, date)

    def check_notice(kind, rule, missing_text):
        notice = last(kind)
        if notice is None:
            errors.append(missing_text % {"n": rule})
            return
        days = notice_days(cal, notice.date, notice.end_date)
        if days < rule:
            errors.append(
                _("The public notice lasted %(d)d working days; at least %(n)d are required.")
                % {"d": days, "n": rule}
            )
        if notice.end_date is None or notice.end_date >= date:
            errors.append(
                _("The public notice ends on %(d)s: this step comes after it has ended.")
                % {"d": _fmt(notice.end_date or notice.date)}
            )

    if to_stage == Stage.ACTIVIST:
        app = m.application_date
        birth = m.person.birth_date
        if app is None:
            errors.append(_("The application date is not on record."))
        elif birth is None:
            warnings.append(_("The birth date is not on record: the age was not checked."))
        elif app < birth + relativedelta(years=rules.get("min_age", hospital_id, app)):
            errors.append(
                _("%(name)s applied before the age of %(n)d.")
                % {"name": m.person.name, "n": rules.get("min_age", hospital_id, app)}
            )
    elif to_stage == Stage.CANDIDATE:
        months = rules.get("activist_min_months", hospital_id, m.activist_date)
        earliest = months_after(m.activist_date, months)
        if date < earliest:
            errors.append(
                _("A candidate is chosen after at least %(n)d months as activist: not before %(d)s.")
                % {"n": months, "d": _fmt(earliest)}
            )
        rule = get("candidate_notice_working_days")
        if rule is not None:
            check_notice(
                StepKind.CANDIDATE_NOTICE,
                rule,
                _("A public notice of at least %(n)d working days comes before the candidate is chosen."),
            )
    elif to_stage == Stage.PROBATIONARY:
        if last(StepKind.POLITICAL_REVIEW) is None:
            errors.append(_("The political review is not recorded."))
        days, hours = training_totals(steps, until=date)
        if not training_enough(days, hours, rules, hospital_id, date):
            errors.append(
                _("The short training is not recorded, or is shorter than %(days)d days and %(hours)d hours.")
                % {"days": get("training_min_days"), "hours": get("training_min_hours")}
            )
        pre = last(StepKind.PRE_REVIEW)
        if pre is None:
            errors.append(_("The base committee's pre-review is not recorded."))
        check_notice(
            StepKind.ADMISSION_NOTICE,
            get("notice_working_days"),
            _("A public notice of at least %(n)d working days comes before the admission."),
        )
        if pre is not None:
            months = rules.get("congress_within_months", hospital_id, pre.date)
            if date > months_after(pre.date, months):
                warnings.append(
                    _("The branch congress is more than %(n)d months after the pre-review.") % {"n": months}
                )
    elif to_stage == Stage.FULL:
        end = probation_end(m, list(m.steps.all()), rules, hospital_id)
        if date < end:
            errors.append(
                _("Probation ends on %(d)s: the conversion is decided after it.") % {"d": _fmt(end)}
            )
        if last(StepKind.APPROVAL) is None:
            errors.append(_("The base committee's approval of the admission is not recorded."))
        if last(StepKind.CONVERSION_APPLICATION) is None:
            errors.append(_("The application for full membership is not recorded."))
        notice = last(StepKind.CONVERSION_NOTICE)
        rule = get("notice_working_days")
        if notice is None:
            warnings.append(_("No public notice before the conversion is recorded."))
        elif notice_days(cal, notice.date, notice.end_date) < rule or (notice.end_date or date) >= date:
            warnings.append(
                _(
                    "The public notice before the conversion was shorter than %(n)d working days or had not ended."
                )
                % {"n": rule}
            )
        months = rules.get("conversion_decision_months", hospital_id, end)
        if date > months_after(end, months):
            warnings.append(
                _("The conversion is decided more than %(n)d months after probation ended.") % {"n": months}
            )
    return errors, warnings


@transaction.atomic
def advance(
    membership: Membership, *, to_stage: str, date: dt.date, actor, note: str = ""
) -> DevelopmentStep:
    """Move a membership to its next stage: the only way a stage changes (see the module).

    Refuses, with every reason (a ``ValidationError``) and nothing written, when a rule forbids it;
    the returned step carries the warnings (``step.warnings``).
    """
    m = Membership.objects.select_for_update().select_related("person", "organization").get(pk=membership.pk)
    errors, warnings = advance_check(m, to_stage, date)
    if errors:
        raise ValidationError(errors)
    old = m.stage
    hospital_id = m.organization.hospital_id
    rules = DevelopmentRules([hospital_id])
    value = date
    if to_stage == Stage.FULL:
        # The Party age counts from the end of probation (党章 第七条), not from the decision.
        value = probation_end(m, list(m.steps.all()), rules, hospital_id)
    setattr(m, STAGE_FIELD[to_stage], value)
    m.stage = to_stage
    m.clean()
    m.save(update_fields=["stage", STAGE_FIELD[to_stage], "updated"])
    step = DevelopmentStep.objects.create(
        membership=m, kind=STAGE_STEP[to_stage], date=date, note=note[:300], created_by=actor
    )
    log_event(
        "advance_stage",
        actor=actor,
        obj=m,
        data={
            "from": old,
            "to": to_stage,
            "date": _fmt(date),
            "step": step.pk,
            "version": rules.version(hospital_id, date),
            "warnings": [str(w) for w in warnings],
        },
    )
    membership.stage, membership.updated = m.stage, m.updated
    setattr(membership, STAGE_FIELD[to_stage], value)
    step.warnings = warnings
    return step


def record_check(
    m: Membership,
    kind: str,
    date: dt.date | None,
    end_date: dt.date | None = None,
    hours=None,
    *,
    today: dt.date | None = None,
) -> list[str]:
    """The reasons ``record_step`` would refuse."""
    today = today or timezone.localdate()
    errors: list[str] = []
    if kind in STAGE_KINDS:
        return [_("A stage changes through “advance”, which checks its rules.")]
    if kind not in STEP_STAGE:
        return [_("Unknown step.")]
    if m.stage not in STEP_STAGE[kind]:
        return [
            _("%(step)s is recorded at the stage %(stages)s; %(name)s is at the stage %(stage)s.")
            % {
                "step": StepKind(kind).label,
                "stages": " / ".join(str(Stage(s).label) for s in STEP_STAGE[kind]),
                "name": m.person.name,
                "stage": m.get_stage_display(),
            }
        ]
    steps = list(m.steps.all())

    def last(k):
        found = [s for s in steps if s.kind == k]
        return found[-1] if found else None

    anchor = getattr(m, STAGE_FIELD[STEP_STAGE[kind][0]])
    if kind == StepKind.OATH:
        approval = last(StepKind.APPROVAL)
        if approval is None:
            return [_("The oath is taken after the base committee's approval: record the approval first.")]
        anchor = approval.date
    if kind == StepKind.ADMISSION_NOTICE:
        pre = last(StepKind.PRE_REVIEW)
        if pre is None:
            return [_("The public notice comes after the base committee's pre-review: record it first.")]
        anchor = pre.date
    if kind in ONCE_KINDS and last(kind) is not None:
        return [_("%(step)s is already recorded.") % {"step": StepKind(kind).label}]
    if not _check_date(errors, date, anchor, today):
        return errors
    if end_date is not None and end_date < date:
        errors.append(_("The end is before the start."))
    if hours is not None and (hours <= 0 or hours > 999):
        errors.append(_("Enter the hours as a number between 0 and 999."))
    hospital_id = m.organization.hospital_id
    if kind in NOTICE_KINDS:
        if end_date is None:
            errors.append(_("Enter the day the notice ends."))
        elif end_date >= date:
            rules = DevelopmentRules([hospital_id])
            name = (
                "candidate_notice_working_days"
                if kind == StepKind.CANDIDATE_NOTICE
                else "notice_working_days"
            )
            rule = rules.get(name, hospital_id, date) or rules.get("notice_working_days", hospital_id, date)
            days = notice_days(WorkingCalendar(), date, end_date)
            if days < rule:
                errors.append(
                    _("A public notice lasts at least %(n)d working days; this one has %(d)d.")
                    % {"n": rule, "d": days}
                )
    if kind == StepKind.TRAINING and end_date is None and hours is None:
        errors.append(_("Enter the last day of the training or its hours."))
    if kind == StepKind.EXTENSION:
        rules = DevelopmentRules([hospital_id])
        current = probation_end(m, steps, rules, hospital_id)
        low = rules.get("extension_min_months", hospital_id, date)
        high = rules.get("extension_max_months", hospital_id, date)
        if end_date is None:
            errors.append(_("Enter the new end of probation."))
        elif current and not months_after(current, low) <= end_date <= months_after(current, high):
            errors.append(
                _("Probation is extended by %(low)d to %(high)d months: the new end is from %(a)s to %(b)s.")
                % {
                    "low": low,
                    "high": high,
                    "a": _fmt(months_after(current, low)),
                    "b": _fmt(months_after(current, high)),
                }
            )
    return errors


@transaction.atomic
def record_step(
    membership: Membership,
    *,
    kind: str,
    date: dt.date,
    end_date: dt.date | None = None,
    hours=None,
    note: str = "",
    actor,
) -> DevelopmentStep:
    """Record a dated step that is not a stage change (a talk, an assessment, a notice, …), audited."""
    m = Membership.objects.select_for_update().select_related("person", "organization").get(pk=membership.pk)
    hours = Decimal(str(hours)) if hours not in (None, "") else None
    errors = record_check(m, kind, date, end_date, hours)
    if errors:
        raise ValidationError(errors)
    step = DevelopmentStep(
        membership=m, kind=kind, date=date, end_date=end_date, hours=hours, note=note[:300], created_by=actor
    )
    step.full_clean()
    step.save()
    log_event(
        "record_development_step",
        actor=actor,
        obj=m,
        data={"kind": kind, "date": _fmt(date), "end_date": end_date and _fmt(end_date), "step": step.pk},
    )
    return step


@transaction.atomic
def remove_step(step: DevelopmentStep, *, actor) -> None:
    """Remove a step recorded by mistake; a stage's step stays (a stage never goes back)."""
    if step.kind in STAGE_KINDS:
        raise ValidationError(_("A stage's step cannot be removed."))
    membership = step.membership
    data = {"kind": step.kind, "date": _fmt(step.date), "step": step.pk}
    step.delete()
    log_event("remove_development_step", actor=actor, obj=membership, data=data)


# ---------------------------------------------------------------------------------------------
# Pipelines


@dataclass
class DueItem:
    membership: Membership
    step: PlanStep


@dataclass
class OrganizationRow:
    organization: object
    counts: dict[str, int] = field(default_factory=dict)
    due: int = 0
    overdue: int = 0

    @property
    def stage_cells(self) -> list[int]:
        return [self.counts.get(s, 0) for s in STAGES]

    @property
    def in_development(self) -> int:
        return sum(n for stage, n in self.counts.items() if stage != Stage.FULL)


@dataclass
class Pipeline:
    today: dt.date
    counts: dict[str, int]
    rows: list[OrganizationRow]
    overdue: list[DueItem]
    due: list[DueItem]

    @property
    def stage_counts(self) -> list[tuple[str, str, int]]:
        return [(s, Stage(s).label, self.counts.get(s, 0)) for s in STAGES]


def pipeline(memberships, *, today: dt.date, organizations=None) -> Pipeline:
    """Counts per stage and what is due or overdue for the given (already scoped) memberships.

    ``organizations``: the organisations to give a row each (default: those the memberships are in).
    A constant number of queries: the counts, the memberships in development with their steps, the
    rules, and the calendar's overrides of each year.
    """
    counts: dict[str, int] = defaultdict(int)
    per_org: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org_id, stage, n in (
        memberships.order_by().values_list("organization_id", "stage").annotate(n=Count("pk"))
    ):
        counts[stage] += n
        per_org[org_id][stage] += n
    developing = list(
        memberships.exclude(stage=Stage.FULL)
        .select_related("person", "organization")
        .prefetch_related(Prefetch("steps", queryset=DevelopmentStep.objects.order_by("date", "pk")))
        .order_by("organization__path", "person__staff_no")
    )
    rules = DevelopmentRules({m.organization.hospital_id for m in developing})
    cal = WorkingCalendar()
    overdue, due = [], []
    open_by_org: dict[int, list[str]] = defaultdict(list)
    soon = today + dt.timedelta(days=HORIZON_DAYS)
    for m in developing:
        p = plan(m, today=today, steps=list(m.steps.all()), rules=rules, cal=cal)
        for row in p.open_steps:
            if row.status == Status.OVERDUE:
                overdue.append(DueItem(m, row))
                open_by_org[m.organization_id].append(Status.OVERDUE)
            elif row.key_date is None or row.key_date <= soon:
                due.append(DueItem(m, row))
                open_by_org[m.organization_id].append(Status.DUE)
    far = dt.date.max
    overdue.sort(key=lambda i: (i.step.due or far, i.membership.person.staff_no))
    due.sort(key=lambda i: (i.step.key_date or far, i.membership.person.staff_no))
    if organizations is None:
        from hongqing.organization.models import PartyOrganization

        organizations = PartyOrganization.objects.filter(pk__in=list(per_org))
    rows = []
    for org in organizations:
        states = open_by_org.get(org.pk, [])
        rows.append(
            OrganizationRow(
                organization=org,
                counts=dict(per_org.get(org.pk, {})),
                due=states.count(Status.DUE),
                overdue=states.count(Status.OVERDUE),
            )
        )
    return Pipeline(today=today, counts=dict(counts), rows=rows, overdue=overdue, due=due)
