"""Excel export of any list, with the list's current filters and the table's columns."""

from __future__ import annotations

import io

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(rows, filename: str, sheet_title: str = "Sheet1") -> HttpResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(sheet_title)[:31])
    for i, row in enumerate(rows):
        if i == 0:
            from openpyxl.cell import WriteOnlyCell

            cells = []
            for value in row:
                cell = WriteOnlyCell(ws, value=str(value))
                cell.font = Font(bold=True)
                cells.append(cell)
            ws.append(cells)
        else:
            ws.append([_plain(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}-{stamp}.xlsx")
    return response


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, int | float | str):
        return value
    return str(value)


def table_rows(table_class, queryset, exclude=("actions",)):
    limit = settings.EXPORT_MAX_ROWS
    table = table_class(queryset[:limit])
    return table.as_values(exclude_columns=exclude)
