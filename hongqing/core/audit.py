"""One audit table (django-auditlog's LogEntry), two levels.

- Field diffs: every model of HongQing's apps is registered, so each create, update and delete
  made in a request is logged with the actor, IP and request id (the correlation id).
- Named events: logins, logouts, failed logins, unmasked views of sensitive fields and business
  events (``log_event``) are LogEntry rows whose ``additional_data`` carries ``{"event": name}``.

Entries are never edited or deleted by the application: no page or API offers it.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

from .middleware import get_request_id

HQ_APP_PREFIX = "hongqing."
# Sensitive fields never appear in clear in the change log, each with its mask: an ID number as
# everywhere else (region and last four), anything else entirely. auditlog's default mask showed
# the last half, i.e. an ID number's birth date.
MASKED_FIELDS = {"id_number": "hongqing.core.idnumber.mask", "password": "hongqing.core.audit.mask_all"}


def mask_all(value: str) -> str:
    return "******" if value else ""


def register_models() -> None:
    for model in apps.get_models():
        config = apps.get_app_config(model._meta.app_label)
        if not config.name.startswith(HQ_APP_PREFIX) or model._meta.abstract:
            continue
        if getattr(model, "audit_exclude", False) or auditlog.contains(model):
            continue
        m2m = [f.name for f in model._meta.many_to_many]
        fields = {f.name for f in model._meta.get_fields()}
        masked = [f for f in MASKED_FIELDS if f in fields]
        auditlog.register(
            model,
            m2m_fields=set(m2m),
            mask_fields=masked,
            # One mask per model (auditlog's limit): no model has two kinds of sensitive field.
            mask_callable=MASKED_FIELDS[masked[0]] if masked else None,
            exclude_fields=["updated", "last_login"],
        )


def client_ip(request) -> str | None:
    if request is None:
        return None
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


def log_event(event: str, *, actor=None, obj=None, request=None, data: dict | None = None, repr_: str = ""):
    """Write a named event (a login, an unmasked view, a business action) to the audit table."""
    # obj._meta, not type(obj): on logout the user is request.user, a SimpleLazyObject.
    model = obj._meta.model if obj is not None else get_user_model()
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(obj.pk) if obj is not None else "",
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr=(repr_ or str(obj) if obj is not None else repr_)[:200],
        action=LogEntry.Action.ACCESS,
        changes={},
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        remote_addr=client_ip(request),
        cid=getattr(request, "id", None) or get_request_id(),
        additional_data={"event": event, **(data or {})},
    )


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    via = kwargs.get("via")  # "token": an API token was issued (accounts.views.TokenLoginView)
    log_event("login", actor=user, obj=user, request=request, data={"via": via} if via else None)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        log_event("logout", actor=user, obj=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    log_event(
        "login_failed", request=request, repr_=str(username)[:150], data={"username": str(username)[:150]}
    )
