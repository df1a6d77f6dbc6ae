"""Table plumbing: one look for every list, and the same columns for the Excel export."""

import django_tables2 as tables


class HQTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        template_name = "django_tables2/bootstrap5-responsive.html"
        empty_text = "—"
