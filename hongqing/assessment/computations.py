"""The registry of computed Party-building indicators: each a function over HongQing's records.

A computation reads the records of some Party organisations over a run of months and returns
:class:`Fact`s — one per record that counts, with its organisation (a Party group's for its
branch), its month and its parts (``num``, ``den``). The same facts make the monthly rollups
(``services.rollups``: Σnum and Σden per organisation and month) and the drill-down pages
(:meth:`Computation.describe` turns them back into the records), so the records behind a number
add up to it.

Registered here: duty completion (``party.Obligation``), meeting attendance (``party.Attendance``
against the roster), dues paid on time (``party.DuesPayment``), development steps on time
(``people.development``), the 双带头人 ratio, appraisals done (``party.AppraisalCampaign``), study
hours against the plan (``learning``), points per member, volunteering hours and honours
(``points``) — the last four behind :attr:`Computation.available` (their apps' models present).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongqing.core.scoping import VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import BranchDepartment, PartyOrganization

from .choices import Aggregation
from .periods import add_months, month_end, month_label, month_of

ONE = Decimal(1)
ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Fact:
    """One record's part of a Party indicator: ``num`` / ``den`` for ``org_id`` in ``month``."""

    org_id: int
    month: dt.date
    num: Decimal
    den: Decimal | None
    key: object  # identifies the record (a primary key, or a tuple)


@dataclass
class Row:
    """A drill-down row: the record behind a fact, as a person reads it."""

    fact: Fact
    label: str
    detail: str = ""
    url: str = ""
    date: dt.date | None = None
    visible: bool = True


@dataclass
class Query:
    """What to compute over: some organisations of one hospital, from ``first``'s month to ``last``'s."""

    hospital_id: int
    organizations: list  # PartyOrganization rows (pk, path, kind, hospital_id, established)
    first: dt.date
    last: dt.date
    today: dt.date = field(default_factory=timezone.localdate)

    def __post_init__(self):
        self.first, self.last = month_of(self.first), month_of(self.last)
        by_path = {o.path: o for o in self.organizations}
        self._owner: dict[int, int] = {}
        for o in self.organizations:
            owner = o
            if o.kind == OrgKind.GROUP:
                owner = by_path.get(o.path[: -PartyOrganization.steplen], o)
            self._owner[o.pk] = owner.pk

    @property
    def org_ids(self) -> list[int]:
        return [o.pk for o in self.organizations]

    @property
    def branches(self) -> list:
        return [o for o in self.organizations if o.kind == OrgKind.BRANCH]

    @property
    def last_day(self) -> dt.date:
        return month_end(self.last)

    @property
    def current_month(self) -> dt.date:
        return month_of(self.today)

    def owner(self, org_id: int) -> int:
        """The organisation a record counts for: a Party group's records count for its branch."""
        return self._owner.get(org_id, org_id)

    def in_range(self, month: dt.date) -> bool:
        return self.first <= month <= self.last


@dataclass(frozen=True)
class Computation:
    code: str
    label: object
    unit: str
    aggregation: str  # Aggregation.RATIO, SUM or LATEST
    facts: Callable[[Query], list[Fact]]
    describe: Callable[[list[Fact], object], list[Row]]
    num_label: object = ""
    den_label: object = ""
    factor: Decimal = HUNDRED
    description: object = ""
    available: Callable[[], bool] = lambda: True

    @property
    def is_ratio(self) -> bool:
        return self.aggregation != Aggregation.SUM


_registry: dict[str, Computation] = {}


def register(comp: Computation) -> Computation:
    _registry[comp.code] = comp
    return comp


def registry() -> dict[str, Computation]:
    return dict(_registry)


def get(code: str) -> Computation | None:
    return _registry.get(code)


def _url(name: str, pk) -> str:
    from hongqing.party.tables_duties import pk_url

    return pk_url(name, pk)


def _visible(model, user, pks: Iterable) -> set:
    pks = set(pks)
    if not pks:
        return set()
    return set(model.objects.restrict(user, VIEW).filter(pk__in=pks).values_list("pk", flat=True))


def _local_month(moment: dt.datetime) -> dt.date:
    return month_of(timezone.localtime(moment).date())


# ---------------------------------------------------------------------------------------------
# Duty completion rate (党务清单完成率)


