"""Talks (谈话): who still owes a heart-to-heart talk, the duty they satisfy, growth talks per department.

The yearly 谈心谈话 duty (RULES.md §1) is done when every committee member of the branch has talked
with each member (committee members among themselves too) in the year: progress is the pairs covered
out of the pairs owed, and the duty is done on the day the last pair talked. A talk counts for the pair
whoever of the two is recorded as holding it. The committee is the posts (``TermPosition``) of the
branch's terms in force during the period; the members are the branch's current probationary and full
members (memberships keep no history of the organisations they were in). A talk or a post changed
re-evaluates the duty at once; a member joining or leaving is caught by the daily job's sync.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership, TermPosition

from ..choices import GROWTH_KINDS, TalkKind
from ..models import Talk
from .duties import Satisfaction, register_satisfier

SATISFIER = "heart_to_heart"


@dataclass
class Coverage:
    """Who owes whom a heart-to-heart talk in one organisation and period."""

    committee: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    first_talk: dict[frozenset, dt.date] = field(default_factory=dict)  # pair -> first talk in the period

    @property
    def pairs(self) -> set[frozenset]:
        people = self.members | self.committee
        return {frozenset((c, m)) for c in self.committee for m in people if c != m}

    def satisfaction(self) -> Satisfaction:
        owed = self.pairs
        covered = [self.first_talk[p] for p in owed if p in self.first_talk]
        done = bool(owed) and len(covered) == len(owed)
        return Satisfaction(max(covered) if done else None, len(covered), len(owed))


def coverage(org_ids, periods) -> dict[tuple[int, dt.date], Coverage]:
    """{(org_id, period_start): Coverage} in three queries, whatever the number of organisations."""
    org_ids = list(org_ids)
    periods = sorted(periods)
    if not org_ids or not periods:
        return {}
    first, last = periods[0][0], max(end for _start, end in periods)
    positions = (
        TermPosition.objects.filter(term__organization_id__in=org_ids, term__start__lte=last)
        .filter(Q(term__actual_end__isnull=True) | Q(term__actual_end__gte=first))
        .filter(Q(start__isnull=True) | Q(start__lte=last), Q(end__isnull=True) | Q(end__gte=first))
        .order_by()
        .values_list("term__organization_id", "person_id", "start", "end", "term__start", "term__actual_end")
    )
    members = defaultdict(set)
    for org_id, person_id in (
        Membership.objects.filter(organization_id__in=org_ids, stage__in=MEMBER_STAGES)
        .order_by()
        .values_list("organization_id", "person_id")
    ):
        members[org_id].add(person_id)
    talks = defaultdict(list)
    for org_id, talker, person, day in (
        Talk.objects.filter(
            organization_id__in=org_ids, kind=TalkKind.HEART_TO_HEART, date__gte=first, date__lte=last
        )
        .order_by("date")
        .values_list("organization_id", "talker_id", "person_id", "date")
    ):
        talks[org_id].append((frozenset((talker, person)), day))
    out = {
        (org_id, start): Coverage(members=set(members[org_id])) for org_id in org_ids for start, _e in periods
    }
    for org_id, person_id, p_start, p_end, t_start, t_end in positions:
        for start, end in periods:
            held = (p_start or t_start) <= end and (p_end or t_end or end) >= start
            if held and t_start <= end and (t_end is None or t_end >= start):
                out[(org_id, start)].committee.add(person_id)
    for org_id, rows in talks.items():
        for start, end in periods:
            seen = out[(org_id, start)].first_talk
            for pair, day in rows:  # in date order: the first talk of each pair wins
                if start <= day <= end and pair not in seen:
                    seen[pair] = day
    return out


def load_satisfactions(org_ids, periods) -> dict:
    return {key: cov.satisfaction() for key, cov in coverage(org_ids, periods).items()}


def coverage_url(org_id: int, start: dt.date, end: dt.date) -> str:
    return f"{reverse('party:talk_coverage', kwargs={'pk': org_id})}?{urlencode({'year': start.year})}"


def growth_counts(talks, year: int) -> list[dict]:
    """Growth talks of a year per department: monthly talks and yearly reviews (one query)."""
    rows = (
        talks.filter(kind__in=GROWTH_KINDS, date__year=year)
        .order_by()
        .values("department_id", "department__name")
        .annotate(
            monthly=Count("pk", filter=Q(kind=TalkKind.GROWTH_MONTHLY)),
            reviews=Count("pk", filter=Q(kind=TalkKind.GROWTH_REVIEW)),
            people=Count("person", distinct=True),
        )
        .order_by("department__name")
    )
    return list(rows)


def talk_changed(sender, instance, raw=False, **kwargs):
    """A heart-to-heart talk saved or deleted: the duties of the periods it was and is in."""
    from .duties import reevaluate_satisfier

    if raw:
        return
    was = getattr(instance, "_duty_was", (None, None, None))
    for org_id, kind, day in {was, (instance.organization_id, instance.kind, instance.date)}:
        if org_id and day and kind == TalkKind.HEART_TO_HEART:
            reevaluate_satisfier(SATISFIER, [org_id], [day])
    instance._duty_was = (instance.organization_id, instance.kind, instance.date)


def _remember_talk(sender, instance, **kwargs):
    d = instance.__dict__
    instance._duty_was = (d.get("organization_id"), d.get("kind"), d.get("date"))


def _positions_changed(sender, instance, raw=False, **kwargs):
    """A committee post added or ended changes who owes talks: the organisation's heart-to-heart duties."""
    from .duties import reevaluate_satisfier

    if raw or not instance.term_id:
        return
    term = instance.term
    reevaluate_satisfier(SATISFIER, [term.organization_id], [d for d in (instance.start, term.start) if d])


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_init, post_save

    uid = "party.talks"
    register_satisfier(
        SATISFIER,
        _("talks"),
        load_satisfactions,
        coverage_url,
        duty_labels={"duty.heart_to_heart": _("Heart-to-heart talks")},
    )
    post_init.connect(_remember_talk, sender=Talk, dispatch_uid=f"{uid}.init")
    post_save.connect(talk_changed, sender=Talk, dispatch_uid=f"{uid}.save")
    post_delete.connect(talk_changed, sender=Talk, dispatch_uid=f"{uid}.delete")
    post_save.connect(_positions_changed, sender=TermPosition, dispatch_uid=f"{uid}.position.save")
    post_delete.connect(_positions_changed, sender=TermPosition, dispatch_uid=f"{uid}.position.delete")
