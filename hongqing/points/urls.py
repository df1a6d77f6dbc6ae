"""Points (积分), volunteering and honours."""

app_name = "points"
urlpatterns: list = []
