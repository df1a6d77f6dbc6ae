"""Table plumbing: one look for every list, and the same columns for the Excel export."""

import functools

import django_tables2 as tables
from django_tables2 import utils as _dt2_utils

# django-tables2 calls ``utils.signature(fn)`` (inspect.signature) for every cell it renders, to
# learn which arguments the column's render/value method takes: 500 calls for a page of 50 rows
# and 10 columns, a third of the person list's time (bench/list_latency.py). A function's
# signature never changes, so it is computed once per function; bound methods share their
# function's entry (without ``self``, as inspect.signature reports them).
_dt2_signature = _dt2_utils.signature


@functools.lru_cache(maxsize=2048)
def _function_signature(fn, bound: bool):
    args, kwargs_name = _dt2_signature(fn)
    return (args[1:] if bound else args), kwargs_name


def _cached_signature(fn):
    func = getattr(fn, "__func__", None)
    try:
        return _function_signature(func, True) if func is not None else _function_signature(fn, False)
    except TypeError:  # unhashable callable
        return _dt2_signature(fn)


_dt2_utils.signature = _cached_signature


class HQTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        # The list's card boosts its links into #results (sorting, pages); a record's own link must be
        # an ordinary navigation, or the detail page would be fetched and nothing shown.
        row_attrs = {"hx-boost": "false"}
        # bootstrap5-responsive with a leaner body: see the template.
        template_name = "core/table.html"
        empty_text = "—"
