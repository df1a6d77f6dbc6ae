"""Points rules (RULES.md §8) with their defaults — data, never constants.

The point catalogue itself (what earns how many points) is a table, ``PointRule``, one per
hospital; ``points.catalogue`` holds the default items a hospital loads and then edits. These are
the rules of the points *system*: when the year starts, whether a total may go below zero, whether
and where rankings show, how long a selection period is.
"""

from django.utils.translation import gettext_lazy as _

from hongqing.core.rules import RuleDefault, declare

GUIDANCE_2023 = "中央层面整治形式主义为基层减负专项工作机制 2023（指尖上的形式主义）"
LOCAL = "local practice (党员积分制管理)"

SCOPES = ("branch", "hospital")


def _check_rankings(value) -> list:
    errors = []
    if set(value) != {"enabled", "scope"}:
        errors.append(_('Give "enabled" (true or false) and "scope" ("branch" or "hospital").'))
        return errors
    if not isinstance(value["enabled"], bool):
        errors.append(_('"enabled" is true or false.'))
    if value["scope"] not in SCOPES:
        errors.append(_('"scope" is "branch" or "hospital".'))
    return errors


declare(
    RuleDefault(
        "points.cycle_start_month",
        1,
        LOCAL,
        "L",
        _("Points year: the month the yearly cycle starts (totals reset then); 1 = January"),
    ),
    RuleDefault(
        "points.total_may_go_below_zero",
        0,
        LOCAL,
        "L",
        _("Points: 0 = a year's total never goes below 0 (a deduction is cut); 1 = it may"),
    ),
    RuleDefault(
        "points.rankings",
        {"enabled": False, "scope": "branch"},
        GUIDANCE_2023,
        "H",
        _("Points rankings: off by default; when on, within a branch (or the whole hospital)"),
        check=_check_rankings,
    ),
    RuleDefault(
        "points.honor_period_months",
        3,
        LOCAL,
        "L",
        _("Honours: months per selection period (3 = each quarter; 1, 6 or 12)"),
    ),
)
