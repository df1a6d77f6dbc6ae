"""Honours (优秀共产党员, 党员示范岗, 示范党支部) chosen each period (a quarter by default).

1. The Party office opens the round of a period (``points.honor_period_months``), once it has begun.
2. Branches nominate: a member of theirs, or their branch for 示范党支部 — each nomination shows the
   candidate's points of the period and the records behind them (``evidence``).
3. The branch records how it chose: the counts of a vote (endorsed with more "for" than half of the
   votes cast), or a committee decision.
4. The Party office approves (the honour goes on the record, and a member's earns points) or
   rejects with a reason; then closes the round.
Each step is a service with an audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from .. import access
from ..choices import BRANCH_HONORS, DecisionMethod, HonorKind, NominationStatus, RoundStatus
from ..models import Honor, HonorRound, Nomination, PointEntry, Volunteering
from . import ledger, periods

ZERO = Decimal("0")
OPEN_STATUSES = (NominationStatus.PROPOSED, NominationStatus.ENDORSED, NominationStatus.DECLINED)


def _office(actor, hospital_id, message) -> None:
    if not access.is_office(actor, hospital_id):
        raise ValidationError(message)


# ---------------------------------------------------------------------------------------------
# Rounds


@transaction.atomic
def open_round(hospital, *, year: int, number: int, actor) -> HonorRound:
    """Open the selection of one period of a cycle year (it must have begun)."""
    _office(actor, hospital.pk, _("Only the Party office opens a selection round."))
    found = [p for p in periods.honor_periods(year, hospital.pk) if p[0] == number]
    if not found:
        raise ValidationError(_("%(year)d has no period %(n)d.") % {"year": year, "n": number})
    _n, start, end = found[0]
    if start > timezone.localdate():
        raise ValidationError(_("The period starts on %(start)s: open its round then.") % {"start": start})
    if HonorRound.objects.filter(hospital=hospital, start=start).exists():
        raise ValidationError(_("The round of this period is already open (or closed)."))
    rnd = HonorRound.objects.create(
        hospital=hospital,
        year=year,
        number=number,
        period_months=(end.year - start.year) * 12 + end.month - start.month + 1,
        start=start,
        end=end,
        created_by=actor,
    )
    log_event("honor_round_opened", actor=actor, obj=rnd, data={"year": year, "period": number})
    return rnd


@transaction.atomic
def close_round(rnd, *, actor) -> HonorRound:
    """Close a round once every nomination is reviewed (approved or rejected) or withdrawn."""
    r = HonorRound.objects.select_for_update().get(pk=rnd.pk)
    _office(actor, r.hospital_id, _("Only the Party office closes a selection round."))
    if r.status == RoundStatus.CLOSED:
        raise ValidationError(_("The round is already closed."))
    waiting = r.nominations.filter(status__in=OPEN_STATUSES).count()
    if waiting:
        raise ValidationError(
            _("%(n)d nominations are still waiting: approve or reject them (or withdraw them) first.")
            % {"n": waiting}
        )
    r.status, r.closed_at = RoundStatus.CLOSED, timezone.now()
    r.save(update_fields=["status", "closed_at", "updated"])
    log_event("honor_round_closed", actor=actor, obj=r, data={"honors": r.honors.count()})
    rnd.status, rnd.closed_at = r.status, r.closed_at
    return r


# ---------------------------------------------------------------------------------------------
# Nominations


def nominating_organizations(user):
    """The branches the user nominates for (a branch secretary: theirs; the office: every branch)."""
    return PartyOrganization.objects.restrict(user, CHANGE, area=Nomination.scope_area).filter(
        kind=OrgKind.BRANCH
    )


@transaction.atomic
def nominate(rnd, *, kind: str, actor, reason: str, person=None, branch=None) -> Nomination:
    """A branch's candidate: a member of a branch the actor may change, or that branch itself."""
    r = HonorRound.objects.select_for_update().get(pk=rnd.pk)
    errors = []
    if r.status != RoundStatus.OPEN:
        errors.append(_("The round is closed."))
    if kind not in HonorKind.values:
        errors.append(_("Choose the honour."))
    reason = (reason or "").strip()
    if not reason:
        errors.append(_("Give the reason for the nomination (the deeds, the points)."))
    organization = None
    if kind in BRANCH_HONORS:
        if branch is None or person is not None:
            errors.append(_("A model branch nominates a branch, not a person."))
        elif not nominating_organizations(actor).filter(pk=branch.pk, hospital_id=r.hospital_id).exists():
            errors.append(_("%(org)s is not a branch you may nominate.") % {"org": branch})
        organization = branch
    elif kind in HonorKind.values:
        if person is None or branch is not None:
            errors.append(_("This honour nominates a member."))
        else:
            m = (
                Membership.objects.restrict(actor, CHANGE, area=Nomination.scope_area)
                .filter(person=person, stage__in=MEMBER_STAGES, organization__hospital_id=r.hospital_id)
                .select_related("organization")
                .first()
            )
            if m is None:
                errors.append(
                    _("%(name)s is not a member of a branch you may nominate for.") % {"name": person.name}
                )
            else:
                organization = m.organization
    if not errors:
        dup = Nomination.objects.filter(round=r, kind=kind)
        dup = dup.filter(person=person) if person is not None else dup.filter(candidate_organization=branch)
        if dup.exists():
            errors.append(
                _("%(name)s is already nominated for this honour in this round.")
                % {"name": person.name if person else branch}
            )
    if errors:
        raise ValidationError(errors)
    n = Nomination.objects.create(
        round=r,
        kind=kind,
        person=person,
        candidate_organization=branch,
        organization=organization,
        reason=reason,
        created_by=actor,
    )
    log_event("honor_nominated", actor=actor, obj=n, data={"round": r.pk, "kind": kind})
    return n


