"""Excel import: read a workbook, check every row, then write all rows in one transaction or none.

``core`` knows no domain model. An app describes one import with an :class:`ImportSpec` subclass:
its columns (:class:`ImportColumn`, Chinese headers as in the downloadable template), ``prepare()``
to load every lookup it needs in a few queries, and ``build()`` to turn one row into an unsaved
instance. The framework then runs the model's own ``clean()`` (so an import refuses what the form
refuses), writes with ``bulk_create`` inside one ``transaction.atomic()``, re-checks that every new
row is inside the user's change scope, and writes one named audit event.

Errors name the Excel row (the header is row 1) and the column: ``第 5 行「身份证号」：…``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from . import idnumber
from .audit import log_event
from .choices import ImportStatus
from .scoping import CHANGE

logger = logging.getLogger(__name__)

INSTRUCTIONS_SHEET = "说明"
SCOPE_CHUNK = 500  # primary keys per ``IN (...)`` when re-checking the scope


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 5 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 20000)


def background_min_rows() -> int:
    return getattr(settings, "IMPORT_BACKGROUND_MIN_ROWS", 1000)


def max_errors() -> int:
    return getattr(settings, "IMPORT_MAX_ERRORS", 1000)


# ---------------------------------------------------------------------------------------------
# Errors


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not Excel, empty, too large, wrong headers …)."""


class CellError(ValueError):
    """A parser's refusal of one cell; the message is shown to the user."""


@dataclass
class RowError:
    row: int | None  # the Excel row number (header = 1); None for the file as a whole
    column: str  # the column header; "" for the row as a whole
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}

    def __str__(self) -> str:
        return format_error(self.as_dict())


def format_error(error: dict) -> str:
    """``第 5 行「身份证号」：…`` in Chinese (the msgids are English)."""
    if error.get("row") is None:
        return error["message"]
    if error.get("column"):
        return _("Row %(row)s, “%(column)s”: %(message)s") % error
    return _("Row %(row)s: %(message)s") % error


# ---------------------------------------------------------------------------------------------
# Cell parsers: raw cell value (str, int, float, bool or an ISO date string) -> Python value


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def text(value) -> str:
    return _as_text(value)


def date_value(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = _as_text(value)
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return dt.date.fromisoformat(raw)  # the template's format, and the fast path
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": raw})


date_value.help = gettext_lazy("A date as YYYY-MM-DD, e.g. 2020-09-01.")


def id_number_value(value) -> str:
    """An ID number as text. Excel keeps at most 15 digits of a number, so a numeric cell is refused."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _(
                "Excel stored the ID number as a number and lost its last digits; "
                "format the column as text and enter the number again."
            )
        )
    return idnumber.normalize(_as_text(value))


id_number_value.help = gettext_lazy("18 characters; format the column as text. Checked against GB 11643.")


class Choice:
    """A choice column: accepts the Chinese terms given, the labels (Chinese and English) and raw values."""

    def __init__(self, choices, aliases: dict[str, str] | None = None):
        self.choices = choices
        self.aliases = dict(aliases or {})

    def _mapping(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for value, label in self.choices.choices:
            mapping[str(value).casefold()] = value
            with translation.override("en"):
                mapping[str(label).casefold()] = value
            with translation.override("zh-hans"):
                mapping[str(label).casefold()] = value
        for alias, value in self.aliases.items():
            mapping[alias.casefold()] = value
        return mapping

    @property
    def allowed(self) -> list[str]:
        """What the template lists: the first Chinese term of each value, else its Chinese label."""
        shown = []
        for value, label in self.choices.choices:
            term = next((a for a, v in self.aliases.items() if v == value), None)
            if term is None:
                with translation.override("zh-hans"):
                    term = str(label)
            shown.append(term)
        return shown

    def __call__(self, value):
        raw = _as_text(value)
        mapping = getattr(self, "_cached", None)
        if mapping is None:
            mapping = self._cached = self._mapping()
        try:
            return mapping[raw.casefold()]
        except KeyError:
            raise CellError(
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": raw, "allowed": "、".join(self.allowed)}
            ) from None


def name_list(value) -> list[str]:
    """Names separated by 、 (or a comma or semicolon, half- or full-width)."""
    raw = _as_text(value)
    for sep in ("，", ",", "；", ";", "/"):
        raw = raw.replace(sep, "、")
    return [part.strip() for part in raw.split("、") if part.strip()]


name_list.help = gettext_lazy("Several names separated by 、")


@dataclass
class ImportColumn:
    """One column of the file: its header (Chinese, as in the template) and the model field it fills."""

    header: str
    field: str
    required: bool = False
    parser: Callable[[Any], Any] = text
    help: str = ""
    example: str = ""
    sensitive: bool = False  # masked in the preview (ID numbers)
    is_text: bool = True  # the template formats the column as text (keeps leading zeros and long numbers)

    @property
    def allowed(self) -> list[str]:
        return list(getattr(self.parser, "allowed", []) or [])

    def describe(self) -> str:
        parts = [str(self.help)] if self.help else []
        parser_help = getattr(self.parser, "help", "")
        if parser_help:
            parts.append(str(parser_help))
        return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Reading the workbook


@dataclass
class ParsedFile:
    headers: list[str]
    rows: list[list]  # [excel_row_number, {header: json-safe value}]


def _json_cell(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def _normalize_header(value) -> str:
    text_ = "" if value is None else str(value)
    return text_.replace("\u3000", " ").strip().rstrip("*＊").strip()


def read_workbook(upload, columns: list[ImportColumn], *, extra_columns: bool = False) -> ParsedFile:
    """Check the file and read its first sheet: the header row, then one dict per non-empty row.

    ``extra_columns``: headers that are not the template's are read too (the spec decides what they
    mean, e.g. the pay columns of a payroll export), instead of refusing the file.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > max_bytes():
        raise ImportFileError(
            _("The file is %(size)s; the largest accepted is %(max)s.")
            % {"size": _human_size(size), "max": _human_size(max_bytes())}
        )
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise ImportFileError(
            _("This is not an Excel file (.xlsx). Download the template, fill it in and upload it again.")
        )
    upload.seek(0)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        logger.info("import: unreadable workbook: %s", exc)
        raise ImportFileError(
            _("This is not an Excel file (.xlsx). Download the template, fill it in and upload it again.")
        ) from exc
    try:
        return _read_sheet(wb.worksheets[0] if wb.worksheets else None, columns, extra_columns)
    finally:
        wb.close()


