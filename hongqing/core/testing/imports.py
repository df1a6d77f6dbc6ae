"""Test helpers for imports: real .xlsx files built in the test (no fixture files), valid ID numbers."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from hongqing.core.exports import XLSX


def xlsx_bytes(headers: list, rows: list[list] = (), *, sheet_title: str = "Sheet1") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(content: bytes, name: str = "import.xlsx", content_type: str = XLSX) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def rows_from_dicts(headers: list[str], dicts: list[dict]) -> list[list]:
    return [[d.get(h) for h in headers] for d in dicts]


def read_sheets(content: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def id_number(birth, *, female: bool = False, seq: int = 1, region: str = "110105") -> str:
    """A valid 18-character ID number (GB 11643) for a birth date; the 17th digit carries the gender."""
    from hongqing.core.idnumber import check_digit

    order = (seq % 50) * 2 + (0 if female else 1)  # odd = male, even = female
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)
