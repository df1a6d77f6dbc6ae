"""What points adds elsewhere: the menu, the home page (the office's proposals to approve, the
open selection, a member's points), and panels on the person and organisation pages."""

from __future__ import annotations

from django.db.models import Count, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core import navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import VIEW, has_permission
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Hospital

from . import access
from .choices import NominationStatus, ProposalStatus, RoundStatus
from .models import Honor, HonorRound, Nomination, PointEntry, PointProposal, PointRule, Volunteering
from .services import periods, totals

ZERO = totals.ZERO


def _person_panel(request, obj, **kwargs):
    user = request.user
    if not has_permission(user, PointEntry, VIEW):
        return None
    year = periods.cycle_year(timezone.localdate(), obj.hospital_id)
    lines = PointEntry.objects.restrict(user, VIEW).filter(person=obj, year=year)
    agg = lines.aggregate(s=Sum("amount"), n=Count("pk"))
    honors = list(Honor.objects.restrict(user, VIEW).filter(person=obj).order_by("-awarded_on")[:5])
    activities = (
        Volunteering.objects.restrict(user, VIEW).filter(participants__person=obj, date__year=year).count()
    )
    if not agg["n"] and not honors and not activities:
        return None
    own = access.own_person(user)
    return {
        "person": obj,
        "year": year,
        "total": agg["s"] or ZERO,
        "recent": list(lines.select_related("rule").order_by("-date", "-pk")[:5]),
        "honors": honors,
        "activities": activities,
        "mine": own is not None and own.pk == obj.pk,
        "manages": access.manages(user),
    }


def _org_panel(request, obj, **kwargs):
    user = request.user
    if obj.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH) or not access.manages(user):
        return None
    year = periods.cycle_year(timezone.localdate(), obj.hospital_id)
    rows = totals.members_of(user, obj, year)
    total = sum((r.total for r in rows), ZERO)
    honors = list(
        Honor.objects.restrict(user, VIEW)
        .filter(organization__path__startswith=obj.path)
        .order_by("-awarded_on")[:5]
    )
    activities = (
        Volunteering.objects.restrict(user, VIEW)
        .filter(organizer__path__startswith=obj.path, date__year=year)
        .count()
    )
    return {
        "organization": obj,
        "year": year,
        "members": len(rows),
        "total": total,
        "average": (total / len(rows)).quantize(totals.Decimal("0.1")) if rows else ZERO,
        "honors": honors,
        "activities": activities,
    }


def _office_tasks(request, **kwargs):
    """The Party office's queue: proposals to approve, nominations endorsed by their branch."""
    user = request.user
    offices = access.office_hospitals(user)
    if not offices:
        return None
    pending = PointProposal.objects.restrict(user, VIEW).filter(
        hospital_id__in=offices, status=ProposalStatus.PENDING
    )
    first = list(pending.select_related("person", "rule").order_by("created")[:5])
    count = pending.count() if len(first) == 5 else len(first)
    endorsed = (
        Nomination.objects.restrict(user, VIEW)
        .filter(round__hospital_id__in=offices, status=NominationStatus.ENDORSED)
        .count()
    )
    if not count and not endorsed:
        return None
    return {"proposals": first, "count": count, "endorsed": endorsed}


def _home(request) -> dict:
    """What the home page shows of points, in one query for the whole page (it has a budget):
    the user's own total of the year and, for a branch's secretary, the open selection round."""
    cached = getattr(request, "_points_home", None)
    if cached is not None:
        return cached
    user = request.user
    person = access.own_person(user) if access.has_own(user) else None
    nominates = not access.office_hospitals(user) and access.manages(user, "change")
    out: dict = {}
    if person is not None or nominates:
        year = periods.cycle_year(timezone.localdate(), person.hospital_id if person else None)
        rounds = HonorRound.objects.restrict(user, VIEW).filter(status=RoundStatus.OPEN).order_by("start")
        # The user's own lines, which their own-record grant always reaches: read without resolving
        # their other grants (a secretary's branch).
        mine = PointEntry.objects.filter(person=person, year=year).order_by().values("person")
        anchor = Hospital.objects.filter(pk=person.hospital_id) if person else Hospital.objects.all()[:1]
        row = (
            anchor.annotate(
                total=Subquery(mine.annotate(s=Sum("amount")).values("s")),
                lines=Subquery(mine.annotate(n=Count("pk")).values("n")),
                round_id=Subquery(rounds.values("pk")[:1]),
                rounds=Subquery(rounds.order_by().values("status").annotate(n=Count("pk")).values("n")),
            )
            .values("total", "lines", "round_id", "rounds")
            .first()
        ) or {}
        out = {"year": year, **row, "person": person, "nominates": nominates}
    request._points_home = out
    return out


