from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "hongqing.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self):
        from hongqing.core import navigation

        from . import (  # noqa: F401  (the rules; the demo builder; the menu, home figure and panels)
            demo,
            panels,
            rules,
        )

        navigation.register_area("learning", _("Learning"), "book", 40)

        from . import duty

        duty.connect()  # the study-hours duty: its satisfier, and the signals that keep it right