@transaction.atomic
def record_decision(
    nomination,
    *,
    method: str,
    actor,
    decided_on: dt.date | None = None,
    note: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
) -> Nomination:
    """How the branch chose: the counts of a vote, or its committee's decision. Before the review."""
    n = Nomination.objects.select_for_update().select_related("round").get(pk=nomination.pk)
    errors = []
    if not Nomination.objects.restrict(actor, CHANGE).filter(pk=n.pk).exists():
        errors.append(_("You may not decide on this nomination."))
    if n.round.status != RoundStatus.OPEN:
        errors.append(_("The round is closed."))
    if n.status not in OPEN_STATUSES:
        errors.append(_("The nomination has been reviewed by the Party office."))
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        errors.append(_("The date is in the future."))
    note = (note or "").strip()
    endorsed = False
    if method == DecisionMethod.VOTE:
        counts = [votes_for, votes_against, votes_abstain]
        if any(v is None or v < 0 for v in counts):
            errors.append(_("Enter the votes for, against and abstaining (0 or more)."))
        elif sum(counts) == 0:
            errors.append(_("No vote was cast."))
        else:
            endorsed = votes_for * 2 > sum(counts)
    elif method == DecisionMethod.COMMITTEE:
        if not note:
            errors.append(_("Write the committee's decision."))
        votes_for = votes_against = votes_abstain = None
        endorsed = True
    else:
        errors.append(_("Choose a vote or a committee decision."))
    if errors:
        raise ValidationError(errors)
    n.method, n.decided_on, n.decision_note = method, decided_on, note[:300]
    n.votes_for, n.votes_against, n.votes_abstain = votes_for, votes_against, votes_abstain
    n.status = NominationStatus.ENDORSED if endorsed else NominationStatus.DECLINED
    n.save()
    log_event(
        "honor_decision",
        actor=actor,
        obj=n,
        data={
            "method": method,
            "for": votes_for,
            "against": votes_against,
            "abstain": votes_abstain,
            "endorsed": endorsed,
        },
    )
    nomination.refresh_from_db()
    return n


def honor_title(rnd, kind: str) -> str:
    return _("%(period)s %(honor)s") % {"period": rnd.period_name, "honor": HonorKind(kind).label}


