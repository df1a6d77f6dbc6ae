"""The record types that earn or deduct points: a registry, so a later app adds its own.

A trigger says, for one model: whose record a row is, its date, whether it counts, what it is
called and which page it leads to, and which saves, deletions and named audit events (a bulk write
of a service) may change its rows. The ledger (``services.ledger.sync``) does the rest: awards,
cuts, withdrawals, never twice. Register in an app's ``ready()``::

    triggers.register(Trigger(key="study_attendance", label=_("Study session"), model="learning.StudyAttendance",
                              date=lambda r: r.session.date, counts=lambda r: r.counts, ...))

``apps.ready`` connects the signals of every trigger registered by then (``connect``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

ONE = Decimal("1")


@dataclass(frozen=True)
class Watch:
    """A model whose saves or deletions change the trigger's rows: ``rows(instance)`` gives their pks."""

    model: str
    rows: Callable[[object], Iterable[int]]
    on_delete: bool = True


@dataclass(frozen=True)
class Trigger:
    key: str
    label: object
    model: str  # "app_label.ModelName" of the rows (the source of each ledger line)
    date: Callable[[object], dt.date]
    counts: Callable[[object], bool]
    person: str = "person"  # the row's foreign key to people.Person
    select_related: tuple[str, ...] = ()
    record: Callable[[object], object] | None = None  # the model instance a line leads to (default: the row)
    quantity: Callable[[object], Decimal] | None = None  # hours for volunteering by hours
    amount: Callable[[object, object], Decimal] | None = None  # (row, rule) -> points (a proposal's own)
    kind: Callable[[object], str] | None = None  # what a rule's ``kinds`` are matched against
    kinds: Callable[[], list[tuple[str, str]]] = field(default=lambda: [])
    score: Callable[[object], Decimal | None] | None = None  # a quiz's score (``min_score``)
    matches: Callable[[object, object], bool] | None = None  # (row, rule) -> bool, beyond kinds/score
    deduction: bool = False  # its rules deduct (a negative amount)
    addition: bool = False  # its rules add (a positive amount)
    manual: bool = False  # proposed by hand (the manual items of the catalogue)
    per_year: bool = False  # one award per cycle year (base points), from ``since`` on
    since: Callable[[object], dt.date | None] | None = None
    watch: tuple[Watch, ...] = ()
    events: tuple[tuple[str, Callable[[object], Iterable[int]]], ...] = ()  # (audit event, entry -> pks)
    description: object = ""
    available: Callable[[], bool] = field(default=lambda: True)
    order: int = 100

    @property
    def scored(self) -> bool:
        return self.score is not None

    def model_class(self):
        return apps.get_model(self.model)

    def kind_choices(self) -> list[tuple[str, str]]:
        return list(self.kinds())

    def quantity_of(self, row) -> Decimal:
        return Decimal(self.quantity(row)) if self.quantity else ONE

    def requested(self, row, rule) -> Decimal:
        if self.amount is not None:
            return Decimal(self.amount(row, rule))
        return (rule.amount * self.quantity_of(row)).quantize(Decimal("0.01"))

    def record_of(self, row):
        return self.record(row) if self.record else row

    def rule_matches(self, row, rule) -> bool:
        """Whether the row is one the rule is about (its kinds, its score, the trigger's own test)."""
        if rule.kinds and (self.kind is None or self.kind(row) not in rule.kinds):
            return False
        if rule.min_score is not None and self.score is not None:
            score = self.score(row)
            if score is None or Decimal(score) < rule.min_score:
                return False
        return self.matches(row, rule) if self.matches else True


_registry: dict[str, Trigger] = {}


def register(*items: Trigger) -> None:
    for t in items:
        _registry[t.key] = t


def get(key: str) -> Trigger | None:
    t = _registry.get(key)
    return t if t is not None and _available(t) else None


def _available(t: Trigger) -> bool:
    try:
        return bool(t.available())
    except LookupError:
        return False


def all_triggers() -> list[Trigger]:
    return sorted((t for t in _registry.values() if _available(t)), key=lambda t: (t.order, t.key))


def choices() -> list[tuple[str, str]]:
    return [(t.key, str(t.label)) for t in all_triggers()]


def by_model(model_label: str) -> list[Trigger]:
    return [t for t in all_triggers() if t.model.lower() == model_label.lower()]


def local_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value
