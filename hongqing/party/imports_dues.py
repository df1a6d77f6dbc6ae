"""Excel import of the yearly dues bases from the payroll office's export.

Columns: 工号 (required), 姓名 (checked against the person), 类别 (在职 / 离退休 / 学生、失业、低保…),
then either the pay item columns — those the rule ``dues.included_items`` counts (by default
岗位工资, 薪级工资, 基础性绩效, 规范津贴补贴) are summed — or a single 缴费基数 column. The payroll
export has more columns (奖励性绩效, 公积金, 科室 …): they are read, never counted, and the preview
lists them as not counted; their values are not kept. Each row goes through the same checks as the
base page (``services.dues.compute_base``). A member who already has a base for the year is refused:
a base changes on its own page, with a reason.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongqing.core.imports import CellError, Choice, ImportColumn, Row
from hongqing.core.rules import declared
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.imports import HospitalChoiceForm, HospitalImport
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership, Person

from . import rules  # noqa: F401  (declares the dues rules read below)
from .choices import DuesCategory
from .models import DuesBase
from .services import dues as services

CATEGORY = Choice(
    DuesCategory,
    {
        "在职": DuesCategory.SALARIED,
        "在职职工": DuesCategory.SALARIED,
        "离退休": DuesCategory.RETIRED,
        "退休": DuesCategory.RETIRED,
        "离休": DuesCategory.RETIRED,
        "学生": DuesCategory.MINIMAL,
        "失业": DuesCategory.MINIMAL,
        "下岗": DuesCategory.MINIMAL,
        "低保": DuesCategory.MINIMAL,
        "生活困难": DuesCategory.MINIMAL,
    },
)
BASE_HEADER = "缴费基数"
# The template's pay item columns: the regulation's list. A hospital that counts other items adds
# them as columns of its own; the rule in force decides what is summed.
TEMPLATE_ITEMS = [str(i) for i in declared()["dues.included_items"].value]


def money(value):
    try:
        return services.parse_money(value)
    except ValueError as exc:
        raise CellError(str(exc)) from None


money.help = gettext_lazy("Yuan a month, e.g. 3200 or 3200.50.")


class DuesImportOptions(HospitalChoiceForm):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = services.today().year
        self.fields["year"].widget.attrs.update({"class": "form-control", "id": "import-year"})


class DuesBaseImport(HospitalImport):
    model = DuesBase
    extra_columns = True
    columns = [
        ImportColumn(
            "工号",
            "staff_no",
            required=True,
            help=gettext_lazy("The staff number of a Party member in your scope."),
            example="10023",
        ),
        ImportColumn(
            "姓名", "name", help=gettext_lazy("Optional: checked against the staff number."), example="张伟"
        ),
        ImportColumn(
            "类别",
            "category",
            parser=CATEGORY,
            help=gettext_lazy(
                "Empty: salaried. Retirees: 离退休; students, the unemployed, relief: 学生, 失业 or 低保."
            ),
            example="在职",
        ),
        *[
            ImportColumn(
                item,
                f"item:{item}",
                parser=money,
                is_text=False,
                help=gettext_lazy("A pay item counted in the base."),
                example=example,
            )
            for item, example in zip(TEMPLATE_ITEMS, ("3200", "1500", "2800", "900"), strict=False)
        ],
        ImportColumn(
            BASE_HEADER,
            "base",
            parser=money,
            is_text=False,
            help=gettext_lazy(
                "Instead of the pay items: the monthly base itself (a retiree's basic pension)."
            ),
            example="",
        ),
    ]

    def template_title(self) -> str:
        return _("Dues bases")

    def template_notes(self) -> list[str]:
        return [
            _("One row per member. Give the pay items, or the base in 缴费基数, not both."),
            _("Other pay columns of the payroll export (e.g. 奖励性绩效) may stay: they are not counted."),
            *super().template_notes(),
        ]

    # -- options: the hospital and the year ------------------------------------------------------
    def options_form(self, data=None):
        return DuesImportOptions(data, hospitals=self.hospitals)

    def options_from_form(self, form) -> dict:
        return {"hospital": form.cleaned_data["hospital"].pk, "year": form.cleaned_data["year"]}

    @property
    def year(self) -> int:
        return int(self.options.get("year") or services.today().year)

    @cached_property
    def included(self) -> list[str]:
        return [
            str(i) for i in services._rule("dues.included_items", self.hospital.pk, dt.date(self.year, 1, 1))
        ]

    # -- reading -----------------------------------------------------------------------------------
    def read(self, upload):
        """Read the file; keep the values of the counted pay columns only, and name the others."""
        parsed = super().read(upload)
        declared = {c.header for c in self.columns}
        item_headers = [c.header for c in self.columns if c.field.startswith("item:")]
        extra = [h for h in parsed.headers if h and h not in declared]
        dropped = [h for h in (*item_headers, *extra) if h not in self.included and h in parsed.headers]
        for _number, raw in parsed.rows:
            for header in dropped:
                raw.pop(header, None)
        self.options["ignored_columns"] = dropped
        return parsed

    def preview_notes(self, rows) -> list[str]:
        ignored = self.options.get("ignored_columns") or []
        if not ignored:
            return []
        return [
            _("Not counted in the base (not a pay item of the rule): %(cols)s.")
            % {"cols": "、".join(f"「{h}」" for h in ignored)}
        ]

    # -- checking ----------------------------------------------------------------------------------
    def prepare(self) -> None:
        h = self.hospital
        self.persons = {
            p.staff_no: p
            for p in Person.objects.restrict(self.user, VIEW)
            .filter(hospital=h)
            .only("pk", "staff_no", "name")
        }
        self.memberships = {
            m.person_id: m
            for m in Membership.objects.restrict(self.user, CHANGE, area="dues")
            .filter(person__hospital=h)
            .select_related("person", "organization")
        }
        self.with_base = set(
            DuesBase.objects.filter(membership__person__hospital=h, year=self.year).values_list(
                "membership_id", flat=True
            )
        )

    def check(self, rows, progress=None):
        with services.cached_rules():  # the brackets and items once, not per row
            return super().check(rows, progress)

    def build(self, row: Row, values: dict):
        staff_no = values["staff_no"]
        membership = None
        if staff_no and self.unique_in_file(row, "staff_no", staff_no):
            person = self.persons.get(staff_no)
            membership = self.memberships.get(person.pk) if person is not None else None
            if person is None:
                row.error("工号", _("No person with staff number “%(no)s” in your scope.") % {"no": staff_no})
            elif values["name"] and values["name"] != person.name:
                row.error(
                    "姓名",
                    _("Staff number %(no)s is %(name)s, not %(given)s.")
                    % {"no": staff_no, "name": person.name, "given": values["name"]},
                )
                membership = None
            elif membership is None or membership.stage not in MEMBER_STAGES:
                row.error("工号", _("%(name)s is not a Party member in your scope.") % {"name": person.name})
                membership = None
            elif membership.pk in self.with_base:
                row.error(
                    "工号",
                    _("%(name)s already has a base for %(year)d; change it on the base's page.")
                    % {"name": person.name, "year": self.year},
                )
                membership = None
        items = {}
        for header in self.included:
            raw = row.raw.get(header)
            column = self.column_for(f"item:{header}")
            if column is not None:
                value = values.get(f"item:{header}")  # parsed (or refused) by the column's parser
            elif raw in (None, ""):
                value = None
            else:
                try:
                    value = money(raw)
                except CellError as exc:
                    row.error(header, str(exc))
                    value = None
            if value is not None:
                items[header] = value
        cell_errors = {e.column for e in row.errors}
        if membership is None or cell_errors & {BASE_HEADER, "类别", *self.included}:
            return None
        category = values["category"] or DuesCategory.SALARIED
        try:
            base, included, _ignored, amount = services.compute_base(
                membership, self.year, category=category, base=values["base"], items=items or None
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = {"base": BASE_HEADER, "category": "类别"}.get(name, "")
                for message in messages:
                    row.error(column, message)
            return None
        return DuesBase(
            membership=membership,
            year=self.year,
            category=category,
            base=base,
            items=included,
            rate=amount.rate,
            monthly=amount.monthly,
            created_by=self.user,
        )