def _branch_tasks(request, **kwargs):
    """A secretary: the open selection round of their hospital to nominate in."""
    home = _home(request)
    if not home.get("nominates") or not home.get("round_id"):
        return None
    return {"round": HonorRound(pk=home["round_id"]), "rounds": home["rounds"]}


def _my_points(request, **kwargs):
    home = _home(request)
    if home.get("person") is None or not home.get("lines"):
        return None
    return {"year": home["year"], "total": home["total"] or ZERO, "lines": home["lines"]}


def _load_catalogue(request, **kwargs):
    """Above the catalogue: the office loads the default one into a hospital that has none."""
    from .forms import LoadCatalogueForm

    if not access.is_office(request.user):
        return None
    form = LoadCatalogueForm(user=request.user)
    return {"form": form} if form.fields["hospital"].queryset.exists() else None


def _volunteering_figures(request, **kwargs):
    """Above the activities: the report figures of the activities the filters select."""
    from .filtersets import VolunteeringFilterSet
    from .services.volunteering import figures

    qs = Volunteering.objects.restrict(request.user, VIEW)
    f = VolunteeringFilterSet(request.GET or None, queryset=qs, request=request)
    if f.is_bound and f.is_valid():
        qs = f.qs
    return {"figures": figures(Volunteering.objects.filter(pk__in=qs.values("pk")))}


def _open_round(request, **kwargs):
    from .forms import OpenRoundForm

    if not access.is_office(request.user):
        return None
    form = OpenRoundForm(user=request.user)
    return {"form": form} if form.fields["period"].choices else None


def _manages(user) -> bool:
    return access.manages(user)


register_panel("people.person.detail", "points/panels/person.html", _person_panel, order=50)
register_panel(
    "organization.partyorganization.detail", "points/panels/organization.html", _org_panel, order=50
)
register_panel("core.home.tasks", "points/panels/office_tasks.html", _office_tasks, order=50)
register_panel("core.home.tasks", "points/panels/branch_tasks.html", _branch_tasks, order=55)
register_panel("core.home", "points/panels/my_points.html", _my_points, order=50)
register_panel("points.pointrule.list", "points/panels/load_catalogue.html", _load_catalogue)
register_panel("points.volunteering.list", "points/panels/volunteering_figures.html", _volunteering_figures)
register_panel("points.honorround.list", "points/panels/open_round.html", _open_round)

navigation.register(
    navigation.MenuItem("points", _("My points"), "points:mine", "star", visible=access.has_own, order=10),
    navigation.MenuItem(
        "points", _("Branch points"), "points:branches", "people", visible=_manages, order=20
    ),
    navigation.MenuItem(
        "points", _("Points ledger"), "points:pointentry_list", "journal-text", visible=_manages, order=30
    ),
    navigation.MenuItem(
        "points", _("Points proposals"), "points:pointproposal_list", "inbox", visible=_manages, order=40
    ),
    navigation.MenuItem(
        "points", _("Point rules"), "points:pointrule_list", "list-check", PointRule, order=50
    ),
    navigation.MenuItem(
        "points", _("Volunteering"), "points:volunteering_list", "heart", visible=_manages, order=60
    ),
    navigation.MenuItem("points", _("Honours"), "points:honor_list", "trophy", Honor, order=70),
    navigation.MenuItem(
        "points", _("Selection rounds"), "points:honorround_list", "award", visible=_manages, order=80
    ),
    navigation.MenuItem(
        "points", _("Points years"), "points:years", "calendar-check", visible=access.is_office, order=90
    ),
)
