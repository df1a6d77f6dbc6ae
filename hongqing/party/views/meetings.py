"""Party-work pages: meetings. (Each area's views and URL patterns live in its own module.)"""

urlpatterns: list = []
