"""Duty lists (党务清单): the duties each organisation owes per period, from the duty rules.

A duty is done when a record satisfies it — nobody ticks a box:
- a *held* meeting of one of the rule's kinds whose local date (Asia/Shanghai) falls in the period
  (the ``count``-th such meeting is the one that satisfied it);
- "appraisal": the organisation's appraisal campaign of the year reached stage ``closed``;
- "new_term": a newer committee term started (term renewals: one duty in the month a term is due);
- an *outside satisfier* registered by name (:func:`register_satisfier`): records this module does
  not own decide it — the study hours of a branch's members (``learning``), the heart-to-heart talks of
  its committee with its members (``party.Talk``). The satisfier reports progress (``done_count`` of
  ``required``) and the day the duty became done.

:func:`sync_obligations` creates, updates and deletes the Obligation rows of many organisations for
a year in a handful of queries (whatever the number of organisations). The signal handlers at the
end keep them right when a meeting, an appraisal, a term, an organisation, a duty rule or a
calendar day changes; pages only create the rows of a year nobody has looked at yet.

Status is not stored: green (done), amber (due soon: from ``remind_from``, ``remind_working_days``
working days before the due date), red (overdue: after the due date), else open — against today.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongqing.core.calendar import WorkingCalendar, calendar
from hongqing.core.rules import RuleBook, rule_value
from hongqing.core.scoping import VIEW, grant_q, grants_for
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import CommitteeTerm, PartyOrganization

from ..choices import AppraisalStage, MeetingKind, MeetingStatus
from ..models import AppraisalCampaign, DutyStatus, Meeting, Obligation

PREFIX = "duty."
APPRAISAL = "appraisal"
NEW_TERM = "new_term"
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
MEETING_KINDS = frozenset(MeetingKind.values)
DAY = dt.timedelta(days=1)

# Short names of the duties (the rule's description is the long one).
DUTY_LABELS = {
    "duty.member_congress": gettext_lazy("Branch member congress"),
    "duty.branch_committee": gettext_lazy("Branch committee meeting"),
    "duty.group_meeting": gettext_lazy("Party group meeting"),
    "duty.party_lecture": gettext_lazy("Party lecture"),
    "duty.theme_day": gettext_lazy("Theme Party day"),
    "duty.org_life_session": gettext_lazy("Organisational life session"),
    "duty.committee_lecture": gettext_lazy("Party lecture by the committee secretary"),
    "duty.appraisal": gettext_lazy("Democratic appraisal of members"),
    "duty.term_renewal": gettext_lazy("Term renewal"),
}
STATUS_CLASSES = {
    DutyStatus.DONE: "success",
    DutyStatus.DUE_SOON: "warning",
    DutyStatus.OVERDUE: "danger",
    DutyStatus.OPEN: "light",
}
STATUS_ICONS = {
    DutyStatus.DONE: "check-circle-fill",
    DutyStatus.DUE_SOON: "hourglass-split",
    DutyStatus.OVERDUE: "exclamation-octagon-fill",
    DutyStatus.OPEN: "circle",
}


def duty_label(code: str) -> str:
    if code in DUTY_LABELS:
        return str(DUTY_LABELS[code])
    from hongqing.core.rules import declared

    d = declared().get(code)
    return str(d.description) if d and d.description else code


# --- rules and periods -----------------------------------------------------------------------


@dataclass(frozen=True)
class DutyRule:
    code: str
    applies_to: frozenset[str]
    period: str
    satisfied_by: tuple[str, ...]
    count: int
    remind: int
    due: str
    needs_committee: bool

    @classmethod
    def parse(cls, code: str, value) -> DutyRule | None:
        """A duty rule from a rule value; None for the other ``duty.*`` rules (reminder settings)."""
        if not isinstance(value, dict) or "applies_to" not in value:
            return None
        period = value.get("period", "month")
        if period not in PERIOD_MONTHS:
            return None
        return cls(
            code=code,
            applies_to=frozenset(value.get("applies_to") or ()),
            period=period,
            satisfied_by=tuple(value.get("satisfied_by") or ()),
            count=max(int(value.get("count", 1) or 1), 1),
            remind=max(int(value.get("remind_working_days", 0) or 0), 0),
            due=value.get("due", "period_end"),
            needs_committee=bool(value.get("needs_committee", False)),
        )

    @property
    def meeting_kinds(self) -> tuple[str, ...]:
        return tuple(k for k in self.satisfied_by if k in MEETING_KINDS)

    @property
    def is_appraisal(self) -> bool:
        return APPRAISAL in self.satisfied_by

    @property
    def is_term_renewal(self) -> bool:
        return NEW_TERM in self.satisfied_by

    @property
    def outside(self) -> tuple[str, ...]:
        """The registered outside satisfiers the rule names (see :func:`register_satisfier`)."""
        return tuple(k for k in self.satisfied_by if k in _satisfiers)


# --- outside satisfiers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """What an outside satisfier says of one organisation's duty in one period."""

    done_on: dt.date | None  # the day the duty became done; None while it is not
    done_count: int  # progress: e.g. members who reached their study hours
    required: int  # out of: e.g. members who owe study hours


@dataclass(frozen=True)
class Satisfier:
    name: str
    label: object  # what the records are, e.g. "study hours" (shown with the progress)
    # loader(org_ids, periods) -> {(org_id, period_start): Satisfaction}; periods: [(start, end)]
    loader: Callable[[list[int], list[tuple[dt.date, dt.date]]], dict]
    # url(org_id, period_start, period_end) -> the page of the records behind the duty
    url: Callable[[int, dt.date, dt.date], str] | None = None


