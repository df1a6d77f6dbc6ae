"""One record of every model in three places — branch A, branch B and the second hospital — for tests.

``add_records(world)`` extends the personas' world (``world.py``) with, for each model with pages
or an API, a record in scope of branch A (``*_a``), of branch B (``*_b``) and of hospital H2
(``*_h2``), so a permission contract can say "visible to secretary A, invisible to secretary B,
invisible to the other hospital's office" of every model the same way. Attributes go on
``world.rec`` (a :class:`Records`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hongqing.organization.choices import OrgKind
from hongqing.organization.models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    PartyOrganization,
)
from hongqing.people.choices import CadreLevel, Post, RotationKind, TransferKind
from hongqing.people.models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition, Transfer

from .world import World, make_person


@dataclass
class Records:
    dept_h2: Department
    committee_h2: PartyOrganization
    branch_h2: PartyOrganization
    campus_h: Campus
    campus_h2: Campus
    tag_h: TalentTag
    tag_h2: TalentTag
    link_a: BranchDepartment
    link_b: BranchDepartment
    link_h2: BranchDepartment
    term_committee: CommitteeTerm
    term_a: CommitteeTerm
    term_b: CommitteeTerm
    term_h2: CommitteeTerm
    membership_a: Membership
    membership_b: Membership
    membership_h2: Membership
    transfer_a: Transfer
    transfer_b: Transfer
    transfer_h2: Transfer
    cadre_a: Cadre
    cadre_b: Cadre
    cadre_h2: Cadre
    rotation_a: Rotation
    rotation_b: Rotation
    rotation_h2: Rotation
    position_a: TermPosition
    position_b: TermPosition
    position_h2: TermPosition
    # Not a member of any branch, in department A: secretary A reads them (linked department) only.
    staff_a: Person
    group_h: DisciplineGroup
    group_h2: DisciplineGroup


def add_records(world: World) -> World:
    """Add one record of every model to ``world`` (as ``world.rec``) and return it."""
    h, h2 = world.hospital, world.hospital2
    dept_h2 = Department.objects.get(hospital=h2, code="01")
    committee_h2 = PartyOrganization.objects.get(hospital=h2, kind=OrgKind.COMMITTEE)
    branch_h2 = PartyOrganization.objects.get(hospital=h2, kind=OrgKind.BRANCH)
    person_a, person_b, person_h2 = world.person_a, world.person_b, world.person_h2
    day = dt.date(2024, 3, 1)

    def transfer(person, org, other):
        # An internal move recorded in the past: from ``other`` into ``org`` (where the member is now).
        return Transfer.objects.create(
            membership=person.membership,
            kind=TransferKind.INTERNAL,
            from_organization=other,
            to_organization=org,
            date=day,
            reason="测试",
        )

    terms = {t.organization_id: t for t in CommitteeTerm.objects.filter(organization__hospital=h)}
    term_h2 = CommitteeTerm.objects.create(organization=branch_h2, number=1, start=dt.date(2025, 1, 1))
    rec = Records(
        dept_h2=dept_h2,
        committee_h2=committee_h2,
        branch_h2=branch_h2,
        campus_h=Campus.objects.create(hospital=h, name="本部院区"),
        campus_h2=Campus.objects.create(hospital=h2, name="东院区"),
        tag_h=TalentTag.objects.create(hospital=h, name="学科带头人"),
        tag_h2=TalentTag.objects.create(hospital=h2, name="青年骨干"),
        link_a=BranchDepartment.objects.get(organization=world.branch_a),
        link_b=BranchDepartment.objects.get(organization=world.branch_b),
        link_h2=BranchDepartment.objects.get(organization=branch_h2),
        term_committee=terms[world.committee.pk],
        term_a=terms[world.branch_a.pk],
        term_b=terms[world.branch_b.pk],
        term_h2=term_h2,
        membership_a=person_a.membership,
        membership_b=person_b.membership,
        membership_h2=person_h2.membership,
        transfer_a=transfer(person_a, world.branch_a, world.branch_b),
        transfer_b=transfer(person_b, world.branch_b, world.branch_a),
        transfer_h2=transfer(person_h2, branch_h2, committee_h2),
        cadre_a=Cadre.objects.create(
            person=person_a, department=world.dept_a, title="产科主任", level=CadreLevel.CHIEF, start=day
        ),
        cadre_b=Cadre.objects.create(
            person=person_b, department=world.dept_b, title="儿科主任", level=CadreLevel.CHIEF, start=day
        ),
        cadre_h2=Cadre.objects.create(
            person=person_h2, department=dept_h2, title="内科主任", level=CadreLevel.CHIEF, start=day
        ),
        rotation_a=Rotation.objects.create(
            person=person_a,
            kind=RotationKind.CADRE,
            from_department=world.dept_b,
            to_department=world.dept_a,
            start=day,
            note="轮岗甲",
        ),
        rotation_b=Rotation.objects.create(
            person=person_b,
            kind=RotationKind.CADRE,
            from_department=world.dept_a,
            to_department=world.dept_b,
            start=day,
            note="轮岗乙",
        ),
        rotation_h2=Rotation.objects.create(
            person=person_h2, kind=RotationKind.CADRE, to_department=dept_h2, start=day, note="轮岗丙"
        ),
        position_a=TermPosition.objects.create(
            term=terms[world.branch_a.pk], person=world.secretary_a.person, post=Post.SECRETARY
        ),
        position_b=TermPosition.objects.create(
            term=terms[world.branch_b.pk], person=world.secretary_b.person, post=Post.SECRETARY
        ),
        position_h2=TermPosition.objects.create(term=term_h2, person=person_h2, post=Post.SECRETARY),
        staff_a=make_person(h, world.dept_a, "周洁", gender="F"),
        group_h=DisciplineGroup.objects.create(hospital=h, name="妇幼学科群"),
        group_h2=DisciplineGroup.objects.create(hospital=h2, name="内科学科群"),
    )
    rec.group_h.departments.add(world.dept_a, world.dept_b)
    rec.group_h2.departments.add(dept_h2)
    world.rec = rec
    return world
