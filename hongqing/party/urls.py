from .views import appraisal, dues, duties, meetings, talks

app_name = "party"
urlpatterns = [
    *meetings.urlpatterns,
    *duties.urlpatterns,
    *dues.urlpatterns,
    *appraisal.urlpatterns,
    *talks.urlpatterns,
]
