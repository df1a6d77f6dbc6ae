"""What people adds to other apps' pages: warnings, 双带头人, committee posts, menu and home counts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hongqing.core import home, navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization

from . import services
from .choices import MEMBER_STAGES
from .models import Cadre, Membership, Person, TalentTag, TermPosition, Transfer


def _tree_panel(request, **kwargs):
    orgs = PartyOrganization.objects.restrict(request.user, VIEW)
    warnings = services.organization_warnings(orgs)
    dual, total = services.dual_leader_ratio(orgs)
    return {
        "warnings": warnings,
        "dual": dual,
        "total": total,
        "ratio": (dual / total * 100) if total else None,
    }


def _org_panel(request, obj, **kwargs):
    orgs = PartyOrganization.objects.filter(pk=obj.pk)
    term = obj.current_term()
    positions = (
        TermPosition.objects.restrict(request.user, VIEW)
        .filter(term=term)
        .select_related("person")
        .order_by("post")
        if term
        else []
    )
    dual = services.dual_leader_status(orgs).get(obj.pk) if obj.kind == OrgKind.BRANCH else None
    return {
        "warnings": services.organization_warnings(orgs),
        "term": term,
        "positions": positions,
        "dual": dual,
    }


def _term_panel(request, obj, **kwargs):
    can_change = obj._meta.model.objects.restrict(request.user, CHANGE).filter(pk=obj.pk).exists()
    positions = (
        TermPosition.objects.restrict(request.user, VIEW)
        .filter(term=obj)
        .select_related("person")
        .order_by("post")
    )
    return {"term": obj, "positions": positions, "can_change": can_change}


def _home_panel(request, **kwargs):
    if not PartyOrganization.objects.restrict(request.user, CHANGE).exists():
        return None
    warnings = services.organization_warnings(PartyOrganization.objects.restrict(request.user, VIEW))
    return {"warnings": warnings} if warnings else None


def _my_record_panel(request, **kwargs):
    person = (
        Person.objects.restrict(request.user, VIEW)
        .filter(user=request.user)
        .select_related("department")
        .first()
    )
    if person is None:
        return None
    membership = Membership.objects.filter(person=person).select_related("organization").first()
    return {"person": person, "membership": membership}


register_panel("core.home", "people/panels/my_record.html", _my_record_panel, order=5)
register_panel("organization.tree", "people/panels/tree_summary.html", _tree_panel)
register_panel(
    "organization.partyorganization.detail", "people/panels/org_summary.html", _org_panel, order=10
)
register_panel("organization.committeeterm.detail", "people/panels/term_positions.html", _term_panel)
register_panel("core.home", "people/panels/warnings.html", _home_panel)

navigation.register(
    navigation.MenuItem("people", _("Persons"), "people:person_list", "person-vcard", Person, order=10),
    navigation.MenuItem(
        "people", _("Memberships"), "people:membership_list", "person-badge", Membership, order=20
    ),
    navigation.MenuItem(
        "people", _("Transfers"), "people:transfer_list", "arrow-left-right", Transfer, order=30
    ),
    navigation.MenuItem("people", _("Cadres"), "people:cadre_list", "briefcase", Cadre, order=40),
    navigation.MenuItem("people", _("Talent tags"), "people:talenttag_list", "stars", TalentTag, order=50),
)
home.register_count(
    home.HomeCount(
        _("Staff"),
        Person,
        "people:person_list",
        lambda qs: qs.filter(status="active"),
        "status=active",
        order=10,
    ),
    home.HomeCount(
        _("Party members"),
        Membership,
        "people:membership_list",
        lambda qs: qs.filter(stage__in=MEMBER_STAGES),
        "",
        order=20,
    ),
)
