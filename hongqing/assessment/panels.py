"""What assessment adds elsewhere: its menu, the owner's responsibility items on the home page, and a
branch's latest dual scorecard on the branch's page. Menu entries are decided from the grants, without
a query (the menu is on every page)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core import navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import ALL, CHANGE, HOSPITAL, OWN, VIEW, grant_q, grants_for

from .choices import ItemStatus
from .models import DualScorecard, Indicator, IndicatorValue, MonthClose, ResponsibilityItem, Scheme
from .views.common import AREA, manages

HOME_LIMIT = 6


def whole_hospital(user, action=VIEW) -> bool:
    return any(
        g.kind in (ALL, HOSPITAL) and action in g.actions and g.areas is None for g in grants_for(user)
    )


def reads_cockpit(user) -> bool:
    return whole_hospital(user) or manages(user)


def enters_values(user) -> bool:
    return whole_hospital(user, CHANGE)


def owns_records(user) -> bool:
    return any(g.kind == OWN and g.applies(AREA, VIEW) for g in grants_for(user))


def _home_items(request, **kwargs):
    """The user's own open and overdue responsibility items, nearest due first."""
    user = request.user
    if not owns_records(user):
        return None
    from .services import responsibility

    year = timezone.localdate().year
    # The user's own items: the scope of their own-records grant alone (one query; the OR with a
    # secretary's branch grants would first resolve each part to keys, on every home page).
    own = Q()
    for g in grants_for(user):
        if g.kind == OWN and g.applies(AREA, VIEW):
            own |= grant_q(ResponsibilityItem, g) or Q(pk__in=[])
    items = list(
        ResponsibilityItem.objects.filter(own)
        .filter(responsibility_list__year=year, done_on__isnull=True)
        .select_related("responsibility_list", "indicator", "obligation")
        .order_by("due", "pk")[:30]
    )
    if not items:
        return None
    states = [s for s in responsibility.states(items) if s.status != ItemStatus.DONE][:HOME_LIMIT]
    return {"states": states} if states else None


def _branch_panel(request, obj, **kwargs):
    card = (
        DualScorecard.objects.restrict(request.user, VIEW)
        .filter(organization=obj)
        .select_related("scheme")
        .order_by("-period_start")
        .first()
    )
    return {"card": card} if card else None


register_panel("core.home.tasks", "assessment/panels/home_items.html", _home_items, order=50)
register_panel(
    "organization.partyorganization.detail", "assessment/panels/branch_card.html", _branch_panel, order=60
)

navigation.register(
    navigation.MenuItem(
        "assessment", _("Cockpit"), "assessment:cockpit", "speedometer2", visible=reads_cockpit, order=10
    ),
    navigation.MenuItem(
        "assessment",
        _("Dual scorecards"),
        "assessment:dualscorecard_list",
        "clipboard-data",
        visible=manages,
        order=20,
    ),
    navigation.MenuItem(
        "assessment",
        _("Responsibility lists"),
        "assessment:responsibilitylist_list",
        "list-task",
        visible=manages,
        order=30,
    ),
    navigation.MenuItem(
        "assessment",
        _("My responsibility list"),
        "assessment:responsibility_mine",
        "person-check",
        visible=owns_records,
        order=31,
    ),
    navigation.MenuItem(
        "assessment",
        _("Year on year and peers"),
        "assessment:compare",
        "bar-chart-line",
        visible=manages,
        order=40,
    ),
    navigation.MenuItem(
        "assessment", _("Monthly values"), "assessment:grid", "grid-3x3-gap", visible=enters_values, order=50
    ),
    navigation.MenuItem(
        "assessment",
        _("Indicator values"),
        "assessment:indicatorvalue_list",
        "table",
        visible=lambda u: manages(u)
        and any(g.applies(IndicatorValue.scope_area, VIEW) for g in grants_for(u)),
        order=51,
    ),
    navigation.MenuItem(
        "assessment", _("Months"), "assessment:months", "calendar3", model=MonthClose, order=52
    ),
    navigation.MenuItem(
        "assessment", _("Indicators"), "assessment:indicator_list", "journal-text", model=Indicator, order=60
    ),
    navigation.MenuItem(
        "assessment", _("Schemes"), "assessment:scheme_list", "sliders", model=Scheme, order=61
    ),
)
