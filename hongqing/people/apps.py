from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "hongqing.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from . import (  # noqa: F401  (the demo builder; panels; the development rules and pages)
            demo,
            demo_development,
            panels,
            panels_development,
            rules,
        )
