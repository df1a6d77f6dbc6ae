from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "hongqing.organization"
    label = "organization"
    verbose_name = _("Organisation")

    def ready(self):
        from . import rules  # noqa: F401  (declares the rule defaults)