def _read_sheet(ws, columns: list[ImportColumn], extra_columns: bool = False) -> ParsedFile:
    if ws is None:
        raise ImportFileError(_("The file is empty."))
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None or all(v is None or str(v).strip() == "" for v in header_row):
        raise ImportFileError(_("The file is empty: the first row must hold the column headers."))
    headers = [_normalize_header(v) for v in header_row]
    # Trailing empty header cells are formatting, not columns.
    while headers and headers[-1] == "":
        headers.pop()
    check_headers(headers, columns, extra_columns=extra_columns)
    known = {c.header for c in columns}
    index = [(i, h) for i, h in enumerate(headers) if h in known or (extra_columns and h)]
    limit = max_rows()
    data: list[list] = []
    for number, values in enumerate(rows, start=2):
        row = {}
        for i, header in index:
            if i < len(values):
                value = _json_cell(values[i])
                if value is not None:
                    row[header] = value
        if not row:  # an empty row, or values only in cells without a header: skipped
            continue
        data.append([number, row])
        if len(data) > limit:
            raise ImportFileError(
                _("The file has more than %(max)d rows; split it into several files.") % {"max": limit}
            )
    if not data:
        raise ImportFileError(_("The file has the headers but no data rows."))
    return ParsedFile(headers, data)


def check_headers(headers: list[str], columns: list[ImportColumn], *, extra_columns: bool = False) -> None:
    expected = [c.header for c in columns]
    problems = []
    seen = set()
    duplicates = []
    for h in headers:
        if h and h in seen and h not in duplicates:
            duplicates.append(h)
        seen.add(h)
    unknown = [] if extra_columns else [h for h in headers if h and h not in expected]
    blank = [get_column_letter(i + 1) for i, h in enumerate(headers) if h == ""]
    missing = [c.header for c in columns if c.required and c.header not in seen]
    if unknown:
        problems.append(_("unknown columns: %(cols)s") % {"cols": "、".join(f"「{h}」" for h in unknown)})
    if missing:
        problems.append(_("missing columns: %(cols)s") % {"cols": "、".join(f"「{h}」" for h in missing)})
    if duplicates:
        problems.append(_("repeated columns: %(cols)s") % {"cols": "、".join(f"「{h}」" for h in duplicates)})
    if blank:
        problems.append(_("columns without a header: %(cols)s") % {"cols": "、".join(blank)})
    if problems:
        raise ImportFileError(
            _("The first row does not match the template (%(problems)s). The headers are: %(expected)s.")
            % {"problems": "; ".join(problems), "expected": "、".join(expected)}
        )


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} B"


