"""The default catalogue: Party-building indicators computed from records, business indicators entered.

Business indicators follow RULES.md §7 (the national performance assessment of public hospitals)
and MECHANISMS.md rows 26–29; the maternal-and-child ones (``mch=True``) are loaded only for a
maternal-and-child-health hospital (``Hospital.kind == "mch"``). Shares, lengths of stay and costs
per visit are written as formulas over entered counts or as weighted means, so that a branch's
or the hospital's figure is a ratio of totals, never an average of departments' ratios.

Names are the terms the hospitals use (data, like the rules' sources), not interface text.
"""

from __future__ import annotations

from dataclasses import dataclass

NATIONAL = "国家三级公立医院绩效考核指标"
MCH_REF = "妇幼保健机构绩效考核指标"


@dataclass(frozen=True)
class Default:
    code: str
    name: str
    unit: str
    family: str = "business"
    direction: str = "higher"
    source: str = "entered"
    aggregation: str = "sum"
    weight: str = ""
    computation: str = ""
    formula: str = ""
    decimals: int = 0
    min_value: float | None = 0
    max_value: float | None = None
    dimension: str = ""
    reference: str = ""
    short_name: str = ""
    entry_level: str = "department"
    headline: bool = False
    mch: bool = False
    description: str = ""


def share(code, name, formula, **kw) -> Default:
    return Default(
        code,
        name,
        "%",
        source="formula",
        aggregation="ratio",
        formula=formula,
        decimals=2,
        min_value=None,
        **kw,
    )


PARTY = [
    Default(
        "duty_rate",
        "党务清单完成率",
        "%",
        family="party",
        source="computed",
        aggregation="ratio",
        computation="party.duty_completion",
        decimals=1,
        max_value=100,
        dimension="组织建设",
        reference="《中国共产党支部工作条例（试行）》",
        short_name="党务完成率",
        headline=True,
    ),
    Default(
        "attendance_rate",
        "组织生活出勤率",
        "%",
        family="party",
        source="computed",
        aggregation="ratio",
        computation="party.attendance",
        decimals=1,
        max_value=100,
        dimension="组织生活",
        reference="“三会一课”制度",
        short_name="出勤率",
        headline=True,
    ),
    Default(
        "dues_on_time",
        "党费按时缴纳率",
        "%",
        family="party",
        source="computed",
        aggregation="ratio",
        computation="party.dues_on_time",
        decimals=1,
        max_value=100,
        dimension="党员管理",
        reference="中组发〔2008〕3号",
        short_name="党费按时率",
    ),
    Default(
        "development_on_time",
        "发展党员按期完成率",
        "%",
        family="party",
        source="computed",
        aggregation="ratio",
        computation="party.development_on_time",
        decimals=1,
        max_value=100,
        dimension="党员发展",
        reference="《中国共产党发展党员工作细则》",
        short_name="发展按期率",
    ),
    Default(
        "dual_leader_rate",
        "双带头人支部书记比例",
        "%",
        family="party",
        source="computed",
        aggregation="latest",
        computation="party.dual_leader",
        decimals=1,
        max_value=100,
        dimension="组织建设",
        reference="国办发〔2021〕18号",
        short_name="双带头人",
        headline=True,
    ),
    Default(
        "appraisal_done",
        "民主评议党员完成率",
        "%",
        family="party",
        source="computed",
        aggregation="latest",
        computation="party.appraisal_done",
        decimals=1,
        max_value=100,
        dimension="党员管理",
        reference="《中国共产党支部工作条例（试行）》",
        short_name="民主评议",
    ),
    Default(
        "study_hours_rate",
        "党员学习学时完成率",
        "%",
        family="party",
        source="computed",
        aggregation="ratio",
        computation="learning.study_hours",
        decimals=1,
        min_value=0,
        dimension="教育培训",
        reference="《中国共产党党员教育管理工作条例》",
        short_name="学时完成率",
    ),
    Default(
        "points_per_member",
        "党员人均月积分",
        "分",
        family="party",
        source="computed",
        aggregation="ratio",
        computation="points.points_per_member",
        decimals=1,
        min_value=None,
        dimension="党员管理",
        short_name="人均月积分",
        description="每名党员每月平均获得的积分",
    ),
    Default(
        "volunteer_hours",
        "志愿服务时长",
        "小时",
        family="party",
        source="computed",
        aggregation="sum",
        computation="points.volunteering_hours",
        decimals=1,
        dimension="服务群众",
        short_name="志愿时长",
    ),
    Default(
        "honours",
        "荣誉表彰",
        "项",
        family="party",
        source="computed",
        aggregation="sum",
        computation="points.honours",
        dimension="先锋模范",
        short_name="荣誉",
    ),
]

