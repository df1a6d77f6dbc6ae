"""What member development adds to pages: the timeline, the branch pipeline, the menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hongqing.core import navigation
from hongqing.core.panels import register_panel

from . import views_development as views

register_panel("people.membership.detail", "people/development/timeline.html", views.timeline_panel, order=10)
register_panel(
    "organization.partyorganization.detail",
    "people/development/org_panel.html",
    views.organization_panel,
    order=20,
)
navigation.register(
    navigation.MenuItem(
        "party",
        _("Member development"),
        "people:development_pipeline",
        "signpost-split",
        visible=views.manages,
        order=60,
    )
)
