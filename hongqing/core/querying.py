"""Helpers for queries over many ids.

A set of people is passed to the next queries as a list of ids, not as the subquery that found them:
PostgreSQL, with statistics taken while the tables were nearly empty (a new installation, the demo,
right after an import), planned ``person_id IN (memberships of these branches)`` as a subquery run
once per row — minutes instead of milliseconds. A list of ids is planned the same whatever the
statistics say. SQLite limits the parameters of one statement, hence the slices.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

CHUNK = 5000


def id_chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    """The distinct ids, sorted, in lists of at most ``size``."""
    ids = sorted(set(ids))
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def rows_for_ids(queryset: QuerySet, field: str, ids: Iterable[int]) -> Iterator:
    """The rows of ``queryset`` whose ``field`` is one of ``ids``, a query per slice of ids."""
    for chunk in id_chunks(ids):
        yield from queryset.filter(**{f"{field}__in": chunk})
