"""The ledger: points follow records (RULES.md §8: from real records, never from log-ins).

``sync(triggers, pks)`` brings the ledger in line with some rows of one model: for each row, each
rule of its hospital and trigger, and each cycle year, the row should have one current award (it
counts and matches the rule) or none. The difference is written as lines, never as edits:

- an award, cut to what is left of the rule's cap in its period (month / quarter / year) and, when
  the hospital keeps totals at or above zero, a deduction cut to the year's total — the line says so
  (``cut``, ``requested``);
- a withdrawal (a reversing line) when the row was deleted, stopped counting, moved to another date
  or person; after it, awards the cap had cut in that period are re-counted (reversed and awarded
  again with the freed room), and if the year's total went below zero the latest deductions are
  re-counted so it does not;
- never twice: an award is the n-th (``generation``) of its rule, source and year after n-1
  reversals, unique in the database;
- never into a closed year, and never again after the Party office corrected it.

Rules are matched when a record first earns points: a later change of a rule's amount or cap
applies to the records awarded from then on; lines once written keep what they say.

Concurrency: every write for a person's year happens under that year's ``PointAccount`` row locked
with ``select_for_update`` (taken in one order), and the lines are read after the lock, so two
processes awarding points to one member at once decide caps and the floor one after the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.querying import id_chunks
from hongqing.core.rules import rule_value
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from .. import triggers as registry
from ..choices import Cut, EntryKind
from ..models import ClosedYear, PointAccount, PointEntry, PointRule, Why
from . import periods

ZERO = Decimal("0")
CENT = Decimal("0.01")


def closed_years(hospital_id: int) -> set[int]:
    return set(ClosedYear.objects.filter(hospital_id=hospital_id).values_list("year", flat=True))


def is_closed(hospital_id: int, year: int) -> bool:
    return ClosedYear.objects.filter(hospital_id=hospital_id, year=year).exists()


def floor_at_zero(hospital_id: int, year: int, month: int | None = None) -> bool:
    month = month or periods.start_month(hospital_id)
    return not int(rule_value("points.total_may_go_below_zero", hospital_id, dt.date(year, month, 1)) or 0)


def _sign(value: Decimal) -> int:
    return -1 if value < 0 else 1


# ---------------------------------------------------------------------------------------------
# One person's year, under its lock


@dataclass
class _Context:
    """What a sync shares across the books it touches."""

    generations: dict  # (rule, source type, source, year) -> highest award generation
    rules: dict  # rule id -> PointRule
    actor: object = None
    months: dict = field(default_factory=dict)  # hospital -> the month its cycle starts

    def month(self, hospital_id: int) -> int:
        if hospital_id not in self.months:
            self.months[hospital_id] = periods.start_month(hospital_id)
        return self.months[hospital_id]


class _Book:
    """The lines of one person's cycle year (read after the lock), and the lines to add to it."""

    def __init__(
        self, ctx, person_id: int, hospital_id: int, year: int, lines: list, month: int, floor: bool
    ):
        self.ctx, self.person_id, self.hospital_id, self.year, self.month = (
            ctx,
            person_id,
            hospital_id,
            year,
            month,
        )
        self.lines = list(lines)
        self.new: list[PointEntry] = []
        self.total = sum((line.amount for line in self.lines), ZERO)
        self.floor = floor
        reversed_ids = {line.reverses_id for line in self.lines if line.reverses_id}
        self.current: dict[tuple, PointEntry] = {}
        self.corrected: set[tuple] = set()
        for line in self.lines:
            if line.kind == EntryKind.AWARD and line.pk not in reversed_ids:
                self.current[self.key(line)] = line
            elif line.kind == EntryKind.CORRECTION:
                self.corrected.add(self.key(line))

    @staticmethod
    def key(line) -> tuple:
        return (line.rule_id, line.source_type_id, line.source_id, line.year)

    def _all(self):
        return self.lines + self.new

    def period_sum(self, rule, day: dt.date) -> Decimal:
        start, end = periods.period_bounds(day, rule.cap_period, self.month)
        return sum((x.amount for x in self._all() if x.rule_id == rule.pk and start <= x.date <= end), ZERO)

    def _add(self, line: PointEntry) -> PointEntry:
        self.new.append(line)
        self.total += line.amount
        return line

    def award(
        self, rule, *, source: tuple, record: tuple, label: str, day, requested: Decimal, quantity=1, why=""
    ):
        """Write the award of a source under a rule, cut by the cap and the floor."""
        requested = Decimal(requested).quantize(CENT)
        amount, cut = requested, Cut.NONE
        if rule.cap is not None and rule.cap_period:
            s = _sign(requested)
            room = max(rule.cap - s * self.period_sum(rule, day), ZERO)
            if abs(requested) > room:
                amount, cut = s * room, Cut.CAP
        if self.floor and amount < 0 and self.total + amount < 0:
            amount, cut = -max(self.total, ZERO), Cut.FLOOR
        key = (rule.pk, source[0], source[1], self.year)
        generation = self.ctx.generations.get(key, 0) + 1
        line = PointEntry(
            hospital_id=self.hospital_id,
            person_id=self.person_id,
            year=self.year,
            date=day,
            rule=rule,
            kind=EntryKind.AWARD,
            amount=amount.quantize(CENT),
            requested=requested,
            quantity=Decimal(quantity),
            cut=cut,
            why=why,
            source_type_id=source[0],
            source_id=source[1],
            record_type_id=record[0],
            record_id=record[1],
            label=label[:200],
            generation=generation,
            created_by=_user(self.ctx.actor),
        )
        self.ctx.generations[key] = generation
        self.current[key] = line
        return self._add(line)

    def reverse(self, line, *, why, kind=EntryKind.REVERSAL, reason="", actor=None):
        """Write the line that cancels ``line`` (a current award of this book)."""
        rev = PointEntry(
            hospital_id=line.hospital_id,
            person_id=line.person_id,
            year=line.year,
            date=line.date,
            rule_id=line.rule_id,
            kind=kind,
            amount=-line.amount,
            requested=-line.amount,
            quantity=line.quantity,
            why=why,
            reason=reason[:300],
            source_type_id=line.source_type_id,
            source_id=line.source_id,
            record_type_id=line.record_type_id,
            record_id=line.record_id,
            label=line.label,
            generation=line.generation,
            reverses=line,
            created_by=_user(actor or self.ctx.actor),
        )
        self.current.pop(self.key(line), None)
        if kind == EntryKind.CORRECTION:
            self.corrected.add(self.key(line))
        return self._add(rev)

    def again(self, line, *, amount=None):
        """Award ``line``'s source again (after reversing it), re-cut — or at ``amount`` (the floor)."""
        rule = self.ctx.rules.get(line.rule_id) or line.rule
        source, record = (line.source_type_id, line.source_id), (line.record_type_id, line.record_id)
        if amount is None:
            return self.award(
                rule,
                source=source,
                record=record,
                label=line.label,
                day=line.date,
                requested=line.requested,
                quantity=line.quantity,
                why=Why.REBALANCED,
            )
        key = (rule.pk, source[0], source[1], self.year)
        generation = self.ctx.generations.get(key, 0) + 1
        new = PointEntry(
            hospital_id=line.hospital_id,
            person_id=line.person_id,
            year=line.year,
            date=line.date,
            rule_id=line.rule_id,
            kind=EntryKind.AWARD,
            amount=amount.quantize(CENT),
            requested=line.requested,
            quantity=line.quantity,
            cut=Cut.FLOOR if amount != line.requested else Cut.NONE,
            why=Why.REBALANCED,
            source_type_id=source[0],
            source_id=source[1],
            record_type_id=record[0],
            record_id=record[1],
            label=line.label,
            generation=generation,
            created_by=_user(self.ctx.actor),
        )
        self.ctx.generations[key] = generation
        self.current[key] = new
        return self._add(new)

    def saved_current(self) -> list[PointEntry]:
        return [x for x in self.current.values() if x.pk is not None]

    def reoffer_cap(self, rule, day: dt.date) -> None:
        """After a withdrawal: awards the cap cut in that period get the room it freed, oldest first."""
        if rule.cap is None or not rule.cap_period:
            return
        start, end = periods.period_bounds(day, rule.cap_period, self.month)
        cut = sorted(
            (
                x
                for x in self.saved_current()
                if x.rule_id == rule.pk
                and x.cut == Cut.CAP
                and start <= x.date <= end
                and self.key(x) not in self.corrected
            ),
            key=lambda x: (x.date, x.pk),
        )
        for line in cut:
            s = _sign(line.requested)
            room = rule.cap - s * self.period_sum(rule, line.date)
            if room <= 0:
                break
            self.reverse(line, why=Why.REBALANCED)
            self.again(line)

    def keep_floor(self) -> None:
        """If the year's total went below zero, re-count the latest deductions so it does not."""
        if not self.floor or self.total >= 0:
            return
        deductions = sorted(
            (x for x in self.saved_current() if x.amount < 0 and self.key(x) not in self.corrected),
            key=lambda x: (x.date, x.pk),
            reverse=True,
        )
        for line in deductions:
            if self.total >= 0:
                break
            amount = min(ZERO, line.amount - self.total)
            self.reverse(line, why=Why.REBALANCED)
            self.again(line, amount=amount)


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