def duty_facts(q: Query) -> list[Fact]:
    """Each duty ending in the month counts once it is due (or done): done ones in the numerator."""
    from hongqing.party.models import Obligation
    from hongqing.party.services.duties import ensure_obligations

    for year in range(q.first.year, min(q.last.year, q.today.year) + 1):
        ensure_obligations(q.organizations, year)
    rows = (
        Obligation.objects.filter(
            organization_id__in=q.org_ids, period_end__gte=q.first, period_end__lte=q.last_day
        )
        .order_by()
        .values_list("pk", "organization_id", "period_end", "due", "done_on")
    )
    out = []
    for pk, org_id, end, due, done_on in rows:
        if done_on is None and due >= q.today:
            continue  # still in time: neither done nor owed yet
        out.append(Fact(q.owner(org_id), month_of(end), ONE if done_on else ZERO, ONE, pk))
    return out


def duty_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.party.models import Obligation
    from hongqing.party.services.duties import duty_label, period_label

    objs = Obligation.objects.select_related("organization").in_bulk([f.key for f in facts])
    visible = _visible(Obligation, user, objs)
    out = []
    for f in facts:
        o = objs.get(f.key)
        if o is None:
            continue
        status = _("done on %(d)s") % {"d": o.done_on.isoformat()} if o.done_on else _("not done")
        out.append(
            Row(
                f,
                f"{o.organization} · {duty_label(o.code)} · {period_label(o.period_start, o.period_end)}",
                _("due %(d)s, %(status)s") % {"d": o.due.isoformat(), "status": status},
                _url("party:obligation_detail", o.pk),
                o.due,
                o.pk in visible,
            )
        )
    return out


register(
    Computation(
        "party.duty_completion",
        gettext_lazy("Duty completion rate"),
        "%",
        Aggregation.RATIO,
        duty_facts,
        duty_rows,
        num_label=gettext_lazy("duties done"),
        den_label=gettext_lazy("duties due"),
        description=gettext_lazy(
            "Duties of the duty list ending in the month, counted once due (or done): the share done."
        ),
    )
)


# ---------------------------------------------------------------------------------------------
# Meeting attendance rate (组织生活出勤率)


def attendance_facts(q: Query) -> list[Fact]:
    from hongqing.party.choices import AttendanceStatus, MeetingStatus
    from hongqing.party.models import Attendance
    from hongqing.party.services.duties import day_start

    rows = (
        Attendance.objects.filter(
            meeting__organization_id__in=q.org_ids,
            meeting__status=MeetingStatus.HELD,
            expected=True,
            meeting__start__gte=day_start(q.first),
            meeting__start__lt=day_start(q.last_day + dt.timedelta(days=1)),
        )
        .order_by()
        .values_list("pk", "meeting__organization_id", "meeting__start", "status")
    )
    return [
        Fact(
            q.owner(org_id),
            _local_month(start),
            ONE if status == AttendanceStatus.PRESENT else ZERO,
            ONE,
            pk,
        )
        for pk, org_id, start, status in rows
    ]


def attendance_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.party.models import Attendance

    objs = Attendance.objects.select_related("person", "meeting").in_bulk([f.key for f in facts])
    visible = _visible(Attendance, user, objs)
    out = []
    for f in facts:
        a = objs.get(f.key)
        if a is None:
            continue
        out.append(
            Row(
                f,
                f"{a.person.name} · {a.meeting}",
                a.get_status_display(),
                _url("party:meeting_detail", a.meeting_id),
                timezone.localtime(a.meeting.start).date(),
                a.pk in visible,
            )
        )
    return out


register(
    Computation(
        "party.attendance",
        gettext_lazy("Meeting attendance rate"),
        "%",
        Aggregation.RATIO,
        attendance_facts,
        attendance_rows,
        num_label=gettext_lazy("present"),
        den_label=gettext_lazy("expected"),
        description=gettext_lazy(
            "Held meetings of the month: those present among those on the roster who should attend."
        ),
    )
)


# ---------------------------------------------------------------------------------------------
# Dues paid on time (党费按时缴纳率)


