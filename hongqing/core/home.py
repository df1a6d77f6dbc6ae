"""Home-page figures: each app registers counts of the user's scope, each linking to its list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .scoping import VIEW, grants_for
from .urls_helpers import static_url


@dataclass(frozen=True)
class HomeCount:
    label: str
    model: type
    url_name: str
    queryset: Callable | None = None  # (restricted qs) -> qs
    query: str = ""
    order: int = 100


_counts: list[HomeCount] = []


def register_count(*counts: HomeCount) -> None:
    _counts.extend(counts)


def counts_for(user) -> list[dict]:
    out = []
    for c in sorted(_counts, key=lambda c: c.order):
        area = getattr(c.model, "scope_area", None)
        applicable = [g for g in grants_for(user) if g.applies(area, VIEW)]
        # A member's own record is not a "scope": counting it ("1 staff") would only confuse.
        if not applicable or all(g.personal for g in applicable):
            continue
        qs = c.model.objects.restrict(user, VIEW)
        if c.queryset:
            qs = c.queryset(qs)
        url = static_url(c.url_name) + (f"?{c.query}" if c.query else "")
        out.append({"label": c.label, "value": qs.count(), "url": url})
    return out
