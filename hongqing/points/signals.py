"""The ledger follows its records: saves, deletions and the bulk writes services announce by event.

Each trigger names the models whose saves or deletions change its rows (``Watch``) and the audit
events after which a service's bulk write (``bulk_create`` fires no signal) must be read again.
The handlers run inside the writer's transaction: the record and its points commit together. They
read the registry when they run, so a trigger registered later (another app's ``ready()``) is
followed once ``connect()`` has been called again.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from . import triggers as registry

_connected: set[str] = set()


def _watching(label: str):
    return [(t, w) for t in registry.all_triggers() for w in t.watch if w.model.lower() == label]


def _sync(groups) -> None:
    from .services import ledger

    for (_model, pks), keys in groups.items():
        ledger.sync(sorted(keys), pks)


def _group(items, instance, deleting: bool):
    groups = defaultdict(set)
    for trigger, watch in items:
        if deleting and not watch.on_delete:
            continue
        pks = tuple(sorted(watch.rows(instance)))
        if pks:
            groups[(trigger.model, pks)].add(trigger.key)
    return groups


def _on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        _sync(_group(_watching(sender._meta.label_lower), instance, False))


def _on_delete(sender, instance, **kwargs):
    _sync(_group(_watching(sender._meta.label_lower), instance, True))


def _on_event(sender, instance, created=False, raw=False, **kwargs):
    if not created or raw or not isinstance(instance.additional_data, dict):
        return
    name = instance.additional_data.get("event")
    if not name:
        return
    groups = defaultdict(set)
    for t in registry.all_triggers():
        for event, fn in t.events:
            if event == name:
                pks = tuple(sorted(fn(instance)))
                if pks:
                    groups[(t.model, pks)].add(t.key)
    _sync(groups)


def connect() -> None:
    """Connect the handlers for every model a registered trigger watches (once per model)."""
    from auditlog.models import LogEntry

    for t in registry.all_triggers():
        for w in t.watch:
            label = w.model.lower()
            if label in _connected:
                continue
            _connected.add(label)
            model = apps.get_model(w.model)
            post_save.connect(_on_save, sender=model, dispatch_uid=f"points.{label}.save")
            post_delete.connect(_on_delete, sender=model, dispatch_uid=f"points.{label}.delete")
    if "auditlog.logentry" not in _connected and any(t.events for t in registry.all_triggers()):
        _connected.add("auditlog.logentry")
        post_save.connect(_on_event, sender=LogEntry, dispatch_uid="points.events")