@dataclass(frozen=True)
class OutsideRecord:
    """The records that satisfied a duty through an outside satisfier, as a page names and links them."""

    label: str
    url: str

    def __str__(self) -> str:
        return self.label


_satisfiers: dict[str, Satisfier] = {}


def register_satisfier(name: str, label, loader, url=None, *, duty_labels: dict | None = None) -> None:
    """Let records of another app (or of another part of this one) decide duties.

    A duty rule names the satisfier in ``satisfied_by`` (declare it with ``party.rules.duty_default``
    so the rules page checks a hospital's override). ``loader(org_ids, periods)`` answers for many
    organisations and periods at once — a few queries for a whole region, never one per organisation —
    with ``{(org_id, period_start): Satisfaction}`` (an organisation left out owes nothing counted yet:
    0 of 0, not done). When the records change, call :func:`reevaluate_satisfier`. ``duty_labels``:
    short names of the duty rules it serves ({rule key: label}), as the duty pages show them.
    """
    _satisfiers[name] = Satisfier(name, label, loader, url)
    DUTY_LABELS.update(duty_labels or {})


def satisfier_names() -> list[str]:
    return sorted(_satisfiers)


def outside_url(name: str, org_id: int, start: dt.date, end: dt.date) -> str:
    satisfier = _satisfiers.get(name)
    return satisfier.url(org_id, start, end) if satisfier and satisfier.url else ""


def outside_record(row) -> OutsideRecord | None:
    """The outside records that satisfied ``row`` (an Obligation), or None."""
    satisfier = _satisfiers.get(row.satisfied_by_other)
    if satisfier is None or not row.done_on:
        return None
    label = f"{satisfier.label} {row.done_count}/{row.required}"
    return OutsideRecord(
        label, outside_url(satisfier.name, row.organization_id, row.period_start, row.period_end)
    )


def _load_outside(requests: dict[str, tuple[set, set]]) -> dict:
    """{name: {(org_id, period_start): Satisfaction}} for {name: (org ids, periods)}: one loader call each."""
    out = {}
    for name, (org_ids, spans) in requests.items():
        if org_ids and spans:
            out[name] = _satisfiers[name].loader(sorted(org_ids), sorted(spans))
    return out


def reevaluate_satisfier(name: str, organization_ids: Iterable[int], days: Iterable[dt.date]) -> int:
    """The records of satisfier ``name`` changed for these organisations on these days: re-evaluate the
    duties they decide. Returns the number of rows changed."""
    days = list(days)
    return sum(
        reevaluate(org_id, days, meetings=False, appraisals=False, outside=(name,))
        for org_id in sorted(set(organization_ids))
        if org_id
    )


class DutyRules:
    """The duty rules of many hospitals, read in one query; the rule in force on a period's first day."""

    def __init__(self, hospital_ids: Iterable[int]):
        self.book = RuleBook(PREFIX, hospital_ids)
        self.codes = self.book.keys()
        self._cache: dict = {}

    def rule(self, code: str, hospital_id: int, on: dt.date) -> DutyRule | None:
        key = (code, hospital_id, on)
        if key not in self._cache:
            self._cache[key] = DutyRule.parse(code, self.book.value(code, hospital_id, on))
        return self._cache[key]

    def plan(self, hospital_id: int, year: int) -> list[tuple[DutyRule, dt.date, dt.date]]:
        """Every (rule, period) of the year for a hospital: the rule in force on each period's first day."""
        key = ("plan", hospital_id, year)
        if key not in self._cache:
            out = []
            for code in self.codes:
                for period in PERIOD_MONTHS:
                    for start, end in periods(period, year):
                        rule = self.rule(code, hospital_id, start)
                        if rule is not None and rule.period == period:
                            out.append((rule, start, end))
            self._cache[key] = out
        return self._cache[key]

    def kinds_owing(self, hospital_id: int, year: int) -> set[str]:
        """Organisation kinds that owe at least one duty in the year (any month's rules)."""
        kinds: set[str] = set()
        for rule, _start, _end in self.plan(hospital_id, year):
            kinds |= rule.applies_to
        return kinds


@functools.lru_cache(maxsize=256)
def periods(period: str, year: int) -> tuple[tuple[dt.date, dt.date], ...]:
    step = PERIOD_MONTHS[period]
    out = []
    for first in range(1, 13, step):
        start = dt.date(year, first, 1)
        last = first + step
        end = (dt.date(year + 1, 1, 1) if last > 12 else dt.date(year, last, 1)) - DAY
        out.append((start, end))
    return tuple(out)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    nxt = dt.date(start.year + 1, 1, 1) if start.month == 12 else dt.date(start.year, start.month + 1, 1)
    return start, nxt - DAY


