"""Party-work rules (RULES.md §1, §4) with their regulation defaults — data, never constants."""

from django.utils.translation import gettext_lazy as _

from hongqing.core.rules import RuleDefault, declare

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
