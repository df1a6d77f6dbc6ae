"""Excel import of the question bank: a sheet with missing options, a wrong answer, an unknown kind →
row-by-row errors and nothing written; a good sheet → all written, after the confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hongqing.core.choices import ImportStatus
from hongqing.core.testing.imports import read_sheets, upload, xlsx_bytes
from hongqing.learning.choices import QuestionKind
from hongqing.learning.models import Question

from .learning_records import question

URL = reverse("learning:question_import")
HEADERS = ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "标签"]


def row(kind, text, options, answer, explanation="", tags="党史"):
    options = list(options) + [None] * (6 - len(options))
    return [kind, text, *options, answer, explanation, tags]


GOOD = [
    row(
        "单选",
        "中国共产党第一次全国代表大会在哪一年召开？",
        ["1919年", "1921年", "1927年", "1949年"],
        "B",
        "1921年7月。",
    ),
    row(
        "多选",
        "“四个意识”包括哪些？",
        ["政治意识", "大局意识", "核心意识", "看齐意识", "服务意识"],
        "ABCD",
        tags="党的理论、四个意识",
    ),
    row("判断", "党的最高理想和最终目标是实现共产主义。", [], "对"),
    row("判断题", "预备党员的预备期为两年。", [], "错", "预备期为一年。"),
]


def send(client, world, rows, headers=HEADERS):
    client.force_login(world.office)
    return client.post(URL, {"file": upload(xlsx_bytes(headers, rows))})


def test_the_template_has_the_columns_and_the_instructions(client, world):
    client.force_login(world.office)
    response = client.get(URL + "?template=1")
    assert response.status_code == 200
    sheets = read_sheets(response.content)
    first = next(iter(sheets.values()))
    assert list(first[0][: len(HEADERS)]) == HEADERS
    assert any("单选" in str(r) for r in sheets["说明"])


def test_a_good_sheet_writes_every_question_once_confirmed(client, world):
    response = send(client, world, GOOD)
    assert response.status_code == 200, response.context.get("errors")
    job = response.context["job"]
    assert job.status == ImportStatus.VALIDATED
    assert not Question.objects.exists()  # nothing before the confirmation
    response = client.post(URL, {"confirm": "1", "job": job.pk})
    assert response.status_code == 302
    rows = {q.text: q for q in Question.objects.filter(hospital=world.hospital)}
    assert len(rows) == 4
    multi = rows["“四个意识”包括哪些？"]
    assert (multi.kind, multi.answer, len(multi.options), multi.tag_index) == (
        QuestionKind.MULTIPLE,
        "ABCD",
        5,
        "|党的理论|四个意识|",
    )
    tf = rows["预备党员的预备期为两年。"]
    assert (tf.kind, tf.answer, tf.options, tf.explanation) == (
        QuestionKind.TRUE_FALSE,
        "B",
        ["正确", "错误"],
        "预备期为一年。",
    )


def test_a_bad_sheet_gives_its_errors_row_by_row_and_writes_nothing(client, world):
    question(world.hospital, text="已在题库中的题")
    rows = [
        GOOD[0],
        row("单选", "只有一个选项的题", ["甲"], "A"),  # row 3: missing options
        row("单选", "答案不在选项中", ["甲", "乙", "丙"], "D"),  # row 4: an answer that is not an option
        row("填空", "未知题型", ["甲", "乙"], "A"),  # row 5: an unknown kind
        row("单选", "选项中间有空", ["甲", None, "丙"], "A"),  # row 6: a gap
        row("多选", "多选只有一个答案", ["甲", "乙", "丙"], "A"),  # row 7
        row("判断", "判断题答案不对", [], "也许"),  # row 8
        row("单选", "已在题库中的题", ["甲", "乙"], "A"),  # row 9: already in the bank
        row("单选", None, ["甲", "乙"], None),  # row 10: no text, no answer
    ]
    response = send(client, world, rows)
    assert response.status_code == 422
    errors = {(e["row"], e["column"]) for e in response.context["job"].errors}
    assert (3, "选项B") in errors
    assert (4, "答案") in errors
    assert (5, "题型") in errors
    assert (6, "选项B") in errors
    assert (7, "答案") in errors
    assert (8, "答案") in errors
    assert (9, "题目") in errors
    assert {(10, "题目"), (10, "答案")} <= errors
    assert not any(r == 2 for r, _c in errors)
    html = response.content.decode()
    assert "第3行" in html and "至少需要两个选项" in html and "不在选项之中" in html
    assert Question.objects.count() == 1  # only the one that was there


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "auditor"])
def test_only_the_hospital_wide_roles_import_questions(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.post(URL, {"file": upload(xlsx_bytes(HEADERS, GOOD[:1]))})
    if response.status_code == 200:  # a secretary may open the page: the rows are outside their scope
        job = response.context["job"]
        response = client.post(URL, {"confirm": "1", "job": job.pk})
        assert response.status_code == 422
    else:
        assert response.status_code == 403
    assert not Question.objects.exists()
