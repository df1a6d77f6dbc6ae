"""What duty lists add to other pages: the secretary's duties on the home page, the menu, the list's panel."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core import navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import CHANGE, VIEW, grants_for
from hongqing.core.views import safe_reverse

from .models import DutyStatus, Obligation
from .services import duties

HOME_LIMIT = 8
# The home page is for what can still be acted on: duties overdue for up to a quarter (older ones stay on
# the duty list and the heat map). A display choice, not a rule of the regulations.
HOME_OVERDUE_DAYS = 92


def manages_duties(user, action=VIEW) -> bool:
    """Whether the user sees some organisation's duties (a member's own-records grant does not count)."""
    return any(g.applies(Obligation.scope_area, action) and not g.personal for g in grants_for(user))


def _home_tasks(request, **kwargs):
    """Open and overdue duties of the organisations the user runs, nearest first."""
    user = request.user
    if not manages_duties(user, CHANGE):
        return None
    today = timezone.localdate()
    orgs = list(
        duties.organizations_in_scope(user, CHANGE).only("pk", "hospital_id", "kind", "established", "path")
    )
    if not orgs:
        return None
    duties.ensure_obligations(orgs, today.year)
    # Nearest first: the deadlines closest to today, whether just passed or coming.
    pending = (
        Obligation.objects.restrict(user, CHANGE).filter(done_on__isnull=True).select_related("organization")
    )
    overdue = list(
        pending.filter(due__lt=today, due__gte=today - dt.timedelta(days=HOME_OVERDUE_DAYS)).order_by("-due")[
            : HOME_LIMIT + 1
        ]
    )
    soon = list(pending.filter(due__gte=today, remind_from__lte=today).order_by("due")[: HOME_LIMIT + 1])
    rows = sorted(overdue + soon, key=lambda o: (abs((o.due - today).days), o.organization.path, o.code))
    items = []
    for o in rows[:HOME_LIMIT]:
        status = duties.status_of(o, today)
        items.append(
            {
                "obj": o,
                "label": duties.duty_label(o.code),
                "period": duties.period_label(o.period_start, o.period_end),
                "status": status,
                "status_label": DutyStatus(status).label,
                "css": duties.STATUS_CLASSES[status],
                "icon": duties.STATUS_ICONS[status],
            }
        )
    single = len(orgs) == 1 or len({o.pk for o in orgs if o.kind != "group"}) == 1
    main = next((o for o in orgs if o.kind != "group"), orgs[0])
    all_url = (
        reverse("party:duty_board", kwargs={"pk": main.pk}) + f"?year={today.year}"
        if single
        else reverse("party:duty_heatmap") + f"?year={today.year}"
    )
    return {"items": items, "more": len(rows) > HOME_LIMIT, "all_url": all_url}


def _list_panel(request, **kwargs):
    """On the duty list: the way to the heat map, and the missing holiday schedule if any."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    return {
        "heatmap_url": reverse("party:duty_heatmap") + f"?year={year}",
        "schedule_missing": duties.schedule_missing([year]),
        "calendar_url": safe_reverse("core:calendar"),
    }


register_panel("core.home.tasks", "party/duties/home_tasks.html", _home_tasks, order=20)
register_panel("party.obligation.list", "party/duties/list_panel.html", _list_panel)

navigation.register(
    navigation.MenuItem(
        "party",
        _("Duty heat map"),
        "party:duty_heatmap",
        "grid-3x3",
        visible=manages_duties,
        order=40,
    ),
    navigation.MenuItem(
        "party", _("Duties"), "party:obligation_list", "list-check", visible=manages_duties, order=41
    ),
)
