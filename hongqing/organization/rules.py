"""Organisation rules (RULES.md §2) with their regulation defaults."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hongqing.core.rules import RuleDefault, declare

CCP_BRANCH_REG = "《中国共产党支部工作条例（试行）》2018"
CCP_BASE_ELECTION = "《中国共产党基层组织选举工作条例》2020"

declare(
    RuleDefault(
        "term.years.committee", 5, CCP_BASE_ELECTION, "H", _("Term of a base-level Party committee (years)")
    ),
    RuleDefault(
        "term.years.discipline_committee",
        5,
        CCP_BASE_ELECTION,
        "H",
        _("Term of a discipline committee (years)"),
    ),
    RuleDefault(
        "term.years.general_branch", 3, CCP_BASE_ELECTION, "H", _("Term of a general branch (years)")
    ),
    RuleDefault("term.years.branch", 3, CCP_BASE_ELECTION, "H", _("Term of a branch (years)")),
    RuleDefault(
        "term.extension_max_months",
        12,
        CCP_BASE_ELECTION,
        "H",
        _("Longest extension or advance of a term (months)"),
    ),
    RuleDefault(
        "term.reminder_months",
        [6, 3],
        gettext_noop("product default"),
        "-",
        _("Months before a term's due end to warn"),
    ),
    RuleDefault(
        "branch.min_full_members", 3, CCP_BRANCH_REG, "H", _("A branch needs at least this many full members")
    ),
    RuleDefault(
        "branch.max_members", 50, CCP_BRANCH_REG, "H", _("A branch generally has at most this many members")
    ),
    RuleDefault(
        "branch.committee_min_full_members",
        7,
        CCP_BRANCH_REG,
        "H",
        _("With this many full members a branch elects a committee"),
    ),
)
