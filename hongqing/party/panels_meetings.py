"""What meetings add to other pages: the menu, a home figure, an organisation's recent meetings and a
person's attendance."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core import home, navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import CHANGE, VIEW, has_permission

from .choices import MeetingStatus
from .models import Attendance, MajorMatter, Meeting
from .services.meetings import meeting_organizations

RECENT = 5


def _org_meetings(request, obj, **kwargs):
    user = request.user
    if not has_permission(user, Meeting, VIEW):
        return None
    meetings = Meeting.objects.restrict(user, VIEW).filter(organization=obj).order_by("-start")[:RECENT]
    may_record = meeting_organizations(user, CHANGE).filter(pk=obj.pk).exists()
    return {"organization": obj, "meetings": meetings, "may_record": may_record}


def _person_attendance(request, obj, **kwargs):
    user = request.user
    if not has_permission(user, Attendance, VIEW):
        return None
    rows = list(
        Attendance.objects.restrict(user, VIEW)
        .filter(person=obj)
        .select_related("meeting__organization")
        .order_by("-meeting__start")[:10]
    )
    if not rows:
        return None
    year = timezone.localdate().year
    this_year = (
        Attendance.objects.restrict(user, VIEW)
        .filter(person=obj, meeting__status=MeetingStatus.HELD, meeting__start__year=year)
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = {r["status"]: r["n"] for r in this_year}
    return {"rows": rows, "year": year, "counts": counts}


register_panel(
    "organization.partyorganization.detail",
    "party/meetings/panels/org_meetings.html",
    _org_meetings,
    order=30,
)
register_panel(
    "people.person.detail", "party/meetings/panels/person_attendance.html", _person_attendance, order=30
)

navigation.register(
    navigation.MenuItem("party", _("Meetings"), "party:meeting_list", "people", Meeting, order=10),
    navigation.MenuItem(
        "party", _("三重一大 matters"), "party:majormatter_list", "bank", MajorMatter, order=60
    ),
)
home.register_count(
    home.HomeCount(
        _("Planned meetings"),
        Meeting,
        "party:meeting_list",
        lambda qs: qs.filter(status=MeetingStatus.PLANNED),
        "status=planned",
        order=30,
    )
)
