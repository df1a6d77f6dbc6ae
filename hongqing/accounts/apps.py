from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hongqing.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from hongqing.core.scoping import register_grant_provider

        from .roles import grants_for_user

        register_grant_provider(grants_for_user)
