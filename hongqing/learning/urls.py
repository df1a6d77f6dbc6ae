"""Learning (学习): study plans, sessions and check-in, self-study, hours, quizzes."""

app_name = "learning"
urlpatterns: list = []