@transaction.atomic
def approve(nomination, *, actor, note: str = "") -> Honor:
    """The Party office approves an endorsed nomination: the honour goes on the record."""
    n = (
        # Lock the nomination's own row: PostgreSQL cannot lock the nullable side of the outer joins.
        Nomination.objects.select_for_update(of=("self",))
        .select_related("round", "person__membership", "candidate_organization")
        .get(pk=nomination.pk)
    )
    _office(actor, n.round.hospital_id, _("Only the Party office approves honours."))
    if n.status != NominationStatus.ENDORSED:
        raise ValidationError(
            _("Only a nomination the branch endorsed is approved (this one: %(status)s).")
            % {"status": n.get_status_display()}
        )
    today = timezone.localdate()
    year = periods.cycle_year(today, n.round.hospital_id)
    if n.person_id and ledger.is_closed(n.round.hospital_id, year):
        raise ValidationError(
            _("The points year %(year)d is closed: nothing more is written into it.") % {"year": year}
        )
    now = timezone.now()
    Nomination.objects.filter(pk=n.pk).update(
        status=NominationStatus.APPROVED,
        reviewed_by=actor,
        reviewed_at=now,
        review_note=note.strip()[:300],
        updated=now,
    )
    org = n.candidate_organization if n.candidate_organization_id else n.organization
    (honor,) = Honor.objects.bulk_create(
        [
            Honor(
                hospital_id=n.round.hospital_id,
                kind=n.kind,
                person=n.person,
                organization=org,
                title=honor_title(n.round, n.kind)[:200],
                awarded_on=today,
                round=n.round,
                nomination=n,
                created_by=actor,
            )
        ]
    )
    ledger.sync("honor", [honor.pk], actor=actor)  # created in bulk: the points with the approver as author
    log_event("honor_approved", actor=actor, obj=n, data={"honor": honor.pk, "kind": n.kind})
    nomination.refresh_from_db()
    return honor


@transaction.atomic
def reject(nomination, *, actor, note: str) -> Nomination:
    n = Nomination.objects.select_for_update().select_related("round").get(pk=nomination.pk)
    _office(actor, n.round.hospital_id, _("Only the Party office rejects nominations."))
    if n.status in (NominationStatus.APPROVED, NominationStatus.REJECTED):
        raise ValidationError(_("The nomination has been reviewed by the Party office."))
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Give the reason for rejecting."))
    now = timezone.now()
    Nomination.objects.filter(pk=n.pk).update(
        status=NominationStatus.REJECTED,
        reviewed_by=actor,
        reviewed_at=now,
        review_note=note[:300],
        updated=now,
    )
    log_event("honor_rejected", actor=actor, obj=n, data={"note": note[:300]})
    nomination.refresh_from_db()
    return n


# ---------------------------------------------------------------------------------------------
# Evidence: the points of the period and the records behind them


@dataclass
class Evidence:
    total: Decimal = ZERO
    lines: list = field(default_factory=list)  # a member's lines of the period
    by_item: list = field(default_factory=list)  # (item, points, records)
    members: int = 0  # a branch: its members, their points, its activities
    average: Decimal = ZERO
    activities: int = 0
    honors: list = field(default_factory=list)


def person_evidence(user, person, start: dt.date, end: dt.date) -> Evidence:
    lines = list(
        PointEntry.objects.restrict(user, VIEW)
        .filter(person=person, date__gte=start, date__lte=end)
        .select_related("rule")
        .order_by("date", "pk")
    )
    ev = Evidence(total=sum((x.amount for x in lines), ZERO), lines=lines)
    items: dict = {}
    for x in lines:
        name, points, n = items.get(x.rule_id, (x.rule.name, ZERO, 0))
        items[x.rule_id] = (name, points + x.amount, n + (1 if x.kind == "award" else -1))
    ev.by_item = sorted(items.values(), key=lambda t: -t[1])
    ev.honors = list(Honor.objects.restrict(user, VIEW).filter(person=person).order_by("-awarded_on")[:5])
    return ev


def branch_evidence(user, branch, start: dt.date, end: dt.date) -> Evidence:
    members = list(
        Membership.objects.filter(
            organization__path__startswith=branch.path, stage__in=MEMBER_STAGES
        ).values_list("person_id", flat=True)
    )
    agg = (
        PointEntry.objects.restrict(user, VIEW)
        .filter(person_id__in=members, date__gte=start, date__lte=end)
        .aggregate(s=Sum("amount"))
    )
    total = agg["s"] or ZERO
    ev = Evidence(total=total, members=len(members))
    ev.average = (total / len(members)).quantize(Decimal("0.1")) if members else ZERO
    ev.activities = (
        Volunteering.objects.restrict(user, VIEW)
        .filter(organizer__path__startswith=branch.path, date__gte=start, date__lte=end)
        .aggregate(n=Count("pk"))["n"]
    )
    ev.honors = list(
        Honor.objects.restrict(user, VIEW)
        .filter(organization=branch, person__isnull=True)
        .order_by("-awarded_on")[:5]
    )
    return ev


def evidence(user, nomination) -> Evidence:
    r = nomination.round
    if nomination.person_id:
        return person_evidence(user, nomination.person, r.start, r.end)
    return branch_evidence(user, nomination.candidate_organization, r.start, r.end)
