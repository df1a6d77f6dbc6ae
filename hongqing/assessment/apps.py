from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "hongqing.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from hongqing.core import navigation

        from . import rules, signals  # noqa: F401  (the rules as data; the rollups follow the records)

        signals.connect()
        navigation.register_area("assessment", _("Assessment"), "speedometer2", 60)