def dues_facts(q: Query) -> list[Fact]:
    """Each month a member owes (a base for the year, from the admission month), once it has begun:
    paid in the month or in advance counts as on time; made up later or unpaid does not. The
    current month counts only once paid (the member still has until its end)."""
    from hongqing.party.choices import PaymentKind
    from hongqing.party.models import DuesBase, DuesPayment
    from hongqing.people.models import Membership

    years = range(q.first.year, q.last.year + 1)
    members = dict(
        Membership.objects.filter(organization_id__in=q.org_ids)
        .order_by()
        .values_list("pk", "organization_id")
    )
    admitted = dict(
        Membership.objects.filter(organization_id__in=q.org_ids)
        .order_by()
        .values_list("pk", "admission_date")
    )
    bases = set(
        DuesBase.objects.filter(membership__organization_id__in=q.org_ids, year__in=years)
        .order_by()
        .values_list("membership_id", "year")
    )
    paid = {
        (m, y, mo): (pk, kind)
        for pk, m, y, mo, kind in DuesPayment.objects.filter(
            membership__organization_id__in=q.org_ids, year__in=years
        )
        .order_by()
        .values_list("pk", "membership_id", "year", "month", "kind")
    }
    on_time = {PaymentKind.REGULAR, PaymentKind.ADVANCE}
    out = []
    for m_id, year in sorted(bases):
        org_id = members.get(m_id)
        if org_id is None:
            continue
        adm = admitted.get(m_id)
        for mo in range(1, 13):
            month = dt.date(year, mo, 1)
            if not q.in_range(month) or month > q.current_month:
                continue
            if adm and (year, mo) < (adm.year, adm.month):
                continue
            payment = paid.get((m_id, year, mo))
            if payment is None and month == q.current_month:
                continue
            num = ONE if payment is not None and payment[1] in on_time else ZERO
            out.append(Fact(q.owner(org_id), month, num, ONE, (m_id, year, mo)))
    return out


def dues_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.party.models import DuesPayment
    from hongqing.people.models import Membership

    m_ids = {f.key[0] for f in facts}
    names = dict(Membership.objects.filter(pk__in=m_ids).values_list("pk", "person__name"))
    visible = _visible(Membership, user, m_ids) if m_ids else set()
    pays = {
        (p.membership_id, p.year, p.month): p
        for p in DuesPayment.objects.filter(membership_id__in=m_ids, year__in={f.key[1] for f in facts})
    }
    out = []
    for f in facts:
        m_id, year, mo = f.key
        p = pays.get(f.key)
        detail = (
            _("paid on %(d)s (%(kind)s)") % {"d": p.paid_on.isoformat(), "kind": p.get_kind_display()}
            if p
            else _("unpaid")
        )
        out.append(
            Row(
                f,
                f"{names.get(m_id, '')} · {month_label(dt.date(year, mo, 1))}",
                detail,
                _url("people:membership_detail", m_id),
                p.paid_on if p else None,
                m_id in visible,
            )
        )
    return out


register(
    Computation(
        "party.dues_on_time",
        gettext_lazy("Dues paid on time"),
        "%",
        Aggregation.RATIO,
        dues_facts,
        dues_rows,
        num_label=gettext_lazy("months paid on time"),
        den_label=gettext_lazy("months owed"),
        description=gettext_lazy(
            "Months members owe dues: those paid in the month or in advance (made up later is late)."
        ),
    )
)


# ---------------------------------------------------------------------------------------------
# Development steps on time (发展党员按期率)


def _development_plans(q: Query):
    from hongqing.core.calendar import WorkingCalendar
    from hongqing.people.choices import Stage
    from hongqing.people.development import DevelopmentRules, plan
    from hongqing.people.models import DevelopmentStep, Membership

    recent = q.first - relativedelta(months=6)
    ms = (
        Membership.objects.filter(organization_id__in=q.org_ids)
        .filter(~Q(stage=Stage.FULL) | Q(conversion_date__gte=recent))
        .select_related("person", "organization")
        .prefetch_related(Prefetch("steps", queryset=DevelopmentStep.objects.order_by("date", "pk")))
    )
    rules = DevelopmentRules([q.hospital_id])
    cal = WorkingCalendar()
    for m in ms:
        yield m, plan(m, today=q.today, steps=list(m.steps.all()), rules=rules, cal=cal)


