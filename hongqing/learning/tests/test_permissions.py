"""The permission contracts of the learning pages and API: plans, sessions, material, attendance,
check-ins, self-study, quizzes, attempts and answers (secretary A against branch B; the Party office
against hospital H2), and the question bank (hospital-wide roles only)."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.context import disable_auditlog
from django.utils import timezone

from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world
from hongqing.learning.choices import PlanLevel, QuestionKind, SessionKind
from hongqing.learning.models import (
    CheckIn,
    Question,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    SelfStudy,
    StudyAttendance,
    StudyMaterial,
    StudyPlan,
    StudyPlanItem,
    StudySession,
)

from .learning_records import PDF, YEAR, add_learning_records, upload


class LearningWorld:
    @pytest.fixture
    def world(self, db, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        with disable_auditlog():
            return add_learning_records(add_records(build_world()))


def local(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


# Plans ---------------------------------------------------------------------------------------------
class PlanCase(LearningWorld):
    model = StudyPlan
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"title": "改过的学习清单"}

    def in_scope(self, world):
        return world.lrec.plan_a

    def elsewhere(self, world):
        return world.lrec.plan_b

    def export_marker(self, obj):
        return obj.title

    def create_data(self, world):
        return {
            "organization": world.branch_a.pk,
            "level": PlanLevel.MEMBER,
            "year": YEAR,
            "title": "新学习清单",
        }

    def created(self, world):
        return StudyPlan.objects.filter(title="新学习清单")

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.branch_b.pk}

    api_create_data = create_data
    api_created = created
    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b, world.committee]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        return StudyPlan.objects.create(
            organization=world.branch_a, level=PlanLevel.MEMBER, year=YEAR, title="可删"
        )


class TestPlanPages(PlanCase, PageContract):
    pass


class TestPlanApi(PlanCase, ApiContract):
    api_list = "/api/learning/study-plans/"


class PlanItemCase(LearningWorld):
    model = StudyPlanItem
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"topic": "改过的专题"}

    def in_scope(self, world):
        return world.lrec.item_a

    def elsewhere(self, world):
        return world.lrec.item_b

    def create_data(self, world):
        return {"plan": world.lrec.plan_a.pk, "order": 2, "topic": "新专题", "month": 5, "hours": "2"}

    def created(self, world):
        return StudyPlanItem.objects.filter(topic="新专题")

    def create_outside_data(self, world):
        return {**self.create_data(world), "plan": world.lrec.plan_b.pk}

    api_create_data = create_data
    api_created = created
    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"plan": [world.lrec.plan_b, world.lrec.plan_h2]}

    def deletable(self, world):
        return StudyPlanItem.objects.create(plan=world.lrec.plan_a, topic="可删专题")


class TestPlanItemPages(PlanItemCase, PageContract):
    pass


class TestPlanItemApi(PlanItemCase, ApiContract):
    api_list = "/api/learning/study-plan-items/"


# Sessions ------------------------------------------------------------------------------------------
class SessionCase(LearningWorld):
    model = StudySession
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"place": "党员之家"}

    def in_scope(self, world):
        return world.lrec.session_a

    def elsewhere(self, world):
        return world.lrec.session_b

    def export_marker(self, obj):
        return obj.title

    def create_data(self, world):
        start = timezone.now() + dt.timedelta(days=3)
        return {
            "organization": world.branch_a.pk,
            "kind": SessionKind.NIGHT_SCHOOL,
            "mode": "lead",
            "title": "新建的夜校",
            "start": local(start),
            "end": local(start + dt.timedelta(hours=2)),
            "hours": "2",
            "place": "示教室",
        }

    def created(self, world):
        return StudySession.objects.filter(title__startswith="新建的夜校")

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.branch_b.pk}

    def api_create_data(self, world):
        start = timezone.now() + dt.timedelta(days=3)
        return {
            "organization": world.branch_a.pk,
            "kind": SessionKind.NIGHT_SCHOOL,
            "title": "新建的夜校（接口）",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=2)).isoformat(),
            "hours": "2.0",
        }

    api_created = created

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organization": world.branch_b.pk}

    def forbidden_choices(self, world):
        return {
            "organization": [world.branch_b, world.committee],
            "audience_persons": [world.person_b, world.person_h2],
            "plan_items": [world.lrec.item_b, world.lrec.item_h2],
        }

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        return world.lrec.upcoming_a

    def member_own(self, world):
        return world.lrec.session_a  # attended

    def member_other(self, world):
        return world.lrec.session_b


class TestSessionPages(SessionCase, PageContract):
    pass


class TestSessionApi(SessionCase, ApiContract):
    api_list = "/api/learning/study-sessions/"


class SessionOfficeCase(SessionCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.lrec.session_h2

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.rec.branch_h2.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organization": world.rec.branch_h2.pk}

    def forbidden_choices(self, world):
        return {"organization": [world.rec.branch_h2], "audience_persons": [world.person_h2]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.rec.branch_h2]}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.lrec.session_h2


class TestSessionOfficePages(SessionOfficeCase, PageContract):
    pass


class TestSessionOfficeApi(SessionOfficeCase, ApiContract):
    api_list = "/api/learning/study-sessions/"


# Material: downloaded through the scope ---------------------------------------------------------------
class MaterialCase(LearningWorld):
    model = StudyMaterial
    viewer = editor = "secretary_a"
    api_changes = {"name": "改名的课件.pdf"}

    def in_scope(self, world):
        return world.lrec.material_a

    def elsewhere(self, world):
        return world.lrec.material_b

    def deletable(self, world):
        return StudyMaterial.objects.create(
            session=world.lrec.session_a, file=upload("删.pdf", PDF), name="删.pdf"
        )

    def member_own(self, world):
        return world.lrec.material_a

    def member_other(self, world):
        return world.lrec.material_b


class TestMaterialPages(MaterialCase, PageContract):
    pass


class TestMaterialApi(MaterialCase, ApiContract):
    api_list = "/api/learning/study-materials/"


# Attendance and check-ins: read here; recorded through the session's roster and check-in --------------
class AttendanceCase(LearningWorld):
    model = StudyAttendance
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.lrec.attendance_a

    def elsewhere(self, world):
        return world.lrec.attendance_b

    def export_marker(self, obj):
        return obj.person.name

    def member_own(self, world):
        return world.lrec.attendance_a

    def member_other(self, world):
        # At the same session: a member sees their own row, not the others'.
        return world.lrec.attendance_sec_a


class TestAttendancePages(AttendanceCase, PageContract):
    pass


class TestAttendanceApi(AttendanceCase, ApiContract):
    api_list = "/api/learning/study-attendances/"
    read_only = True


class TestCheckInApi(LearningWorld, ApiContract):
    model = CheckIn
    viewer = "secretary_a"
    editor = None
    read_only = True
    api_list = "/api/learning/check-ins/"

    def in_scope(self, world):
        return world.lrec.checkin_a

    def elsewhere(self, world):
        return world.lrec.checkin_b

    def member_own(self, world):
        return world.lrec.checkin_a

    def member_other(self, world):
        return world.lrec.checkin_b


# Self-study ------------------------------------------------------------------------------------------
class SelfStudyCase(LearningWorld):
    model = SelfStudy
    viewer = "secretary_a"
    editor = None  # entered by the member, reviewed through the services

    def in_scope(self, world):
        return world.lrec.selfstudy_a

    def elsewhere(self, world):
        return world.lrec.selfstudy_b

    def export_marker(self, obj):
        return obj.title

    def member_own(self, world):
        return world.lrec.selfstudy_a

    def member_other(self, world):
        return world.lrec.selfstudy_sec_a


class TestSelfStudyPages(SelfStudyCase, PageContract):
    pass


class TestSelfStudyApi(SelfStudyCase, ApiContract):
    api_list = "/api/learning/self-studies/"
    read_only = True  # written through the actions: submit, confirm, reject, withdraw


# The question bank: the hospital's (hospital-wide roles) ------------------------------------------------
class QuestionCase(LearningWorld):
    model = Question
    viewer = editor = "office"
    edit_changes = api_changes = {"explanation": "改过的解析"}

    def in_scope(self, world):
        return world.lrec.question_h

    def elsewhere(self, world):
        return world.lrec.question_h2

    def export_marker(self, obj):
        return obj.text

    def create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "kind": QuestionKind.SINGLE,
            "text": "新题：党的根本宗旨是什么？",
            "option_a": "全心全意为人民服务",
            "option_b": "发展经济",
            "answer": "A",
            "tags": "党章",
            "active": "on",
        }

    def created(self, world):
        return Question.objects.filter(text__startswith="新题")

    def create_outside_data(self, world):
        return {**self.create_data(world), "hospital": world.hospital2.pk}

    def api_create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "kind": QuestionKind.SINGLE,
            "text": "新题（接口）",
            "options": ["甲", "乙"],
            "answer": "B",
        }

    api_created = created

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "hospital": world.hospital2.pk}

    def forbidden_choices(self, world):
        return {"hospital": [world.hospital2]}

    def deletable(self, world):
        return Question.objects.create(
            hospital=world.hospital,
            kind=QuestionKind.TRUE_FALSE,
            text="可删",
            answer="A",
            options=["正确", "错误"],
        )


class TestQuestionPages(QuestionCase, PageContract):
    pass


class TestQuestionApi(QuestionCase, ApiContract):
    api_list = "/api/learning/questions/"


@pytest.mark.parametrize("persona", ["secretary_a", "member_a"])
def test_branch_roles_and_members_see_nothing_of_the_bank(db, client, persona, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with disable_auditlog():
        world = add_learning_records(add_records(build_world()))
    client.force_login(getattr(world, persona))
    q = world.lrec.question_h
    assert client.get(q.get_absolute_url()).status_code == 404
    response = client.get("/api/learning/questions/")
    assert response.status_code == 200 and response.json()["results"] == []


# Quizzes, attempts and answers ------------------------------------------------------------------------
class QuizCase(LearningWorld):
    model = Quiz
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"title": "改过的快问快答"}

    def in_scope(self, world):
        return world.lrec.quiz_a

    def elsewhere(self, world):
        return world.lrec.quiz_b

    def export_marker(self, obj):
        return obj.title

    def editable(self, world):
        # A quiz nobody has started (the contract's edit changes the title only).
        return world.lrec.quiz_a

    def create_data(self, world):
        now = timezone.now()
        return {
            "organization": world.branch_a.pk,
            "title": "新的快问快答",
            "tags": "党史",
            "question_count": 1,
            "time_limit_minutes": 5,
            "opens_at": local(now),
            "closes_at": local(now + dt.timedelta(days=2)),
        }

    def created(self, world):
        return Quiz.objects.filter(title="新的快问快答")

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.branch_b.pk}

    def api_create_data(self, world):
        now = timezone.now()
        return {
            "organization": world.branch_a.pk,
            "title": "新的快问快答",
            "question_count": 1,
            "time_limit_minutes": 5,
            "opens_at": now.isoformat(),
            "closes_at": (now + dt.timedelta(days=2)).isoformat(),
        }

    api_created = created

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organization": world.branch_b.pk}

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b, world.committee]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        now = timezone.now()
        return Quiz.objects.create(
            organization=world.branch_a, title="可删", opens_at=now, closes_at=now + dt.timedelta(days=1)
        )

    def member_own(self, world):
        return world.lrec.quiz_a

    def member_other(self, world):
        return world.lrec.quiz_b


class TestQuizPages(QuizCase, PageContract):
    pass


class TestQuizApi(QuizCase, ApiContract):
    api_list = "/api/learning/quizzes/"


class AttemptCase(LearningWorld):
    model = QuizAttempt
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.lrec.attempt_a

    def elsewhere(self, world):
        return world.lrec.attempt_b

    def export_marker(self, obj):
        return obj.person.name

    def member_own(self, world):
        return world.lrec.attempt_a

    def member_other(self, world):
        return world.lrec.attempt_sec_a  # the same quiz, another member's answers


class TestAttemptPages(AttemptCase, PageContract):
    pass


class TestAttemptApi(AttemptCase, ApiContract):
    api_list = "/api/learning/quiz-attempts/"
    read_only = True


class TestAnswerApi(LearningWorld, ApiContract):
    model = QuizAnswer
    viewer = "secretary_a"
    editor = None
    read_only = True
    api_list = "/api/learning/quiz-answers/"

    def in_scope(self, world):
        return world.lrec.answer_a

    def elsewhere(self, world):
        return world.lrec.answer_b

    def member_own(self, world):
        return world.lrec.answer_a

    def member_other(self, world):
        return world.lrec.answer_sec_a