class Deadlines:
    """Due and reminder dates by the working-day calendar, memoised (a region asks the same ones)."""

    def __init__(self, cal: WorkingCalendar | None = None):
        self.cal = cal or calendar()
        self._last: dict[dt.date, dt.date] = {}
        self._back: dict[tuple[dt.date, int], dt.date] = {}

    def last_working_day(self, start: dt.date, end: dt.date) -> dt.date:
        if end not in self._last:
            day = end
            while day > start and not self.cal.is_working_day(day):
                day -= DAY
            self._last[end] = day
        return self._last[end]

    def remind_from(self, due: dt.date, days: int) -> dt.date:
        if days <= 0:
            return due
        key = (due, days)
        if key not in self._back:
            self._back[key] = self.cal.add_working_days(due, -days)
        return self._back[key]

    def due(self, rule: DutyRule, start: dt.date, end: dt.date) -> dt.date:
        if rule.due == "last_working_day":
            return self.last_working_day(start, end)
        return end


# --- time zones ------------------------------------------------------------------------------


def local_tz():
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local (Asia/Shanghai) day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_tz())


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, local_tz()).date()


# --- computing the duties --------------------------------------------------------------------


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    organizations: int = 0

    def __add__(self, other: SyncResult) -> SyncResult:
        return SyncResult(
            self.created + other.created,
            self.updated + other.updated,
            self.deleted + other.deleted,
            self.organizations + other.organizations,
        )


VALUE_FIELDS = (
    "period_end",
    "due",
    "remind_from",
    "required",
    "done_count",
    "satisfied_by_id",
    "satisfied_by_term_id",
    "satisfied_by_appraisal_id",
    "satisfied_by_other",
    "done_on",
)
UPDATE_FIELDS = [f.removesuffix("_id") for f in VALUE_FIELDS]


@dataclass
class _Inputs:
    """What the duties of a set of organisations for a date range are computed from."""

    meetings: dict = field(default_factory=lambda: defaultdict(list))  # (org, kind) -> [(date, start, id)]
    terms: dict = field(default_factory=lambda: defaultdict(list))  # org -> [CommitteeTerm] by start
    appraisals: dict = field(default_factory=dict)  # (org, year) -> (campaign id, done_on)
    outside: dict = field(default_factory=dict)  # satisfier name -> {(org, period start): Satisfaction}


def _org_filter(organizations, prefix: str = "organization") -> Q:
    if isinstance(organizations, QuerySet):
        return Q(**{f"{prefix}__in": organizations.values("pk")})
    return Q(**{f"{prefix}_id__in": [o if isinstance(o, int) else o.pk for o in organizations]})


def _load_inputs(
    org_source, first: dt.date, last: dt.date, *, meetings=True, terms=True, appraisals=True
) -> _Inputs:
    """Held meetings in [first, last] (local dates), all committee terms, closed appraisals: 3 queries."""
    inputs = _Inputs()
    if meetings:
        held = (
            Meeting.objects.filter(_org_filter(org_source))
            .filter(status=MeetingStatus.HELD, start__gte=day_start(first), start__lt=day_start(last + DAY))
            .order_by()
            .values_list("pk", "organization_id", "kind", "start")
        )
        for pk, org_id, kind, start in held:
            inputs.meetings[(org_id, kind)].append((local_date(start), start, pk))
    if terms:
        rows = (
            CommitteeTerm.objects.filter(_org_filter(org_source))
            .order_by("start", "number")
            .only("pk", "organization_id", "number", "start", "due_end", "actual_end")
        )
        for term in rows:
            inputs.terms[term.organization_id].append(term)
    if appraisals:
        campaigns = (
            AppraisalCampaign.objects.filter(_org_filter(org_source))
            .filter(year__gte=first.year, year__lte=last.year, stage=AppraisalStage.CLOSED)
            .order_by()
            .values_list("pk", "organization_id", "year", "updated", "congress__start")
        )
        for pk, org_id, year, updated, congress_start in campaigns:
            done = local_date(congress_start) if congress_start else local_date(updated)
            inputs.appraisals[(org_id, year)] = (pk, done)
    return inputs


def _has_term_during(terms, start: dt.date, end: dt.date) -> bool:
    return any(t.start <= end and (t.actual_end is None or t.actual_end >= start) for t in terms)


def _evaluate(rule: DutyRule, org_id: int, start: dt.date, end: dt.date, inputs: _Inputs) -> dict:
    """done_count / satisfied_by / done_on of one duty (meetings and appraisals)."""
    values = {
        "done_count": 0,
        "satisfied_by_id": None,
        "satisfied_by_term_id": None,
        "satisfied_by_appraisal_id": None,
        "satisfied_by_other": "",
        "done_on": None,
    }
    for name in rule.outside:
        got = inputs.outside.get(name, {}).get((org_id, start)) or Satisfaction(None, 0, 0)
        values.update(
            done_count=min(got.done_count, 32767),
            required=min(got.required, 32767),
            satisfied_by_other=name,
            done_on=got.done_on,
        )
        if got.done_on:
            return values
    if rule.meeting_kinds:
        held = sorted(
            m
            for kind in rule.meeting_kinds
            for m in inputs.meetings.get((org_id, kind), ())
            if start <= m[0] <= end
        )
        values["done_count"] = min(len(held), 32767)
        if len(held) >= rule.count:
            day, _start, pk = held[rule.count - 1]
            values.update(satisfied_by_id=pk, done_on=day)
    if rule.is_appraisal and values["done_on"] is None:
        campaign = inputs.appraisals.get((org_id, start.year))
        if campaign:
            values.update(done_count=1, satisfied_by_appraisal_id=campaign[0], done_on=campaign[1])
    return values


