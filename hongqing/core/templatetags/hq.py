from auditlog.models import LogEntry
from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignObjectRel
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


def _model_field(entry: LogEntry, name: str):
    model = entry.content_type.model_class() if entry.content_type_id else None
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _shown(field, value):
    """A choice's label instead of its stored code (``F`` → 女); auditlog writes an empty value as "None"."""
    if value == "None":
        return ""
    if field is not None and getattr(field, "choices", None) and value not in (None, ""):
        return dict(field.flatchoices).get(value, value)
    return value


# Bookkeeping a reader of the history has no use for: the tree's materialised path, the row's own id,
# and its creation time (the entry's own time says it, in local time).
HIDDEN_CHANGES = {"id", "path", "depth", "numchild", "created"}


@register.filter
def log_changes(entry: LogEntry):
    """(label, (old, new)) of each change: the field's verbose name, choice labels for codes."""
    changes = entry.changes_dict if hasattr(entry, "changes_dict") else {}
    out = []
    for name, pair in (changes or {}).items():
        field = _model_field(entry, name)
        if name in HIDDEN_CHANGES or isinstance(field, ForeignObjectRel):
            continue  # reverse relations: auditlog records "people.Transfer.None" for them on create
        label = str(getattr(field, "verbose_name", name))
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            pair = ("", pair)
        out.append((label, (_shown(field, pair[0]), _shown(field, pair[1]))))
    return out
