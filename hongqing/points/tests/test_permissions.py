"""The permission contracts of the points pages: the ledger, the catalogue, proposals, volunteering,
honours, rounds and nominations — secretary A against branch B, the Party office against hospital
H2, a member's own, the auditor 403, the regional reader reading everything and writing nothing."""

from __future__ import annotations

import pytest
from auditlog.context import disable_auditlog
from django.utils import timezone

from hongqing.core.testing.contracts import PageContract
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world
from hongqing.points.choices import HonorKind, VolunteeringKind
from hongqing.points.models import (
    Honor,
    HonorRound,
    Nomination,
    PointEntry,
    PointProposal,
    PointRule,
    Volunteering,
)

from .support import YEAR, add_activity_records, add_point_records, rule


class PointsWorld:
    @pytest.fixture
    def world(self, db):
        with disable_auditlog():
            return add_activity_records(add_point_records(add_records(build_world())))


# The ledger -------------------------------------------------------------------------------------
class EntryBranchCase(PointsWorld):
    model = PointEntry
    viewer = "secretary_a"
    editor = None

    def in_scope(self, world):
        return world.prec.entry_a

    def elsewhere(self, world):
        return world.prec.entry_b

    def export_marker(self, obj):
        return obj.label

    def member_own(self, world):
        return world.prec.entry_a

    def member_other(self, world):
        return world.prec.entry_b

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b], "rule": [world.prec.rule_h2]}


class TestEntryBranchPages(EntryBranchCase, PageContract):
    pass


class TestEntryOfficePages(EntryBranchCase, PageContract):
    viewer = "office"

    def elsewhere(self, world):
        return world.prec.entry_h2

    def forbidden_filter_choices(self, world):
        return {"organization": [world.rec.branch_h2], "rule": [world.prec.rule_h2]}


# The catalogue: the office changes it, everyone of the hospital reads it ----------------------
class RuleCase(PointsWorld):
    model = PointRule
    viewer = "secretary_a"
    editor = "office"
    edit_changes = {"name": "参加组织生活（改）", "description": "每次"}

    def in_scope(self, world):
        return world.prec.rule_h

    def elsewhere(self, world):
        return world.prec.rule_h2

    def create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "name": "新增的手工项",
            "trigger": "manual",
            "amount": "2",
            "active_from": "2025-01-01",
            "sort_order": "100",
        }

    def created(self, world):
        return PointRule.objects.filter(name="新增的手工项")

    def create_outside_data(self, world):
        return {**self.create_data(world), "hospital": world.hospital2.pk}

    def forbidden_choices(self, world):
        return {"hospital": [world.hospital2]}

    def deletable(self, world):
        return rule(world.hospital, "honor", "5", name="未用的规则")

    def member_own(self, world):
        return world.prec.rule_h

    def member_other(self, world):
        return world.prec.rule_h2


class TestRulePages(RuleCase, PageContract):
    def test_a_secretary_reads_the_catalogue_but_cannot_change_it(self, client, world):
        obj = self.in_scope(world)
        self.login(client, world, "secretary_a")
        for method, url in (
            ("get", self.url("add")),
            ("post", self.url("add")),
            ("get", self.url("edit", obj)),
            ("post", self.url("edit", obj)),
            ("post", self.url("delete", obj)),
        ):
            assert getattr(client, method)(url).status_code == 403, url
        detail = client.get(self.url("detail", obj)).content.decode()
        assert self.url("edit", obj) not in detail
        assert "/points/rules/add/" not in client.get(self.url("list")).content.decode()


# Proposals ------------------------------------------------------------------------------------
class ProposalBranchCase(PointsWorld):
    model = PointProposal
    viewer = editor = "secretary_a"

    def in_scope(self, world):
        return world.prec.proposal_a

    def elsewhere(self, world):
        return world.prec.proposal_b

    def export_marker(self, obj):
        return obj.person.name

    def create_data(self, world):
        return {
            "person": world.person_a.pk,
            "rule": world.prec.manual_h.pk,
            "date": "2025-05-04",
            "reason": "新的申报：抢救危重孕产妇",
        }

    def created(self, world):
        return PointProposal.objects.filter(reason__startswith="新的申报")

    def create_outside_data(self, world):
        return {**self.create_data(world), "person": world.person_b.pk}

    def forbidden_choices(self, world):
        return {"person": [world.person_b, world.person_h2], "rule": [world.prec.rule_h2]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        return world.prec.proposal_a

    def member_own(self, world):
        return world.prec.approved_a

    def member_other(self, world):
        return world.prec.proposal_b


class TestProposalBranchPages(ProposalBranchCase, PageContract):
    pass


class TestProposalOfficePages(ProposalBranchCase, PageContract):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.prec.proposal_h2

    def create_outside_data(self, world):
        return {**self.create_data(world), "person": world.person_h2.pk}

    def forbidden_choices(self, world):
        return {"person": [world.person_h2], "rule": [world.prec.rule_h2]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.rec.branch_h2]}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.prec.proposal_h2