def _desired(org, year: int, rules: DutyRules, inputs: _Inputs, deadlines: Deadlines) -> dict:
    """{(code, period_start): field values} of the duties ``org`` owes in ``year``."""
    out: dict = {}
    year_end = dt.date(year, 12, 31)
    if org.established and org.established > year_end:
        return out
    terms = inputs.terms.get(org.pk, [])
    for rule, start, end in rules.plan(org.hospital_id, year):
        if org.kind not in rule.applies_to:
            continue
        if org.established and end < org.established:
            continue
        if rule.is_term_renewal:
            _term_renewal(out, org, rule, start, end, terms, deadlines)
            continue
        if rule.needs_committee and not _has_term_during(terms, start, end):
            continue
        due = deadlines.due(rule, start, end)
        out[(rule.code, start)] = {
            "period_end": end,
            "due": due,
            "remind_from": deadlines.remind_from(due, rule.remind),
            "required": rule.count,
            **_evaluate(rule, org.pk, start, end, inputs),
        }
    return out


def _term_renewal(out, org, rule: DutyRule, start, end, terms, deadlines: Deadlines) -> None:
    """The renewal of a term due in the period: done when a newer term of the organisation starts.

    A term ended and replaced before the period began owes nothing (it was renewed early).
    """
    for term in terms:
        if not (term.due_end and start <= term.due_end <= end):
            continue
        if term.actual_end is not None and term.actual_end < start:
            continue
        newer = next((t for t in terms if t.start > term.start), None)
        out[(rule.code, start)] = {
            "period_end": end,
            "due": term.due_end,
            "remind_from": deadlines.remind_from(term.due_end, rule.remind),
            "required": 1,
            "done_count": 1 if newer else 0,
            "satisfied_by_id": None,
            "satisfied_by_term_id": newer.pk if newer else None,
            "satisfied_by_appraisal_id": None,
            "satisfied_by_other": "",
            "done_on": newer.start if newer else None,
        }


def _outside_requests(orgs, year: int, rules: DutyRules) -> dict[str, tuple[set, set]]:
    """What to ask each outside satisfier for: {name: (organisation ids, periods)} of the year's duties."""
    requests: dict[str, tuple[set, set]] = {}
    by_hospital: dict[int, list] = {}
    for org in orgs:
        plan = by_hospital.get(org.hospital_id)
        if plan is None:
            plan = by_hospital[org.hospital_id] = [
                p for p in rules.plan(org.hospital_id, year) if p[0].outside
            ]
        for rule, start, end in plan:
            if org.kind in rule.applies_to:
                for name in rule.outside:
                    ids, spans = requests.setdefault(name, (set(), set()))
                    ids.add(org.pk)
                    spans.add((start, end))
    return requests


def _as_list(organizations) -> list:
    if isinstance(organizations, QuerySet):
        return list(organizations.only("pk", "hospital_id", "kind", "established", "path"))
    return list(organizations)


@transaction.atomic
def sync_obligations(organizations, year: int, *, today: dt.date | None = None) -> SyncResult:
    """Create, update and delete the Obligation rows of ``organizations`` for ``year``.

    Idempotent (the unique constraint; a second run changes nothing), bulk (a handful of queries for
    a whole hospital or region, not per organisation). ``today`` is accepted for symmetry with the
    status functions: the rows do not depend on it (the status is computed against it when shown).
    """
    orgs = _as_list(organizations)
    if not orgs:
        return SyncResult()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rules = DutyRules({o.hospital_id for o in orgs})
    # Many organisations: filter by the queryset as a subquery rather than a list of thousands of ids.
    source = organizations if isinstance(organizations, QuerySet) and len(orgs) > 500 else orgs
    inputs = _load_inputs(source, first, last)
    inputs.outside = _load_outside(_outside_requests(orgs, year, rules))
    deadlines = Deadlines()
    # Tuples, not model instances: a region's 25,000 rows, of which a daily run changes a handful.
    existing = {
        (row[0], row[1], row[2]): row[3:]
        for row in Obligation.objects.filter(_org_filter(source))
        .filter(period_start__gte=first, period_start__lte=last)
        .order_by()
        .values_list("organization_id", "code", "period_start", "pk", *VALUE_FIELDS)
    }
    to_create, to_update, seen = [], [], set()
    for org in orgs:
        for (code, start), values in _desired(org, year, rules, inputs, deadlines).items():
            key = (org.pk, code, start)
            seen.add(key)
            row = existing.get(key)
            if row is None:
                to_create.append(Obligation(organization_id=org.pk, code=code, period_start=start, **values))
            elif row[1:] != tuple(values[f] for f in VALUE_FIELDS):
                to_update.append(
                    Obligation(pk=row[0], organization_id=org.pk, code=code, period_start=start, **values)
                )
    stale = [row[0] for key, row in existing.items() if key not in seen]
    if stale:
        Obligation.objects.filter(pk__in=stale).delete()
    if to_create:
        Obligation.objects.bulk_create(to_create, batch_size=1000, ignore_conflicts=True)
    if to_update:
        now = timezone.now()
        for row in to_update:
            row.updated = now
        Obligation.objects.bulk_update(to_update, [*UPDATE_FIELDS, "updated"], batch_size=1000)
    return SyncResult(len(to_create), len(to_update), len(stale), len(orgs))


