"""The points demo: the default catalogue in every hospital, points derived from the demo's records,
volunteering, approved and waiting proposals, this year's rounds decided and the current one open,
last year closed — and every line consistent (one current award per record, nothing below zero)."""

from __future__ import annotations

import pytest
from auditlog.context import disable_auditlog
from django.db.models import Count, Sum

from hongqing.core import demo
from hongqing.organization.models import Hospital
from hongqing.people.models import Person
from hongqing.points.choices import NominationStatus, ProposalStatus, RoundStatus
from hongqing.points.models import (
    ClosedYear,
    Honor,
    HonorRound,
    Nomination,
    PointEntry,
    PointProposal,
    PointRule,
    Volunteering,
)
from hongqing.points.services import ledger


@pytest.fixture
def ctx(db):
    with disable_auditlog():
        return demo.run(demo.make_context())


def test_the_demo_has_points_from_its_records(ctx):
    today = ctx.today
    assert all(PointRule.objects.filter(hospital=h).exists() for h in Hospital.objects.all())
    member = Person.objects.get(user__username="member")
    lines = PointEntry.objects.filter(person=member, year=today.year)
    assert lines.filter(rule__trigger="base").count() == 1
    assert lines.filter(rule__trigger="meeting_attendance").exists()
    assert all(line.record_url() for line in lines)
    assert Volunteering.objects.filter(participants__isnull=False).distinct().count() >= 4
    assert PointProposal.objects.filter(status=ProposalStatus.PENDING).count() == 2
    assert PointEntry.objects.filter(rule__trigger="manual").exists()
    main = ctx.data["hospitals"][0]["hospital"]
    assert ClosedYear.objects.filter(hospital=main, year=today.year - 1).exists()


def test_the_current_round_is_open_and_the_earlier_ones_decided(ctx):
    rounds = list(HonorRound.objects.order_by("start"))
    assert rounds and rounds[-1].status == RoundStatus.OPEN
    assert all(r.status == RoundStatus.CLOSED for r in rounds[:-1])
    current = Nomination.objects.filter(round=rounds[-1])
    assert current.filter(status=NominationStatus.ENDORSED).exists()
    assert current.filter(status=NominationStatus.PROPOSED).exists()
    for r in rounds[:-1]:
        assert Honor.objects.filter(round=r, person__isnull=False).exists()
        assert Honor.objects.filter(round=r, person__isnull=True).exists()  # a model branch
    assert (
        PointEntry.objects.filter(rule__trigger="honor").count()
        == Honor.objects.filter(person__isnull=False, round__in=rounds).count()
    )


def test_the_demo_ledger_is_consistent(ctx):
    awards = (
        PointEntry.objects.filter(kind="award")
        .values("rule", "source_type", "source_id", "year")
        .annotate(n=Count("pk"))
    )
    current = {(a["rule"], a["source_type"], a["source_id"], a["year"]): a["n"] for a in awards}
    reversals = (
        PointEntry.objects.exclude(kind="award")
        .values("rule", "source_type", "source_id", "year")
        .annotate(n=Count("pk"))
    )
    for r in reversals:
        current[(r["rule"], r["source_type"], r["source_id"], r["year"])] -= r["n"]
    assert set(current.values()) <= {0, 1}
    totals = PointEntry.objects.values("person", "year").annotate(s=Sum("amount"))
    assert min(t["s"] for t in totals) >= 0
    assert ledger.sync_all(years=[ctx.today.year]) == 0  # the safety net finds nothing left to do
