"""The one scoping mechanism (DESIGN.md principle 4).

Every queryset a page, API endpoint, form choice, export or count returns goes through
``Model.objects.restrict(user, action)``. ``core`` knows nothing about roles or the organisation
tree: ``accounts`` registers a *grant provider* that turns a user into a list of :class:`Grant`s,
and each model declares, with :class:`ScopeLookups`, how its rows reach a hospital, a Party
organisation, a department and a person. A grant that the model cannot be reached by gives nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

VIEW = "view"
CHANGE = "change"
ACTIONS = (VIEW, CHANGE)

ALL = "all"  # every hospital (a regional reader over the whole installation)
HOSPITAL = "hospital"  # whole hospitals
ORG = "org"  # Party organisations (with or without their subtree)
DEPARTMENTS = "departments"  # departments by id
OWN = "own"  # one person's own records


@dataclass(frozen=True)
class ScopeLookups:
    """How a model's rows reach the nodes grants are given over.

    Each value is an ORM lookup path; ``""`` means the row *is* such a node; ``None`` means the
    model cannot be reached that way.
    """

    hospital: str | None = "hospital"
    organization: str | None = None
    department: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class Grant:
    """What one role assignment lets a user do, over which nodes, on which areas."""

    kind: str
    actions: frozenset[str]
    areas: frozenset[str] | None = None  # None: every area
    except_areas: frozenset[str] = frozenset()  # areas left out of ``areas`` (e.g. a hospital's decisions)
    hospital_ids: frozenset[int] = frozenset()
    org_paths: tuple[str, ...] = ()  # subtree grants: materialised paths
    org_ids: frozenset[int] = frozenset()  # node-only grants
    department_ids: frozenset[int] = frozenset()
    person_id: int | None = None
    role: str = ""
    personal: bool = False  # about the user's own records (a member's own data), not a scope they manage

    def applies(self, area: str, action: str) -> bool:
        return (
            action in self.actions
            and (self.areas is None or area in self.areas)
            and area not in self.except_areas
        )


@dataclass
class _Registry:
    provider: Callable[[object], list[Grant]] | None = None
    extra: list[Callable[[object], Iterable[Grant]]] = field(default_factory=list)


_registry = _Registry()


def register_grant_provider(provider: Callable[[object], list[Grant]]) -> None:
    _registry.provider = provider


def grants_for(user) -> list[Grant]:
    """The user's grants, computed once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_hq_grants", None)
    if cached is None:
        cached = list(_registry.provider(user)) if _registry.provider else []
        user._hq_grants = cached
    return cached


def forget_grants(user) -> None:
    if hasattr(user, "_hq_grants"):
        del user._hq_grants


def has_permission(user, model, action: str) -> bool:
    """Whether any grant covers this model's area for the action (403 when not; 404 when out of scope)."""
    area = getattr(model, "scope_area", None)
    return any(g.applies(area, action) for g in grants_for(user))


def can_reach(user, model, action: str) -> bool:
    """Whether some grant covering the model's area for ``action`` can reach the model's rows at all.

    A branch secretary's grant covers every area of their branch, but a cadre is reached through a
    department, not a Party organisation: the secretary may read the cadres list (their departments'
    people), yet nothing they could add would be in their scope — so no "Add" button. No query.
    """
    area = getattr(model, "scope_area", None)
    return any(g.applies(area, action) and grant_q(model, g) is not None for g in grants_for(user))


def _crosses_many(model, lookup: str) -> bool:
    current = model
    for part in lookup.split("__"):
        try:
            f = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if f.many_to_many or f.one_to_many:
            return True
        if not f.is_relation:
            return False
        current = f.related_model
    return False


def _lookup_q(model, lookup: str, suffix: str, value) -> Q:
    if lookup == "":
        return Q(**{f"pk{suffix}": value})
    q = Q(**{f"{lookup}{suffix}": value})
    if _crosses_many(model, lookup):
        # A join through a to-many relation would duplicate rows: filter by a subquery instead.
        return Q(pk__in=model._base_manager.filter(q).values("pk"))
    return q