class _Session:
    """Locks the accounts of some person-years, reads their lines once, writes the new lines."""

    def __init__(self, ctx: _Context):
        self.ctx = ctx
        self.books: dict[tuple[int, int], _Book] = {}

    def open(self, keys: set[tuple[int, int, int]]) -> None:
        """``keys``: (person, hospital, year). Locks the accounts in one order and reads their lines."""
        if not keys:
            return
        PointAccount.objects.bulk_create(
            [PointAccount(person_id=p, year=y) for p, _h, y in keys], ignore_conflicts=True
        )
        # By year, the persons as lists: one Q per (person, year) nests an OR a pair deep, and SQLite
        # refuses an expression deeper than 1,000 (a hospital's sync of 2,000 members at once).
        persons_by_year = defaultdict(set)
        for p, _h, y in keys:
            persons_by_year[y].add(p)
        q = Q()
        for y, persons in persons_by_year.items():
            for chunk in id_chunks(persons):
                q |= Q(year=y, person_id__in=chunk)
        list(
            PointAccount.objects.select_for_update().filter(q).order_by("person_id", "year").values_list("pk")
        )
        by_book = defaultdict(list)
        for line in PointEntry.objects.filter(q).order_by("pk"):
            by_book[(line.person_id, line.year)].append(line)
            k = (line.rule_id, line.source_type_id, line.source_id, line.year)
            if line.kind == EntryKind.AWARD:
                self.ctx.generations[k] = max(self.ctx.generations.get(k, 0), line.generation)
        floors = {}
        for p, h, y in sorted(keys):
            month = self.ctx.month(h)
            if (h, y) not in floors:
                floors[(h, y)] = floor_at_zero(h, y, month)
            self.books[(p, y)] = _Book(self.ctx, p, h, y, by_book.get((p, y), []), month, floors[(h, y)])

    def book(self, person_id: int, year: int) -> _Book:
        return self.books[(person_id, year)]

    def flush(self) -> list[PointEntry]:
        new = [line for b in self.books.values() for line in b.new]
        if new:
            PointEntry.objects.bulk_create(new)
            for b in self.books.values():
                b.lines.extend(b.new)
                b.new = []
        return new


