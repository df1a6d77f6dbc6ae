"""Party-work pages: appraisal. (Each area's views and URL patterns live in its own module.)"""

urlpatterns: list = []