def development_facts(q: Query) -> list[Fact]:
    """Each development step due in the month, once done or overdue: done by its due date is on time."""
    from hongqing.people.development import Status

    out = []
    for m, p in _development_plans(q):
        for s in p.steps:
            due = s.due
            if due is None or not (q.first <= due <= q.last_day):
                continue
            if s.done is not None:
                num = ONE if s.done <= due else ZERO
            elif s.status in (Status.OVERDUE, Status.MISSED) or due < q.today:
                num = ZERO
            else:
                continue  # not yet due
            out.append(Fact(q.owner(m.organization_id), month_of(due), num, ONE, (m.pk, str(s.kind), due)))
    return out


def development_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.people.choices import StepKind
    from hongqing.people.models import Membership

    m_ids = {f.key[0] for f in facts}
    names = dict(Membership.objects.filter(pk__in=m_ids).values_list("pk", "person__name"))
    visible = _visible(Membership, user, m_ids)
    out = []
    for f in facts:
        m_id, kind, due = f.key
        label = StepKind(kind).label if kind in StepKind.values else kind
        out.append(
            Row(
                f,
                f"{names.get(m_id, '')} · {label}",
                _("due %(d)s") % {"d": due.isoformat()}
                + (" · " + (_("on time") if f.num else _("late or not done"))),
                _url("people:development_timeline", m_id),
                due,
                m_id in visible,
            )
        )
    return out


register(
    Computation(
        "party.development_on_time",
        gettext_lazy("Development steps on time"),
        "%",
        Aggregation.RATIO,
        development_facts,
        development_rows,
        num_label=gettext_lazy("steps on time"),
        den_label=gettext_lazy("steps due"),
        description=gettext_lazy(
            "Steps of member development due in the month (by the development rules): those done by the due date."
        ),
    )
)


# ---------------------------------------------------------------------------------------------
# 双带头人 ratio


def _dual_inputs(q: Query):
    from hongqing.people.choices import CadreLevel, Post
    from hongqing.people.models import Cadre, TermPosition

    ids = [b.pk for b in q.branches]
    positions = list(
        TermPosition.objects.filter(term__organization_id__in=ids, post=Post.SECRETARY)
        .order_by("term__start")
        .values_list("term__organization_id", "person_id", "start", "end", "term__start", "term__actual_end")
    )
    links = list(
        BranchDepartment.objects.filter(organization_id__in=ids).values_list(
            "organization_id", "department_id", "start", "end"
        )
    )
    people = {p[1] for p in positions}
    heads = list(
        Cadre.objects.filter(person_id__in=people, level=CadreLevel.CHIEF).values_list(
            "person_id", "department_id", "start", "end"
        )
    )
    return positions, links, heads


def _within(day, start, end) -> bool:
    return (start is None or start <= day) and (end is None or end >= day)


def dual_state(branch_id: int, day: dt.date, inputs) -> tuple[int | None, int | None]:
    """(the secretary's person id, the department of the branch they head) on ``day``."""
    positions, links, heads = inputs
    secretary = None
    for org_id, person_id, start, end, term_start, term_end in positions:
        if org_id == branch_id and _within(day, start, end) and _within(day, term_start, term_end):
            secretary = person_id  # ordered by term start: the latest current term wins
    if secretary is None:
        return None, None
    depts = {d for o, d, s, e in links if o == branch_id and _within(day, s, e)}
    for person_id, dept_id, start, end in heads:
        if person_id == secretary and dept_id in depts and _within(day, start, end):
            return secretary, dept_id
    return secretary, None


def dual_facts(q: Query) -> list[Fact]:
    """Each branch in each month: one if, at the month's end (today for this month), its secretary
    heads one of the departments it is built on."""
    inputs = _dual_inputs(q)
    out = []
    for b in q.branches:
        for month in _months(q):
            day = min(month_end(month), q.today)
            if b.established and b.established > month_end(month):
                continue
            _sec, dept = dual_state(b.pk, day, inputs)
            out.append(Fact(b.pk, month, ONE if dept else ZERO, ONE, (b.pk, month)))
    return out