def owing_organizations(organizations, year: int) -> list:
    """The organisations among ``organizations`` that owe duties in ``year`` but have no rows yet."""
    orgs = _as_list(organizations)
    if not orgs:
        return []
    with_rows = set(
        Obligation.objects.filter(organization_id__in=[o.pk for o in orgs], period_start__year=year)
        .order_by()
        .values_list("organization_id", flat=True)
        .distinct()
    )
    if all(o.pk in with_rows for o in orgs):
        return []  # the usual case: one query
    rules = DutyRules({o.hospital_id for o in orgs})
    kinds = {h: rules.kinds_owing(h, year) for h in {o.hospital_id for o in orgs}}
    year_end = dt.date(year, 12, 31)
    return [
        o
        for o in orgs
        if o.pk not in with_rows
        and o.kind in kinds[o.hospital_id]
        and not (o.established and o.established > year_end)
    ]


def ensure_obligations(organizations, year: int) -> SyncResult:
    """Create the rows of a year nobody has looked at yet (pages call this; signals keep them right)."""
    missing = owing_organizations(organizations, year)
    return sync_obligations(missing, year) if missing else SyncResult()


def reevaluate(
    organization_id: int, days: Iterable[dt.date], *, meetings=True, appraisals=True, outside=()
) -> int:
    """Recompute what satisfies the existing duties of one organisation whose periods hold ``days``.

    Called when a meeting, an appraisal or an outside satisfier's records (``outside``: their names)
    change; returns the number of rows changed. One query when the organisation has no duty in those
    periods, about five when it has.
    """
    days = sorted({d for d in days if d is not None})
    if not days:
        return 0
    covering = Q()
    for d in days:
        covering |= Q(period_start__lte=d, period_end__gte=d)
    rows = list(
        Obligation.objects.filter(organization_id=organization_id)
        .filter(covering)
        .annotate(hospital=F("organization__hospital_id"))
        .order_by()
    )
    if not rows:
        return 0
    hospital_id = rows[0].hospital
    first, last = min(r.period_start for r in rows), max(r.period_end for r in rows)
    rules = DutyRules([hospital_id])
    inputs = _load_inputs(
        [organization_id], first, last, meetings=meetings, terms=False, appraisals=appraisals
    )
    todo = []
    requests: dict[str, tuple[set, set]] = {}
    for row in rows:
        rule = rules.rule(row.code, hospital_id, row.period_start)
        if rule is None or rule.is_term_renewal:
            continue
        if (rule.is_appraisal and not appraisals) or (rule.meeting_kinds and not meetings):
            continue
        if rule.outside and not set(rule.outside) & set(outside):
            continue
        for name in rule.outside:
            requests.setdefault(name, ({organization_id}, set()))[1].add((row.period_start, row.period_end))
        todo.append((row, rule))
    inputs.outside = _load_outside(requests)
    changed = []
    for row, rule in todo:
        values = _evaluate(rule, organization_id, row.period_start, row.period_end, inputs)
        if any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            changed.append(row)
    if changed:
        now = timezone.now()
        for row in changed:
            row.updated = now
        Obligation.objects.bulk_update(changed, [*UPDATE_FIELDS, "updated"])
    return len(changed)


# --- status ------------------------------------------------------------------------------------


def status_q(status: str, today: dt.date) -> Q:
    """The rows of one status on ``today`` (for filters, counts and the reminder job)."""
    if status == DutyStatus.DONE:
        return Q(done_on__isnull=False)
    open_ = Q(done_on__isnull=True)
    if status == DutyStatus.OVERDUE:
        return open_ & Q(due__lt=today)
    if status == DutyStatus.DUE_SOON:
        return open_ & Q(due__gte=today, remind_from__lte=today)
    if status == DutyStatus.OPEN:
        return open_ & Q(due__gte=today) & (Q(remind_from__gt=today) | Q(remind_from__isnull=True))
    raise ValueError(status)


def status_of(row, today: dt.date) -> str:
    """The status of an Obligation or of a dict of its values."""
    get = row.get if isinstance(row, dict) else lambda f: getattr(row, f)
    if get("done_on"):
        return DutyStatus.DONE
    if today > get("due"):
        return DutyStatus.OVERDUE
    remind_from = get("remind_from")
    if remind_from is not None and today >= remind_from:
        return DutyStatus.DUE_SOON
    return DutyStatus.OPEN


def schedule_missing(years: Iterable[int]) -> list[int]:
    """The years among ``years`` whose official holiday schedule is not loaded (deadlines count weekdays)."""
    cal = calendar()
    return [y for y in sorted(set(years)) if cal.schedule_missing(y)]


def overdue_reminder_day(due: dt.date, hospital_id: int | None) -> dt.date:
    """The day the overdue reminder goes out: the day after the due date, plus the rule's extra days."""
    extra = int(rule_value("duty.reminder_overdue_days", hospital_id, due) or 0)
    return due + DAY + dt.timedelta(days=max(extra, 0))


def is_group(org) -> bool:
    return org.kind == OrgKind.GROUP


# --- reading: scope, labels, the heat map --------------------------------------------------


def organizations_in_scope(user, action: str = VIEW):
    """The Party organisations whose duties ``user`` may ``action``: the one scoping, for the party area.

    The grants that cover duties (Obligation.scope_area) applied to the organisations themselves, so a
    page can name an organisation's duties before its rows exist. A member's own-records grant reaches
    no organisation's duties.
    """
    q = scope_q_for_area(PartyOrganization, user, action, Obligation.scope_area)
    return PartyOrganization.objects.none() if q is None else PartyOrganization.objects.filter(q)


