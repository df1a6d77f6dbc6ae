"""Assessment rules with their defaults — data, never constants (a hospital overrides them on /rules/)."""

from django.utils.translation import gettext_lazy as _

from hongqing.core.rules import RuleDefault, declare

PRODUCT = "product default"
PERF = "国办发〔2019〕4号《关于加强三级公立医院绩效考核工作的意见》"
PARTY_GUIDE = "国办发〔2021〕18号《关于推动公立医院高质量发展的意见》"


def check_grade_bands(value) -> list:
    """Grade bands: [[lowest score, grade], …] from the best grade down, the last starting at 0."""
    errors = []
    if not isinstance(value, list) or not value:
        return [_('A list of [lowest score, grade] pairs, best first, e.g. [[90, "好"], [0, "差"]].')]
    previous = None
    for band in value:
        if (
            not isinstance(band, list)
            or len(band) != 2
            or not isinstance(band[0], int | float)
            or isinstance(band[0], bool)
            or not isinstance(band[1], str)
            or not band[1].strip()
        ):
            errors.append(_('Each band is [lowest score, grade], e.g. [80, "较好"].'))
            continue
        if not 0 <= band[0] <= 100:
            errors.append(_("A band's lowest score is from 0 to 100."))
        if previous is not None and band[0] >= previous:
            errors.append(_("The bands go from the best grade down: each lowest score below the one before."))
        previous = band[0]
    if not errors and value[-1][0] != 0:
        errors.append(_("The last band starts at 0, so that every score has a grade."))
    return errors


declare(
    RuleDefault(
        "assessment.grade_bands",
        [[90, "好"], [80, "较好"], [60, "一般"], [0, "差"]],
        PARTY_GUIDE + "; local practice",
        "L",
        _("Grades of a score: [lowest score, grade], best first"),
        check=check_grade_bands,
    ),
    RuleDefault(
        "assessment.party_share",
        50,
        "双目标考核: local practice",
        "L",
        _("Default share of the Party-building score in a branch's total (%)"),
    ),
    RuleDefault(
        "assessment.deviation_ratio",
        0.5,
        PRODUCT,
        "L",
        _("A value departing from the department's 12-month median by more than this share is flagged"),
    ),
    RuleDefault(
        "assessment.deviation_history_months",
        12,
        PRODUCT,
        "L",
        _("Months of a department's history a new value is compared with"),
    ),
    RuleDefault(
        "assessment.deviation_min_months",
        3,
        PRODUCT,
        "L",
        _("Months of history needed before a value is compared with it"),
    ),
    RuleDefault(
        "assessment.screen_refresh_seconds",
        300,
        PRODUCT,
        "L",
        _("The big screen reloads itself every so many seconds"),
    ),
    RuleDefault(
        "assessment.study_hours_per_year",
        32,
        "《中国共产党党员教育管理工作条例》2019",
        "M",
        _("Study hours a member's plan asks for in a year (the study-hours indicator's target)"),
    ),
)