def grant_q(model, grant: Grant) -> Q | None:
    lk: ScopeLookups = model.scope
    if grant.kind == ALL:
        return Q()
    if grant.kind == HOSPITAL:
        if lk.hospital is None:
            return None
        return _lookup_q(model, lk.hospital, "__in", grant.hospital_ids)
    if grant.kind == ORG:
        if lk.organization is None:
            return None
        q = Q()
        parts = []
        prefix = f"{lk.organization}__" if lk.organization else ""
        for path in grant.org_paths:
            parts.append(Q(**{f"{prefix}path__startswith": path}))
        if grant.org_ids:
            parts.append(Q(**{f"{prefix}pk__in" if prefix else "pk__in": grant.org_ids}))
        if not parts:
            return None
        for p in parts:
            q |= p
        if prefix and _crosses_many(model, lk.organization):
            return Q(pk__in=model._base_manager.filter(q).values("pk"))
        return q
    if grant.kind == DEPARTMENTS:
        if lk.department is None or not grant.department_ids:
            return None
        return _lookup_q(model, lk.department, "__in", grant.department_ids)
    if grant.kind == OWN:
        if lk.person is None or grant.person_id is None:
            return None
        return _lookup_q(model, lk.person, "", grant.person_id)
    raise ValueError(f"unknown grant kind {grant.kind!r}")


def scope_q(model, user, action: str, area: str | None = None) -> Q | None:
    """The filter for what ``user`` may ``action`` on ``model``; None when nothing at all.

    ``area`` (default: the model's ``scope_area``) reads the rows under another area's grants: the
    dues book lists memberships (area ``membership``) as far as the user's ``dues`` grants reach.
    """
    area = area or getattr(model, "scope_area", None)
    parts: list[Q] = []
    narrow = True  # only grants over a few nodes (no whole hospital)
    for grant in grants_for(user):
        if not grant.applies(area, action):
            continue
        part = grant_q(model, grant)
        if part is None:
            continue
        if part == Q():
            return Q()
        parts.append(part)
        narrow = narrow and grant.kind in (ORG, DEPARTMENTS, OWN)
    if not parts:
        return None
    if len(parts) > 1 and narrow:
        parts = [_on_own_table(model, p) for p in parts]
    result = parts[0]
    for part in parts[1:]:
        result |= part
    return result


# An OR of grants whose parts reach other tables (a branch secretary's: members of the branch through
# membership -> organisation, OR staff of its departments, OR their own record) cannot use an index:
# the database joins and filters the model's whole table, every hospital's (the secretary's person
# list scanned all 17,700 staff of 50 hospitals for 126 rows: 6 + 7 ms of PostgreSQL per page, now
# 0.1 + 0.2 + 1 ms; bench/list_latency.py). So when several narrow grants (a branch, departments,
# one's own record) are OR-ed, each part that leaves the model's table is first resolved to the
# model's primary keys (one small query) and the OR is over the model's own indexed columns. Not
# with a whole-hospital grant: its rows are many, and a long key list costs more than the join.
# Above MATERIALIZE_LIMIT rows a part stays a subquery (no huge IN lists).
MATERIALIZE_LIMIT = 1000


def _leaves_table(model, q: Q) -> bool:
    """Whether ``q`` looks beyond ``model``'s own table: a join, or a subquery."""
    for child in q.children:
        if isinstance(child, Q):
            if _leaves_table(model, child):
                return True
            continue
        key, value = child
        if hasattr(value, "query"):
            return True
        name, _, rest = key.partition("__")
        if name == "pk":
            continue
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            return True
        if f.is_relation and (
            f.many_to_many or not f.concrete or (rest and f.get_lookup(rest.split("__")[0]) is None)
        ):
            return True  # a many-to-many or reverse relation, or a field of the related table
    return False


def _on_own_table(model, q: Q) -> Q:
    if not _leaves_table(model, q):
        return q
    pks = list(model._base_manager.filter(q).values_list("pk", flat=True)[: MATERIALIZE_LIMIT + 1])
    if len(pks) > MATERIALIZE_LIMIT:
        return Q(pk__in=model._base_manager.filter(q).values("pk"))
    return Q(pk__in=pks)


class ScopedQuerySetMixin:
    def restrict(self, user, action: str = VIEW, area: str | None = None):
        """Only the rows ``user`` may ``action``; every view, API, export and count calls this.

        ``area``: judge the rows by the grants of another area than the model's (see ``scope_q``).
        """
        if action not in ACTIONS:
            raise ValueError(action)
        q = scope_q(self.model, user, action, area)
        if q is None:
            return self.none()
        return self.filter(q) if q != Q() else self.all()
