"""Excel import of the question bank (题库): all rows or none, with the errors row by row.

Columns: 题型 (单选 / 多选 / 判断), 题目, 选项A … 选项F, 答案 (letters; 对/错 for 判断), 解析, 标签.
A choice question needs at least two options without a gap, its answer must be among them, a
single choice has one letter and a multiple choice at least two; the question may not already be in
the hospital's bank (nor twice in the file). The model's ``clean()`` holds the same rules, so the
import refuses what the form refuses.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongqing.core.imports import Choice, ImportColumn, Row
from hongqing.organization.imports import HospitalImport

from .choices import QuestionKind
from .models import Question
from .models.quizzes import LETTERS, normalize_answer

KIND = Choice(
    QuestionKind,
    {
        "单选": QuestionKind.SINGLE,
        "单选题": QuestionKind.SINGLE,
        "单项选择": QuestionKind.SINGLE,
        "多选": QuestionKind.MULTIPLE,
        "多选题": QuestionKind.MULTIPLE,
        "多项选择": QuestionKind.MULTIPLE,
        "判断": QuestionKind.TRUE_FALSE,
        "判断题": QuestionKind.TRUE_FALSE,
    },
)
TRUE_WORDS = {"对", "正确", "是", "√", "T", "TRUE", "Y", "A"}
FALSE_WORDS = {"错", "错误", "否", "×", "X", "F", "FALSE", "N", "B"}
OPTION_HEADERS = [f"选项{c}" for c in LETTERS]


class QuestionImport(HospitalImport):
    model = Question
    columns = [
        ImportColumn("题型", "kind", required=True, parser=KIND, example="单选"),
        ImportColumn("题目", "text", required=True, example="中国共产党第一次全国代表大会在哪一年召开？"),
        *[
            ImportColumn(
                header,
                f"option_{c.lower()}",
                help=gettext_lazy("A choice question needs at least two options, without a gap.")
                if c == "A"
                else "",
                example={"A": "1919年", "B": "1921年", "C": "1927年", "D": "1949年"}.get(c, ""),
            )
            for header, c in zip(OPTION_HEADERS, LETTERS, strict=True)
        ],
        ImportColumn(
            "答案",
            "answer",
            required=True,
            help=gettext_lazy(
                "The letters of the right options (e.g. B, or ACD); for true or false: 对 or 错."
            ),
            example="B",
        ),
        ImportColumn("解析", "explanation", example="1921年7月，中共一大在上海召开，后转至嘉兴南湖。"),
        ImportColumn("标签", "tags", help=gettext_lazy("Several tags separated by 、"), example="党史、建党"),
    ]

    def template_title(self) -> str:
        return str(_("Question bank"))

    def prepare(self) -> None:
        texts = Question.objects.filter(hospital=self.hospital).values_list("text", flat=True)
        self.existing = {" ".join(t.split()) for t in texts}

    def build(self, row: Row, values: dict):
        kind, text = values["kind"], (values["text"] or "").strip()
        broken = False
        key = " ".join(text.split())
        if text and self.unique_in_file(row, "text", key) and key in self.existing:
            row.error("题目", _("This question is already in the bank."))
        options = [values[f"option_{c.lower()}"] for c in LETTERS]
        options = [str(o).strip() if o not in (None, "") else "" for o in options]
        while options and not options[-1]:
            options.pop()
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for i, value in enumerate(options):
                if not value:
                    later = OPTION_HEADERS[len(options) - 1]
                    row.error(
                        OPTION_HEADERS[i],
                        _(
                            "This option is empty but “%(later)s” is filled: fill it in or move the options up."
                        )
                        % {"later": later},
                    )
                    broken = True
            if not broken and len(options) < 2:
                row.error(
                    OPTION_HEADERS[len(options)],
                    _("A choice question needs at least two options (选项A and 选项B)."),
                )
                broken = True
        elif kind == QuestionKind.TRUE_FALSE and any(options):
            row.error(OPTION_HEADERS[0], _("A true-or-false question has no options: leave them empty."))
            broken = True
        answer = self.parse_answer(row, kind, values["answer"], len(options))
        if answer is None or kind is None or broken:
            return None  # its errors are said; the model's rules would only repeat them
        return Question(
            hospital=self.hospital,
            kind=kind,
            text=text,
            options=options,
            answer=answer,
            explanation=(values["explanation"] or "").strip(),
            tags=values["tags"] or "",
            created_by=self.user,
        )

    def parse_answer(self, row: Row, kind, raw, n_options: int) -> str | None:
        if raw in (None, ""):
            return None  # "This column is required." is already said
        text = str(raw).strip().upper()
        if kind == QuestionKind.TRUE_FALSE:
            if text in TRUE_WORDS:
                return "A"
            if text in FALSE_WORDS:
                return "B"
            row.error("答案", _("“%(value)s”: a true-or-false answer is 对 or 错.") % {"value": raw})
            return None
        letters = normalize_answer(text)
        if not letters or len(letters) != len("".join(c for c in text if c.isalnum())):
            row.error("答案", _("“%(value)s” is not a set of option letters (A to F).") % {"value": raw})
            return None
        if kind is None:
            return None
        valid = LETTERS[:n_options]
        wrong = [c for c in letters if c not in valid]
        if wrong:
            row.error(
                "答案",
                _("The answer %(answer)s is not one of the options (%(letters)s).")
                % {"answer": "".join(wrong), "letters": "、".join(valid) or "—"},
            )
            return None
        if kind == QuestionKind.SINGLE and len(letters) != 1:
            row.error("答案", _("A single-choice question has exactly one right option."))
            return None
        if kind == QuestionKind.MULTIPLE and len(letters) < 2:
            row.error("答案", _("A multiple-choice question has at least two right options."))
            return None
        return letters
