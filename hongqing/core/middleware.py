"""Request id (the audit log's correlation id) and the idle-session timeout."""

import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

_request_id: ContextVar[str | None] = ContextVar("hongqing_request_id", default=None)


def get_request_id() -> str | None:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        request.id = rid[:64]
        token = _request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-Id"] = request.id
        return response


class RuleCacheMiddleware:
    """Each rule read once per request (core.rules.cached_rules)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .rules import cached_rules

        with cached_rules():
            return self.get_response(request)


class IdleTimeoutMiddleware:
    """Log a session out after SESSION_IDLE_SECONDS without a request."""

    KEY = "_hq_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}&idle=1")
            # Write at most once a minute: a session save per request would be a write per click.
            if last is None or now - int(last) >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


class ChosenLanguageMiddleware:
    """zh-hans unless the user chose another language (the language cookie set by the switcher).

    Django's LocaleMiddleware follows the browser's Accept-Language, so a ward PC with an English
    Windows would show English; hospitals want Chinese by default and English only on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not chosen or not translation.check_for_language(chosen):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
