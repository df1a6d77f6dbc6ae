from .views import router

app_name = "assessment-api"
urlpatterns = router.urls