# ---------------------------------------------------------------------------------------------
# Sync: the ledger follows the rows


def _occurrences(trigger, row, month: int, years: set[int] | None) -> list[tuple[int, dt.date]]:
    if not trigger.per_year:
        day = registry.local_date(trigger.date(row))
        return [(periods.year_of(day, month), day)] if day else []
    since = trigger.since(row) if trigger.since else None
    if since is None:
        return []
    out = []
    for y in sorted(years or {periods.year_of(timezone.localdate(), month)}):
        start, end = periods.bounds(y, month)
        if since <= end:
            out.append((y, max(start, since)))
    return out


def sync(
    trigger_keys, pks: Iterable[int], *, years: Iterable[int] | None = None, actor=None
) -> list[PointEntry]:
    """Bring the ledger in line with the rows ``pks`` of one model for these triggers; the new lines.

    ``years``: for a per-year trigger (base points), the cycle years to consider (default: this one).
    A pk whose row is gone withdraws what it had earned. Atomic; when another process wrote an
    award of the same source at the same moment (the unique award fails), it is read and redone once.
    """
    pks = list(pks)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _sync(trigger_keys, pks, years=years, actor=actor)
        except IntegrityError as exc:
            if attempt == 2:
                raise ValidationError(
                    _("These points were just recorded by someone else: reload and try again.")
                ) from exc
    return []


