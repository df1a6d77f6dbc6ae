"""Manual items: a branch proposes, the Party office approves (then the points are in) or rejects.

A proposal names a member of a branch the proposer may change, a manual item of the member's
hospital in force on the day, and at most the item's points (an item's amount is its standard; a
proposal may give less, never more nor the other way). A proposal is not in the total until it is
approved; a rejected one never is; an approved one is the record its ledger line leads to.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.scoping import CHANGE
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from .. import access
from ..choices import ProposalStatus
from ..models import PointProposal
from . import ledger, periods


def proposal_errors(*, person, rule, amount, date, reason, actor) -> list[str]:
    errors: list[str] = []
    trigger = rule.trigger_obj() if rule is not None else None
    if rule is None or trigger is None or not trigger.manual:
        errors.append(_("Choose a manual item of the catalogue."))
    if person is None:
        errors.append(_("Choose the member."))
    if amount is None:
        errors.append(_("Enter the points."))
    elif amount == 0:
        errors.append(_("Enter a number of points other than zero."))
    elif rule is not None:
        if (amount > 0) != (rule.amount > 0):
            errors.append(
                _("%(item)s deducts points: enter a negative number.") % {"item": rule.name}
                if rule.amount < 0
                else _("%(item)s earns points: enter a positive number.") % {"item": rule.name}
            )
        elif abs(amount) > abs(rule.amount):
            errors.append(
                _("At most %(max)s points for %(item)s.") % {"max": abs(rule.amount), "item": rule.name}
            )
    if not (reason or "").strip():
        errors.append(_("Give the reason (what happened)."))
    if date is None:
        errors.append(_("Enter the date."))
    elif date > timezone.localdate():
        errors.append(_("The date is in the future."))
    if errors:
        return errors
    if rule.hospital_id != person.hospital_id:
        errors.append(_("The item belongs to another hospital."))
    elif not rule.active_on(date):
        errors.append(_("%(item)s is not in force on %(date)s.") % {"item": rule.name, "date": date})
    year = periods.cycle_year(date, person.hospital_id)
    if ledger.is_closed(person.hospital_id, year):
        errors.append(
            _("The points year %(year)d is closed: nothing more is written into it.") % {"year": year}
        )
    member = (
        Membership.objects.restrict(actor, CHANGE, area=PointProposal.scope_area)
        .filter(person=person, stage__in=MEMBER_STAGES)
        .exists()
    )
    if not member:
        errors.append(_("%(name)s is not a member of a branch you may propose for.") % {"name": person.name})
    return errors


def parse_amount(raw) -> Decimal | None:
    try:
        return Decimal(str(raw).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


@transaction.atomic
def propose(*, person, rule, date, reason: str, actor, amount=None) -> PointProposal:
    """A branch's proposal of a manual item for a member (waits for the Party office)."""
    if amount is None and rule is not None:
        amount = rule.amount
    errors = proposal_errors(person=person, rule=rule, amount=amount, date=date, reason=reason, actor=actor)
    if errors:
        raise ValidationError(errors)
    proposal = PointProposal.objects.create(
        hospital_id=person.hospital_id,
        person=person,
        organization=person.membership.organization,
        rule=rule,
        amount=amount,
        date=date,
        reason=reason.strip(),
        created_by=actor,
    )
    log_event(
        "points_proposed",
        actor=actor,
        obj=proposal,
        data={"person": person.pk, "rule": rule.pk, "amount": str(amount)},
    )
    return proposal


def _lock(proposal) -> PointProposal:
    return PointProposal.objects.select_for_update().select_related("rule", "person").get(pk=proposal.pk)


def _check_decision(p, actor) -> None:
    if not access.is_office(actor, p.hospital_id):
        raise ValidationError(_("Only the Party office decides on proposals."))
    if p.status != ProposalStatus.PENDING:
        raise ValidationError(
            _("The proposal has already been decided (%(status)s).") % {"status": p.get_status_display()}
        )


@transaction.atomic
def approve(proposal, *, actor, note: str = "") -> PointProposal:
    """The Party office approves: the points are in the member's total from now on."""
    p = _lock(proposal)
    _check_decision(p, actor)
    year = periods.cycle_year(p.date, p.hospital_id)
    if ledger.is_closed(p.hospital_id, year):
        raise ValidationError(
            _("The points year %(year)d is closed: nothing more is written into it.") % {"year": year}
        )
    now = timezone.now()
    # A queryset update (no signal): the ledger is synced here, with the approver as the lines' author.
    PointProposal.objects.filter(pk=p.pk).update(
        status=ProposalStatus.APPROVED,
        decided_by=actor,
        decided_at=now,
        decision_note=note.strip()[:300],
        updated=now,
    )
    lines = ledger.sync("manual", [p.pk], actor=actor)
    log_event(
        "points_proposal_approved",
        actor=actor,
        obj=p,
        data={"amount": str(sum((x.amount for x in lines), Decimal(0))), "note": note.strip()[:300]},
    )
    proposal.refresh_from_db()
    return proposal


@transaction.atomic
def reject(proposal, *, actor, note: str) -> PointProposal:
    """The Party office rejects, with the reason: the proposal never counts."""
    p = _lock(proposal)
    _check_decision(p, actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Give the reason for rejecting."))
    now = timezone.now()
    PointProposal.objects.filter(pk=p.pk).update(
        status=ProposalStatus.REJECTED,
        decided_by=actor,
        decided_at=now,
        decision_note=note[:300],
        updated=now,
    )
    log_event("points_proposal_rejected", actor=actor, obj=p, data={"note": note[:300]})
    proposal.refresh_from_db()
    return proposal
