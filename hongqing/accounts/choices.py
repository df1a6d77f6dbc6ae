from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """The roles of DESIGN.md; what each may do is in ``roles.py``."""

    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    PARTY_OFFICE = "party_office", _("Party office")
    COMMITTEE_MEMBER = "committee_member", pgettext_lazy("role", "Committee member")  # 党委委员
    DISCIPLINE_INSPECTOR = "discipline_inspector", _("Discipline inspector")
    BRANCH_SECRETARY = "branch_secretary", _("Branch secretary")
    BRANCH_COMMITTEE_MEMBER = "branch_committee_member", _("Branch committee member")
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Staff")
    REGIONAL_READER = "regional_reader", _("Regional reader")


# The three separated admin duties (三员分立): nobody may hold two of them.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
