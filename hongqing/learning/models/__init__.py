"""Learning (学习): study plans, sessions with check-in and hours, self-study, quizzes."""

from .plans import StudyPlan, StudyPlanItem
from .quizzes import Question, Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from .selfstudy import SelfStudy
from .sessions import ALLOWED_MATERIAL_EXTENSIONS, CheckIn, StudyAttendance, StudyMaterial, StudySession

__all__ = [
    "ALLOWED_MATERIAL_EXTENSIONS",
    "CheckIn",
    "Question",
    "Quiz",
    "QuizAnswer",
    "QuizAttempt",
    "QuizQuestion",
    "SelfStudy",
    "StudyAttendance",
    "StudyMaterial",
    "StudyPlan",
    "StudyPlanItem",
    "StudySession",
]