# Volunteering ---------------------------------------------------------------------------------
class VolunteeringBranchCase(PointsWorld):
    model = Volunteering
    viewer = editor = "secretary_a"
    edit_changes = {"place": "村卫生室"}

    def in_scope(self, world):
        return world.arec.vol_a

    def elsewhere(self, world):
        return world.arec.vol_b

    def export_marker(self, obj):
        return obj.title

    def create_data(self, world):
        return {
            "organizer": world.branch_a.pk,
            "kind": VolunteeringKind.FREE_CLINIC,
            "title": "新的义诊活动",
            "date": "2025-07-01",
            "hours": "3",
            "served_kind": "village",
            "served_unit": "青石村",
            "people_served": "60",
        }

    def created(self, world):
        return Volunteering.objects.filter(title="新的义诊活动")

    def create_outside_data(self, world):
        return {**self.create_data(world), "organizer": world.branch_b.pk}

    def forbidden_choices(self, world):
        return {"organizer": [world.branch_b, world.rec.branch_h2]}

    def forbidden_filter_choices(self, world):
        return {"organizer": [world.branch_b]}

    def deletable(self, world):
        return world.arec.vol_empty_a

    def member_own(self, world):
        return world.arec.vol_a

    def member_other(self, world):
        return world.arec.vol_b


class TestVolunteeringBranchPages(VolunteeringBranchCase, PageContract):
    pass


class TestVolunteeringOfficePages(VolunteeringBranchCase, PageContract):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.arec.vol_h2

    def create_outside_data(self, world):
        return {**self.create_data(world), "organizer": world.rec.branch_h2.pk}

    def forbidden_choices(self, world):
        return {"organizer": [world.rec.branch_h2]}

    def forbidden_filter_choices(self, world):
        return {"organizer": [world.rec.branch_h2]}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.arec.vol_h2


# Honours --------------------------------------------------------------------------------------
class HonorCase(PointsWorld):
    model = Honor
    viewer = "secretary_a"
    editor = "office"
    edit_changes = {"note": "市级表彰"}

    def in_scope(self, world):
        return world.arec.honor_a

    def elsewhere(self, world):
        return world.arec.honor_b

    def edit_elsewhere(self, world):
        return world.arec.honor_h2

    def export_marker(self, obj):
        return obj.person.name

    def create_data(self, world):
        return {
            "kind": HonorKind.MODEL_POST,
            "person": world.person_a.pk,
            "organization": world.branch_a.pk,
            "title": "市级党员示范岗",
            "awarded_on": "2025-09-01",
        }

    def created(self, world):
        return Honor.objects.filter(title="市级党员示范岗")

    def create_outside_data(self, world):
        return {
            **self.create_data(world),
            "person": world.person_h2.pk,
            "organization": world.rec.branch_h2.pk,
        }

    def forbidden_choices(self, world):
        return {"person": [world.person_h2], "organization": [world.rec.branch_h2]}

    def deletable(self, world):
        return world.arec.honor_a

    def member_own(self, world):
        return world.arec.honor_a

    def member_other(self, world):
        return world.arec.honor_b


class TestHonorPages(HonorCase, PageContract):
    def test_a_secretary_cannot_record_an_honour(self, client, world):
        self.login(client, world, "secretary_a")
        assert client.get(self.url("add")).status_code == 403
        assert client.post(self.url("add"), self.create_data(world)).status_code == 403
        assert not self.created(world).exists()


# Rounds and nominations -----------------------------------------------------------------------
class RoundCase(PointsWorld):
    model = HonorRound
    viewer = "secretary_a"
    editor = "office"

    def in_scope(self, world):
        return world.arec.round_h

    def elsewhere(self, world):
        return world.arec.round_h2

    def export_marker(self, obj):
        return obj.hospital.name

    def deletable(self, world):
        return world.arec.round_empty_h

    def member_other(self, world):
        return world.arec.round_h


class TestRoundPages(RoundCase, PageContract):
    pass


class NominationBranchCase(PointsWorld):
    model = Nomination
    viewer = editor = "secretary_a"

    def in_scope(self, world):
        return world.arec.nom_a

    def elsewhere(self, world):
        return world.arec.nom_b

    def export_marker(self, obj):
        return obj.person.name

    def deletable(self, world):
        return world.arec.nom_a

    def member_other(self, world):
        return world.arec.nom_a  # members do not read nominations, not even their own

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b], "round": [world.arec.round_h2]}


class TestNominationBranchPages(NominationBranchCase, PageContract):
    pass


class TestNominationOfficePages(NominationBranchCase, PageContract):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.arec.nom_h2

    def forbidden_filter_choices(self, world):
        return {"organization": [world.rec.branch_h2], "round": [world.arec.round_h2]}


def test_the_year_fixture_is_in_the_past():
    assert YEAR < timezone.localdate().year
