"""Helpers of the learning tests (no tests here): sessions, attendance, questions, quizzes, and one
record of each model in branch A, branch B and hospital H2 for the permission contracts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hongqing.core.testing.world import make_member, make_person
from hongqing.learning.choices import (
    PlanLevel,
    QuestionKind,
    SelfStudyStatus,
    SessionKind,
    StudyAttendanceStatus,
)
from hongqing.learning.models import (
    CheckIn,
    Question,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizQuestion,
    SelfStudy,
    StudyAttendance,
    StudyMaterial,
    StudyPlan,
    StudyPlanItem,
    StudySession,
)
from hongqing.people.choices import Stage

YEAR = 2025  # a past year: every session of it may have attendance
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = YEAR) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def session(
    org, start=None, hours="2", title="测试学习", kind=SessionKind.LECTURE, minutes=120, **kw
) -> StudySession:
    start = start or at(3, 10)
    return StudySession.objects.create(
        organization=org,
        kind=kind,
        title=title,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        hours=Decimal(hours),
        **kw,
    )


def attend(s, persons, status=StudyAttendanceStatus.PRESENT, hours=None, **kw) -> list[StudyAttendance]:
    rows = []
    for p in persons:
        a = StudyAttendance(
            session=s, person=p, status=status, hours=Decimal(hours) if hours else s.hours, **kw
        )
        if status in (StudyAttendanceStatus.LEAVE, StudyAttendanceStatus.ABSENT) and not a.reason:
            a.reason = "值班"
        if status == StudyAttendanceStatus.MAKEUP:
            a.makeup_on = a.makeup_on or s.local_date + dt.timedelta(days=2)
            a.makeup_note = a.makeup_note or "观看录像补学"
        a.save()
        rows.append(a)
    return rows


def self_study(
    person, hours="3", status=SelfStudyStatus.PENDING, on=None, title="《习近平谈治国理政》"
) -> SelfStudy:
    return SelfStudy.objects.create(
        person=person, title=title, studied_on=on or dt.date(YEAR, 4, 1), hours=Decimal(hours), status=status
    )


def members(world, org, n: int, dept=None, stage=Stage.FULL) -> list:
    out = []
    for i in range(n):
        p = make_person(world.hospital, dept or world.dept_a, f"学员{i:02d}")
        make_member(p, org, stage=stage)
        out.append(p)
    return out


def question(
    hospital, kind=QuestionKind.SINGLE, answer="A", options=None, tags="党史", text=None, **kw
) -> Question:
    if options is None:
        options = [] if kind == QuestionKind.TRUE_FALSE else ["甲", "乙", "丙", "丁"]
    q = Question(
        hospital=hospital,
        kind=kind,
        text=text or f"测试题目（{kind}）",
        options=options,
        answer=answer,
        tags=tags,
        explanation=kw.pop("explanation", "解析：见党章。"),
        **kw,
    )
    q.full_clean()
    q.save()
    return q


def quiz(org, questions, opens=None, closes=None, minutes=10, **kw) -> Quiz:
    now = timezone.now()
    qz = Quiz.objects.create(
        organization=org,
        title=kw.pop("title", "党史快问快答"),
        question_count=len(questions),
        time_limit_minutes=minutes,
        opens_at=opens or now - dt.timedelta(hours=1),
        closes_at=closes or now + dt.timedelta(days=1),
        **kw,
    )
    QuizQuestion.objects.bulk_create(
        [QuizQuestion(quiz=qz, question=q, order=i) for i, q in enumerate(questions, start=1)]
    )
    return qz


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@dataclass
class LearningRecords:
    plan_a: StudyPlan
    plan_b: StudyPlan
    plan_h2: StudyPlan
    item_a: StudyPlanItem
    item_b: StudyPlanItem
    item_h2: StudyPlanItem
    session_a: StudySession
    session_b: StudySession
    session_h2: StudySession
    upcoming_a: StudySession  # nothing recorded: deletable
    attendance_a: StudyAttendance  # member_a's own
    attendance_sec_a: StudyAttendance  # secretary A's (member_a does not see it)
    attendance_b: StudyAttendance
    attendance_h2: StudyAttendance
    checkin_a: CheckIn
    checkin_b: CheckIn
    checkin_h2: CheckIn
    material_a: StudyMaterial
    material_b: StudyMaterial
    material_h2: StudyMaterial
    selfstudy_a: SelfStudy  # member_a's, pending
    selfstudy_sec_a: SelfStudy
    selfstudy_b: SelfStudy
    selfstudy_h2: SelfStudy
    question_h: Question
    question_h2: Question
    quiz_a: Quiz
    quiz_b: Quiz
    quiz_h2: Quiz
    attempt_a: QuizAttempt  # member_a's
    attempt_sec_a: QuizAttempt
    attempt_b: QuizAttempt
    attempt_h2: QuizAttempt
    answer_a: QuizAnswer
    answer_sec_a: QuizAnswer
    answer_b: QuizAnswer
    answer_h2: QuizAnswer


def add_learning_records(world):
    """Plans, sessions (with attendance, a check-in and a file), self-study, questions, quizzes with
    attempts and answers — of branch A, branch B and hospital H2 (``world.lrec``)."""
    rec = world.rec
    sec_a = world.secretary_a.person
    h, h2 = world.hospital, world.hospital2
    plans = [
        StudyPlan.objects.create(organization=o, level=PlanLevel.BRANCH, year=YEAR, title=f"{name}学习清单")
        for o, name in ((world.branch_a, "甲支部"), (world.branch_b, "乙支部"), (rec.branch_h2, "外院"))
    ]
    items = [StudyPlanItem.objects.create(plan=p, topic=f"{p.title}专题", month=3, hours=2) for p in plans]
    sa = session(world.branch_a, title="甲支部夜校")
    sb = session(world.branch_b, title="乙支部夜校")
    sh2 = session(rec.branch_h2, title="外院夜校")
    upcoming = session(world.branch_a, start=timezone.now() + dt.timedelta(days=7), title="甲支部下周晨会")
    for s, item in zip((sa, sb, sh2), items, strict=True):
        s.plan_items.add(item)
    att_a, att_sec_a = attend(sa, [world.person_a, sec_a])
    (att_b,) = attend(sb, [world.person_b])
    (att_h2,) = attend(sh2, [world.person_h2])

    def proof(att, n):
        return CheckIn.objects.create(
            session=att.session,
            person=att.person,
            attendance=att,
            at=att.session.start,
            code_step=n,
            nonce=f"n{n}",
        )

    files = [
        StudyMaterial.objects.create(session=s, file=upload(f"{s.title}.pdf", PDF), name=f"{s.title}.pdf")
        for s in (sa, sb, sh2)
    ]
    qh = question(
        h, text="中国共产党成立于哪一年？", options=["1919年", "1921年", "1927年", "1949年"], answer="B"
    )
    qh2 = question(h2, text="外院题目：遵义会议召开于哪一年？", options=["1934年", "1935年"], answer="B")
    qa = quiz(world.branch_a, [qh], title="甲支部快问快答")
    qb = quiz(world.branch_b, [qh], title="乙支部快问快答")
    qz_h2 = quiz(rec.branch_h2, [qh2], title="外院快问快答")
    now = timezone.now()

    def attempt(qz, person, chosen):
        a = QuizAttempt.objects.create(
            quiz=qz,
            person=person,
            started_at=now - dt.timedelta(minutes=5),
            deadline=now + dt.timedelta(minutes=5),
            submitted_at=now,
            score=Decimal(1 if chosen == "B" else 0),
            max_score=Decimal(1),
        )
        ans = QuizAnswer.objects.create(
            attempt=a,
            question=qz.quiz_questions.first().question,
            chosen=chosen,
            answered_at=now,
            correct=chosen == "B",
            points=Decimal(1 if chosen == "B" else 0),
        )
        return a, ans

    at_a, an_a = attempt(qa, world.person_a, "B")
    at_sec_a, an_sec_a = attempt(qa, sec_a, "A")
    at_b, an_b = attempt(qb, world.person_b, "B")
    at_h2, an_h2 = attempt(qz_h2, world.person_h2, "B")
    world.lrec = LearningRecords(
        plan_a=plans[0],
        plan_b=plans[1],
        plan_h2=plans[2],
        item_a=items[0],
        item_b=items[1],
        item_h2=items[2],
        session_a=sa,
        session_b=sb,
        session_h2=sh2,
        upcoming_a=upcoming,
        attendance_a=att_a,
        attendance_sec_a=att_sec_a,
        attendance_b=att_b,
        attendance_h2=att_h2,
        checkin_a=proof(att_a, 1),
        checkin_b=proof(att_b, 2),
        checkin_h2=proof(att_h2, 3),
        material_a=files[0],
        material_b=files[1],
        material_h2=files[2],
        selfstudy_a=self_study(world.person_a, title="甲支部党员自学"),
        selfstudy_sec_a=self_study(sec_a, title="甲支部书记自学"),
        selfstudy_b=self_study(world.person_b, title="乙支部党员自学"),
        selfstudy_h2=self_study(world.person_h2, title="外院党员自学"),
        question_h=qh,
        question_h2=qh2,
        quiz_a=qa,
        quiz_b=qb,
        quiz_h2=qz_h2,
        attempt_a=at_a,
        attempt_sec_a=at_sec_a,
        attempt_b=at_b,
        attempt_h2=at_h2,
        answer_a=an_a,
        answer_sec_a=an_sec_a,
        answer_b=an_b,
        answer_h2=an_h2,
    )
    return world
