app_name = "points-api"
urlpatterns: list = []
