from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "hongqing.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self):
        from hongqing.core import navigation

        from . import panels, rules  # noqa: F401  (the rules; the menu, home figure and panels)

        navigation.register_area("learning", _("Learning"), "book", 40)
