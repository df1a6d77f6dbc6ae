"""Responsibility lists (双责任清单): each item's status, the list's completion, marking an item done.

- An indicator item is done when the indicator meets its target over the owner's unit (the
  department a head heads, the branch a secretary leads) from January of the list's year to the
  item's due month (or this month, if earlier); "meets": at least the target when higher is better,
  at most when lower is better.
- A duty item is done when the duty is (``party.Obligation.done_on``: a record satisfied it).
- A free-text item is marked done by its owner, with evidence (text, and a file if they have one).

Open items whose due date has passed are overdue.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event

from ..choices import ItemKind, ItemStatus, OwnerRole
from ..models import ResponsibilityItem
from ..periods import month_of
from . import aggregate, rollups


@dataclass
class ItemState:
    item: ResponsibilityItem
    status: str
    done_on: dt.date | None = None
    value: object = None  # an indicator item's value so far
    detail: str = ""

    @property
    def label(self) -> str:
        return ItemStatus(self.status).label

    @property
    def css(self) -> str:
        return {ItemStatus.DONE: "success", ItemStatus.OVERDUE: "danger", ItemStatus.OPEN: "secondary"}[
            self.status
        ]


def unit_of(rl) -> aggregate.Unit:
    if rl.role == OwnerRole.HEAD and rl.department_id:
        return aggregate.Unit(aggregate.DEPT, rl.department_id)
    return aggregate.Unit(aggregate.ORG, rl.organization_id)


def states(items: list[ResponsibilityItem], *, today: dt.date | None = None) -> list[ItemState]:
    """The status of each item (items of one hospital; a few queries whatever their number)."""
    today = today or timezone.localdate()
    out: list[ItemState] = []
    by_hospital: dict[int, list] = {}
    for it in items:
        if it.kind == ItemKind.INDICATOR and it.indicator_id:
            by_hospital.setdefault(it.responsibility_list.hospital_id, []).append(it)
    results = {}
    for hospital_id, ind_items in by_hospital.items():
        rollups.ensure_fresh([hospital_id], today=today)
        year = min(it.responsibility_list.year for it in ind_items)
        units = {unit_of(it.responsibility_list) for it in ind_items}
        agg = aggregate.load(
            hospital_id,
            units,
            dt.date(year, 1, 1),
            month_of(today),
            indicators=[it.indicator for it in ind_items],
        )
        for it in ind_items:
            first = dt.date(it.responsibility_list.year, 1, 1)
            last = min(month_of(it.due), month_of(today))
            run = aggregate.month_range(first, last) if first <= last else []
            results[it.pk] = (
                agg.result(it.indicator, unit_of(it.responsibility_list), run) if run else aggregate.NO_DATA
            )
    for it in items:
        done_on, value, detail = None, None, ""
        if it.kind == ItemKind.TEXT:
            done_on = it.done_on
        elif it.kind == ItemKind.DUTY:
            done_on = it.obligation.done_on if it.obligation_id else None
        elif it.kind == ItemKind.INDICATOR:
            r = results.get(it.pk, aggregate.NO_DATA)
            value = r.value
            if value is not None and it.target is not None:
                met = value <= it.target if it.indicator.lower_is_better else value >= it.target
                if met:
                    done_on = min(today, it.due)
                detail = _("%(value)s of %(target)s %(unit)s") % {
                    "value": f"{value:.2f}".rstrip("0").rstrip("."),
                    "target": f"{it.target.normalize():f}",
                    "unit": it.indicator.unit,
                }
            else:
                detail = _("no data yet")
        if done_on:
            status = ItemStatus.DONE
        elif it.due < today:
            status = ItemStatus.OVERDUE
        else:
            status = ItemStatus.OPEN
        out.append(ItemState(it, status, done_on, value, detail))
    return out


def completion(item_states: list[ItemState]) -> tuple[int, int]:
    return sum(1 for s in item_states if s.status == ItemStatus.DONE), len(item_states)


def is_owner(user, rl) -> bool:
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    try:
        return person is not None and person.pk == rl.owner_id
    except Exception:  # noqa: BLE001 (no staff record)
        return False


ALLOWED = {".jpg", ".jpeg", ".png", ".pdf", ".doc", ".docx", ".xls", ".xlsx"}


def check_file(f) -> None:
    from hongqing.party.services.meetings import sniff_attachment

    ext = os.path.splitext(f.name or "")[1].lower()
    if ext not in ALLOWED:
        raise ValidationError({"evidence_file": _("Only photos, PDF, Word and Excel files can be attached.")})
    limit = settings.ATTACHMENT_MAX_BYTES
    if f.size > limit:
        raise ValidationError(
            {"evidence_file": _("The file is larger than %(max)s.") % {"max": filesizeformat(limit)}}
        )
    if not sniff_attachment(f, ext):
        raise ValidationError(
            {
                "evidence_file": _("The file's content is not a %(ext)s file: it cannot be attached.")
                % {"ext": ext}
            }
        )


@transaction.atomic
def mark_done(
    item: ResponsibilityItem, *, actor, evidence: str, file=None, on: dt.date | None = None
) -> ResponsibilityItem:
    """The owner marks a free-text item done, with the evidence (text required, a file optional)."""
    item = (
        ResponsibilityItem.objects.select_for_update().select_related("responsibility_list").get(pk=item.pk)
    )
    if not is_owner(actor, item.responsibility_list):
        raise PermissionDenied(_("Only the list's owner marks an item done."))
    if item.kind != ItemKind.TEXT:
        raise ValidationError(_("This item is done when its record is: nobody marks it by hand."))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": _("Say what was done (the evidence).")})
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"done_on": _("The date is in the future.")})
    if file is not None:
        check_file(file)
        item.evidence_file = file
    item.evidence, item.done_on, item.done_by = evidence[:5000], on, actor
    item.save()
    log_event("responsibility_done", actor=actor, obj=item, data={"done_on": on.isoformat()})
    return item


@transaction.atomic
def undo(item: ResponsibilityItem, *, actor) -> ResponsibilityItem:
    """The owner takes back a free-text item's "done" (the evidence is kept in the change log)."""
    item = (
        ResponsibilityItem.objects.select_for_update().select_related("responsibility_list").get(pk=item.pk)
    )
    if not is_owner(actor, item.responsibility_list):
        raise PermissionDenied(_("Only the list's owner marks an item done."))
    if item.kind != ItemKind.TEXT or not item.done_on:
        raise ValidationError(_("The item is not marked done."))
    item.done_on, item.done_by = None, None
    item.save()
    log_event("responsibility_undone", actor=actor, obj=item)
    return item
