"""Learning rules (RULES.md §1 member education, §8) with their defaults — data, never constants."""

from django.utils.translation import gettext_lazy as _

from hongqing.core.rules import RuleDefault, declare
from hongqing.party.rules import duty, duty_default

EDU_REG = "《中国共产党党员教育管理工作条例》2019"

declare(
    # Required yearly study hours
    RuleDefault(
        "learning.required_hours.member",
        32,
        EDU_REG + " 第十五条",
        "M",
        _("Study hours a member needs in a year"),
    ),
    RuleDefault(
        "learning.required_hours.leader",
        56,
        EDU_REG + " 第十五条",
        "M",
        _("Study hours a branch secretary or committee member (a post in a current term) needs in a year"),
    ),
    # QR check-in
    RuleDefault(
        "learning.checkin_opens_minutes",
        30,
        "product default",
        "-",
        _("Check-in opens this many minutes before a session starts"),
    ),
    RuleDefault(
        "learning.checkin_closes_minutes",
        30,
        "product default",
        "-",
        _("Check-in closes this many minutes after a session ends"),
    ),
    RuleDefault(
        "learning.checkin_code_seconds",
        30,
        "product default",
        "-",
        _("The check-in code on the organiser's screen changes this often (seconds)"),
    ),
    RuleDefault(
        "learning.checkin_code_valid_seconds",
        90,
        "product default",
        "-",
        _("A scanned check-in code is accepted for this long (seconds): a forwarded photo dies quickly"),
    ),
    # Quizzes
    RuleDefault(
        "learning.quiz_multiple_partial",
        0,
        "product default (common local practice: all or nothing)",
        "L",
        _("Multiple choice: 1 gives partial credit for a subset of the right options, 0 all or nothing"),
    ),
    RuleDefault(
        "learning.quiz_grace_seconds",
        5,
        "product default",
        "-",
        _("Seconds after a quiz's time limit during which answers are still accepted (network delay)"),
    ),
    RuleDefault(
        "learning.session_max_hours",
        40,
        "product default",
        "-",
        _("The most hours one study session (or one self-study record) may credit"),
    ),
    # The study-hours duty (党务清单): satisfied by the members' hours (``learning.duty``).
    duty_default(
        "duty.study_hours",
        duty(["branch"], "year", ["study_hours"], remind=20),
        EDU_REG + " 第十五条",
        "M",
        _("Members' study hours: every member of the branch reaches their yearly hours"),
    ),
)
