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
        from django.db.models.signals import post_delete, post_save

        from .models import Rule

        # A rule saved or removed in a request: that request's later reads see it.
        post_save.connect(rules.forget_cached_rules, sender=Rule, dispatch_uid="core.rules.forget.save")
        post_delete.connect(rules.forget_cached_rules, sender=Rule, dispatch_uid="core.rules.forget.delete")
        audit.register_models()
