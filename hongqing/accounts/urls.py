from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("core:home")
        ),
        name="password_change",
    ),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/add/", views.UserEditView.as_view(), name="user_add"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/unlock/", views.UnlockView.as_view(), name="user_unlock"),
    path("roles/add/", views.RoleAssignmentEditView.as_view(), name="roleassignment_add"),
    path("roles/<int:pk>/edit/", views.RoleAssignmentEditView.as_view(), name="roleassignment_edit"),
    path("audit/", views.AuditLogView.as_view(), name="audit_log"),
]
