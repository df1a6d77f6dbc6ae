"""What talks add to other pages: the menu, and a person's talks (held with them, or held by them)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hongqing.core import navigation
from hongqing.core.panels import register_panel
from hongqing.core.scoping import CHANGE, VIEW, has_permission

from .models import Talk

RECENT = 5


def _person_talks(request, obj, **kwargs):
    user = request.user
    if not has_permission(user, Talk, VIEW):
        return None
    talks = list(
        Talk.objects.restrict(user, VIEW)
        .filter(Q(person=obj) | Q(talker=obj))
        .select_related("talker", "person")
        .order_by("-date", "-pk")[:RECENT]
    )
    add_url = None
    if has_permission(user, Talk, CHANGE):
        add_url = f"{reverse('party:talk_add')}?{urlencode({'person': obj.pk})}"
    if not talks and add_url is None:
        return None
    return {"person": obj, "talks": talks, "add_url": add_url}


register_panel("people.person.detail", "party/talks/panels/person_talks.html", _person_talks, order=35)

navigation.register(
    navigation.MenuItem("party", _("Talks"), "party:talk_list", "chat-dots", Talk, order=40),
    navigation.MenuItem("party", _("Growth talks"), "party:talk_growth", "graph-up-arrow", Talk, order=41),
)