def _sync(trigger_keys, pks, *, years=None, actor=None) -> list[PointEntry]:
    trigs = [
        t
        for t in (
            registry.get(k) for k in ([trigger_keys] if isinstance(trigger_keys, str) else trigger_keys)
        )
        if t
    ]
    pks = sorted({int(pk) for pk in pks if pk is not None})
    if not trigs or not pks:
        return []
    model = trigs[0].model_class()
    related = sorted({r for t in trigs for r in t.select_related} | {trigs[0].person})
    rows = {r.pk: r for r in model._base_manager.filter(pk__in=pks).select_related(*related)}
    ct = ContentType.objects.get_for_model(model)
    existing = list(
        PointEntry.objects.filter(source_type=ct, source_id__in=pks, rule__trigger__in=[t.key for t in trigs])
        .order_by()
        .values_list("person_id", "hospital_id", "year")
        .distinct()
    )
    hospitals = {p.hospital_id for r in rows.values() if (p := getattr(r, trigs[0].person)) is not None}
    hospitals |= {h for _p, h, _y in existing}
    rules = defaultdict(list)
    all_rules = {}
    for rule in PointRule.objects.filter(
        hospital_id__in=hospitals, trigger__in=[t.key for t in trigs]
    ).order_by("pk"):
        rules[(rule.hospital_id, rule.trigger)].append(rule)
        all_rules[rule.pk] = rule
    if not all_rules:
        return []
    year_set = set(years) if years is not None else None
    closed = defaultdict(set)
    for h, y in ClosedYear.objects.filter(hospital_id__in=hospitals).values_list("hospital_id", "year"):
        closed[h].add(y)
    person_ids = {pid for r in rows.values() if (pid := getattr(r, f"{trigs[0].person}_id"))}
    members = set(
        Membership.objects.filter(person_id__in=person_ids, stage__in=MEMBER_STAGES).values_list(
            "person_id", flat=True
        )
    )

    ctx = _Context(generations={}, rules=all_rules, actor=actor)
    # What each (row, trigger) should have: {(rule, year): (person, hospital, day, requested, may_be_new)}
    wanted: dict[tuple, tuple] = {}
    plan_years = defaultdict(set)  # per-year triggers: the years considered per row
    for row in rows.values():
        person = getattr(row, trigs[0].person)
        if person is None:  # e.g. a branch's honour: nobody's points
            continue
        h = person.hospital_id
        for t in trigs:
            counts = bool(t.counts(row))
            for year, day in _occurrences(t, row, ctx.month(h), year_set):
                plan_years[(t.key, row.pk)].add(year)
                for rule in rules.get((h, t.key), []):
                    if counts and t.rule_matches(row, rule):
                        new_ok = rule.active_on(day) and person.pk in members
                        wanted[(row.pk, rule.pk, year)] = (
                            person.pk,
                            h,
                            day,
                            t.requested(row, rule),
                            t.quantity_of(row),
                            new_ok,
                            t,
                            row,
                        )

    keys = {(p, h, y) for p, h, y in existing if y not in closed[h]}
    keys |= {(v[0], v[1], y) for (_pk, _r, y), v in wanted.items() if y not in closed[v[1]]}
    session = _Session(ctx)
    session.open(keys)

    current = {}  # (row pk, rule, year) -> (book, line)
    corrected = set()
    wanted_pks = set(pks)
    for book in session.books.values():
        for line in book.current.values():
            if line.source_type_id == ct.pk and line.source_id in wanted_pks:
                current[(line.source_id, line.rule_id, line.year)] = (book, line)
        for rule_id, st, sid, y in book.corrected:
            if st == ct.pk:
                corrected.add((sid, rule_id, y))

    # 1. Withdraw what should no longer be there (or is now someone else's, or on another date).
    touched = []  # (book, rule, day): periods whose cap room may have opened
    for k, (book, line) in sorted(current.items(), key=lambda kv: kv[1][1].pk):
        pk, rule_id, year = k
        rule = all_rules.get(rule_id)
        trig = next((t for t in trigs if rule is not None and t.key == rule.trigger), None)
        if year in closed[book.hospital_id] or trig is None:
            continue
        if pk in rows and trig.per_year and year not in plan_years.get((trig.key, pk), set()):
            continue  # a year this sync does not look at
        want = wanted.get(k)
        if want is not None and (want[0], want[2], want[4]) == (line.person_id, line.date, line.quantity):
            continue
        why = Why.DELETED if pk not in rows else Why.STOPPED
        book.reverse(line, why=why)
        touched.append((book, rule, line.date))
        del current[k]
    session.flush()
    # 2. Re-count what the withdrawals freed (caps) or pushed below zero (the floor).
    for book, rule, day in touched:
        book.reoffer_cap(rule, day)
    for book in {id(b): b for b, _r, _d in touched}.values():
        book.keep_floor()
    session.flush()
    # 3. Award what is missing.
    labels: dict = {}
    for k, (person_id, h, day, requested, quantity, new_ok, t, row) in sorted(
        wanted.items(), key=lambda kv: (kv[1][2], kv[0])
    ):
        pk, rule_id, year = k
        if k in current or k in corrected or year in closed[h] or not new_ok:
            continue
        book = session.book(person_id, year)
        record = t.record_of(row)
        record_ct = ContentType.objects.get_for_model(record)
        key = (record_ct.pk, record.pk)
        if key not in labels:  # a meeting's name once for all its attendances
            labels[key] = _label(t, row, record)
        book.award(
            all_rules[rule_id],
            source=(ct.pk, pk),
            record=(record_ct.pk, record.pk),
            label=labels[key],
            day=day,
            requested=requested,
            quantity=quantity,
            why=Why.REAWARDED if ctx.generations.get((rule_id, ct.pk, pk, year)) else "",
        )
    return session.flush()