def dual_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.organization.models import Department
    from hongqing.people.models import Person

    ids = {f.key[0] for f in facts}
    orgs = PartyOrganization.objects.filter(pk__in=ids).in_bulk()
    q = (
        Query(0, list(orgs.values()), min(f.month for f in facts), max(f.month for f in facts))
        if facts
        else None
    )
    inputs = _dual_inputs(q) if q else ([], [], [])
    visible = _visible(PartyOrganization, user, ids)
    persons = dict(Person.objects.filter(pk__in={p[1] for p in inputs[0]}).values_list("pk", "name"))
    depts = dict(Department.objects.filter(pk__in={d[1] for d in inputs[1]}).values_list("pk", "name"))
    out = []
    for f in facts:
        b_id, month = f.key
        day = min(month_end(month), timezone.localdate())
        sec, dept = dual_state(b_id, day, inputs)
        if sec is None:
            detail = _("no secretary")
        elif dept:
            detail = _("secretary %(name)s heads %(dept)s") % {
                "name": persons.get(sec, ""),
                "dept": depts.get(dept),
            }
        else:
            detail = _("secretary %(name)s heads none of its departments") % {"name": persons.get(sec, "")}
        out.append(
            Row(
                f,
                f"{orgs[b_id]} · {month_label(month)}",
                detail,
                _url("organization:partyorganization_detail", b_id),
                day,
                b_id in visible,
            )
        )
    return out


register(
    Computation(
        "party.dual_leader",
        gettext_lazy("双带头人 ratio"),
        "%",
        Aggregation.LATEST,
        dual_facts,
        dual_rows,
        num_label=gettext_lazy("branches with a 双带头人 secretary"),
        den_label=gettext_lazy("branches"),
        description=gettext_lazy(
            "Branches whose secretary heads one of the departments they are built on, at the end of the period."
        ),
    )
)


# ---------------------------------------------------------------------------------------------
# Appraisal done (民主评议完成)


def appraisal_facts(q: Query) -> list[Fact]:
    """Each branch once a year, in December: one if its appraisal of that year is closed."""
    from hongqing.party.choices import AppraisalStage
    from hongqing.party.models import AppraisalCampaign

    years = [
        y for y in range(q.first.year, q.last.year + 1) if q.in_range(dt.date(y, 12, 1)) and y <= q.today.year
    ]
    if not years:
        return []
    campaigns = {
        (org, year): (pk, stage)
        for pk, org, year, stage in AppraisalCampaign.objects.filter(
            organization__in=[b.pk for b in q.branches], year__in=years
        ).values_list("pk", "organization_id", "year", "stage")
    }
    out = []
    for b in q.branches:
        for year in years:
            if b.established and b.established.year > year:
                continue
            c = campaigns.get((b.pk, year))
            num = ONE if c and c[1] == AppraisalStage.CLOSED else ZERO
            out.append(Fact(b.pk, dt.date(year, 12, 1), num, ONE, (b.pk, year, c[0] if c else None)))
    return out


def appraisal_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.party.models import AppraisalCampaign

    campaigns = AppraisalCampaign.objects.select_related("organization").in_bulk(
        [f.key[2] for f in facts if f.key[2]]
    )
    orgs = PartyOrganization.objects.in_bulk({f.key[0] for f in facts})
    visible = _visible(PartyOrganization, user, orgs)
    out = []
    for f in facts:
        b_id, year, c_id = f.key
        c = campaigns.get(c_id)
        detail = c.get_stage_display() if c else _("no appraisal opened")
        url = _url("party:appraisalcampaign_detail", c_id) if c else ""
        out.append(Row(f, f"{orgs[b_id]} · {year}", detail, url, None, b_id in visible))
    return out


register(
    Computation(
        "party.appraisal_done",
        gettext_lazy("Democratic appraisal done"),
        "%",
        Aggregation.LATEST,
        appraisal_facts,
        appraisal_rows,
        num_label=gettext_lazy("branches whose appraisal is closed"),
        den_label=gettext_lazy("branches"),
        description=gettext_lazy(
            "Branches whose democratic appraisal of the year is closed (counted in December)."
        ),
    )
)


def _months(q: Query) -> list[dt.date]:
    out, m = [], q.first
    while m <= q.last and m <= q.current_month:
        out.append(m)
        m = add_months(m, 1)
    return out


# ---------------------------------------------------------------------------------------------
# The learning and points apps' indicators (registered when their apps are installed)


@cache
def _has_model(app_label: str, model: str) -> bool:
    try:
        apps.get_model(app_label, model)
    except LookupError:
        return False
    return True


