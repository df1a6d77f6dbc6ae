from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hongqing.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from hongqing.core import navigation
        from hongqing.core.scoping import register_grant_provider

        from .choices import Role
        from .roles import grants_for_user, has_role

        register_grant_provider(grants_for_user)
        navigation.register(
            navigation.MenuItem(
                "system",
                _("Users and roles"),
                "accounts:user_list",
                "person-gear",
                visible=lambda u: has_role(u, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN),
                order=10,
            ),
            navigation.MenuItem(
                "system",
                _("Audit log"),
                "accounts:audit_log",
                "journal-text",
                visible=lambda u: has_role(u, Role.AUDIT_ADMIN),
                order=20,
            ),
        )
