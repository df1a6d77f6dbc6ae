"""What the assessment pages share: the hospital, month and year asked for, and who manages what."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.scoping import ALL, HOSPITAL, VIEW, grants_for
from hongqing.core.views import rule_hospitals
from hongqing.organization.models import Hospital

from ..periods import add_months, month_of, parse_month

AREA = "assessment"


def hospitals_for(user, action: str = VIEW) -> list[Hospital]:
    """The hospitals the user sees (or changes) as a whole: hospital-wide roles and the regional reader."""
    ids = rule_hospitals(user, action)
    return list(Hospital.objects.filter(pk__in=ids).order_by("pk")) if ids else []


def hospital_wide(user, hospital_id: int, action: str = VIEW) -> bool:
    """Whether the user holds a whole-hospital grant over this hospital (the ranking is theirs only)."""
    for g in grants_for(user):
        if action not in g.actions or g.areas is not None:
            continue
        if g.kind == ALL or (g.kind == HOSPITAL and hospital_id in g.hospital_ids):
            return True
    return False


def manages(user, action: str = VIEW) -> bool:
    """A scope of others' assessment (a branch, a hospital), not only one's own records."""
    return any(g.applies(AREA, action) and not g.personal for g in grants_for(user))


def chosen_hospital(request, hospitals: list[Hospital]) -> Hospital:
    if not hospitals:
        raise PermissionDenied(_("You have no permission for this page."))
    wanted = request.GET.get("hospital") or request.POST.get("hospital") or ""
    for h in hospitals:
        if str(h.pk) == wanted:
            return h
    return hospitals[0]


def chosen_month(request, default: dt.date | None = None) -> dt.date:
    month = parse_month(request.GET.get("month") or request.POST.get("month"))
    if month is not None:
        return month
    return default or add_months(month_of(timezone.localdate()), -1)


def chosen_year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if today.year - 10 <= year <= today.year + 1 else today.year


def year_choices(year: int) -> list[int]:
    current = timezone.localdate().year
    return sorted({current - 2, current - 1, current, year})