def _members(q: Query) -> dict[int, tuple[int, int]]:
    """The organisations' members counted per head: membership id → (organisation, person id)."""
    from hongqing.people.choices import MEMBER_STAGES, EmploymentStatus
    from hongqing.people.models import Membership

    rows = (
        Membership.objects.filter(organization_id__in=q.org_ids, stage__in=MEMBER_STAGES)
        .exclude(person__status=EmploymentStatus.LEFT)
        .order_by()
        .values_list("pk", "organization_id", "person_id")
    )
    return {pk: (org, person) for pk, org, person in rows}


def study_facts(q: Query) -> list[Fact]:
    """Each member in each month (up to this one): the hours studied that month (sessions attended
    or made up, confirmed self-study) against a twelfth of their yearly requirement (32 hours, 56 for
    a secretary or committee member: the learning app's rules)."""
    from hongqing.learning.services import hours as lh

    members = _members(q)
    if not members:
        return []
    person_of = {person: m for m, (_org, person) in members.items()}
    studied: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    out = []
    for year in range(q.first.year, q.last.year + 1):
        rows = (
            lh.counting_attendances(year)
            .filter(person_id__in=list(person_of))
            .order_by()
            .values_list("person_id", "session__start", "hours")
        )
        for person, start, hours in rows:
            studied[(person, _local_month(start))] += hours or ZERO
        for person, day, hours in (
            lh.confirmed_self_study(year)
            .filter(person_id__in=list(person_of))
            .order_by()
            .values_list("person_id", "studied_on", "hours")
        ):
            studied[(person, month_of(day))] += hours or ZERO
        req = lh.Requirements(year, [q.hospital_id])
        leaders = set(
            lh.current_posts(req.on).filter(person_id__in=list(person_of)).values_list("person_id", flat=True)
        )
        for m_id, (org_id, person) in members.items():
            share = req.hours(q.hospital_id, person in leaders) / 12
            for mo in range(1, 13):
                month = dt.date(year, mo, 1)
                if not q.in_range(month) or month > q.current_month:
                    continue
                out.append(
                    Fact(q.owner(org_id), month, studied.get((person, month), ZERO), share, (m_id, month))
                )
    return out


def study_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.people.models import Membership

    m_ids = {f.key[0] for f in facts}
    names = dict(Membership.objects.filter(pk__in=m_ids).values_list("pk", "person__name"))
    visible = _visible(Membership, user, m_ids)
    hours = reverse_name("learning:hours")
    return [
        Row(
            f,
            f"{names.get(f.key[0], '')} · {month_label(f.key[1])}",
            _("%(h)s hours of %(need)s") % {"h": f"{f.num:.1f}", "need": f"{f.den:.1f}"},
            hours,
            None,
            f.key[0] in visible,
        )
        for f in facts
    ]


def points_facts(q: Query) -> list[Fact]:
    """Each member in each month: the points their ledger moved that month (awards and withdrawals)."""
    from hongqing.points.models import PointEntry

    members = _members(q)
    if not members:
        return []
    person_of = {person: m for m, (_org, person) in members.items()}
    moved: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for person, day, amount in (
        PointEntry.objects.filter(person_id__in=list(person_of), date__gte=q.first, date__lte=q.last_day)
        .order_by()
        .values_list("person_id", "date", "amount")
    ):
        moved[(person, month_of(day))] += amount
    out = []
    for m in _months(q):
        for m_id, (org_id, person) in members.items():
            out.append(Fact(q.owner(org_id), m, moved.get((person, m), ZERO), ONE, (m_id, m)))
    return out


def points_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.people.models import Membership

    m_ids = {f.key[0] for f in facts}
    names = dict(Membership.objects.filter(pk__in=m_ids).values_list("pk", "person__name"))
    visible = _visible(Membership, user, m_ids)
    ledger = reverse_name("points:pointentry_list")
    return [
        Row(f, f"{names.get(f.key[0], '')} · {month_label(f.key[1])}", "", ledger, None, f.key[0] in visible)
        for f in facts
    ]


def volunteering_facts(q: Query) -> list[Fact]:
    """Each participant's hours in an activity the organisation organised, in the activity's month."""
    from hongqing.points.models import VolunteeringParticipant

    rows = (
        VolunteeringParticipant.objects.filter(
            volunteering__organizer_id__in=q.org_ids,
            volunteering__date__gte=q.first,
            volunteering__date__lte=q.last_day,
        )
        .order_by()
        .values_list("pk", "volunteering__organizer_id", "volunteering__date", "hours")
    )
    return [Fact(q.owner(org), month_of(day), hours, None, pk) for pk, org, day, hours in rows]