# ---------------------------------------------------------------------------------------------
# The spec


@dataclass
class Row:
    """One data row while it is being checked."""

    number: int
    raw: dict
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message) -> None:
        self.errors.append(RowError(self.number, column, str(message)))


@dataclass
class CheckResult:
    total: int
    items: list[tuple[int, Any]]  # (excel row number, unsaved instance)
    errors: list[RowError]
    error_count: int

    @property
    def ok(self) -> bool:
        return not self.error_count


class ImportSpec:
    """What one import reads and how each row becomes an instance. Subclass per model."""

    model = None
    columns: list[ImportColumn] = []
    batch_size = 500
    preview_rows = 20
    # Fields the model's ``clean_fields`` skips besides relations (set by the spec's own checks).
    clean_fields_exclude: tuple[str, ...] = ()
    # Read headers the template does not have instead of refusing the file (``build`` sees them in
    # ``row.raw``; ``preview_notes`` can say what became of them).
    extra_columns = False

    def __init__(self, user, options: dict | None = None):
        self.user = user
        self.options = dict(options or {})
        self._seen: dict[str, dict] = {}

    # -- hooks ---------------------------------------------------------------------------------
    def options_form(self, data=None) -> forms.Form | None:
        """Extra fields of the upload form (e.g. a hospital when the user's scope spans several)."""
        return None

    def options_from_form(self, form) -> dict:
        return {}

    def read(self, upload) -> ParsedFile:
        """Read and check the uploaded workbook (the file as a whole; rows are checked by ``check``)."""
        return read_workbook(upload, self.columns, extra_columns=self.extra_columns)

    def preview_notes(self, rows: list[list]) -> list[str]:
        """Remarks shown above the preview of a checked file (e.g. columns that were not used)."""
        return []

    def prepare(self) -> None:
        """Load every lookup ``build`` needs, in a few queries (never one per row)."""

    def build(self, row: Row, values: dict) -> Any:
        """Turn one row's parsed values (by field) into an unsaved instance, or add errors to ``row``."""
        raise NotImplementedError

    def save_objects(self, objects: list, progress: Callable[[int], None]) -> None:
        """Write the instances (inside the caller's transaction); call ``progress(n)`` as rows go in."""
        done = 0
        for start in range(0, len(objects), self.batch_size):
            batch = objects[start : start + self.batch_size]
            self.model._default_manager.bulk_create(batch)
            done += len(batch)
            progress(done)
        self.after_save(objects)

    def after_save(self, objects: list) -> None:
        """Write related rows (many-to-many links …) once the instances have primary keys."""

    # -- helpers for subclasses ------------------------------------------------------------------
    def column_for(self, field_name: str) -> ImportColumn | None:
        return next((c for c in self.columns if c.field == field_name), None)

    def header_for(self, field_name: str) -> str:
        column = self.column_for(field_name)
        return column.header if column else ""

    def unique_in_file(self, row: Row, field_name: str, key) -> bool:
        """False (and an error naming both rows) when an earlier row of the file has the same key."""
        if key in (None, ""):
            return True
        seen = self._seen.setdefault(field_name, {})
        first = seen.get(key)
        if first is not None:
            row.error(
                self.header_for(field_name),
                _("“%(value)s” is also on row %(other)d of this file.") % {"value": key, "other": first},
            )
            return False
        seen[key] = row.number
        return True

    def model_clean(self, row: Row, obj) -> None:
        """The model's own rules, as ``full_clean()`` applies them: ``clean_fields()`` then ``clean()``.

        Relations are left out of ``clean_fields`` (it would query each one): ``prepare`` and
        ``build`` resolve them from the user's scope. Uniqueness is the spec's job, against the
        values it loaded in ``prepare`` (``validate_unique`` would be a query per row).
        """
        exclude = {f.name for f in obj._meta.concrete_fields if f.is_relation}
        exclude |= set(self.clean_fields_exclude)
        try:
            obj.clean_fields(exclude=exclude)
        except ValidationError as exc:
            self._add_validation_errors(row, exc)
        try:
            obj.clean()
        except ValidationError as exc:
            self._add_validation_errors(row, exc)

    def _add_validation_errors(self, row: Row, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                header = self.header_for(name)
                for error in errors:
                    message = " ".join(error.messages)
                    # One error per cell: the first (the parser's, the spec's) says what is wrong.
                    if any(e.column == header and (header or e.message == message) for e in row.errors):
                        continue
                    if not header and name != "__all__":
                        try:
                            label = self.model._meta.get_field(name).verbose_name
                            message = f"{label}: {message}"
                        except Exception:  # noqa: BLE001 - a name that is not a field
                            pass
                    row.error(header, message)
        else:
            for message in exc.messages:
                row.error("", message)

    # -- checking --------------------------------------------------------------------------------
    def parse_row(self, row: Row) -> dict:
        values = {}
        for column in self.columns:
            raw = row.raw.get(column.header)
            if raw is None or raw == "":
                if column.required:
                    row.error(column.header, _("This column is required."))
                values[column.field] = None
                continue
            try:
                values[column.field] = column.parser(raw)
            except (CellError, ValueError, ValidationError) as exc:
                message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                row.error(column.header, message)
                values[column.field] = None
        return values

    def check(self, rows: Iterable[list], progress: Callable[[int], None] | None = None) -> CheckResult:
        """Check every row; nothing is written. ``rows`` are ``[excel_row_number, {header: value}]``."""
        self._seen = {}
        self.prepare()
        items, errors = [], []
        error_count = 0
        limit = max_errors()
        total = 0
        for total, (number, raw) in enumerate(rows, start=1):
            row = Row(number, raw)
            values = self.parse_row(row)
            # ``build`` and the model's rules run even when a cell failed to parse (its value is then
            # None), so that every error of the row is reported in the same pass.
            obj = self.build(row, values)
            if obj is not None:
                self.model_clean(row, obj)
            if row.errors:
                error_count += len(row.errors)
                room = limit - len(errors)
                if room > 0:
                    errors.extend(row.errors[:room])
            elif obj is not None:
                items.append((number, obj))
            if progress and total % 500 == 0:
                progress(total)
        return CheckResult(total, items, errors, error_count)

    # -- the template ------------------------------------------------------------------------------
    def template_title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def template_bytes(self) -> bytes:
        wb = Workbook()
        ws = wb.active
        ws.title = _sheet_title(self.template_title())
        required_font = Font(bold=True, color="C00000")
        header_fill = PatternFill("solid", fgColor="F2F2F2")
        for i, column in enumerate(self.columns, start=1):
            cell = ws.cell(row=1, column=i, value=column.header)
            cell.font = required_font if column.required else Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center")
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(12, 2 * len(column.header) + 6)
            if column.is_text:
                # Format the data cells as text: staff numbers keep leading zeros, ID numbers all 18 digits.
                for r in range(2, 1002):
                    ws.cell(row=r, column=i).number_format = "@"
        ws.freeze_panes = "A2"

        info = wb.create_sheet(INSTRUCTIONS_SHEET)
        heads = [_("Column"), _("Required"), _("Description"), _("Allowed values"), _("Example")]
        info.append(heads)
        for cell in info[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        for column in self.columns:
            info.append(
                [
                    column.header,
                    _("yes") if column.required else _("no"),
                    column.describe(),
                    "、".join(column.allowed),
                    column.example,
                ]
            )
        info.append([])
        for note in self.template_notes():
            info.append([note])
        for letter, width in zip("ABCDE", (14, 8, 60, 40, 22), strict=True):
            info.column_dimensions[letter].width = width
        for row in info.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def template_notes(self) -> list[str]:
        return [
            _("Fill in the first sheet from row 2; keep the first row (the headers) as it is."),
            _("Red headers are required. Dates are written YYYY-MM-DD."),
            _("All rows are written together, or none: a file with an error writes nothing."),
            _("At most %(rows)d rows and %(size)s per file.")
            % {"rows": max_rows(), "size": _human_size(max_bytes())},
        ]

    # -- preview -----------------------------------------------------------------------------------
    def preview(self, rows: list[list]) -> list[list]:
        """The first rows as the user typed them, sensitive cells masked."""
        out = []
        for number, raw in rows[: self.preview_rows]:
            cells = []
            for column in self.columns:
                value = raw.get(column.header, "")
                if column.sensitive and value:
                    value = idnumber.mask(str(value))
                cells.append(value)
            out.append([number, cells])
        return out


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet1"


# ---------------------------------------------------------------------------------------------
# Running an import (check, then commit in one transaction)


class _Refused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("refused")
        self.errors = errors


def progress_key(job_id: int) -> str:
    return f"hq:import:{job_id}:progress"


def report_progress(job_id: int, phase: str, done: int) -> None:
    # The commit is one transaction: its progress is not visible in the database until the end,
    # so it goes through the cache (per process without Redis; the job row is the fallback).
    cache.set(progress_key(job_id), {"phase": phase, "done": done}, timeout=6 * 3600)


def read_progress(job_id: int) -> dict | None:
    return cache.get(progress_key(job_id))


def out_of_scope(model, user, items: list[tuple[int, Any]]) -> list[int]:
    """The row numbers whose new instance is outside ``user``'s change scope."""
    allowed: set = set()
    pks = [obj.pk for _n, obj in items]
    for start in range(0, len(pks), SCOPE_CHUNK):
        chunk = pks[start : start + SCOPE_CHUNK]
        allowed |= set(model.objects.restrict(user, CHANGE).filter(pk__in=chunk).values_list("pk", flat=True))
    return [n for n, obj in items if obj.pk not in allowed]


def commit(spec: ImportSpec, result: CheckResult, *, job=None, progress=None) -> int:
    """Write every checked row in one transaction; roll back if any lands outside the user's scope."""
    objects = [obj for _n, obj in result.items]
    progress = progress or (lambda n: None)
    with transaction.atomic():
        spec.save_objects(objects, progress)
        outside = out_of_scope(spec.model, spec.user, result.items)
        if outside:
            message = _("The row would be outside your scope.")
            raise _Refused([RowError(n, "", message) for n in outside])
        log_event(
            "import",
            actor=spec.user,
            repr_=f"{spec.model._meta.label_lower} ×{len(objects)}",
            data={
                "model": spec.model._meta.label_lower,
                "rows": len(objects),
                "job": job.pk if job is not None else None,
            },
        )
    return len(objects)


def run_job(job, spec_class: type[ImportSpec], user) -> None:
    """Check the job's rows again (the database may have changed since the preview), then write them.

    Leaves the job ``done``, ``failed`` (with row errors; nothing written) or ``error``.
    """
    spec = spec_class(user, options=job.options)
    job_id = job.pk

    def checking(n):
        report_progress(job_id, "check", n)

    def writing(n):
        report_progress(job_id, "write", n)

    try:
        result = spec.check(job.rows, progress=checking)
        if not result.ok:
            _finish(job, ImportStatus.FAILED, errors=result.errors, error_count=result.error_count)
            return
        writing(0)
        n = commit(spec, result, job=job, progress=writing)
    except ImportFileError as exc:
        _finish(job, ImportStatus.FAILED, errors=[RowError(None, "", str(exc))], error_count=1)
    except _Refused as exc:
        _finish(job, ImportStatus.FAILED, errors=exc.errors[: max_errors()], error_count=len(exc.errors))
    except DatabaseError as exc:
        logger.exception("import %s failed while writing", job_id)
        _finish(
            job, ImportStatus.ERROR, message=_("The database refused the rows: %(error)s") % {"error": exc}
        )
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        _finish(job, ImportStatus.ERROR, message=_("The import failed: %(error)s") % {"error": exc})
    else:
        _finish(job, ImportStatus.DONE, done=n)


def _finish(job, status, *, errors=None, error_count=0, message="", done=0) -> None:
    job.status = status
    job.errors = [e.as_dict() for e in (errors or [])]
    job.error_count = error_count
    job.message = str(message)[:500]
    job.done_rows = done
    job.rows = []  # the rows may hold ID numbers: they are not kept once the import has ended
    job.finished = timezone.now()
    job.save(
        update_fields=[
            "status",
            "errors",
            "error_count",
            "message",
            "done_rows",
            "rows",
            "finished",
            "updated",
        ]
    )
    cache.delete(progress_key(job.pk))


def start_background(
    job, spec_class: type[ImportSpec], user_id: int, language: str | None
) -> threading.Thread:
    """Run the job in a thread with its own database connection (closed at the end)."""
    from django.contrib.auth import get_user_model

    def target():
        try:
            with translation.override(language):
                user = get_user_model()._default_manager.get(pk=user_id)
                run_job(job, spec_class, user)
        except Exception as exc:
            logger.exception("import %s: the background thread failed", job.pk)
            try:
                _finish(job, ImportStatus.ERROR, message=_("The import failed: %(error)s") % {"error": exc})
            except Exception:
                logger.exception("import %s: could not record the failure", job.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=target, name=f"hq-import-{job.pk}", daemon=True)
    _threads[job.pk] = thread
    thread.start()
    return thread


# Started threads by job id, so that tests (and a shutdown hook) can wait for them.
_threads: dict[int, threading.Thread] = {}


def wait_for(job_id: int, timeout: float | None = 60) -> None:
    thread = _threads.pop(job_id, None)
    if thread is not None:
        thread.join(timeout)
