"""Organisation services: business events on the tree, atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event

from .choices import OrgKind
from .models import BranchDepartment, PartyOrganization


class LinkRefused(ValueError):
    pass


@transaction.atomic
def link_discipline_group(branch: PartyOrganization, *, start: dt.date, actor) -> list[BranchDepartment]:
    """Build a branch on its discipline group (以学科群设支部): link every department of the group.

    Departments already linked to this branch are left alone; one covered by another branch refuses
    the whole operation, naming it, so nothing half-done is left behind.
    """
    group = branch.discipline_group
    if group is None:
        raise LinkRefused(_("The organisation has no discipline group."))
    if branch.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
        raise LinkRefused(_("Departments are linked to branches or general branches."))
    current = {
        link.department_id: link
        for link in BranchDepartment.objects.filter(
            department__in=group.departments.all(), end__isnull=True
        ).select_related("organization", "department")
    }
    others = [link for link in current.values() if link.organization_id != branch.pk]
    if others:
        raise LinkRefused(
            _("Already covered by another branch: %(list)s.")
            % {"list": "、".join(f"{link.department}（{link.organization}）" for link in others)}
        )
    created = [
        BranchDepartment.objects.create(organization=branch, department=dept, start=start, created_by=actor)
        for dept in group.departments.all()
        if dept.pk not in current
    ]
    log_event(
        "link_discipline_group", actor=actor, obj=branch, data={"group": group.pk, "created": len(created)}
    )
    return created