BUSINESS = [
    Default("op_visits", "门诊人次", "人次", dimension="运营效率", reference=NATIONAL, headline=True),
    Default("discharges", "出院人次", "人次", dimension="运营效率", reference=NATIONAL, headline=True),
    Default("operations", "手术台次", "台次", dimension="医疗质量", reference=NATIONAL),
    Default("discharged_operated", "出院患者手术人次", "人次", dimension="医疗质量", reference=NATIONAL),
    share(
        "surgery_share",
        "出院患者手术占比",
        "discharged_operated / discharges * 100",
        dimension="医疗质量",
        reference=NATIONAL,
        short_name="手术占比",
        headline=True,
    ),
    Default("minimally_invasive", "微创手术台次", "台次", dimension="医疗质量", reference=NATIONAL),
    share(
        "mi_share",
        "出院患者微创手术占比",
        "minimally_invasive / operations * 100",
        dimension="医疗质量",
        reference=NATIONAL,
        short_name="微创占比",
    ),
    Default("level4_ops", "四级手术台次", "台次", dimension="医疗质量", reference=NATIONAL),
    share(
        "level4_share",
        "出院患者四级手术比例",
        "level4_ops / operations * 100",
        dimension="医疗质量",
        reference=NATIONAL,
        short_name="四级手术比例",
    ),
    Default(
        "alos",
        "平均住院日",
        "天",
        direction="lower",
        aggregation="weighted_mean",
        weight="discharges",
        decimals=2,
        max_value=90,
        dimension="运营效率",
        reference=NATIONAL,
        headline=True,
    ),
    Default(
        "op_cost",
        "门诊次均费用",
        "元",
        direction="lower",
        aggregation="weighted_mean",
        weight="op_visits",
        decimals=2,
        max_value=100000,
        dimension="运营效率",
        reference=NATIONAL,
    ),
    Default(
        "ip_cost",
        "住院次均费用",
        "元",
        direction="lower",
        aggregation="weighted_mean",
        weight="discharges",
        decimals=2,
        max_value=1000000,
        dimension="运营效率",
        reference=NATIONAL,
    ),
    share(
        "op_cost_growth",
        "门诊次均费用增幅",
        "(op_cost - prior(op_cost)) / prior(op_cost) * 100",
        direction="lower",
        dimension="运营效率",
        reference=NATIONAL,
        short_name="门诊费用增幅",
    ),
    share(
        "ip_cost_growth",
        "住院次均费用增幅",
        "(ip_cost - prior(ip_cost)) / prior(ip_cost) * 100",
        direction="lower",
        dimension="运营效率",
        reference=NATIONAL,
        short_name="住院费用增幅",
    ),
    Default("drug_revenue", "药品收入", "万元", decimals=2, dimension="运营效率", reference=NATIONAL),
    Default("medical_revenue", "医疗收入", "万元", decimals=2, dimension="运营效率", reference=NATIONAL),
    share(
        "drug_share",
        "药品收入占比",
        "drug_revenue / medical_revenue * 100",
        direction="lower",
        dimension="运营效率",
        reference=NATIONAL,
        short_name="药占比",
    ),
    Default(
        "sat_outpatient",
        "门诊患者满意度",
        "分",
        aggregation="weighted_mean",
        weight="op_visits",
        decimals=2,
        max_value=100,
        dimension="满意度评价",
        reference=NATIONAL,
        short_name="门诊满意度",
        headline=True,
    ),
    Default(
        "sat_inpatient",
        "住院患者满意度",
        "分",
        aggregation="weighted_mean",
        weight="discharges",
        decimals=2,
        max_value=100,
        dimension="满意度评价",
        reference=NATIONAL,
        short_name="住院满意度",
    ),
    Default(
        "sat_staff",
        "医务人员满意度",
        "分",
        aggregation="mean",
        decimals=2,
        max_value=100,
        dimension="满意度评价",
        reference=NATIONAL,
        short_name="职工满意度",
    ),
    Default("new_techniques", "新技术新项目", "项", dimension="持续发展", reference="本院新技术新项目管理"),
    Default("complaints", "医疗投诉", "件", direction="lower", dimension="满意度评价", short_name="投诉"),
    Default("commendations", "锦旗及感谢信", "件", dimension="满意度评价", short_name="锦旗感谢信"),
    # Maternal and child health (妇幼)
    Default(
        "maternal_deaths",
        "孕产妇死亡",
        "例",
        direction="lower",
        dimension="妇幼健康",
        reference=MCH_REF,
        mch=True,
        description="目标为零",
    ),
    *[
        Default(
            f"high_risk_{colour}",
            f"高危孕产妇在管（{label}）",
            "人",
            aggregation="latest",
            dimension="妇幼健康",
            reference="《孕产妇妊娠风险评估与管理工作规范》",
            short_name=f"高危在管·{label}",
            mch=True,
            description="月末在管人数（五色分级管理）",
        )
        for colour, label in (
            ("green", "绿"),
            ("yellow", "黄"),
            ("orange", "橙"),
            ("red", "红"),
            ("purple", "紫"),
        )
    ],
    Default(
        "two_cancer_screenings",
        "两癌筛查人次",
        "人次",
        dimension="妇幼健康",
        reference=MCH_REF,
        short_name="两癌筛查",
        mch=True,
    ),
    Default(
        "mch_clinic_coverage",
        "妇儿保规范化门诊覆盖率",
        "%",
        aggregation="latest",
        decimals=1,
        max_value=100,
        dimension="妇幼健康",
        reference=MCH_REF,
        short_name="规范化门诊覆盖",
        entry_level="hospital",
        mch=True,
    ),
]

CATALOGUE = PARTY + BUSINESS
