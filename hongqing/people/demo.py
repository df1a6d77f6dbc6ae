"""Demo builder: staff, memberships across all stages, cadres, committee posts and the demo users."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from hongqing.accounts.choices import Role
from hongqing.accounts.models import RoleAssignment, User
from hongqing.core.demo import DEMO_PASSWORD, DemoContext, register_builder
from hongqing.core.idnumber import check_digit
from hongqing.core.pinyin import pinyin_keys
from hongqing.organization.models import BranchDepartment

from .choices import CadreLevel, Education, Gender, Post, RotationKind, Stage, TitleGrade
from .models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition, Transfer

REGIONS = ["430102", "430103", "430104", "430111", "430121", "430181", "500101", "320102"]
POSTS_BY_KIND = {
    "clinical": ["医师", "主治医师", "护士", "主管护师"],
    "medtech": ["技师", "主管技师", "药师"],
    "nursing": ["护士", "护师", "主管护师"],
    "administrative": ["科员", "干事"],
    "logistics": ["工程师", "技工"],
}
# Members per branch of the demo hospital (100 in all); the last branch is too small on purpose.
MEMBERS_PER_BRANCH = [12, 9, 8, 11, 7, 8, 9, 8, 12, 7, 7, 2]


def id_number(ctx: DemoContext, birth: dt.date, gender: str, serial: int) -> str:
    seq = f"{serial % 100:02d}{(ctx.rng.randrange(0, 10) // 2) * 2 + (1 if gender == 'M' else 0)}"
    first17 = f"{ctx.rng.choice(REGIONS)}{birth:%Y%m%d}{seq}"
    return first17 + check_digit(first17)


def make_persons(ctx: DemoContext, hospital, departments: dict, count: int, start_no: int) -> list[Person]:
    leaves = [d for d in departments.values() if d.numchild == 0]
    weights = [5 if d.kind == "clinical" else 3 if d.kind in ("medtech", "nursing") else 1 for d in leaves]
    persons = []
    for i in range(count):
        gender = Gender.FEMALE if ctx.rng.random() < 0.72 else Gender.MALE
        name = ctx.fake.name_female() if gender == Gender.FEMALE else ctx.fake.name_male()
        birth = ctx.today - relativedelta(years=ctx.rng.randint(22, 58), days=ctx.rng.randint(0, 364))
        dept = ctx.rng.choices(leaves, weights)[0]
        full, initials = pinyin_keys(name)
        age = (ctx.today - birth).days // 365
        grade = (
            TitleGrade.SENIOR
            if age > 50 and ctx.rng.random() < 0.5
            else TitleGrade.ASSOCIATE_SENIOR
            if age > 42 and ctx.rng.random() < 0.6
            else TitleGrade.INTERMEDIATE
            if age > 30
            else TitleGrade.JUNIOR
        )
        persons.append(
            Person(
                hospital=hospital,
                staff_no=f"{start_no + i:05d}",
                name=name,
                name_pinyin=full,
                name_initials=initials,
                gender=gender,
                birth_date=birth,
                id_number=id_number(ctx, birth, gender, i),
                phone=ctx.fake.phone_number(),
                department=dept,
                post=ctx.rng.choice(POSTS_BY_KIND[dept.kind]),
                title_grade=grade,
                education=ctx.rng.choice(
                    [
                        Education.DOCTORATE,
                        Education.MASTER,
                        Education.MASTER,
                        Education.BACHELOR,
                        Education.BACHELOR,
                        Education.COLLEGE,
                    ]
                ),
                employment_start=birth + relativedelta(years=ctx.rng.randint(22, 26)),
            )
        )
    return Person.objects.bulk_create(persons, batch_size=500)


def membership_for(ctx: DemoContext, person: Person, org, stage: str) -> Membership:
    today = ctx.today
    m = Membership(person=person, organization=org, stage=stage)
    if stage == Stage.FULL:
        conv = today - relativedelta(years=ctx.rng.randint(1, 30), days=ctx.rng.randint(0, 300))
        m.conversion_date = conv
        m.admission_date = conv - relativedelta(years=1)
    elif stage == Stage.PROBATIONARY:
        m.admission_date = today - relativedelta(days=ctx.rng.randint(30, 330))
    elif stage == Stage.CANDIDATE:
        m.candidate_date = today - relativedelta(days=ctx.rng.randint(20, 200))
    elif stage == Stage.ACTIVIST:
        m.activist_date = today - relativedelta(days=ctx.rng.randint(20, 500))
    ref = m.admission_date or m.candidate_date or m.activist_date
    if m.admission_date and not m.candidate_date:
        m.candidate_date = m.admission_date - relativedelta(months=ctx.rng.randint(3, 8))
    if m.candidate_date and not m.activist_date:
        m.activist_date = m.candidate_date - relativedelta(months=ctx.rng.randint(12, 20))
    ref = m.activist_date or today - relativedelta(days=ctx.rng.randint(10, 100))
    m.application_date = ref - relativedelta(months=ctx.rng.randint(1, 6)) if m.activist_date else ref
    # Nobody joins before 18.
    if person.birth_date and m.application_date < person.birth_date + relativedelta(years=18):
        shift = person.birth_date + relativedelta(years=18) - m.application_date
        for f in ("application_date", "activist_date", "candidate_date", "admission_date", "conversion_date"):
            value = getattr(m, f)
            if value:
                setattr(m, f, min(value + shift, today))
    return m


def stages_for(n: int, offset: int) -> list[str]:
    """Branches of seven or more have people at every earlier stage too; small ones are all full."""
    full = max(n - 3, 0) if n >= 7 else n
    rest = [Stage.PROBATIONARY, Stage.CANDIDATE, Stage.ACTIVIST, Stage.APPLICANT]
    return [Stage.FULL] * full + [rest[(i + offset) % 4] for i in range(n - full)]


def build_people(
    ctx: DemoContext, h: dict, *, staff: int, members_per_branch: list[int], start_no: int
) -> dict:
    hospital = h["hospital"]
    persons = make_persons(ctx, hospital, h["departments"], staff, start_no)
    by_dept: dict[int, list[Person]] = {}
    for p in persons:
        by_dept.setdefault(p.department_id, []).append(p)
    tags = {
        n: TalentTag.objects.create(hospital=hospital, name=n)
        for n in ("学科带头人", "头雁人才", "青年骨干", "引进人才")
    }
    used: set[int] = set()
    memberships: list[Membership] = []
    branch_members: dict[int, list[Membership]] = {}
    for b_index, (branch, count) in enumerate(zip(h["branches"], members_per_branch, strict=False)):
        dept_ids = list(
            BranchDepartment.objects.filter(organization=branch, end__isnull=True).values_list(
                "department_id", flat=True
            )
        )
        pool = [p for d in dept_ids for p in by_dept.get(d, []) if p.pk not in used]
        pool.sort(key=lambda p: p.birth_date)  # the older staff are the longer-standing members
        chosen = pool[:count]
        for p, stage in zip(chosen, stages_for(len(chosen), b_index), strict=True):
            used.add(p.pk)
            m = membership_for(ctx, p, branch, stage)
            memberships.append(m)
            branch_members.setdefault(branch.pk, []).append(m)
    Membership.objects.bulk_create(memberships)
    # Department heads (cadres), secretaries and committee posts.
    heads: dict[int, Person] = {}
    cadres = []
    for dept in h["departments"].values():
        staff_here = sorted(by_dept.get(dept.pk, []), key=lambda p: p.birth_date)
        if not staff_here:
            continue
        heads[dept.pk] = staff_here[0]
        cadres.append(
            Cadre(
                person=staff_here[0],
                department=dept,
                title="科主任"
                if dept.kind == "clinical"
                else "科长"
                if dept.kind in ("administrative", "logistics")
                else "主任",
                level=CadreLevel.CHIEF,
                start=ctx.today - relativedelta(years=ctx.rng.randint(1, 8)),
                appointment="竞聘",
            )
        )
        if len(staff_here) > 12:
            cadres.append(
                Cadre(
                    person=staff_here[1],
                    department=dept,
                    title="副主任",
                    level=CadreLevel.DEPUTY,
                    start=ctx.today - relativedelta(years=ctx.rng.randint(1, 5)),
                    appointment="竞聘",
                )
            )
    positions = []
    secretaries = {}
    for idx, branch in enumerate(h["branches"]):
        members = [m for m in branch_members.get(branch.pk, []) if m.stage == Stage.FULL]
        if not members:
            continue
        term = branch.terms.get(actual_end__isnull=True)
        dept_ids = list(
            BranchDepartment.objects.filter(organization=branch, end__isnull=True).values_list(
                "department_id", flat=True
            )
        )
        head = heads.get(dept_ids[0]) if dept_ids else None
        # Most secretaries head a department of their branch (双带头人); a few branches do not.
        if head is not None and idx % 4 != 3:
            secretary = head
            if not hasattr(head, "_member"):
                hm = next((m for m in branch_members.get(branch.pk, []) if m.person_id == head.pk), None)
                if hm is None:
                    # Make the head a member of the branch (replacing the youngest member).
                    victim = branch_members[branch.pk].pop()
                    Membership.objects.filter(pk=victim.pk).delete()
                    hm = membership_for(ctx, head, branch, Stage.FULL)
                    hm.save()
                    branch_members[branch.pk].append(hm)
        else:
            secretary = members[-1].person  # the youngest full member: heads no department
        secretaries[branch.pk] = secretary
        positions.append(TermPosition(term=term, person=secretary, post=Post.SECRETARY, start=term.start))
        others = [m.person for m in members if m.person_id != secretary.pk]
        if len(members) >= 7:
            for post, person in zip(
                (Post.ORGANIZATION, Post.PUBLICITY, Post.DISCIPLINE), others, strict=False
            ):
                positions.append(TermPosition(term=term, person=person, post=post, start=term.start))
    Cadre.objects.bulk_create(cadres)
    TermPosition.objects.bulk_create(positions)
    for c in cadres[:6]:
        c.person.talent_tags.add(tags["学科带头人"])
    for p in persons[10:14]:
        p.talent_tags.add(tags["头雁人才"])
    for p in persons[40:60]:
        p.talent_tags.add(tags["青年骨干"])
    for p in persons[60:66]:
        p.talent_tags.add(tags["引进人才"])
    if len(persons) > 30:
        Rotation.objects.create(
            person=persons[20],
            kind=RotationKind.NEW_STAFF,
            from_department=None,
            to_department=persons[20].department,
            start=ctx.today - relativedelta(months=5),
        )
    return {"persons": persons, "branch_members": branch_members, "secretaries": secretaries, "heads": heads}


def make_user(
    ctx: DemoContext,
    username: str,
    display: str,
    person: Person | None,
    roles: list[dict],
    label: str,
    scope: str = "",
):
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=display)
    for r in roles:
        RoleAssignment.objects.create(user=user, **r)
    if person is not None:
        Person.objects.filter(pk=person.pk).update(user=user)
    ctx.accounts.append((username, label, scope))
    return user


def build(ctx: DemoContext) -> None:
    hospitals = ctx.data["hospitals"]
    main = hospitals[0]
    people = build_people(
        ctx,
        main,
        staff=ctx.scale.staff,
        members_per_branch=ctx.scale.members_per_branch or MEMBERS_PER_BRANCH,
        start_no=10001,
    )
    for n, h in enumerate(hospitals[1:], start=1):
        build_people(
            ctx,
            h,
            staff=ctx.scale.extra_hospital_staff,
            members_per_branch=ctx.scale.extra_hospital_members_per_branch,
            start_no=10001 + n * 10000,
        )
    ctx.data["people"] = people
    hospital = main["hospital"]
    branch_a, branch_b = main["branches"][0], main["branches"][3]
    # A transfer on record: one member came from another branch.
    moved = people["branch_members"][branch_a.pk][-2]
    Transfer.objects.create(
        membership=moved,
        from_organization=main["branches"][1],
        to_organization=branch_a,
        date=ctx.today - relativedelta(months=8),
        reason="科室调整",
    )
    member = next(
        m.person
        for m in people["branch_members"][branch_a.pk]
        if m.stage == Stage.FULL and m.person_id != people["secretaries"][branch_a.pk].pk
    )
    office_person = next(p for p in people["persons"] if p.department.name == "党委办公室")
    make_user(
        ctx,
        "admin",
        "系统管理员",
        None,
        [{"role": Role.SYSTEM_ADMIN, "hospital": hospital}],
        "系统管理员 system administrator",
    )
    make_user(
        ctx,
        "security",
        "安全管理员",
        None,
        [{"role": Role.SECURITY_ADMIN, "hospital": hospital}],
        "安全管理员 security administrator",
    )
    make_user(
        ctx,
        "auditor",
        "审计管理员",
        None,
        [{"role": Role.AUDIT_ADMIN, "hospital": hospital}],
        "审计管理员 audit administrator",
    )
    make_user(
        ctx,
        "office",
        office_person.name,
        office_person,
        [{"role": Role.PARTY_OFFICE, "hospital": hospital}],
        "党办 Party office",
        hospital.name,
    )
    sec_a = people["secretaries"][branch_a.pk]
    make_user(
        ctx,
        "secretary",
        sec_a.name,
        sec_a,
        [{"role": Role.BRANCH_SECRETARY, "organization": branch_a}],
        "支部书记 branch secretary",
        branch_a.name,
    )
    sec_b = people["secretaries"][branch_b.pk]
    make_user(
        ctx,
        "secretary2",
        sec_b.name,
        sec_b,
        [{"role": Role.BRANCH_SECRETARY, "organization": branch_b}],
        "支部书记 branch secretary",
        branch_b.name,
    )
    make_user(
        ctx,
        "member",
        member.name,
        member,
        [{"role": Role.MEMBER, "organization": branch_a}],
        "党员 member",
        branch_a.name,
    )
    inspector = next(p for p in people["persons"] if p.department.name == "院长办公室")
    make_user(
        ctx,
        "inspector",
        inspector.name,
        inspector,
        [{"role": Role.DISCIPLINE_INSPECTOR, "hospital": hospital}],
        "纪委 discipline inspector",
        hospital.name,
    )
    make_user(
        ctx,
        "region",
        "区域只读",
        None,
        [{"role": Role.REGIONAL_READER, "hospital": None}],
        "区域只读 regional reader",
        "全部医院 all hospitals",
    )


register_builder(20, "people", build)
