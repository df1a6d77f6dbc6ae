from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "hongqing.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from . import panels  # noqa: F401  (adds warnings and ratios to the organisation pages)