def volunteering_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.points.models import VolunteeringParticipant

    objs = VolunteeringParticipant.objects.select_related("person", "volunteering").in_bulk(
        [f.key for f in facts]
    )
    visible = _visible(VolunteeringParticipant, user, objs)
    out = []
    for f in facts:
        p = objs.get(f.key)
        if p is None:
            continue
        v = p.volunteering
        out.append(
            Row(
                f,
                f"{p.person.name} · {v.title}",
                f"{p.hours}h",
                _url("points:volunteering_detail", v.pk),
                v.date,
                p.pk in visible,
            )
        )
    return out


def honour_facts(q: Query) -> list[Fact]:
    """Each honour of the organisation (a member's or the branch's), in the month it was awarded."""
    from hongqing.points.models import Honor

    rows = (
        Honor.objects.filter(
            organization_id__in=q.org_ids, awarded_on__gte=q.first, awarded_on__lte=q.last_day
        )
        .order_by()
        .values_list("pk", "organization_id", "awarded_on")
    )
    return [Fact(q.owner(org), month_of(day), ONE, None, pk) for pk, org, day in rows]


def honour_rows(facts: list[Fact], user) -> list[Row]:
    from hongqing.points.models import Honor

    objs = Honor.objects.select_related("person", "organization").in_bulk([f.key for f in facts])
    visible = _visible(Honor, user, objs)
    return [
        Row(f, str(h), h.get_kind_display(), _url("points:honor_detail", h.pk), h.awarded_on, h.pk in visible)
        for f in facts
        if (h := objs.get(f.key)) is not None
    ]


def reverse_name(name: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


register(
    Computation(
        "learning.study_hours",
        gettext_lazy("Study hours against the plan"),
        "%",
        Aggregation.RATIO,
        study_facts,
        study_rows,
        num_label=gettext_lazy("hours studied"),
        den_label=gettext_lazy("hours planned"),
        description=gettext_lazy(
            "Members' study hours (sessions, confirmed self-study) against their yearly requirement, month by month."
        ),
        available=lambda: _has_model("learning", "StudyAttendance"),
    )
)
register(
    Computation(
        "points.points_per_member",
        gettext_lazy("Points per member"),
        "分",
        Aggregation.RATIO,
        points_facts,
        points_rows,
        num_label=gettext_lazy("points"),
        den_label=gettext_lazy("member-months"),
        factor=ONE,
        description=gettext_lazy(
            "Points members earned in the month (the ledger's awards and withdrawals) per member."
        ),
        available=lambda: _has_model("points", "PointEntry"),
    )
)
register(
    Computation(
        "points.volunteering_hours",
        gettext_lazy("Volunteering hours"),
        "小时",
        Aggregation.SUM,
        volunteering_facts,
        volunteering_rows,
        num_label=gettext_lazy("hours"),
        factor=ONE,
        description=gettext_lazy(
            "Participants' hours in the volunteering activities the organisation organised."
        ),
        available=lambda: _has_model("points", "VolunteeringParticipant"),
    )
)
register(
    Computation(
        "points.honours",
        gettext_lazy("Honours"),
        "项",
        Aggregation.SUM,
        honour_facts,
        honour_rows,
        num_label=gettext_lazy("honours"),
        factor=ONE,
        description=gettext_lazy("Honours of the organisation and its members, in the month awarded."),
        available=lambda: _has_model("points", "Honor"),
    )
)


def compute(codes: Iterable[str], q: Query) -> dict[str, list[Fact]]:
    """The facts of several computations over the same query (each computed once)."""
    out: dict[str, list[Fact]] = {}
    for code in codes:
        comp = _registry.get(code)
        if comp is None or not comp.available() or code in out:
            continue
        out[code] = comp.facts(q)
    return out


def totals(facts: Iterable[Fact]) -> dict[tuple[int, dt.date], list]:
    """Σnum, Σden and the count per (organisation, month)."""
    out: dict[tuple[int, dt.date], list] = defaultdict(lambda: [ZERO, None, 0])
    for f in facts:
        t = out[(f.org_id, f.month)]
        t[0] += f.num
        if f.den is not None:
            t[1] = (t[1] or ZERO) + f.den
        t[2] += 1
    return out
