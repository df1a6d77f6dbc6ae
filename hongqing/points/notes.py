"""What a ledger line says beside its points: why it was cut or reversed (in the reader's language)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .choices import CapPeriod, Cut, EntryKind
from .models import Why


def _num(value) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def line_note(entry) -> str:
    parts = []
    if entry.kind == EntryKind.CORRECTION:
        parts.append(_("Corrected: %(reason)s") % {"reason": entry.reason})
    elif entry.kind == EntryKind.REVERSAL:
        parts.append(str(Why(entry.why).label) if entry.why else _("Withdrawn"))
    elif entry.why in (Why.REBALANCED, Why.REAWARDED):
        parts.append(str(Why(entry.why).label))
    if entry.kind == EntryKind.AWARD and entry.cut == Cut.CAP:
        rule = entry.rule
        period = CapPeriod(rule.cap_period).label if rule.cap_period else ""
        parts.append(
            _("cut from %(requested)s: the cap of %(cap)s in %(period)s is reached")
            % {
                "requested": _num(entry.requested),
                "cap": _num(rule.cap) if rule.cap else "",
                "period": period,
            }
        )
    elif entry.kind == EntryKind.AWARD and entry.cut == Cut.FLOOR:
        parts.append(
            _("cut from %(requested)s: the year's total does not go below 0")
            % {"requested": _num(entry.requested)}
        )
    return "; ".join(str(p) for p in parts if p)