def scope_q_for_area(model, user, action: str, area: str) -> Q | None:
    result = None
    for grant in grants_for(user):
        if not grant.applies(area, action):
            continue
        part = grant_q(model, grant)
        if part is None:
            continue
        if part == Q():
            return Q()
        result = part if result is None else (result | part)
    return result


def period_label(period_start: dt.date, period_end: dt.date) -> str:
    months = (period_end.year - period_start.year) * 12 + period_end.month - period_start.month + 1
    if months >= 12:
        return _("Year %(year)d") % {"year": period_start.year}
    if months == 3 and period_start.month in (1, 4, 7, 10):
        return _("Q%(quarter)d %(year)d") % {
            "quarter": (period_start.month - 1) // 3 + 1,
            "year": period_start.year,
        }
    return date_format(period_start, "YEAR_MONTH_FORMAT")


def row_organization(org, by_path: dict):
    """The organisation whose row a duty is counted in: a Party group's duties count in its branch's."""
    if org.kind == OrgKind.GROUP:
        parent = by_path.get(org.path[: -PartyOrganization.steplen])
        if parent is not None:
            return parent
    return org


@dataclass
class HeatCell:
    month: int
    total: int = 0
    done: int = 0
    due_soon: int = 0
    overdue: int = 0

    @property
    def status(self) -> str:
        if not self.total:
            return ""
        if self.done == self.total:
            return DutyStatus.DONE
        if self.overdue:
            return DutyStatus.OVERDUE
        if self.due_soon:
            return DutyStatus.DUE_SOON
        return DutyStatus.OPEN

    @property
    def css(self) -> str:
        return STATUS_CLASSES.get(self.status, "light")


@dataclass
class HeatRow:
    organization: object
    cells: list[HeatCell]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cells)

    @property
    def done(self) -> int:
        return sum(c.done for c in self.cells)

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.cells)


HEAT_FIELDS = ("organization_id", "period_end", "due", "remind_from", "done_on")


def heatmap(organizations, rows: Iterable[tuple], today: dt.date) -> list[HeatRow]:
    """Organisations × 12 months: each cell counts the duties *ending* in that month (by period end).

    ``rows``: tuples of HEAT_FIELDS (one query's values_list). Rows are the organisations that owe
    something, in tree order; Party groups count in their branch's row.
    """
    orgs = sorted(organizations, key=lambda o: o.path)
    by_path = {o.path: o for o in orgs}
    owner_of = {o.pk: row_organization(o, by_path) for o in orgs}
    table: dict[int, HeatRow] = {}
    for org_id, period_end, due, remind_from, done_on in rows:
        owner = owner_of.get(org_id)
        if owner is None:
            continue
        heat = table.get(owner.pk)
        if heat is None:
            heat = table[owner.pk] = HeatRow(owner, [HeatCell(m) for m in range(1, 13)])
        cell = heat.cells[period_end.month - 1]
        cell.total += 1
        if done_on:
            cell.done += 1
        elif today > due:
            cell.overdue += 1
        elif remind_from is not None and today >= remind_from:
            cell.due_soon += 1
    return [table[o.pk] for o in orgs if o.pk in table]


# --- keeping the rows right: signal handlers (connected in PartyConfig.ready) -----------------


def _local_day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, local_tz())
        return local_date(value)
    return None


def _remember_meeting(sender, instance, **kwargs):
    # From __dict__: a deferred field must not cost a query for every meeting loaded.
    d = instance.__dict__
    instance._duty_was = (d.get("organization_id"), d.get("start"))


def _meeting_changed(sender, instance, raw=False, **kwargs):
    """A meeting saved, re-dated, moved, cancelled or deleted: re-evaluate the periods it was and is in."""
    if raw:
        return
    targets: dict[int, set] = defaultdict(set)
    was_org, was_start = getattr(instance, "_duty_was", (None, None))
    for org_id, start in ((was_org, was_start), (instance.organization_id, instance.start)):
        day = _local_day(start)
        if org_id and day:
            targets[org_id].add(day)
    for org_id, days in targets.items():
        reevaluate(org_id, days, appraisals=False)
    instance._duty_was = (instance.organization_id, instance.start)


def _remember_campaign(sender, instance, **kwargs):
    d = instance.__dict__
    instance._duty_was = (d.get("organization_id"), d.get("year"))


def _campaign_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    was = getattr(instance, "_duty_was", (None, None))
    for org_id, year in {was, (instance.organization_id, instance.year)}:
        if org_id and year:
            reevaluate(org_id, [dt.date(int(year), 1, 1)], meetings=False)
    instance._duty_was = (instance.organization_id, instance.year)


def _years_with_rows(**filters) -> list[int]:
    return sorted({d.year for d in Obligation.objects.filter(**filters).dates("period_start", "year")})


def _term_changed(sender, instance, raw=False, **kwargs):
    """A term elected, ended or deleted: committee meetings owed, and renewals, of the years on record."""
    if raw or not instance.organization_id:
        return
    org = PartyOrganization.objects.filter(pk=instance.organization_id).first()
    if org is None:
        return
    for year in _years_with_rows(organization_id=org.pk):
        sync_obligations([org], year)


def _organization_changed(sender, instance, raw=False, created=False, **kwargs):
    """An organisation's kind or founding date changed: its duties of the years on record.

    A new organisation gets its rows when a duty page or the daily job first looks at its year.
    """
    if raw or created:
        return
    for year in _years_with_rows(organization_id=instance.pk):
        sync_obligations([instance], year)


