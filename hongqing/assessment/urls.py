"""Assessment (考核): indicators, values, schemes, dual scorecards, responsibility lists, the cockpit."""

app_name = "assessment"
urlpatterns: list = []
