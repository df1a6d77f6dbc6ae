from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "hongqing.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from hongqing.core import navigation

        from . import (  # noqa: F401  (demo builder, menu and panels, rules as data; rollups follow records)
            demo,
            panels,
            rules,
            signals,
        )

        signals.connect()
        navigation.register_area("assessment", _("Assessment"), "speedometer2", 60)
