"""Demo builder: hospitals, campuses, departments, the Party tree, department links and terms."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from hongqing.core.demo import DemoContext, register_builder

from .choices import DepartmentKind as K
from .choices import HospitalKind, HospitalLevel, OrgKind
from .models import BranchDepartment, Campus, CommitteeTerm, Department, Hospital, PartyOrganization

# (department, kind, children) of a maternal-and-child-health hospital: 25 departments.
MCH_DEPARTMENTS = [
    (
        "妇产部",
        K.CLINICAL,
        [("产科", K.CLINICAL), ("妇科", K.CLINICAL), ("生殖医学科", K.CLINICAL), ("乳腺科", K.CLINICAL)],
    ),
    ("儿童医学部", K.CLINICAL, [("儿科", K.CLINICAL), ("新生儿科", K.CLINICAL), ("儿童保健科", K.CLINICAL)]),
    ("妇女保健科", K.CLINICAL, []),
    ("急诊科", K.CLINICAL, []),
    ("麻醉科", K.CLINICAL, []),
    ("医学检验科", K.MEDTECH, []),
    ("医学影像科", K.MEDTECH, []),
    ("超声科", K.MEDTECH, []),
    ("药剂科", K.MEDTECH, []),
    ("护理部", K.NURSING, []),
    ("党委办公室", K.ADMINISTRATIVE, []),
    ("院长办公室", K.ADMINISTRATIVE, []),
    ("医务科", K.ADMINISTRATIVE, []),
    ("人事科", K.ADMINISTRATIVE, []),
    ("财务科", K.ADMINISTRATIVE, []),
    ("信息科", K.ADMINISTRATIVE, []),
    ("后勤保障科", K.LOGISTICS, []),
]

# Branches: (name, departments it is built on, under the general branch?)
MCH_BRANCHES = [
    ("产科党支部", ["产科"], True),
    ("妇科党支部", ["妇科", "乳腺科"], True),
    ("生殖医学党支部", ["生殖医学科", "妇女保健科"], True),
    ("儿科党支部", ["儿科", "新生儿科"], False),
    ("儿童保健党支部", ["儿童保健科"], False),
    ("急诊麻醉党支部", ["急诊科", "麻醉科"], False),
    ("医技第一党支部", ["医学检验科", "药剂科"], False),
    ("医技第二党支部", ["医学影像科", "超声科"], False),
    ("护理党支部", ["护理部"], False),
    ("机关第一党支部", ["党委办公室", "院长办公室", "人事科"], False),
    ("机关第二党支部", ["医务科", "财务科", "信息科"], False),
    ("后勤党支部", ["后勤保障科"], False),
]

SMALL_DEPARTMENTS = [
    ("内科", K.CLINICAL, []),
    ("外科", K.CLINICAL, []),
    ("检验科", K.MEDTECH, []),
    ("综合办公室", K.ADMINISTRATIVE, []),
]
SMALL_BRANCHES = [
    ("临床党支部", ["内科", "外科"], False),
    ("医技行政党支部", ["检验科", "综合办公室"], False),
]


def build_hospital(ctx: DemoContext, *, name, code, kind, level, departments, branches, city) -> dict:
    hospital = Hospital.objects.create(
        name=name, short_name=name[-8:], code=code, kind=kind, level=level, address=f"{city}健康路1号"
    )
    main = Campus.objects.create(hospital=hospital, name="本部院区", address=f"{city}健康路1号")
    east = (
        Campus.objects.create(hospital=hospital, name="东院区", address=f"{city}东城大道88号")
        if len(departments) > 10
        else None
    )
    depts: dict[str, Department] = {}
    for i, (dname, kind_, children) in enumerate(departments, start=1):
        campus = east if east and dname in ("儿童医学部",) else main
        node = Department.objects.add_root(
            dict(hospital=hospital, name=dname, code=f"{i:02d}", kind=kind_, campus=campus)
        )
        depts[dname] = node
        for j, (cname, ckind) in enumerate(children, start=1):
            depts[cname] = Department.objects.add_child(
                node, dict(hospital=hospital, name=cname, code=f"{i:02d}{j:02d}", kind=ckind, campus=campus)
            )
            node.refresh_from_db()
    committee = PartyOrganization.objects.add_root(
        dict(
            hospital=hospital,
            name=f"中共{name}委员会",
            short_name="院党委",
            kind=OrgKind.COMMITTEE,
            sort_order=1,
            established=dt.date(2001, 7, 1),
        )
    )
    discipline = PartyOrganization.objects.add_root(
        dict(
            hospital=hospital,
            name=f"中共{name}纪律检查委员会",
            short_name="院纪委",
            kind=OrgKind.DISCIPLINE_COMMITTEE,
            sort_order=2,
            established=dt.date(2001, 7, 1),
        )
    )
    general = None
    if any(under for _n, _d, under in branches):
        general = PartyOrganization.objects.add_child(
            committee,
            dict(
                hospital=hospital,
                name="妇产党总支",
                short_name="妇产党总支",
                kind=OrgKind.GENERAL_BRANCH,
                sort_order=1,
                established=dt.date(2015, 6, 1),
            ),
        )
        committee.refresh_from_db()
    branch_nodes = []
    for k, (bname, dnames, under_general) in enumerate(branches, start=1):
        parent = general if under_general else committee
        node = PartyOrganization.objects.add_child(
            parent,
            dict(
                hospital=hospital,
                name=bname,
                short_name=bname.replace("党支部", ""),
                kind=OrgKind.BRANCH,
                sort_order=k,
                established=dt.date(2010 + k % 10, 7, 1),
            ),
        )
        parent.refresh_from_db()
        branch_nodes.append(node)
        for dname in dnames:
            BranchDepartment.objects.create(
                organization=node, department=depts[dname], start=dt.date(2018, 1, 1)
            )
    # Terms: the committee elected 5 years ago in the spring; branches every 3 years.
    today = ctx.today
    CommitteeTerm.objects.create(
        organization=committee, number=3, start=today - relativedelta(years=4, months=1)
    )
    CommitteeTerm.objects.create(
        organization=discipline, number=3, start=today - relativedelta(years=4, months=1)
    )
    if general:
        CommitteeTerm.objects.create(
            organization=general, number=2, start=today - relativedelta(years=1, months=3)
        )
    for idx, node in enumerate(branch_nodes):
        if idx == 2:
            start = today - relativedelta(years=3, months=2)  # overdue by two months
        elif idx == 5:
            start = today - relativedelta(years=3) + relativedelta(months=2)  # due within three months
        else:
            start = today - relativedelta(years=1, months=idx)
        CommitteeTerm.objects.create(organization=node, number=2 if idx % 3 else 3, start=start)
    return {
        "hospital": hospital,
        "departments": depts,
        "committee": committee,
        "discipline": discipline,
        "general": general,
        "branches": branch_nodes,
    }


def build(ctx: DemoContext) -> None:
    hospitals = [
        build_hospital(
            ctx,
            name="红星市妇幼保健院",
            code="hxfy",
            kind=HospitalKind.MCH,
            level=HospitalLevel.TERTIARY_A,
            departments=ctx.scale.departments or MCH_DEPARTMENTS,
            branches=ctx.scale.branches or MCH_BRANCHES,
            city="红星市",
        )
    ]
    for n in range(1, ctx.scale.hospitals):
        hospitals.append(
            build_hospital(
                ctx,
                name=f"青山县第{n}人民医院" if n > 1 else "青山县人民医院",
                code=f"qsx{n}",
                kind=HospitalKind.GENERAL,
                level=HospitalLevel.SECONDARY_A,
                departments=SMALL_DEPARTMENTS,
                branches=SMALL_BRANCHES,
                city="青山县",
            )
        )
    ctx.data["hospitals"] = hospitals


register_builder(10, "organization", build)