def _rule_changed(sender, instance, raw=False, **kwargs):
    """A duty rule (or a hospital's override of one) changed: the duties of the years on record."""
    if raw or not str(instance.key).startswith(PREFIX):
        return
    orgs = PartyOrganization.objects.all()
    rows = {}
    if instance.hospital_id is not None:
        orgs = orgs.filter(hospital_id=instance.hospital_id)
        rows = {"organization__hospital_id": instance.hospital_id}
    since = instance.effective_from
    since_year = since.year if isinstance(since, dt.date) else 2000
    for year in _years_with_rows(**rows):
        if year >= since_year:
            sync_obligations(orgs, year)


def refresh_deadlines(day: dt.date) -> int:
    """A calendar day changed (a holiday or an adjusted working day entered): due and reminder dates
    of the duties whose deadlines could count it. Returns the number of rows changed."""
    rows = list(
        Obligation.objects.filter(period_end__gte=day - DAY, period_start__lte=day + dt.timedelta(days=130))
        .annotate(hospital=F("organization__hospital_id"))
        .order_by()
    )
    if not rows:
        return 0
    rules = DutyRules({r.hospital for r in rows})
    deadlines = Deadlines()
    changed = []
    for row in rows:
        rule = rules.rule(row.code, row.hospital, row.period_start)
        if rule is None:
            continue
        due = row.due if rule.is_term_renewal else deadlines.due(rule, row.period_start, row.period_end)
        remind_from = deadlines.remind_from(due, rule.remind)
        if (due, remind_from) != (row.due, row.remind_from):
            row.due, row.remind_from = due, remind_from
            changed.append(row)
    if changed:
        Obligation.objects.bulk_update(changed, ["due", "remind_from"], batch_size=1000)
    return len(changed)


def _calendar_changed(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance.date, dt.date):
        return
    refresh_deadlines(instance.date)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_init, post_save

    from hongqing.core.models import CalendarOverride, Rule

    uid = "party.duties"
    post_init.connect(_remember_meeting, sender=Meeting, dispatch_uid=f"{uid}.meeting.init")
    post_save.connect(_meeting_changed, sender=Meeting, dispatch_uid=f"{uid}.meeting.save")
    post_delete.connect(_meeting_changed, sender=Meeting, dispatch_uid=f"{uid}.meeting.delete")
    post_init.connect(_remember_campaign, sender=AppraisalCampaign, dispatch_uid=f"{uid}.campaign.init")
    post_save.connect(_campaign_changed, sender=AppraisalCampaign, dispatch_uid=f"{uid}.campaign.save")
    post_delete.connect(_campaign_changed, sender=AppraisalCampaign, dispatch_uid=f"{uid}.campaign.delete")
    post_save.connect(_term_changed, sender=CommitteeTerm, dispatch_uid=f"{uid}.term.save")
    post_delete.connect(_term_changed, sender=CommitteeTerm, dispatch_uid=f"{uid}.term.delete")
    post_save.connect(_organization_changed, sender=PartyOrganization, dispatch_uid=f"{uid}.org.save")
    post_save.connect(_rule_changed, sender=Rule, dispatch_uid=f"{uid}.rule.save")
    post_delete.connect(_rule_changed, sender=Rule, dispatch_uid=f"{uid}.rule.delete")
    post_save.connect(_calendar_changed, sender=CalendarOverride, dispatch_uid=f"{uid}.calendar.save")
    post_delete.connect(_calendar_changed, sender=CalendarOverride, dispatch_uid=f"{uid}.calendar.delete")


# --- reminders -----------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    ahead: int = 0
    overdue: int = 0
    notifications: int = 0
    emails: int = 0
    synced: SyncResult = field(default_factory=SyncResult)
    planned: list = field(default_factory=list)  # (user, kind, [obligations]) of a dry run


def responsible_users(obligations) -> dict[int, list]:
    """Who is reminded of each organisation's duties: the users holding branch_secretary over it
    (the nearest such organisation up the tree, e.g. the branch for its Party groups), else the
    hospital's Party office. {organization id: [users]}."""
    from hongqing.accounts.choices import Role
    from hongqing.accounts.models import RoleAssignment

    orgs = {o.organization_id: o.organization for o in obligations}
    hospitals = {o.hospital_id for o in orgs.values()}
    assignments = list(
        RoleAssignment.objects.filter(
            role__in=(Role.BRANCH_SECRETARY, Role.PARTY_OFFICE),
            hospital_id__in=hospitals,
            user__is_active=True,
        ).select_related("user", "organization")
    )
    secretaries = [a for a in assignments if a.role == Role.BRANCH_SECRETARY and a.organization_id]
    office: dict[int, list] = defaultdict(list)
    for a in assignments:
        if a.role == Role.PARTY_OFFICE:
            office[a.hospital_id].append(a.user)
    out: dict[int, list] = {}
    for org_id, org in orgs.items():
        over = [
            a
            for a in secretaries
            if a.organization_id == org_id or (a.include_subtree and org.path.startswith(a.organization.path))
        ]
        if over:
            depth = max(len(a.organization.path) for a in over)
            users = [a.user for a in over if len(a.organization.path) == depth]
        else:
            users = office.get(org.hospital_id, [])
        out[org_id] = list({u.pk: u for u in users}.values())
    return out


