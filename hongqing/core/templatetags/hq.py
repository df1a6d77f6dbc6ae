from auditlog.models import LogEntry
from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

EVENT_LABELS = {
    "login": gettext_noop("Logged in"),
    "logout": gettext_noop("Logged out"),
    "login_failed": gettext_noop("Failed login"),
    "unmask": gettext_noop("Viewed unmasked"),
}


@register.filter
def log_action(entry: LogEntry) -> str:
    event = (entry.additional_data or {}).get("event") if isinstance(entry.additional_data, dict) else None
    if event:
        return _(EVENT_LABELS.get(event, event))
    return {
        LogEntry.Action.CREATE: _("Created"),
        LogEntry.Action.UPDATE: _("Changed"),
        LogEntry.Action.DELETE: _("Deleted"),
        LogEntry.Action.ACCESS: _("Accessed"),
    }.get(entry.action, str(entry.action))


@register.filter
def log_changes(entry: LogEntry):
    changes = entry.changes_dict if hasattr(entry, "changes_dict") else {}
    out = []
    for field, pair in (changes or {}).items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            out.append((field, pair))
        else:
            out.append((field, ("", pair)))
    return out
