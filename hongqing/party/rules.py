"""Party-work rules (RULES.md §1, §4) with their regulation defaults — data, never constants."""

import dataclasses

from django.utils.translation import gettext_lazy as _

from hongqing.core.rules import RuleDefault, declare, declared

BRANCH_REG = "《中国共产党支部工作条例（试行）》2018"
EDU_REG = "《中国共产党党员教育管理工作条例》2019"
DUES_REG = "中组发〔2008〕3号"
DUES_REG_2017 = "组电明字〔2017〕5号"


def duty(kinds, period, satisfied_by, count=1, remind=5, due="period_end", **extra):
    """A duty rule: who owes it, how often, which held meeting kinds satisfy it, how many working days ahead to remind.

    ``satisfied_by``: meeting kinds, or "appraisal" (the year's appraisal campaign closed), or "new_term"
    (a newer committee term started). ``due``: "period_end", "last_working_day" (of the period, by the
    working-day calendar) or "term_due_end". ``needs_committee``: owed only while the organisation has
    a committee term.
    """
    return {
        "applies_to": list(kinds),
        "period": period,
        "satisfied_by": list(satisfied_by),
        "count": count,
        "remind_working_days": remind,
        "due": due,
        **extra,
    }


declare(
    # Duties (党务清单)
    RuleDefault(
        "duty.member_congress",
        duty(["branch"], "quarter", ["member_congress"]),
        BRANCH_REG + " 第十五条",
        "H",
        _("Branch member congress: at least once a quarter"),
    ),
    RuleDefault(
        "duty.branch_committee",
        duty(["branch"], "month", ["branch_committee"], needs_committee=True),
        BRANCH_REG + " 第十五条",
        "H",
        _("Branch committee meeting: at least once a month"),
    ),
    RuleDefault(
        "duty.group_meeting",
        duty(["group"], "month", ["group_meeting"]),
        BRANCH_REG + " 第十五条",
        "H",
        _("Party group meeting: at least once a month"),
    ),
    RuleDefault(
        "duty.party_lecture",
        duty(["branch"], "quarter", ["party_lecture"]),
        BRANCH_REG + "; local practice",
        "M",
        _("Party lecture in the branch: at least once a quarter"),
    ),
    RuleDefault(
        "duty.theme_day",
        duty(["branch"], "month", ["theme_day"]),
        BRANCH_REG,
        "H",
        _("Theme Party day: once a month"),
    ),
    RuleDefault(
        "duty.org_life_session",
        duty(["branch", "general_branch"], "year", ["org_life_session"], remind=20),
        BRANCH_REG + " 第十八条",
        "H",
        _("Organisational life session: at least once a year"),
    ),
    RuleDefault(
        "duty.committee_lecture",
        duty(["committee"], "year", ["party_lecture"], remind=20),
        BRANCH_REG,
        "H",
        _("The committee secretary lectures at least once a year"),
    ),
    RuleDefault(
        "duty.appraisal",
        duty(["branch"], "year", ["appraisal"], remind=20),
        BRANCH_REG + " 第十九条",
        "H",
        _("Democratic appraisal of members: once a year"),
    ),
    RuleDefault(
        "duty.heart_to_heart",
        duty(["branch"], "year", ["heart_to_heart"], remind=20),
        BRANCH_REG,
        "H",
        _("Heart-to-heart talks: every committee member with each member, at least once a year"),
    ),
    RuleDefault(
        "duty.term_renewal",
        duty(["committee", "general_branch", "branch"], "month", ["new_term"], remind=60, due="term_due_end"),
        "《中国共产党基层组织选举工作条例》2020; " + BRANCH_REG,
        "H",
        _("Term renewal: a new committee is elected when the term is due (in the month of its due end)"),
    ),
    RuleDefault(
        "duty.reminder_catch_up_days",
        7,
        "product default",
        "-",
        _("A reminder the job missed (it did not run that day) is still sent this many days later"),
    ),
    RuleDefault(
        "duty.reminder_overdue_days",
        0,
        "product default",
        "-",
        _("Days after the deadline to send the overdue reminder"),
    ),
    # Quorum and votes
    RuleDefault(
        "meeting.quorum_fraction",
        "0.5",
        BRANCH_REG,
        "M",
        _("A congress or committee meeting needs more than this share of those who should attend"),
    ),
    RuleDefault(
        "meeting.pass_fraction",
        "0.5",
        BRANCH_REG,
        "M",
        _("A resolution passes with more 'yes' votes than this share of the full members who should attend"),
    ),
    # Appraisal
    RuleDefault(
        "appraisal.excellent_max_fraction",
        "0.3334",
        BRANCH_REG + "; local practice",
        "M",
        _("Excellent ratings generally at most one third (warning)"),
    ),
    # Dues (brackets: [upper bound or null, rate]; the whole base times the bracket's rate)
    RuleDefault(
        "dues.brackets.salaried",
        [[3000, "0.005"], [5000, "0.01"], [10000, "0.015"], [None, "0.02"]],
        DUES_REG,
        "H",
        _("Dues brackets for salaried members (monthly base, rate)"),
    ),
    RuleDefault(
        "dues.brackets.retired",
        [[5000, "0.005"], [None, "0.01"]],
        DUES_REG,
        "H",
        _("Dues brackets for retired members (basic pension, rate)"),
    ),
    RuleDefault(
        "dues.minimal_amount",
        "0.20",
        DUES_REG,
        "H",
        _("Monthly dues of students, the unemployed and members on relief (yuan)"),
    ),
    RuleDefault(
        "dues.cap_warning", 1000, DUES_REG, "H", _("Monthly dues above this are voluntary (warning)")
    ),
    RuleDefault(
        "dues.makeup_max_months", 6, DUES_REG, "H", _("Arrears may be made up for at most this many months")
    ),
    RuleDefault(
        "dues.alert_months",
        [3, 6],
        "党章 第九条; product default",
        "H",
        _("Consecutive unpaid months that raise an alert"),
    ),
    RuleDefault(
        "dues.included_items",
        ["岗位工资", "薪级工资", "基础性绩效", "规范津贴补贴"],
        DUES_REG_2017,
        "H",
        _("Pay items counted in the dues base of public-institution staff"),
    ),
    RuleDefault(
        "dues.excluded_items",
        ["奖励性绩效", "个人所得税", "社会保险", "住房公积金", "职业年金", "改革性补贴", "特殊岗位津贴"],
        DUES_REG_2017,
        "H",
        _("Pay items never counted in the dues base"),
    ),
)


