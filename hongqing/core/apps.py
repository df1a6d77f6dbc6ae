from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hongqing.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit, rules

        post_migrate.connect(rules.ensure_defaults, sender=self)
        audit.register_models()
