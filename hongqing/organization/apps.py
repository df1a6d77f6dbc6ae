from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "hongqing.organization"
    label = "organization"
    verbose_name = _("Organisation")

    def ready(self):
        from hongqing.core import home, navigation
        from hongqing.core.views import rule_hospitals

        from . import demo, rules  # noqa: F401  (declares rule defaults and the demo builder)
        from .models import CommitteeTerm, Department, DisciplineGroup, Hospital, PartyOrganization

        navigation.register_area("organization", _("Organisation"), "diagram-3", 10)
        navigation.register_area("people", _("People"), "people", 20)
        navigation.register_area("system", _("System"), "gear", 90)
        navigation.register(
            navigation.MenuItem(
                "organization",
                _("Organisation tree"),
                "organization:tree",
                "diagram-3",
                PartyOrganization,
                order=10,
            ),
            navigation.MenuItem(
                "organization",
                _("Party organisations"),
                "organization:partyorganization_list",
                "flag",
                PartyOrganization,
                order=20,
            ),
            navigation.MenuItem(
                "organization",
                _("Committee terms"),
                "organization:committeeterm_list",
                "calendar-range",
                CommitteeTerm,
                order=30,
            ),
            navigation.MenuItem(
                "organization",
                _("Departments"),
                "organization:department_list",
                "hospital",
                Department,
                order=40,
            ),
            navigation.MenuItem(
                "organization",
                _("Discipline groups"),
                "organization:disciplinegroup_list",
                "collection",
                DisciplineGroup,
                order=50,
            ),
            navigation.MenuItem(
                "organization", _("Hospitals"), "organization:hospital_list", "building", Hospital, order=60
            ),
            navigation.MenuItem(
                "system",
                _("Rules"),
                "core:rule_list",
                "sliders",
                visible=lambda u: bool(rule_hospitals(u, "view")),
                order=30,
            ),
            navigation.MenuItem(
                "system",
                _("Working-day calendar"),
                "core:calendar",
                "calendar3",
                visible=lambda u: bool(rule_hospitals(u, "view")),
                order=40,
            ),
        )
        home.register_count(
            home.HomeCount(
                _("Branches"),
                PartyOrganization,
                "organization:partyorganization_list",
                lambda qs: qs.filter(kind="branch"),
                "kind=branch",
                order=30,
            ),
            home.HomeCount(_("Departments"), Department, "organization:department_list", None, "", order=40),
        )
