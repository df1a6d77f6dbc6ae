"""The default point catalogue a hospital loads and then edits (a common local scheme, 党员积分制管理).

Base points each year, attending organisational life, an unexcused absence deducted, study and
quizzes, volunteering, honours, and the manual items a branch proposes. Each is an ordinary
``PointRule`` afterwards: the Party office changes amounts and caps, ends items, adds its own.
Items whose record type is not installed (study and quizzes before the learning app) are left out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event

from .. import triggers
from ..choices import CapPeriod, HonorKind, VolunteeringKind
from ..models import PointRule
from . import periods

D = Decimal
# (order, name, trigger, amount, cap, cap period, kinds, min score, description)
DEFAULT_ITEMS = [
    (10, "基础积分", "base", D("60"), None, "", [], None, "每名党员每年基础分"),
    (
        20,
        "参加组织生活（三会一课、主题党日等）",
        "meeting_attendance",
        D("2"),
        D("10"),
        CapPeriod.MONTH,
        [],
        None,
        "出席或会后补学，每次",
    ),
    (25, "无故缺席组织生活", "meeting_absence", D("-3"), None, "", [], None, "未请假缺席，每次"),
    (30, "参加学习活动", "study_attendance", D("1"), D("8"), CapPeriod.MONTH, [], None, "出席或补学，每次"),
    (35, "党史快问快答", "quiz_attempt", D("1"), D("4"), CapPeriod.MONTH, [], D("80"), "80分及以上，每次"),
    (
        50,
        "志愿服务（按小时）",
        "volunteering_hours",
        D("0.5"),
        D("20"),
        CapPeriod.YEAR,
        [VolunteeringKind.VOLUNTEER],
        None,
        "每小时",
    ),
    (
        51,
        "结对帮扶、义诊",
        "volunteering_activity",
        D("2"),
        D("12"),
        CapPeriod.QUARTER,
        [VolunteeringKind.PAIRING, VolunteeringKind.FREE_CLINIC],
        None,
        "每次",
    ),
    (60, "获评优秀共产党员", "honor", D("10"), None, "", [HonorKind.EXCELLENT_MEMBER], None, ""),
    (61, "获评党员示范岗", "honor", D("8"), None, "", [HonorKind.MODEL_POST], None, ""),
    (90, "先进事迹、好人好事", "manual", D("3"), D("15"), CapPeriod.YEAR, [], None, "支部申报，党办审核"),
    (91, "获上级表彰", "manual", D("5"), None, "", [], None, "院外表彰，支部申报，党办审核"),
    (95, "违反纪律或有关规定", "manual", D("-5"), None, "", [], None, "支部申报，党办审核"),
]


def default_items() -> list[dict]:
    out = []
    for order, name, trigger, amount, cap, period, kinds, min_score, description in DEFAULT_ITEMS:
        if triggers.get(trigger) is None:
            continue
        out.append(
            {
                "sort_order": order,
                "name": name,
                "trigger": trigger,
                "amount": amount,
                "cap": cap,
                "cap_period": period,
                "kinds": [str(k) for k in kinds],
                "min_score": min_score,
                "description": description,
            }
        )
    return out


@transaction.atomic
def load_default_catalogue(hospital, *, actor=None, active_from: dt.date | None = None) -> list[PointRule]:
    """Add the default items to a hospital with no catalogue yet, from the start of this points year."""
    if PointRule.objects.filter(hospital=hospital).exists():
        raise ValidationError(
            _("%(hospital)s already has a point catalogue: edit it instead.") % {"hospital": hospital}
        )
    if active_from is None:
        month = periods.start_month(hospital.pk)
        active_from = periods.bounds(periods.year_of(timezone.localdate(), month), month)[0]
    rules = PointRule.objects.bulk_create(
        [
            PointRule(hospital=hospital, active_from=active_from, created_by=actor, **item)
            for item in default_items()
        ]
    )
    log_event("points_catalogue_loaded", actor=actor, obj=hospital, data={"items": len(rules)})
    return rules
