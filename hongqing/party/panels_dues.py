"""What dues adds elsewhere: menu entries under "Party work" and the member's dues on the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hongqing.core import navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import OWN, VIEW, grants_for
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from .models import DuesBase, DuesPayment
from .services import dues as services

BADGES = {
    services.PAID: "text-bg-success",
    services.MAKEUP: "text-bg-success",
    services.ADVANCE: "text-bg-info",
    services.UNPAID: "text-bg-danger",
    services.NOT_DUE: "text-bg-light border",
}


def _manages_dues(user) -> bool:
    """A scope of others' dues (a branch, a hospital), not only one's own. From the grants: no query."""
    area = DuesBase.scope_area
    return any(g.applies(area, VIEW) and not g.personal for g in grants_for(user))


def _pays_dues(user) -> bool:
    """Linked to a staff record, so with an own dues page (which says so when there is no membership).

    From the grants, without a query: the menu is on every page, and every page has a query budget.
    """
    area = DuesPayment.scope_area
    return any(g.kind == OWN and g.applies(area, VIEW) for g in grants_for(user))


def _my_dues_panel(request, **kwargs):
    user = request.user
    membership = (
        Membership.objects.restrict(user, VIEW, area="dues")
        .filter(person__user=user, stage__in=MEMBER_STAGES)
        .select_related("person", "organization")
        .first()
    )
    if membership is None:
        return None
    year = services.today().year
    row = services.member_months(membership, year)
    owed = [
        c for c in row.cells if c.status in (*services.PAID_STATUSES, services.UNPAID) and c.due is not None
    ]
    return {
        "year": year,
        "row": row,
        "badges": [(c, BADGES[c.status]) for c in row.cells],
        "owed": len(owed),
        "paid": sum(1 for c in owed if c.is_paid),
    }


register_panel("core.home", "party/dues/panel_home.html", _my_dues_panel, order=40)

navigation.register(
    navigation.MenuItem(
        "party", _("Dues book"), "party:dues_book", "cash-coin", visible=_manages_dues, order=60
    ),
    navigation.MenuItem(
        "party", _("Dues bases"), "party:duesbase_list", "list-ol", visible=_manages_dues, order=61
    ),
    navigation.MenuItem(
        "party", _("Dues payments"), "party:duespayment_list", "receipt", visible=_manages_dues, order=62
    ),
    navigation.MenuItem("party", _("My dues"), "party:dues_mine", "wallet2", visible=_pays_dues, order=63),
)
