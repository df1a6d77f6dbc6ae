"""Rules as data: declarations with regulation defaults, read through one service.

An app declares ``RuleDefault``s in its ``rules.py``; :func:`ensure_defaults` (run after migrate)
writes a global row for each one that has none. :func:`rule_value` returns the value in force for a
hospital on a date: the hospital's own override if any, else the global row.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import Q

_declared: dict[str, RuleDefault] = {}


@dataclass(frozen=True)
class RuleDefault:
    key: str
    value: object
    source: str
    confidence: str = "H"
    description: str = ""
    effective_from: str = "2000-01-01"
    # For a structured value (a dict, a list of lists): the errors (messages) of a proposed value, or [].
    check: Callable[[object], list] | None = field(default=None, compare=False)


def is_structured(value) -> bool:
    """A value edited as JSON on the rules page (not a number or a list of numbers)."""
    return isinstance(value, dict) or (
        isinstance(value, list) and any(not isinstance(v, int | float) or isinstance(v, bool) for v in value)
    )


def declare(*defaults: RuleDefault) -> None:
    for d in defaults:
        _declared[d.key] = d


def declared() -> dict[str, RuleDefault]:
    return dict(_declared)


def ensure_defaults(**kwargs) -> None:
    from .models import Rule

    existing = set(Rule.objects.filter(hospital_id__isnull=True).values_list("key", flat=True))
    Rule.objects.bulk_create(
        [
            Rule(
                key=d.key,
                value=d.value,
                source=d.source,
                confidence=d.confidence,
                description=d.description,
                effective_from=d.effective_from,
            )
            for d in _declared.values()
            if d.key not in existing
        ]
    )


# Within one request the rules do not change (a rule saved clears this): a page's panels asked ten
# rules, a query each. Cached, the first question about a hospital reads all of its rules (and the
# global ones) at once — a few dozen rows — and the others are answered from them.
_request_cache: ContextVar[dict | None] = ContextVar("hongqing_rule_cache", default=None)


@contextmanager
def cached_rules():
    """Answer rule_value() from one read per hospital until the block ends (RuleCacheMiddleware)."""
    token = _request_cache.set({})
    try:
        yield
    finally:
        _request_cache.reset(token)


def forget_cached_rules(**kwargs) -> None:
    cache = _request_cache.get()
    if cache is not None:
        cache.clear()


def rule_value(key: str, hospital_id: int | None = None, on: dt.date | None = None):
    """The value of rule ``key`` in force for a hospital on a date."""
    on = on or dt.date.today()
    cache = _request_cache.get()
    if cache is None:
        return _rule_value(key, hospital_id, on)
    book = cache.get(hospital_id)
    if book is None:
        book = cache[hospital_id] = RuleBook("", [hospital_id] if hospital_id is not None else [])
    value = book.value(key, hospital_id, on)
    return copy.deepcopy(value) if isinstance(value, dict | list) else value


def _rule_value(key: str, hospital_id: int | None, on: dt.date):
    from .models import Rule

    rows = list(
        Rule.objects.filter(key=key, effective_from__lte=on)
        .filter(models_q_hospital(hospital_id))
        .order_by("-effective_from")
    )
    for row in rows:
        if hospital_id is not None and row.hospital_id == hospital_id:
            return row.value
    for row in rows:
        if row.hospital_id is None:
            return row.value
    if key in _declared:  # before the post-migrate step has run (e.g. inside a data migration)
        return _declared[key].value
    raise KeyError(f"rule {key!r} is not declared")


class RuleBook:
    """Every rule whose key starts with ``prefix``, read in one query; answers like :func:`rule_value`.

    For services that read the same rules for many hospitals and dates (the duty lists of a region):
    one query instead of one per key, hospital and date.
    """

    def __init__(self, prefix: str, hospital_ids=None):
        from .models import Rule

        rows = Rule.objects.filter(key__startswith=prefix)
        if hospital_ids is not None:
            rows = rows.filter(Q(hospital_id__isnull=True) | Q(hospital_id__in=list(hospital_ids)))
        self._rows: dict[str, list] = {}
        for row in rows.order_by("-effective_from"):
            self._rows.setdefault(row.key, []).append(row)
        self.prefix = prefix

    def keys(self) -> list[str]:
        declared_keys = {k for k in _declared if k.startswith(self.prefix)}
        return sorted(declared_keys | set(self._rows))

    def value(self, key: str, hospital_id: int | None = None, on: dt.date | None = None):
        on = on or dt.date.today()
        rows = [r for r in self._rows.get(key, ()) if r.effective_from <= on]
        for row in rows:
            if hospital_id is not None and row.hospital_id == hospital_id:
                return row.value
        for row in rows:
            if row.hospital_id is None:
                return row.value
        if key in _declared:
            return _declared[key].value
        raise KeyError(f"rule {key!r} is not declared")


def models_q_hospital(hospital_id):
    from django.db.models import Q

    q = Q(hospital_id__isnull=True)
    if hospital_id is not None:
        q |= Q(hospital_id=hospital_id)
    return q
