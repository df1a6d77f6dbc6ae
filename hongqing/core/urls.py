from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/<int:pk>/", views.NotificationListView.as_view(), name="notification_open"),
    path("rules/override/", views.RuleOverrideView.as_view(), name="rule_add"),
    path("rules/<int:pk>/override/", views.RuleOverrideView.as_view(), name="rule_edit"),
]
