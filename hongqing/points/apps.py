from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "hongqing.points"
    label = "points"
    verbose_name = _("Points and honours")

    def ready(self):
        from hongqing.core import navigation

        from . import (  # noqa: F401  (record types, rules, menu, panels, demo)
            builtin_triggers,
            demo,
            panels,
            rules,
            signals,
        )

        signals.connect()  # the ledger follows meetings, memberships, volunteering, honours, proposals
        navigation.register_area("points", _("Points and honours"), "award", 50)