DUTY_KEYS = {"applies_to", "period", "satisfied_by", "count", "remind_working_days", "due", "needs_committee"}
DUTY_PERIODS = ("month", "quarter", "year")
DUTY_DUES = ("period_end", "last_working_day", "term_due_end")


def check_duty(value) -> list:
    """The errors of a proposed duty rule (the rules page refuses it rather than lose the duties)."""
    from hongqing.organization.choices import OrgKind

    from .choices import MeetingKind

    errors = []
    unknown = sorted(set(value) - DUTY_KEYS)
    if unknown:
        errors.append(_("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
    kinds = value.get("applies_to")
    if not isinstance(kinds, list) or not kinds or any(k not in OrgKind.values for k in kinds):
        errors.append(
            _("applies_to: a list of organisation kinds (%(kinds)s).") % {"kinds": ", ".join(OrgKind.values)}
        )
    if value.get("period") not in DUTY_PERIODS:
        errors.append(_("period: one of %(values)s.") % {"values": ", ".join(DUTY_PERIODS)})
    satisfied = value.get("satisfied_by")
    from .services.duties import satisfier_names

    outside = satisfier_names()
    allowed = [*MeetingKind.values, "appraisal", "new_term", *outside]
    if not isinstance(satisfied, list) or not satisfied or any(k not in allowed for k in satisfied):
        errors.append(
            _("satisfied_by: a list of meeting kinds, or appraisal, or new_term, or one of: %(names)s.")
            % {"names": ", ".join(outside) or "-"}
        )
    for key, low, high in (("count", 1, 31), ("remind_working_days", 0, 250)):
        number = value.get(key, low)
        if not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high:
            errors.append(
                _("%(key)s: a whole number from %(low)d to %(high)d.")
                % {"key": key, "low": low, "high": high}
            )
    if value.get("due", "period_end") not in DUTY_DUES:
        errors.append(_("due: one of %(values)s.") % {"values": ", ".join(DUTY_DUES)})
    if not isinstance(value.get("needs_committee", False), bool):
        errors.append(_("needs_committee: true or false."))
    return errors


def duty_default(key: str, value, source: str, confidence: str, description) -> RuleDefault:
    """A duty rule's declaration, checked like the ones above before a hospital's override is saved.

    For duties another app declares (e.g. ``learning``'s study hours, satisfied by its records through
    ``party.services.duties.register_satisfier``).
    """
    return RuleDefault(key, value, source, confidence, description, check=check_duty)


# Each duty rule (a dict with applies_to) is checked before a hospital's override of it is saved.
declare(
    *(
        dataclasses.replace(d, check=check_duty)
        for key, d in declared().items()
        if key.startswith("duty.") and isinstance(d.value, dict) and "applies_to" in d.value
    )
)
