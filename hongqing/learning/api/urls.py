app_name = "learning-api"
urlpatterns: list = []
