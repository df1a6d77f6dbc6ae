"""Demo builder (order 60, after the Party work's): the assessment of every demo hospital.

- The default catalogue (the maternal-and-child indicators for the MCH hospital).
- Three years of monthly business values per department, plausible and seasonal (the Spring
  Festival's February and the National Day's October dip, summer is busy for children): each
  department's size follows its staff; a branch whose Party work is strong (its duty completion and
  attendance over the last year, from the meetings the earlier builders recorded) sees its
  departments improve over the three years — more patients, shorter stays, higher satisfaction,
  fewer complaints — and a weak one's stand still or slip: the 同频共振 quadrant tells that story.
- The hospital's own values (the standard MCH clinics' coverage) rising.
- A quarterly scheme for last year and for this year, scored; this year's months up to the last one
  closed.
- Responsibility lists for the demo secretary (as secretary and as the head of the department):
  duties, indicator targets and free-text items, one done with evidence, one overdue.

Values are bulk-created (no audit entries, like the other builders) and the rollups built once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from hongqing.core.demo import DemoContext, register_builder
from hongqing.organization.choices import DepartmentKind
from hongqing.organization.models import BranchDepartment, Department
from hongqing.party.models import Obligation
from hongqing.people.models import Person

from .choices import ItemKind, Method, OwnerRole, ValueSource
from .models import (
    Indicator,
    IndicatorValue,
    MonthClose,
    ResponsibilityItem,
    ResponsibilityList,
    Scheme,
    SchemeItem,
)
from .periods import add_months, month_end, month_of
from .services import aggregate, catalogue, rollups, scoring

D = Decimal
# Outpatient visits by month, relative to the year's mean.
SEASON = [0.9, 0.72, 1.02, 1.0, 1.02, 1.05, 1.12, 1.13, 1.0, 0.9, 1.0, 1.04]
CHILD_SUMMER = [1.0, 0.8, 1.0, 0.95, 0.95, 1.0, 1.25, 1.25, 0.95, 0.9, 1.05, 1.1]

# Profiles by department name (a word in the name) or kind: monthly scale per 10 staff.
PROFILES = {
    "surgical": {
        "visits": 700,
        "discharges": 70,
        "ops_share": 0.55,
        "mi": 0.45,
        "lvl4": 0.12,
        "alos": 5.2,
        "op_cost": 320,
        "ip_cost": 9800,
    },
    "obstetric": {
        "visits": 800,
        "discharges": 90,
        "ops_share": 0.45,
        "mi": 0.12,
        "lvl4": 0.05,
        "alos": 4.4,
        "op_cost": 280,
        "ip_cost": 7200,
    },
    "paediatric": {
        "visits": 1300,
        "discharges": 60,
        "ops_share": 0.0,
        "mi": 0.0,
        "lvl4": 0.0,
        "alos": 5.6,
        "op_cost": 210,
        "ip_cost": 5200,
    },
    "neonatal": {
        "visits": 80,
        "discharges": 28,
        "ops_share": 0.0,
        "mi": 0.0,
        "lvl4": 0.0,
        "alos": 8.6,
        "op_cost": 260,
        "ip_cost": 11800,
    },
    "outpatient": {
        "visits": 1100,
        "discharges": 0,
        "ops_share": 0.0,
        "mi": 0.0,
        "lvl4": 0.0,
        "alos": 0,
        "op_cost": 190,
        "ip_cost": 0,
    },
    "emergency": {
        "visits": 900,
        "discharges": 12,
        "ops_share": 0.1,
        "mi": 0.0,
        "lvl4": 0.0,
        "alos": 2.1,
        "op_cost": 360,
        "ip_cost": 4600,
    },
    "general": {
        "visits": 900,
        "discharges": 55,
        "ops_share": 0.3,
        "mi": 0.3,
        "lvl4": 0.06,
        "alos": 6.8,
        "op_cost": 300,
        "ip_cost": 8800,
    },
}


def profile_of(dept) -> str | None:
    """The profile of a department, or None for a support department (no patients of its own)."""
    name = dept.name
    if dept.kind != DepartmentKind.CLINICAL:
        return None
    for word, profile in (
        ("新生儿", "neonatal"),
        ("儿科", "paediatric"),
        ("产科", "obstetric"),
        ("妇科", "surgical"),
        ("乳腺", "surgical"),
        ("外科", "surgical"),
        ("保健", "outpatient"),
        ("生殖", "outpatient"),
        ("急诊", "emergency"),
        ("麻醉", None),
    ):
        if word in name:
            return profile
    return "general"


def party_quality(schemes, today: dt.date) -> dict[int, dict]:
    """Each branch's Party-building score by quarter, scaled to −1…1 over all branches and quarters
    (scored before any business value exists: from the Party records the earlier builders wrote)."""
    raw: dict[int, dict[dt.date, float]] = {}
    for scheme in schemes:
        for card in scoring.score_scheme(scheme, today=today):
            if card.party_score is not None:
                raw.setdefault(card.organization_id, {})[card.period_start] = float(card.party_score)
    every = [v for series in raw.values() for v in series.values()]
    if len(every) < 2 or max(every) == min(every):
        return {k: {} for k in raw}
    lo, hi = min(every), max(every)
    return {k: {m: (v - lo) / (hi - lo) * 2 - 1 for m, v in series.items()} for k, series in raw.items()}


def effect_of(series: dict[dt.date, float], month: dt.date) -> float:
    """How much a branch's Party work shows in its departments' month: its quarter's score (the
    quarter before it, at its start: the effect follows the work), beside its average."""
    if not series:
        return 0.0
    mean = sum(series.values()) / len(series)
    quarter = dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    now = series.get(quarter)
    before = series.get(add_months(quarter, -3))
    current = now if now is not None else before if before is not None else mean * 0.5
    if month == quarter and before is not None:
        current = (current + before) / 2
    return 0.65 * current + 0.35 * mean


def q(value: float, places: int = 0) -> Decimal:
    return D(str(round(max(value, 0), places)))


def build_values(ctx: DemoContext, hospital, inds: dict[str, Indicator], quality: dict[int, dict]) -> int:
    rng = ctx.rng
    today = ctx.today
    first = dt.date(today.year - 2, 1, 1)
    last = add_months(month_of(today), -1)
    months = []
    m = first
    while m <= last:
        months.append(m)
        m = add_months(m, 1)
    links = dict(
        BranchDepartment.objects.filter(department__hospital=hospital, end__isnull=True).values_list(
            "department_id", "organization_id"
        )
    )
    staff = {}
    for dept_id in Person.objects.filter(hospital=hospital).values_list("department_id", flat=True):
        staff[dept_id] = staff.get(dept_id, 0) + 1
    depts = list(Department.objects.filter(hospital=hospital, numchild=0, is_active=True))
    mch = "maternal_deaths" in inds
    values: list[IndicatorValue] = []

    def add(code, dept, month, value):
        ind = inds.get(code)
        if ind is None or value is None:
            return
        values.append(
            IndicatorValue(
                hospital=hospital,
                indicator=ind,
                department=dept,
                month=month,
                value=value,
                source=ValueSource.DEMO,
            )
        )

    for dept in depts:
        prof_name = profile_of(dept)
        series = quality.get(links.get(dept.pk), {})
        size = max(staff.get(dept.pk, 8), 4) / 10
        for t, month in enumerate(months):
            # The branch's Party work shows in its departments' figures: better where and when it is
            # strong (its departments improve as its Party-building score rises).
            effect = effect_of(series, month)
            lift = 1 + 0.12 * effect
            noise = lambda spread=0.04: 1 + rng.uniform(-spread, spread)  # noqa: E731
            sat_base = 91 + 5 * effect
            add("sat_staff", dept, month, q(min(sat_base + rng.uniform(-2.5, 2.5), 99.5), 2))
            add("complaints", dept, month, D(max(0, int(round(rng.gauss(1.2 * (1 - 0.8 * effect), 0.6))))))
            add("commendations", dept, month, D(max(0, int(round(rng.gauss(2.0 * (1 + 0.7 * effect), 0.8))))))
            if month.month % 3 == 0:
                add("new_techniques", dept, month, D(max(0, int(round(rng.gauss(0.8 + effect, 0.7))))))
            if prof_name is None:
                continue
            p = PROFILES[prof_name]
            season = (CHILD_SUMMER if prof_name in ("paediatric", "neonatal") else SEASON)[month.month - 1]
            visits = p["visits"] * size * season * lift * noise()
            add("op_visits", dept, month, q(visits))
            op_cost = p["op_cost"] * (1 + 0.04 * t / 12) * (1 - 0.03 * effect) * noise(0.02)
            add("op_cost", dept, month, q(op_cost, 2))
            discharges = p["discharges"] * size * season * lift * noise()
            ip_cost = p["ip_cost"] * (1 + 0.035 * t / 12) * (1 - 0.03 * effect) * noise(0.02)
            medical = visits * op_cost + discharges * ip_cost
            add("medical_revenue", dept, month, q(medical / 10000, 2))
            add("drug_revenue", dept, month, q(medical / 10000 * (0.29 - 0.03 * effect) * noise(0.05), 2))
            add("sat_outpatient", dept, month, q(min(sat_base + 1 + rng.uniform(-2, 2), 99.8), 2))
            if p["discharges"]:
                add("discharges", dept, month, q(discharges))
                add("alos", dept, month, q(p["alos"] * (1 - 0.07 * effect) * noise(0.05), 2))
                add("ip_cost", dept, month, q(ip_cost, 2))
                add("sat_inpatient", dept, month, q(min(sat_base + 2 + rng.uniform(-2, 2), 99.8), 2))
            if p["ops_share"]:
                operated = discharges * p["ops_share"] * (1 + 0.08 * effect) * noise(0.05)
                ops = operated * 1.08
                add("discharged_operated", dept, month, q(operated))
                add("operations", dept, month, q(ops))
                add("minimally_invasive", dept, month, q(ops * p["mi"] * (1 + 0.15 * effect)))
                add("level4_ops", dept, month, q(ops * p["lvl4"] * (1 + 0.2 * effect)))
            if mch and prof_name == "obstetric":
                add("maternal_deaths", dept, month, D(0))  # 孕产妇零死亡
                for colour, base in (
                    ("green", 260),
                    ("yellow", 110),
                    ("orange", 36),
                    ("red", 7),
                    ("purple", 3),
                ):
                    add(f"high_risk_{colour}", dept, month, q(base * size / 3 * noise(0.12)))
            if mch and ("保健" in dept.name and "妇" in dept.name or "乳腺" in dept.name):
                add("two_cancer_screenings", dept, month, q(1300 * season * lift * noise(0.1)))
    if mch:
        for t, month in enumerate(months):
            add("mch_clinic_coverage", None, month, q(34 + 22 * t / max(len(months) - 1, 1), 1))
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    return len(values)


def build_schemes(ctx: DemoContext, hospital, inds: dict[str, Indicator]) -> list[Scheme]:
    party = [
        ("duty_rate", 30, Method.LINEAR, 95, None, []),
        ("attendance_rate", 25, Method.LINEAR, 90, None, []),
        ("dues_on_time", 15, Method.BANDS, None, None, [[98, 100], [95, 80], [90, 60]]),
        ("development_on_time", 10, Method.LINEAR, 100, None, []),
        ("dual_leader_rate", 10, Method.LINEAR, 100, None, []),
        ("appraisal_done", 10, Method.LINEAR, 100, None, []),
    ]
    business = [
        ("op_visits", 5, Method.RANK, None, None, []),
        ("surgery_share", 10, Method.LINEAR, 50, 20, []),
        ("alos", 10, Method.LINEAR, 4.5, 9, []),
        ("sat_outpatient", 15, Method.LINEAR, 96, 85, []),
        ("sat_inpatient", 10, Method.BANDS, None, None, [[95, 100], [93, 80], [90, 60], [86, 40]]),
        ("sat_staff", 15, Method.LINEAR, 96, 85, []),
        ("complaints", 15, Method.LINEAR, 0, 6, []),
        ("drug_share", 10, Method.LINEAR, 25, 33, []),
        ("commendations", 10, Method.LINEAR, 6, 0, []),
    ]
    out = []
    for year in (ctx.today.year - 1, ctx.today.year):
        items = []
        for code, weight, method, target, floor, bands in party + business:
            ind = inds.get(code)
            if ind is None:
                continue
            items.append(
                SchemeItem(
                    indicator=ind,
                    weight=D(weight),
                    method=method,
                    target=None if target is None else D(str(target)),
                    floor=None if floor is None else D(str(floor)),
                    bands=bands,
                )
            )
        scheme = Scheme(
            hospital=hospital,
            name=f"{year}年党建与业务双目标考核",
            year=year,
            period="quarter",
            party_share=D(50),
        )
        try:
            out.append(scoring.save_scheme(scheme, items, actor=None))
        except Exception:  # noqa: BLE001 - a small neighbour without some indicator: no scheme
            continue
    return out


def build_lists(ctx: DemoContext, main: dict, inds: dict[str, Indicator]) -> None:
    people = ctx.data.get("people") or {}
    branch = main["branches"][0]
    secretary = (people.get("secretaries") or {}).get(branch.pk)
    if secretary is None:
        return
    hospital = main["hospital"]
    year = ctx.today.year
    today = ctx.today
    dept = (
        Department.objects.filter(branch_links__organization=branch, branch_links__end__isnull=True)
        .order_by("path")
        .first()
    )
    sec_list = ResponsibilityList.objects.create(
        hospital=hospital,
        year=year,
        owner=secretary,
        role=OwnerRole.SECRETARY,
        organization=branch,
        note="抓党建责任",
    )
    duties = list(
        Obligation.objects.filter(
            organization=branch,
            period_start__year=year,
            code__in=("duty.member_congress", "duty.party_lecture"),
        ).order_by("period_end")[:3]
    )
    items = [
        ResponsibilityItem(
            responsibility_list=sec_list,
            kind=ItemKind.DUTY,
            title=f"按期召开{o.period_end.month}月前的支部党员大会与党课",
            obligation=o,
            due=o.due,
        )
        for o in duties
    ]
    if "attendance_rate" in inds:
        items.append(
            ResponsibilityItem(
                responsibility_list=sec_list,
                kind=ItemKind.INDICATOR,
                title="组织生活出勤率不低于 90%",
                indicator=inds["attendance_rate"],
                target=D(90),
                due=dt.date(year, 12, 31),
            )
        )
    done_on = max(dt.date(year, 1, 15), today - dt.timedelta(days=40))
    items += [
        ResponsibilityItem(
            responsibility_list=sec_list,
            kind=ItemKind.TEXT,
            title="开展“党建+学科”品牌项目：孕产妇安全管理",
            due=dt.date(year, 6, 30) if today > dt.date(year, 6, 30) else dt.date(year, 12, 31),
            done_on=min(done_on, today),
            done_by=None,
            evidence="成立党员先锋岗，完成高危孕产妇五色管理流程再造，形成工作简报一期。",
        ),
        ResponsibilityItem(
            responsibility_list=sec_list,
            kind=ItemKind.TEXT,
            title="与对口帮扶乡镇卫生院开展联合义诊",
            due=today - dt.timedelta(days=10),
        ),
        ResponsibilityItem(
            responsibility_list=sec_list,
            kind=ItemKind.TEXT,
            title="组织一次支部与科室联席会，研究年度质量改进项目",
            due=dt.date(year, 12, 31) if today < dt.date(year, 12, 31) else today + dt.timedelta(days=20),
        ),
    ]
    if dept is not None:
        head_list = ResponsibilityList.objects.create(
            hospital=hospital,
            year=year,
            owner=secretary,
            role=OwnerRole.HEAD,
            organization=branch,
            department=dept,
            note="抓业务责任",
        )
        for code, title, target in (
            ("op_visits", "门诊人次全年不少于上年", None),
            ("alos", "平均住院日不超过 4.5 天", D("4.5")),
            ("sat_outpatient", "门诊患者满意度不低于 93 分", D(93)),
        ):
            ind = inds.get(code)
            if ind is None:
                continue
            if target is None:
                prior = aggregate.value_of(
                    hospital.pk,
                    ind,
                    aggregate.Unit(aggregate.DEPT, dept.pk),
                    dt.date(year - 1, 1, 1),
                    dt.date(year - 1, 12, 1),
                ).value
                target = (prior or D(1000)).quantize(D(1))
            items.append(
                ResponsibilityItem(
                    responsibility_list=head_list,
                    kind=ItemKind.INDICATOR,
                    title=title,
                    indicator=ind,
                    target=target,
                    due=dt.date(year, 12, 31),
                )
            )
        items.append(
            ResponsibilityItem(
                responsibility_list=head_list,
                kind=ItemKind.TEXT,
                title="开展新技术新项目 2 项",
                due=dt.date(year, 12, 31) if today < dt.date(year, 12, 31) else today + dt.timedelta(days=20),
            )
        )
    ResponsibilityItem.objects.bulk_create(items)


def build(ctx: DemoContext) -> None:
    hospitals = ctx.data.get("hospitals", [])
    if not hospitals:
        return
    today = ctx.today
    for n, h in enumerate(hospitals):
        hospital = h["hospital"]
        catalogue.load_defaults(hospital, actor=None)
        inds = {i.code: i for i in Indicator.objects.filter(hospital=hospital)}
        # The Party side first: the business side of each branch follows its Party work.
        rollups.refresh_party(hospital.pk, dt.date(today.year - 2, 1, 1), month_of(today), today=today)
        schemes = build_schemes(ctx, hospital, inds)
        quality = party_quality(schemes, today)
        build_values(ctx, hospital, inds, quality)
        rollups.refresh_all(hospital.pk, today=today)
        for scheme in schemes:
            scoring.score_scheme(scheme, today=today)
        # This year's months up to the last one are closed (the office closes each after checking it).
        now = timezone.now()
        MonthClose.objects.bulk_create(
            [
                MonthClose(hospital=hospital, month=dt.date(today.year, m, 1), closed=True, closed_at=now)
                for m in range(1, today.month)
                if month_end(dt.date(today.year, m, 1)) < today
            ]
        )
        if n == 0:
            build_lists(ctx, h, inds)
    ctx.data["assessment"] = {"hospitals": [h["hospital"].pk for h in hospitals]}
    # Every record the earlier builders wrote is in the rollups just built: their stale marks
    # (written when the demo's transaction commits) would only make the first page rebuild them.
    from . import signals

    signals.discard_pending()


register_builder(60, "assessment", build)
