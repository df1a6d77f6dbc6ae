from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "hongqing.party"
    label = "party"
    verbose_name = _("Party work")

    def ready(self):
        from hongqing.core import navigation

        from . import (  # noqa: F401  (the rules; demo builders, menus, panels and home figures of each area)
            demo_appraisal,
            demo_duties,
            demo_meetings,
            demo_talks,
            panels_appraisal,
            panels_duties,
            panels_meetings,
            panels_talks,
            rules,
        )
        from .services import duties, talks

        duties.connect_signals()  # duty lists follow meetings, appraisals, terms, rules and the calendar
        talks.connect_signals()  # …and heart-to-heart talks (an outside satisfier of the duty lists)

        navigation.register_area("party", _("Party work"), "flag", 30)

        from . import demo_dues, panels_dues  # noqa: F401  (dues: the demo builder, the menu, the home panel)