def _reminder_rules(hospital_ids) -> tuple[RuleBook, callable]:
    book = RuleBook(PREFIX, hospital_ids)

    def number(key: str, hospital_id: int, on: dt.date) -> int:
        try:
            return max(int(book.value(key, hospital_id, on) or 0), 0)
        except (TypeError, ValueError):
            return 0

    return book, number


def _message(kind: str, items: list) -> tuple[str, str, str]:
    """Title, body and link of one user's reminder of one kind (one duty, or several)."""
    from django.urls import reverse

    from ..models import Reminder

    lines = [
        _("%(org)s · %(duty)s · %(period)s — due %(due)s")
        % {
            "org": o.organization,
            "duty": duty_label(o.code),
            "period": period_label(o.period_start, o.period_end),
            "due": o.due.isoformat(),
        }
        for o in items
    ]
    if kind == Reminder.Kind.AHEAD:
        title = (
            _("Due soon: %(duty)s") % {"duty": lines[0]}
            if len(items) == 1
            else _("%(n)d duties due soon") % {"n": len(items)}
        )
        status = DutyStatus.DUE_SOON
    else:
        title = (
            _("Overdue: %(duty)s") % {"duty": lines[0]}
            if len(items) == 1
            else _("%(n)d duties overdue") % {"n": len(items)}
        )
        status = DutyStatus.OVERDUE
    url = (
        items[0].get_absolute_url()
        if len(items) == 1
        else f"{reverse('party:obligation_list')}?status={status}"
    )
    body = "\n".join(lines)
    body += "\n" + str(
        _("A duty is done when its record is entered: a held meeting, a closed appraisal, a new term.")
    )
    return title, body, url


def send_reminders(*, today: dt.date | None = None, dry_run: bool = False, sync: bool = True) -> ReminderRun:
    """Remind the people responsible of the duties entering their amber window or overdue today.

    For a cron job or systemd timer, once a day. Safe to run twice: each (duty, person, kind) is
    reminded once (Reminder's unique constraint, written before the message). A day the job did not
    run is caught up for ``duty.reminder_catch_up_days`` days. Ahead: from ``remind_from`` until the
    due date; overdue: from the day after the due date plus ``duty.reminder_overdue_days``.
    A duty satisfied in the meantime is not reminded.
    """
    from django.db import IntegrityError

    from hongqing.core.notifications import notify

    from ..models import Reminder

    today = today or timezone.localdate()
    run = ReminderRun()
    hospital_ids = set(PartyOrganization.objects.values_list("hospital_id", flat=True).distinct())
    _book, number = _reminder_rules(hospital_ids)
    catch_up = max((number("duty.reminder_catch_up_days", h, today) for h in hospital_ids), default=7)
    extra = max((number("duty.reminder_overdue_days", h, today) for h in hospital_ids), default=0)
    horizon = today - dt.timedelta(days=catch_up + extra + 1)
    if sync:
        for year in sorted({horizon.year, today.year}):
            run.synced += sync_obligations(PartyOrganization.objects.all(), year)
    pending = Obligation.objects.filter(done_on__isnull=True).select_related("organization")
    ahead = [
        o
        for o in pending.filter(remind_from__lte=today, due__gte=today, remind_from__gte=horizon)
        if o.remind_from
        >= today - dt.timedelta(days=number("duty.reminder_catch_up_days", o.organization.hospital_id, today))
    ]
    overdue = []
    for o in pending.filter(due__lt=today, due__gte=horizon):
        h = o.organization.hospital_id
        first = o.due + DAY + dt.timedelta(days=number("duty.reminder_overdue_days", h, o.due))
        if first <= today <= first + dt.timedelta(days=number("duty.reminder_catch_up_days", h, today)):
            overdue.append(o)
    candidates = [(o, Reminder.Kind.AHEAD) for o in ahead] + [(o, Reminder.Kind.OVERDUE) for o in overdue]
    if not candidates:
        return run
    recipients = responsible_users([o for o, _k in candidates])
    sent = set(
        Reminder.objects.filter(obligation__in=[o for o, _k in candidates]).values_list(
            "obligation_id", "recipient_id", "kind"
        )
    )
    per_user: dict[tuple, list] = defaultdict(list)
    users = {}
    for o, kind in sorted(candidates, key=lambda c: (c[0].due, c[0].organization.path, c[0].code)):
        for user in recipients.get(o.organization_id, []):
            if (o.pk, user.pk, kind) not in sent:
                per_user[(user.pk, kind)].append(o)
                users[user.pk] = user
    for (user_id, kind), items in per_user.items():
        user = users[user_id]
        if dry_run:
            run.planned.append((user, kind, items))
            continue
        fresh = []
        for o in items:
            try:
                with transaction.atomic():
                    fresh.append((Reminder.objects.create(obligation=o, recipient=user, kind=kind), o))
            except IntegrityError:  # another run got there first
                continue
        if not fresh:
            continue
        with translation.override(settings.LANGUAGE_CODE):  # a job has no request: the site's language
            title, body, url = _message(kind, [o for _r, o in fresh])
        _note, emailed = notify(user, title, body=body, url=url)
        run.notifications += 1
        run.emails += int(emailed)
        if emailed:
            Reminder.objects.filter(pk__in=[r.pk for r, _o in fresh]).update(emailed=True)
        if kind == Reminder.Kind.AHEAD:
            run.ahead += len(fresh)
        else:
            run.overdue += len(fresh)
    return run
