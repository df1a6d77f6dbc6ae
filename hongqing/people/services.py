"""People services: branch warnings (RULES.md §2), the 双带头人 ratio, and membership transfers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.rules import rule_value
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import BranchDepartment, CommitteeTerm, PartyOrganization

from .choices import CadreLevel, Post, Stage, TransferKind
from .models import Cadre, Membership, TermPosition, Transfer

TERMED_KINDS = (OrgKind.COMMITTEE, OrgKind.DISCIPLINE_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)


@dataclass(frozen=True)
class Warning:
    organization: PartyOrganization
    code: str
    message: str
    level: str  # "danger" or "warning"


def annotate_counts(qs):
    return qs.annotate(
        full_count=Count("memberships", filter=Q(memberships__stage=Stage.FULL)),
        member_count=Count("memberships", filter=Q(memberships__stage__in=(Stage.PROBATIONARY, Stage.FULL))),
    )


def organization_warnings(orgs, today: dt.date | None = None) -> list[Warning]:
    """Warnings of RULES.md §2 for the given organisations (a queryset, already scoped)."""
    today = today or timezone.localdate()
    orgs = list(annotate_counts(orgs.filter(kind__in=TERMED_KINDS)).select_related("hospital"))
    current_terms = {
        t.organization_id: t
        for t in CommitteeTerm.objects.filter(organization__in=[o.pk for o in orgs], actual_end__isnull=True)
    }
    out: list[Warning] = []
    for org in orgs:
        h = org.hospital_id
        if org.kind == OrgKind.BRANCH:
            minimum = int(rule_value("branch.min_full_members", h, today))
            maximum = int(rule_value("branch.max_members", h, today))
            committee_from = int(rule_value("branch.committee_min_full_members", h, today))
            if org.full_count < minimum:
                out.append(
                    Warning(
                        org,
                        "too_few",
                        _("%(org)s has %(n)d full members; a branch needs at least %(min)d.")
                        % {"org": org, "n": org.full_count, "min": minimum},
                        "danger",
                    )
                )
            if org.member_count > maximum:
                out.append(
                    Warning(
                        org,
                        "too_many",
                        _("%(org)s has %(n)d members; a branch generally has at most %(max)d.")
                        % {"org": org, "n": org.member_count, "max": maximum},
                        "warning",
                    )
                )
            if org.full_count >= committee_from and org.pk not in current_terms:
                out.append(
                    Warning(
                        org,
                        "no_committee",
                        _("%(org)s has %(n)d full members but no elected committee.")
                        % {"org": org, "n": org.full_count},
                        "warning",
                    )
                )
        term = current_terms.get(org.pk)
        if term is not None:
            months = sorted(int(m) for m in rule_value("term.reminder_months", h, today))
            if term.due_end < today:
                out.append(
                    Warning(
                        org,
                        "term_overdue",
                        _("The term of %(org)s was due to end on %(d)s: elect the next committee.")
                        % {"org": org, "d": term.due_end.isoformat()},
                        "danger",
                    )
                )
            elif months and term.due_end <= today + relativedelta(months=months[-1]):
                out.append(
                    Warning(
                        org,
                        "term_due",
                        _("The term of %(org)s ends on %(d)s.") % {"org": org, "d": term.due_end.isoformat()},
                        "warning",
                    )
                )
    return out


def dual_leader_status(branches) -> dict[int, bool]:
    """For each branch: is its current secretary the head of one of its current departments (双带头人)?"""
    today = timezone.localdate()
    branch_ids = list(branches.filter(kind=OrgKind.BRANCH).values_list("pk", flat=True))
    # A post is current from its start (if given) to its end (if given), both days included.
    current = (Q(start__isnull=True) | Q(start__lte=today)) & (Q(end__isnull=True) | Q(end__gte=today))
    secretaries = dict(
        TermPosition.objects.filter(
            current,
            term__organization_id__in=branch_ids,
            term__actual_end__isnull=True,
            post=Post.SECRETARY,
        ).values_list("term__organization_id", "person_id")
    )
    links: dict[int, set[int]] = {}
    for org_id, dept_id in BranchDepartment.objects.filter(
        organization_id__in=branch_ids, end__isnull=True
    ).values_list("organization_id", "department_id"):
        links.setdefault(org_id, set()).add(dept_id)
    heads = set(
        Cadre.objects.filter(
            current, person_id__in=set(secretaries.values()), level=CadreLevel.CHIEF
        ).values_list("person_id", "department_id")
    )
    return {
        b: (b in secretaries and any((secretaries[b], d) in heads for d in links.get(b, ())))
        for b in branch_ids
    }


def dual_leader_ratio(branches) -> tuple[int, int]:
    status = dual_leader_status(branches)
    return sum(status.values()), len(status)


@transaction.atomic
def transfer_membership(
    membership: Membership, *, to_organization, date, actor, reason: str = ""
) -> Transfer:
    """Move a membership to another organisation of the hospital, keeping the history."""
    if to_organization.pk == membership.organization_id:
        raise ValueError(_("The membership is already in that organisation."))
    if to_organization.hospital_id != membership.organization.hospital_id:
        raise ValueError(_("A transfer to another hospital is recorded as a transfer out."))
    transfer = Transfer.objects.create(
        membership=membership,
        kind=TransferKind.INTERNAL,
        from_organization=membership.organization,
        to_organization=to_organization,
        date=date,
        reason=reason,
        created_by=actor,
    )
    membership.organization = to_organization
    membership.save(update_fields=["organization", "updated"])
    log_event(
        "transfer", actor=actor, obj=membership, data={"to": to_organization.pk, "transfer": transfer.pk}
    )
    return transfer
