from . import appraisal, dues, duties, meetings, talks

app_name = "party-api"
urlpatterns = [
    *meetings.router.urls,
    *duties.router.urls,
    *dues.router.urls,
    *appraisal.router.urls,
    *talks.router.urls,
]
