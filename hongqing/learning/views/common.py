"""Helpers shared by the learning pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce

from hongqing.core.scoping import OWN, VIEW, grants_for


def errors_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def own_person(user):
    try:
        return user.person
    except Exception:  # noqa: BLE001 (RelatedObjectDoesNotExist: no staff record)
        return None


def manages(user, action: str = VIEW) -> bool:
    """Whether the user reads learning records beyond their own (a secretary, the office, a reader).

    From the grants, without a query: the menu is on every page, and every page has a query budget."""
    return any(g.applies("learning", action) and not g.personal for g in grants_for(user))


def learns(user) -> bool:
    """Linked to a staff record: has their own study page (from the grants, no query)."""
    return any(g.kind == OWN and g.applies("learning", VIEW) for g in grants_for(user))


def count_where(qs, outer: str = "pk"):
    """The number of rows of ``qs`` (already filtered on ``OuterRef(outer)``), as a subquery."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


__all__ = ["Count", "OuterRef", "count_where", "errors_of", "learns", "manages", "own_person"]
