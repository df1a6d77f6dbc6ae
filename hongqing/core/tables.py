"""Table plumbing: one look for every list, and the same columns for the Excel export."""

import django_tables2 as tables


class HQTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        # The list's card boosts its links into #results (sorting, pages); a record's own link must be
        # an ordinary navigation, or the detail page would be fetched and nothing shown.
        row_attrs = {"hx-boost": "false"}
        template_name = "django_tables2/bootstrap5-responsive.html"
        empty_text = "—"