def _label(trigger, row, record) -> str:
    return str(record)


def sync_instances(instances, *, years=None, actor=None) -> list[PointEntry]:
    """Sync the triggers of the instances' model (all of one model)."""
    instances = list(instances)
    if not instances:
        return []
    label = instances[0]._meta.label
    keys = [t.key for t in registry.by_model(label)]
    return sync(keys, [i.pk for i in instances], years=years, actor=actor) if keys else []


def sync_model(model_label: str, pks, *, years=None, actor=None) -> list[PointEntry]:
    keys = [t.key for t in registry.by_model(model_label)]
    return sync(keys, pks, years=years, actor=actor) if keys else []


def sync_all(hospital_ids=None, *, years=None, chunk: int = 500, progress=None) -> int:
    """Reconcile every trigger's rows (of some hospitals): the safety net after bulk writes, and the
    demo's way of deriving points from its records. Returns the number of lines written."""
    written = 0
    for t in registry.all_triggers():
        model = t.model_class()
        qs = model._base_manager.all()
        if hospital_ids is not None:
            qs = qs.filter(**{f"{t.person}__hospital_id__in": list(hospital_ids)})
        pks = list(qs.order_by("pk").values_list("pk", flat=True))
        for i in range(0, len(pks), chunk):
            written += len(sync([t.key], pks[i : i + chunk], years=years))
        if progress:
            progress(t.key, len(pks))
    return written


# ---------------------------------------------------------------------------------------------
# The Party office's correction


@transaction.atomic
def correct(entry: PointEntry, *, reason: str, actor) -> PointEntry:
    """Reverse a current award with a reason (the Party office): the record never earns it again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the correction."))
    if entry.kind != EntryKind.AWARD:
        raise ValidationError(_("Only an award is corrected; this line already reverses one."))
    if is_closed(entry.hospital_id, entry.year):
        raise ValidationError(
            _("The points year %(year)d is closed: nothing more is written into it.") % {"year": entry.year}
        )
    ctx = _Context(generations={}, rules={}, actor=actor)
    session = _Session(ctx)
    session.open({(entry.person_id, entry.hospital_id, entry.year)})
    book = session.book(entry.person_id, entry.year)
    line = next((x for x in book.current.values() if x.pk == entry.pk), None)
    if line is None:
        raise ValidationError(_("This award has already been withdrawn or corrected."))
    rev = book.reverse(line, why=Why.CORRECTED, kind=EntryKind.CORRECTION, reason=reason, actor=actor)
    session.flush()
    rule = line.rule
    book.reoffer_cap(rule, line.date)
    book.keep_floor()
    session.flush()
    log_event(
        "points_correction",
        actor=actor,
        obj=entry,
        data={"person": entry.person_id, "amount": str(-entry.amount), "reason": reason},
    )
    return rev


# ---------------------------------------------------------------------------------------------
# Closing a year


@transaction.atomic
def close_year(hospital, year: int, *, actor, note: str = "") -> ClosedYear:
    """Close (lock) a hospital's points year: first the ledger is brought in line with the records."""
    from ..choices import ProposalStatus
    from ..models import PointProposal

    start, end = periods.cycle_bounds(year, hospital.pk)
    errors = []
    if end >= timezone.localdate():
        errors.append(
            _("The points year %(year)d ends on %(end)s: it can be closed after that.")
            % {"year": year, "end": end}
        )
    if ClosedYear.objects.filter(hospital=hospital, year=year).exists():
        errors.append(_("The points year %(year)d is already closed.") % {"year": year})
    pending = PointProposal.objects.filter(
        hospital=hospital, status=ProposalStatus.PENDING, date__gte=start, date__lte=end
    ).count()
    if pending:
        errors.append(
            _("%(n)d proposals of %(year)d are still waiting: approve or reject them first.")
            % {"n": pending, "year": year}
        )
    if errors:
        raise ValidationError(errors)
    sync_all([hospital.pk], years=[year])
    closed = ClosedYear.objects.create(
        hospital=hospital, year=year, note=note.strip()[:300], closed_by=actor, created_by=actor
    )
    total = PointEntry.objects.filter(hospital=hospital, year=year).aggregate(s=Sum("amount"))["s"] or ZERO
    log_event("points_year_closed", actor=actor, obj=closed, data={"year": year, "total": str(total)})
    return closed
