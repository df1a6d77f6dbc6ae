"""What learning adds to other pages: the menu, a home figure, the member's home tasks, the secretary's
home panel, the hours on a person's page and the completion on an organisation's page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from hongqing.core import home, navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import ALL, CHANGE, HOSPITAL, VIEW, grants_for, has_permission
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Membership

from .choices import SelfStudyStatus
from .models import SelfStudy, StudyAttendance, StudySession
from .services import hours as hours_services
from .views.common import learns, manages, own_person

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
HOME_BRANCHES = 6


def _keeps_bank(user) -> bool:
    """The question bank is the hospital's: hospital-wide roles and the regional reader (no query)."""
    return any(g.applies("learning", VIEW) and g.kind in (HOSPITAL, ALL) for g in grants_for(user))


def member_tasks(request, **kwargs):
    """The member's study (slot ``core.home.tasks``): hours this year, open check-ins and quizzes, and
    self-study awaiting confirmation."""
    from .views.study import open_quizzes, open_sessions

    user = request.user
    if not learns(user):
        return None
    person = own_person(user)
    if person is None or not Membership.objects.filter(person=person).exists():
        return None
    year = timezone.localdate().year
    pending = (
        SelfStudy.objects.restrict(user, VIEW).filter(person=person, status=SelfStudyStatus.PENDING).count()
    )
    return {
        "hours": hours_services.person_hours(person, year),
        "year": year,
        "sessions": open_sessions(person),
        "quizzes": [q for q in open_quizzes(person) if not q["submitted"]],
        "pending": pending,
    }


def secretary_panel(request, **kwargs):
    """Self-study to confirm and the branches' completion (slot ``core.home``), for those who manage."""
    user = request.user
    if not manages(user, CHANGE):
        return None
    pending = SelfStudy.objects.restrict(user, CHANGE).filter(status=SelfStudyStatus.PENDING)
    me = own_person(user)
    if me is not None:
        pending = pending.exclude(person=me)
    branches = list(
        PartyOrganization.objects.restrict(user, CHANGE, area="learning")
        .filter(kind=OrgKind.BRANCH)
        .order_by("path")[:50]
    )
    year = timezone.localdate().year
    result = hours_services.completion(branches, year)
    rows = sorted(
        ({"org": b, "c": result[b.pk]} for b in branches), key=lambda r: (r["c"].rate, r["org"].path)
    )[:HOME_BRANCHES]
    for r in rows:
        r["url"] = (
            reverse("learning:hours")
            + "?"
            + urlencode({"organization": r["org"].pk, "year": year, "reached": "no"})
        )
    return {"pending": pending.count(), "rows": rows, "year": year, "more": len(branches) > HOME_BRANCHES}


def person_panel(request, obj, **kwargs):
    """A person's study hours this year (slot ``people.person.detail``), when the user's learning scope
    reaches them."""
    user = request.user
    if not has_permission(user, StudyAttendance, VIEW):
        return None
    me = own_person(user)
    if not (me is not None and me.pk == obj.pk) and not (
        Membership.objects.restrict(user, VIEW, area="learning").filter(person=obj).exists()
    ):
        return None
    year = timezone.localdate().year
    start, end = hours_services.year_range(year)
    rows = list(
        StudyAttendance.objects.restrict(user, VIEW)
        .filter(person=obj, session__start__gte=start, session__start__lt=end)
        .select_related("session")
        .order_by("-session__start")[:8]
    )
    return {"hours": hours_services.person_hours(obj, year), "rows": rows, "year": year, "person": obj}


def organization_panel(request, obj, **kwargs):
    """The completion of an organisation's members this year (slot ``organization.partyorganization.detail``)."""
    user = request.user
    if obj.kind not in (*BRANCH_KINDS, OrgKind.COMMITTEE) or not has_permission(user, StudyAttendance, VIEW):
        return None
    if not PartyOrganization.objects.restrict(user, VIEW, area="learning").filter(pk=obj.pk).exists():
        return None
    year = timezone.localdate().year
    c = hours_services.completion([obj], year)[obj.pk]
    query = {"organization": obj.pk, "year": year}
    return {
        "organization": obj,
        "c": c,
        "year": year,
        "all_url": reverse("learning:hours") + "?" + urlencode(query),
        "short_url": reverse("learning:hours") + "?" + urlencode({**query, "reached": "no"}),
        "sessions": StudySession.objects.restrict(user, VIEW).filter(organization=obj).order_by("-start")[:5],
    }


register_panel("core.home.tasks", "learning/panels/home_tasks.html", member_tasks, order=50)
register_panel("core.home", "learning/panels/home_secretary.html", secretary_panel, order=50)
register_panel("people.person.detail", "learning/panels/person_hours.html", person_panel, order=50)
register_panel(
    "organization.partyorganization.detail",
    "learning/panels/org_completion.html",
    organization_panel,
    order=50,
)

navigation.register(
    navigation.MenuItem(
        "learning", _("Study sessions"), "learning:studysession_list", "easel", StudySession, order=10
    ),
    navigation.MenuItem(
        "learning", _("Study plans"), "learning:studyplan_list", "list-check", visible=manages, order=20
    ),
    navigation.MenuItem(
        "learning", _("Study hours"), "learning:hours", "hourglass-split", visible=manages, order=30
    ),
    navigation.MenuItem(
        "learning", _("Branch completion"), "learning:completion", "bar-chart", visible=manages, order=31
    ),
    navigation.MenuItem(
        "learning",
        _("Self-study to review"),
        "learning:selfstudy_list",
        "journal-check",
        visible=manages,
        order=40,
    ),
    navigation.MenuItem(
        "learning", _("Quizzes"), "learning:quiz_list", "patch-question", visible=manages, order=50
    ),
    navigation.MenuItem(
        "learning", _("Question bank"), "learning:question_list", "collection", visible=_keeps_bank, order=51
    ),
    navigation.MenuItem(
        "learning", _("My study"), "learning:mine", "person-video3", visible=learns, order=60
    ),
)
home.register_count(
    home.HomeCount(
        _("Self-study to confirm"),
        SelfStudy,
        "learning:selfstudy_list",
        lambda qs: qs.filter(status=SelfStudyStatus.PENDING),
        "status=pending",
        order=50,
    )
)
