"""Settings-level DRF classes, kept apart from viewsets: DRF imports them while it is loading."""

from auditlog.context import auditlog_value
from rest_framework import authentication, pagination, permissions

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


class TokenAuthentication(authentication.TokenAuthentication):
    """Token authentication that also names the change log's actor.

    The audit middleware runs before DRF authenticates, so for a token it saw an anonymous user and
    every write made with a token was logged without its author.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            try:
                context = auditlog_value.get()
            except LookupError:  # outside a request (no audit middleware)
                pass
            else:
                if context.get("actor") is None:
                    context["actor"] = result[0]
        return result
