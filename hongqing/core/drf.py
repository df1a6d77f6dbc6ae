"""Settings-level DRF classes, kept apart from viewsets: DRF imports them while it is loading."""

from rest_framework import pagination, permissions

from .scoping import CHANGE, VIEW, has_permission


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedPermission(permissions.BasePermission):
    """403 when no grant covers the model's area for the action; scoping gives 404 beyond that."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None) or getattr(view, "model", None)
        if model is None:
            return True
        action = VIEW if request.method in permissions.SAFE_METHODS else CHANGE
        return has_permission(request.user, model, action)
