"""Excel import of business values: a month or a year, one row per department and month, one column
per indicator (as the statistics office's monthly report is laid out).

The first sheet's headers: 「月份」, 「科室」, then the indicators — each by its code, its name, or
``name（code）`` as in the template. A header that is no entered indicator of the hospital refuses the
file, naming the header and its column; an unknown department refuses its row. Every cell is checked
as the grid checks it (unit, decimals, range, closed month) and the file is written whole, or not at all
(``core.imports``: the errors name the row and the column).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from hongqing.core import imports
from hongqing.core.imports import CellError, ImportColumn, ImportFileError, ParsedFile, Row, RowError
from hongqing.core.scoping import CHANGE
from hongqing.core.views import rule_hospitals
from hongqing.organization.models import Department, Hospital

from .choices import EntryLevel, Source, ValueSource
from .models import Indicator, IndicatorValue
from .periods import parse_month
from .services import values as services

MONTH, DEPARTMENT, INDICATOR, VALUE = "月份", "科室", "指标", "数值"
WHOLE_HOSPITAL = ("全院", "医院", "")


def month_value(value):
    month = parse_month(value)
    if month is None:
        raise CellError(
            _("“%(value)s” is not a month; write it as YYYY-MM, e.g. 2026-03.") % {"value": value}
        )
    return month


month_value.help = gettext_lazy("A month as YYYY-MM, e.g. 2026-03.")


class HospitalForm(forms.Form):
    hospital = forms.ModelChoiceField(label=gettext_lazy("hospital"), queryset=Hospital.objects.none())

    def __init__(self, *args, hospitals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = hospitals
        self.fields["hospital"].widget.attrs["class"] = "form-select"


class IndicatorValueImport(imports.ImportSpec):
    model = IndicatorValue
    columns = [
        ImportColumn(MONTH, "month", required=True, parser=month_value, example="2026-03"),
        ImportColumn(
            DEPARTMENT,
            "department",
            help=gettext_lazy("The department's name or code; 全院 (or empty) for the hospital's own values"),
            example="产科",
        ),
        ImportColumn(INDICATOR, "indicator", example="op_visits"),
        ImportColumn(VALUE, "value", example="1200"),
    ]
    extra_columns = True

    # -- the hospital ----------------------------------------------------------------------------
    def hospitals(self):
        return Hospital.objects.filter(pk__in=rule_hospitals(self.user, CHANGE)).order_by("pk")

    def hospital(self) -> Hospital:
        hospitals = list(self.hospitals())
        wanted = self.options.get("hospital")
        for h in hospitals:
            if h.pk == wanted:
                return h
        if not hospitals:
            raise ImportFileError(_("You may not enter values for any hospital."))
        return hospitals[0]

    def options_form(self, data=None):
        hospitals = self.hospitals()
        if hospitals.count() <= 1:
            return None
        return HospitalForm(data, hospitals=hospitals)

    def options_from_form(self, form) -> dict:
        return {"hospital": form.cleaned_data["hospital"].pk}

    def indicators(self, hospital) -> list[Indicator]:
        return list(
            Indicator.objects.filter(hospital=hospital, source=Source.ENTERED).order_by(
                "family", "sort_order", "code"
            )
        )

    @staticmethod
    def header_of(ind, duplicate_names: set) -> str:
        return f"{ind.name}（{ind.code}）" if ind.name in duplicate_names else ind.name

    def header_map(self, hospital) -> dict[str, Indicator]:
        inds = self.indicators(hospital)
        names = [i.name for i in inds]
        dup = {n for n in names if names.count(n) > 1}
        out = {}
        for i in inds:
            out[i.code] = i
            out[f"{i.name}（{i.code}）"] = i
            out[f"{i.name}({i.code})"] = i
            if i.name not in dup:
                out[i.name] = i
        return out

    # -- reading the wide sheet as one row per value ---------------------------------------------
    def read(self, upload) -> ParsedFile:
        wide = [c for c in self.columns if c.header in (MONTH, DEPARTMENT)]
        parsed = imports.read_workbook(upload, wide, extra_columns=True)
        hospital = self.hospital()
        known = self.header_map(hospital)
        unknown = [
            f"{get_column_letter(i + 1)}1「{h}」"
            for i, h in enumerate(parsed.headers)
            if h and h not in (MONTH, DEPARTMENT) and h not in known
        ]
        if unknown:
            raise ImportFileError(
                _(
                    "These columns are not entered indicators of %(hospital)s: %(cols)s. Use the codes or names of the template."
                )
                % {"hospital": hospital, "cols": "、".join(unknown)}
            )
        if not any(h in known for h in parsed.headers):
            raise ImportFileError(
                _("The file has no indicator column: add one column per indicator after 「科室」.")
            )
        rows = []
        for number, raw in parsed.rows:
            for header, value in raw.items():
                if header in (MONTH, DEPARTMENT) or value in (None, ""):
                    continue
                rows.append(
                    [
                        number,
                        {
                            MONTH: raw.get(MONTH),
                            DEPARTMENT: raw.get(DEPARTMENT, ""),
                            INDICATOR: header,
                            VALUE: value,
                        },
                    ]
                )
        if not rows:
            raise ImportFileError(_("The file has the headers but no values."))
        return ParsedFile([c.header for c in self.columns], rows)

    def preview_notes(self, rows) -> list[str]:
        months = sorted({str(r[MONTH]) for _n, r in rows if r.get(MONTH)})
        depts = {str(r.get(DEPARTMENT) or "") for _n, r in rows}
        return [
            _("%(values)d values of %(depts)d departments for %(months)s.")
            % {"values": len(rows), "depts": len(depts), "months": "、".join(months[:13])}
        ]

    # -- checking ----------------------------------------------------------------------------------
    def prepare(self) -> None:
        self._hospital = self.hospital()
        self._indicators = self.header_map(self._hospital)
        self._departments: dict[str, Department] = {}
        for d in Department.objects.filter(hospital=self._hospital):
            self._departments[d.name] = d
            if d.code:
                self._departments.setdefault(d.code, d)
        self._closed = services.closed_months(self._hospital.pk)

    def parse_row(self, row: Row) -> dict:
        values = {}
        for column in self.columns:
            values[column.field] = row.raw.get(column.header)
        try:
            values["month"] = (
                month_value(row.raw.get(MONTH)) if row.raw.get(MONTH) not in (None, "") else None
            )
        except CellError as exc:
            row.error(MONTH, str(exc))
            values["month"] = None
        if values["month"] is None and not row.errors:
            row.error(MONTH, _("This column is required."))
        return values

    def build(self, row: Row, values: dict):
        header = str(values.get("indicator") or "")
        ind = self._indicators.get(header)
        month = values.get("month")
        dept_text = str(values.get("department") or "").strip()
        dept = None
        if dept_text not in WHOLE_HOSPITAL:
            dept = self._departments.get(dept_text)
            if dept is None:
                row.error(
                    DEPARTMENT,
                    _("%(hospital)s has no department “%(name)s”.")
                    % {"hospital": self._hospital, "name": dept_text},
                )
                return None
        if ind is None:  # the header check of read() lets none through; kept for a stored job
            row.error(header, _("Unknown indicator."))
            return None
        if month is not None and month in self._closed:
            row.error(MONTH, services.closed_message(month))
            return None
        try:
            value = services.parse_value(ind, values.get("value"))
        except CellError as exc:
            row.error(header, str(exc))
            return None
        if value is None:
            return None
        problems = services.value_errors(ind, value, dept.pk if dept else None)
        for field, message in problems.items():
            row.error(DEPARTMENT if field == "department" else header, message)
        if problems or month is None:
            return None
        if not self.unique_in_file(row, "value", (ind.pk, dept.pk if dept else None, month)):
            return None
        obj = IndicatorValue(
            hospital=self._hospital,
            indicator=ind,
            department=dept,
            month=month,
            value=value,
            source=ValueSource.IMPORT,
        )
        obj._import_ref = (row.number, header)
        return obj

    def check(self, rows, progress=None):
        """As the framework checks, but one message per cell: an Excel row holds many values, and a
        closed month or an unknown department is the same error for each of them."""
        result = super().check(rows, progress)
        seen, errors = set(), []
        for e in result.errors:
            key = (e.row, e.column, e.message)
            if key not in seen:
                seen.add(key)
                errors.append(e)
        result.error_count -= len(result.errors) - len(errors)
        result.errors = errors
        return result

    def model_clean(self, row: Row, obj) -> None:
        """Checked in ``build`` with the grid's checks (no second message for the same cell)."""

    # -- writing -------------------------------------------------------------------------------------
    def save_objects(self, objects: list, progress) -> None:
        hospital = self.hospital()
        cells = [
            services.Cell(
                o.indicator, o.department, o.month, o.value, ref=f"{o._import_ref[0]}|{o._import_ref[1]}"
            )
            for o in objects
        ]
        try:
            result = services.write_values(
                hospital, cells, actor=self.user, source=ValueSource.IMPORT, clear_empty=False
            )
        except services.ValuesRefused as exc:
            errors = []
            for ref, message in exc.errors:
                number, _sep, column = ref.partition("|")
                errors.append(RowError(int(number) if number.isdigit() else None, column, message))
            raise imports._Refused(errors) from exc
        for o in objects:
            o.pk = result.pks.get((o.indicator.pk, o.department.pk if o.department else None, o.month))
        progress(len(objects))

    def template_title(self) -> str:
        return str(_("Indicator values"))

    def template_bytes(self) -> bytes:
        """The wide template: 月份, 科室, then every entered indicator of the hospital; its departments listed."""
        import io

        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        hospital = self.hospital()
        inds = self.indicators(hospital)
        names = [i.name for i in inds]
        dup = {n for n in names if names.count(n) > 1}
        wb = Workbook()
        ws = wb.active
        ws.title = imports._sheet_title(self.template_title())
        headers = [
            MONTH,
            DEPARTMENT,
            *[self.header_of(i, dup) for i in inds if i.entry_level == EntryLevel.DEPARTMENT],
        ]
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="F2F2F2")
        for col, h in enumerate(headers, start=1):
            c = ws.cell(row=1, column=col, value=h)
            c.font, c.fill = bold, fill
            ws.column_dimensions[get_column_letter(col)].width = max(10, 2 * len(h) + 2)
        for r, d in enumerate(
            Department.objects.filter(hospital=hospital, is_active=True, numchild=0), start=2
        ):
            ws.cell(row=r, column=1, value="2026-01").number_format = "@"
            ws.cell(row=r, column=2, value=d.name)
        info = wb.create_sheet(imports.INSTRUCTIONS_SHEET)
        info.append([_("Column"), _("unit"), _("Description")])
        for cell in info[1]:
            cell.font, cell.fill = bold, fill
        info.append([MONTH, "", str(month_value.help)])
        info.append([DEPARTMENT, "", str(self.columns[1].help)])
        for i in inds:
            where = (
                _("for the whole hospital: a row with 科室 全院")
                if i.entry_level == EntryLevel.HOSPITAL
                else ""
            )
            info.append(
                [self.header_of(i, dup), i.unit, " ".join(p for p in (i.code, i.description, where) if p)]
            )
        info.append([])
        for note in self.template_notes():
            info.append([note])
        info.column_dimensions["A"].width, info.column_dimensions["C"].width = 28, 70
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def template_notes(self) -> list[str]:
        return [
            _("One row per department and month; one column per indicator (its name or code)."),
            _("A month or a whole year in one file; a value already entered is replaced."),
            *super().template_notes()[2:],
        ]
