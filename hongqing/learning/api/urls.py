"""/api/learning/…: every learning record, scoped like the pages (no API root: see the schema)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("study-plans", views.StudyPlanViewSet)
router.register("study-plan-items", views.StudyPlanItemViewSet)
router.register("study-sessions", views.StudySessionViewSet)
router.register("study-materials", views.StudyMaterialViewSet)
router.register("study-attendances", views.StudyAttendanceViewSet)
router.register("check-ins", views.CheckInViewSet)
router.register("self-studies", views.SelfStudyViewSet)
router.register("questions", views.QuestionViewSet)
router.register("quizzes", views.QuizViewSet)
router.register("quiz-attempts", views.QuizAttemptViewSet)
router.register("quiz-answers", views.QuizAnswerViewSet)
router.register("hours", views.HoursViewSet, basename="hours")
router.register("completion", views.CompletionViewSet, basename="completion")

app_name = "learning-api"
urlpatterns = router.urls
