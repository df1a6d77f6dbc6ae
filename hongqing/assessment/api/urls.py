app_name = "assessment-api"
urlpatterns: list = []
