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


def attach_fk_names(entries) -> None:
    """Give each entry the names of the records its foreign-key changes point to: one query per model.

    The change log stores a foreign key as its id; the history shows "医院: 甲医院", not "医院: 1".
    """
    wanted: dict[type, set] = {}
    for entry in entries:
        for name, pair in (entry.changes_dict or {}).items():
            field = _model_field(entry, name)
            if field is not None and getattr(field, "many_to_one", False) and isinstance(pair, list | tuple):
                wanted.setdefault(field.related_model, set()).update(
                    v for v in pair if v not in (None, "", "None")
                )
    names: dict[tuple[type, str], str] = {}
    for model, ids in wanted.items():
        valid = [i for i in ids if str(i).isdigit()]
        for obj in model._base_manager.filter(pk__in=valid):
            names[(model, str(obj.pk))] = str(obj)
    for entry in entries:
        entry.fk_names = names


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
        fk_names = getattr(entry, "fk_names", None)
        if fk_names is not None and field is not None and getattr(field, "many_to_one", False):
            model = field.related_model
            pair = tuple(fk_names.get((model, str(v)), v) if v not in (None, "", "None") else v for v in pair)
        out.append((label, (_shown(field, pair[0]), _shown(field, pair[1]))))
    return out
