"""The study-hours duty (issue 3's missing duty): a branch's members reach their yearly study hours.

``duty.study_hours`` (a branch, yearly) is satisfied by the outside satisfier ``study_hours``: its
progress is the members at or above their requirement out of the members (probationary and full, not
left, its groups included — ``services.hours``), and it is done on the day the last of them reached
their hours: the day of the session (or of its make-up) or of the self-study's confirmation that
took them over. Nobody ticks it: an attendance saved or deleted, a self-study confirmed, or a post
taken or left (the requirement changes) re-evaluates the duty of the person's organisation and of
those above it at once; a member joining or leaving is caught by the daily job's sync.

The loader answers for a whole region in six queries (organisations, memberships, attendance,
self-study, posts, rules), never one per branch or member.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from hongqing.core.querying import rows_for_ids
from hongqing.core.rules import RuleBook
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Membership, TermPosition

from .choices import COUNTING_STATUSES, SelfStudyStatus, StudyAttendanceStatus
from .services.hours import LEADER_KEY, MEMBER_KEY, members_of

SATISFIER = "study_hours"
ZERO = Decimal("0")


def _requirement(book: RuleBook, hospital_id, leader: bool, on: dt.date) -> Decimal:
    return Decimal(str(book.value(LEADER_KEY if leader else MEMBER_KEY, hospital_id, on)))


def load_satisfactions(org_ids, periods) -> dict:
    """{(org_id, period_start): Satisfaction} of the study-hours duty for many organisations and periods."""
    from hongqing.party.services.duties import Satisfaction

    from .models import SelfStudy, StudyAttendance

    org_ids, periods = list(org_ids), sorted(periods)
    if not org_ids or not periods:
        return {}
    orgs = list(PartyOrganization.objects.filter(pk__in=org_ids).only("pk", "path", "hospital_id"))
    memberships = members_of(orgs)
    rows = list(memberships.values_list("person_id", "organization__path", "organization__hospital_id"))
    if not rows:
        return {}
    first, last = periods[0][0], max(end for _s, end in periods)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()), tz)
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()), tz)
    all_ids = [pid for pid, _path, _h in rows]  # a list, not a subquery: see core.querying
    # Each counting record with the day it counted from: (person, day, hours).
    records = defaultdict(list)
    attendances = rows_for_ids(
        StudyAttendance.objects.filter(
            status__in=COUNTING_STATUSES, session__start__gte=start, session__start__lt=end
        )
        .order_by()
        .values_list("person_id", "status", "session__start", "makeup_on", "hours"),
        "person_id",
        all_ids,
    )
    for pid, status, when, made_up, hours in attendances:
        day = (
            made_up
            if status == StudyAttendanceStatus.MAKEUP and made_up
            else timezone.localtime(when, tz).date()
        )
        records[pid].append((timezone.localtime(when, tz).date(), day, hours))
    self_studies = rows_for_ids(
        SelfStudy.objects.filter(
            status=SelfStudyStatus.CONFIRMED, studied_on__gte=first, studied_on__lte=last
        )
        .order_by()
        .values_list("person_id", "studied_on", "reviewed_at", "hours"),
        "person_id",
        all_ids,
    )
    for pid, studied, reviewed, hours in self_studies:
        day = max(studied, timezone.localtime(reviewed, tz).date()) if reviewed else studied
        records[pid].append((studied, day, hours))
    posts = list(
        rows_for_ids(
            TermPosition.objects.filter(term__start__lte=last)
            .filter(Q(term__actual_end__isnull=True) | Q(term__actual_end__gte=first))
            .order_by()
            .values_list("person_id", "start", "end", "term__start", "term__actual_end"),
            "person_id",
            all_ids,
        )
    )
    book = RuleBook("learning.required_hours.", {h for _p, _path, h in rows})
    today = timezone.localdate()
    by_path = sorted(((o.path, o.pk) for o in orgs), key=lambda x: -len(x[0]))
    out = {}
    for p_start, p_end in periods:
        on = min(today, p_end)  # whose post decides: on the period's last day, or today
        leaders = {
            pid
            for pid, s, e, ts, te in posts
            if ts <= on and (te is None or te >= on) and (s is None or s <= on) and (e is None or e >= on)
        }
        counts = {pk: [0, 0, None, True] for pk in org_ids}  # reached, members, last day reached, all reached
        for pid, path, hospital_id in rows:
            need = _requirement(book, hospital_id, pid in leaders, on)
            total, reached_on = ZERO, None
            for held, day, hours in sorted(records.get(pid, ()), key=lambda r: r[1]):
                if p_start <= held <= p_end:
                    total += hours
                    if reached_on is None and total >= need:
                        reached_on = day
            for org_path, org_id in by_path:
                if path.startswith(org_path):
                    c = counts[org_id]
                    c[1] += 1
                    if reached_on is not None:
                        c[0] += 1
                        c[2] = max(c[2], reached_on) if c[2] else reached_on
                    else:
                        c[3] = False
        for org_id, (reached, members, last_day, everyone) in counts.items():
            if members:
                out[(org_id, p_start)] = Satisfaction(last_day if everyone else None, reached, members)
    return out


def hours_url(org_id: int, start: dt.date, end: dt.date) -> str:
    """The members of the organisation still short of their hours that year (the records behind it)."""
    query = {"organization": org_id, "year": start.year, "reached": "no"}
    return f"{reverse('learning:hours')}?{urlencode(query)}"


# ---------------------------------------------------------------------------------------------
# Keeping the duty right


def _organizations_of(person_id: int) -> list[int]:
    """The person's organisation and the organisations above it (one query; the duty is a branch's)."""
    path = Membership.objects.filter(person_id=person_id).values_list("organization__path", flat=True).first()
    if not path:
        return []
    steplen = PartyOrganization.steplen
    prefixes = [path[:i] for i in range(steplen, len(path) + 1, steplen)]
    return list(PartyOrganization.objects.filter(path__in=prefixes).values_list("pk", flat=True))


def _reevaluate(person_id, days) -> None:
    from hongqing.party.services.duties import reevaluate_satisfier

    days = [d for d in days if d]
    if person_id and days:
        reevaluate_satisfier(SATISFIER, _organizations_of(person_id), days)


def _attendance_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    day = timezone.localtime(instance.session.start).date() if instance.session_id else None
    _reevaluate(instance.person_id, [day, instance.makeup_on])


def _self_study_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    _reevaluate(instance.person_id, [instance.studied_on])


def _post_changed(sender, instance, raw=False, **kwargs):
    """A committee post taken or left changes the person's requirement (32 or 56)."""
    if raw or not instance.term_id:
        return
    today = timezone.localdate()
    first = (instance.start or instance.term.start or today).year
    last = min((instance.end or today).year, today.year)
    # A day of each year the post spans (the duty is yearly), the last ten at most.
    _reevaluate(instance.person_id, [dt.date(y, 6, 30) for y in range(max(first, last - 9), last + 1)])


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from hongqing.party.services.duties import register_satisfier

    from .models import SelfStudy, StudyAttendance

    register_satisfier(
        SATISFIER,
        _("study hours"),
        load_satisfactions,
        hours_url,
        duty_labels={"duty.study_hours": _("Members' study hours")},
    )
    uid = "learning.duty"
    post_save.connect(_attendance_changed, sender=StudyAttendance, dispatch_uid=f"{uid}.attendance.save")
    post_delete.connect(_attendance_changed, sender=StudyAttendance, dispatch_uid=f"{uid}.attendance.delete")
    post_save.connect(_self_study_changed, sender=SelfStudy, dispatch_uid=f"{uid}.selfstudy.save")
    post_delete.connect(_self_study_changed, sender=SelfStudy, dispatch_uid=f"{uid}.selfstudy.delete")
    post_save.connect(_post_changed, sender=TermPosition, dispatch_uid=f"{uid}.post.save")
    post_delete.connect(_post_changed, sender=TermPosition, dispatch_uid=f"{uid}.post.delete")
