from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "hongqing.points"
    label = "points"
    verbose_name = _("Points and honours")

    def ready(self):
        from hongqing.core import navigation

        from . import builtin_triggers, rules, signals  # noqa: F401  (the record types and the rules)

        signals.connect()  # the ledger follows meetings, memberships, volunteering, honours, proposals
        navigation.register_area("points", _("Points and honours"), "award", 50)
