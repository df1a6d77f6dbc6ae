"""HQTable plumbing: the cached django-tables2 signature and the lean table body."""

import django_tables2 as dt2
from django.test import RequestFactory
from django_tables2 import utils

from hongqing.core import tables as core_tables


class Cols:
    def one(self, value):
        pass

    def catch_all(self, record, **kwargs):
        pass

    def star(self, *args, value, record):
        pass

    @classmethod
    def klass(cls, value):
        pass

    @staticmethod
    def static(value, table):
        pass


def test_the_cached_signature_is_django_tables2s():
    c = Cols()
    callables = [c.one, c.catch_all, c.star, Cols.klass, c.static, Cols.one, lambda value: value, len]
    assert utils.signature is core_tables._cached_signature
    for fn in callables:
        assert core_tables._cached_signature(fn) == core_tables._dt2_signature(fn), fn
        assert core_tables._cached_signature(fn) == core_tables._dt2_signature(fn), fn  # from the cache


class ThingTable(core_tables.HQTable):
    name = dt2.Column()
    size = dt2.Column(attrs={"td": {"class": "text-end"}})
    size_plain = dt2.Column(accessor="size", localize=False)

    def render_name(self, value, record):
        return f"<{value}>"  # escaped by the template

    class Meta(core_tables.HQTable.Meta):
        pass


def test_the_lean_body_renders_cells_attrs_and_escaping():
    table = ThingTable([{"name": "甲", "size": 1200}, {"name": "乙", "size": 3}])
    html = table.as_html(RequestFactory().get("/"))
    assert (
        '<tr hx-boost="false" class="even"><td>&lt;甲&gt;</td><td class="text-end">1200</td><td>1200</td></tr>'
        in html
    )
    assert "<td>&lt;乙&gt;</td>" in html


def test_an_empty_table_says_so():
    html = ThingTable([]).as_html(RequestFactory().get("/"))
    assert '<td colspan="3">—</td>' in html
