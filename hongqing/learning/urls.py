"""Learning (学习): study plans, sessions and check-in, self-study, hours, quizzes."""

from .views import plans, quizzes, sessions, study

app_name = "learning"
urlpatterns = [*plans.urlpatterns, *sessions.urlpatterns, *study.urlpatterns, *quizzes.urlpatterns]

# The app's ready() imports it too; here as well so the menu and panels exist wherever the URLs load.
from . import panels  # noqa: E402, F401
