"""What the appraisal adds to pages: the results on a person's page, the member's home task, the menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hongqing.core import navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import VIEW

from .choices import AppraisalStage
from .models import AppraisalEntry, AppraisalVote
from .services import appraisal as services


def _manages(user) -> bool:
    from .views.appraisal import manages

    return manages(user)


def _has_person(user) -> bool:
    from .views.appraisal import own_person

    return own_person(user) is not None


def person_panel(request, obj, **kwargs):
    """The person's appraisal results (slot ``people.person.detail``), as far as the user's scope goes."""
    entries = list(
        AppraisalEntry.objects.restrict(request.user, VIEW)
        .filter(membership__person=obj)
        .select_related("campaign__organization")
        .order_by("-campaign__year")
    )
    return {"entries": entries} if entries else None


def home_task(request, **kwargs):
    """The member's open part of an appraisal: the self-assessment, or a ballot not yet cast in full."""
    from .views.appraisal import own_entries, own_person

    person = own_person(request.user)
    if person is None:
        return None
    open_stages = (AppraisalStage.SELF, *services.VOTING_STAGES)
    entries = list(
        own_entries(request.user).filter(campaign__stage__in=open_stages).select_related("campaign")
    )
    tasks = []
    for e in entries:
        c = e.campaign
        if c.stage == AppraisalStage.SELF:
            if not e.self_rating:
                tasks.append({"campaign": c, "kind": "self", "entry": e})
            continue
        peers = c.entries.count() - 1
        cast = AppraisalVote.objects.filter(entry__campaign=c, voter=person, round=c.stage).count()
        if cast < peers:
            tasks.append({"campaign": c, "kind": "ballot", "left": peers - cast})
    return {"tasks": tasks} if tasks else None


register_panel("people.person.detail", "party/appraisal/person_panel.html", person_panel, order=40)
register_panel("core.home.tasks", "party/appraisal/home_task.html", home_task, order=40)
navigation.register(
    navigation.MenuItem(
        "party",
        _("Appraisals"),
        "party:appraisalcampaign_list",
        "clipboard-check",
        visible=_manages,
        order=40,
    ),
    navigation.MenuItem(
        "party", _("My appraisal"), "party:appraisal_mine", "person-check", visible=_has_person, order=45
    ),
)
