"""Personas for tests: two hospitals, two branches, and a user for every role (STYLE.md §8).

``build_world()`` makes, in hospital H (and a second hospital H2):
- the committee, branch A (built on department A) and branch B (on department B), each with a term;
- persons in A and B, members of their branch; a person in H2;
- users: office, secretary_a, member_a, secretary_b, inspector, auditor, sysadmin, secadmin, region,
  office_h2 — each with the role assignment their name says.
Tests import this module; ``core`` code never does (it is the one place core may touch domain apps).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hongqing.accounts.choices import Role
from hongqing.accounts.models import RoleAssignment, User
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import (
    BranchDepartment,
    CommitteeTerm,
    Department,
    Hospital,
    PartyOrganization,
)
from hongqing.people.choices import Stage
from hongqing.people.models import Membership, Person

PASSWORD = "test-pass-2026"


@dataclass
class World:
    hospital: Hospital
    hospital2: Hospital
    committee: PartyOrganization
    branch_a: PartyOrganization
    branch_b: PartyOrganization
    dept_a: Department
    dept_b: Department
    person_a: Person  # member of branch A, linked to member_a
    person_b: Person  # member of branch B
    person_h2: Person
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_person(hospital, department=None, name="张伟", **kwargs) -> Person:
    n = _next()
    person = Person(
        hospital=hospital,
        department=department,
        name=name,
        staff_no=kwargs.pop("staff_no", f"T{n:05d}"),
        gender=kwargs.pop("gender", "M"),
        **kwargs,
    )
    person.save()
    return person


def make_member(person, organization, stage=Stage.FULL, conversion=dt.date(2015, 7, 1)) -> Membership:
    m = Membership(person=person, organization=organization, stage=stage)
    if stage in (Stage.FULL,):
        m.conversion_date = conversion
        m.admission_date = conversion - dt.timedelta(days=366)
        m.candidate_date = m.admission_date - dt.timedelta(days=120)
        m.activist_date = m.candidate_date - dt.timedelta(days=400)
        m.application_date = m.activist_date - dt.timedelta(days=60)
    m.save()
    return m


def make_user(username: str, *assignments: dict, person: Person | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    for a in assignments:
        RoleAssignment.objects.create(user=user, **a)
    if person is not None:
        person.user = user
        person.save(update_fields=["user"])
    return user


def build_world() -> World:
    h = Hospital.objects.create(name="测试妇幼保健院", code=f"t{_next()}", kind="mch")
    h2 = Hospital.objects.create(name="另一家医院", code=f"u{_next()}")
    dept_a = Department.objects.add_root(dict(hospital=h, name="产科", code="01"))
    dept_b = Department.objects.add_root(dict(hospital=h, name="儿科", code="02"))
    dept_h2 = Department.objects.add_root(dict(hospital=h2, name="内科", code="01"))
    committee = PartyOrganization.objects.add_root(dict(hospital=h, name="院党委", kind=OrgKind.COMMITTEE))
    branch_a = PartyOrganization.objects.add_child(
        committee, dict(hospital=h, name="产科党支部", kind=OrgKind.BRANCH)
    )
    committee.refresh_from_db()
    branch_b = PartyOrganization.objects.add_child(
        committee, dict(hospital=h, name="儿科党支部", kind=OrgKind.BRANCH)
    )
    committee2 = PartyOrganization.objects.add_root(
        dict(hospital=h2, name="另一院党委", kind=OrgKind.COMMITTEE)
    )
    branch_h2 = PartyOrganization.objects.add_child(
        committee2, dict(hospital=h2, name="内科党支部", kind=OrgKind.BRANCH)
    )
    BranchDepartment.objects.create(organization=branch_a, department=dept_a, start=dt.date(2020, 1, 1))
    BranchDepartment.objects.create(organization=branch_b, department=dept_b, start=dt.date(2020, 1, 1))
    BranchDepartment.objects.create(organization=branch_h2, department=dept_h2, start=dt.date(2020, 1, 1))
    for org in (committee, branch_a, branch_b):
        CommitteeTerm.objects.create(organization=org, number=1, start=dt.date(2025, 1, 1))
    person_a = make_person(h, dept_a, "张伟")
    person_b = make_person(h, dept_b, "李娜", gender="F")
    person_h2 = make_person(h2, dept_h2, "王芳", gender="F")
    sec_a = make_person(h, dept_a, "赵敏", gender="F")
    sec_b = make_person(h, dept_b, "钱进")
    office_p = make_person(h, None, "孙立")
    for p, org in (
        (person_a, branch_a),
        (person_b, branch_b),
        (sec_a, branch_a),
        (sec_b, branch_b),
        (person_h2, branch_h2),
    ):
        make_member(p, org)
    w = World(h, h2, committee, branch_a, branch_b, dept_a, dept_b, person_a, person_b, person_h2)
    w.users = {
        "office": make_user("office", {"role": Role.PARTY_OFFICE, "hospital": h}, person=office_p),
        "secretary_a": make_user(
            "secretary_a", {"role": Role.BRANCH_SECRETARY, "organization": branch_a}, person=sec_a
        ),
        "member_a": make_user("member_a", {"role": Role.MEMBER, "organization": branch_a}, person=person_a),
        "secretary_b": make_user(
            "secretary_b", {"role": Role.BRANCH_SECRETARY, "organization": branch_b}, person=sec_b
        ),
        "inspector": make_user("inspector", {"role": Role.DISCIPLINE_INSPECTOR, "hospital": h}),
        "auditor": make_user("auditor", {"role": Role.AUDIT_ADMIN, "hospital": h}),
        "sysadmin": make_user("sysadmin", {"role": Role.SYSTEM_ADMIN, "hospital": h}),
        "secadmin": make_user("secadmin", {"role": Role.SECURITY_ADMIN, "hospital": h}),
        "region": make_user("region", {"role": Role.REGIONAL_READER, "hospital": None}),
        "office_h2": make_user("office_h2", {"role": Role.PARTY_OFFICE, "hospital": h2}),
        "nobody": make_user("nobody"),
    }
    return w
