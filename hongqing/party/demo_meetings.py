"""Demo builder: the meetings of the demo hospital's branches since January of last year, and
committee decisions.

Every branch holds its monthly committee meeting and theme day, its quarterly congress and lecture,
and a yearly organisational life session — except a few, on purpose, so the duty list shows red
and amber: 生殖医学党支部 (the third branch) missed the last two months, 急诊麻醉党支部 (the sixth)
has not yet met this month, 护理党支部 (the ninth) missed last quarter's congress. The Party
committee and the president's office meet too, with 三重一大 items: one decided by the president's
office after the committee studied it, one urgent with the secretary's consent.

Rows are bulk-created (no signals): builders after this one derive what they need from the table.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from hongqing.core.demo import DemoContext, register_builder
from hongqing.people.choices import Post, Stage
from hongqing.people.models import Membership, TermPosition

from .choices import AttendanceStatus, ItemStatus, MatterCategory, MeetingKind, MeetingStatus
from .models import AgendaItem, Attendance, MajorMatter, Meeting

LEAVE_REASONS = ["值班", "外出学习", "病假", "出差", "夜班后休息", "产假"]
TOPICS = {
    MeetingKind.BRANCH_COMMITTEE: [
        "研究{m}月支部工作",
        "讨论发展对象培养",
        "研究党费收缴与党员教育",
        "部署{m}月主题党日",
    ],
    MeetingKind.THEME_DAY: [
        "“服务患者、守护母婴”{m}月主题党日",
        "义诊进社区",
        "重温入党誓词",
        "学习二十大精神",
    ],
    MeetingKind.MEMBER_CONGRESS: ["第{q}季度支部党员大会", "通报支部工作并讨论发展党员"],
    MeetingKind.PARTY_LECTURE: ["书记讲党课：党建引领学科发展", "医德医风专题党课", "党纪学习教育专题党课"],
    MeetingKind.ORG_LIFE_SESSION: ["年度组织生活会暨民主评议党员"],
    MeetingKind.JOINT_MEETING: ["支部与科室联席会：研究科室发展规划"],
}
# Branch index -> what it misses (the duty list's red and amber).
MISSING_LAST_TWO_MONTHS = 2
MISSING_THIS_MONTH = 5
MISSING_LAST_CONGRESS = 8


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _day_in(month: dt.date, day: int, today: dt.date) -> dt.date | None:
    """``day`` of ``month`` if it is already past (held meetings are in the past), else None."""
    d = month.replace(day=min(day, 28))
    return d if d < today else None


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx, self.rng, self.today = ctx, ctx.rng, ctx.today
        self.meetings: list[Meeting] = []
        self.rosters: list[list[tuple]] = []  # per meeting: (person, voting)

    def add(self, org, kind, start, topic, host, roster, status=MeetingStatus.HELD, **extra):
        meeting = Meeting(
            organization=org, kind=kind, status=status, start=start, topic=topic, host=host, **extra
        )
        if status == MeetingStatus.HELD:
            meeting.place = extra.get("place") or self.rng.choice(
                ["支部活动室", "科室示教室", "党员之家", "院会议室"]
            )
            meeting.minutes = f"会议由{host.name if host else '书记'}主持，应到{len(roster)}人。会议围绕“{topic}”进行了学习讨论。"
        self.meetings.append(meeting)
        self.rosters.append(roster if status == MeetingStatus.HELD else [])
        return meeting

    def attendance(self) -> list[Attendance]:
        rows = []
        for meeting, roster in zip(self.meetings, self.rosters, strict=True):
            decision = meeting.kind in (MeetingKind.COMMITTEE_MEETING, MeetingKind.PRESIDENT_OFFICE_MEETING)
            for person, voting in roster:
                r = 1.0 if decision else self.rng.random()
                status, reason, makeup_on, note = AttendanceStatus.PRESENT, "", None, ""
                if r < 0.08:
                    status, reason = AttendanceStatus.LEAVE, self.rng.choice(LEAVE_REASONS)
                elif r < 0.11:
                    status, reason = AttendanceStatus.MAKEUP, self.rng.choice(LEAVE_REASONS)
                    makeup_on = min(
                        meeting.local_date + dt.timedelta(days=self.rng.randint(2, 10)), self.today
                    )
                    note = "自学会议精神并提交心得"
                elif r < 0.12:
                    status, reason = AttendanceStatus.ABSENT, "未请假"
                rows.append(
                    Attendance(
                        meeting=meeting,
                        person=person,
                        status=status,
                        reason=reason,
                        makeup_on=makeup_on,
                        makeup_note=note,
                        expected=True,
                        voting=voting,
                    )
                )
        return rows


def _committee_posts(ctx: DemoContext, h: dict) -> list:
    """The Party committee's post holders (added when the people builder left none)."""
    committee = h["committee"]
    term = committee.terms.filter(actual_end__isnull=True).first()
    if term is None:
        return []
    existing = list(TermPosition.objects.filter(term=term).select_related("person"))
    if existing:
        return existing
    members = list(
        Membership.objects.filter(organization__hospital=h["hospital"], stage=Stage.FULL)
        .select_related("person")
        .order_by("person__birth_date")[:7]
    )
    posts = [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.DEPUTY_SECRETARY] + [Post.MEMBER] * 4
    positions = [
        TermPosition(term=term, person=m.person, post=post, start=term.start)
        for m, post in zip(members, posts, strict=False)
    ]
    TermPosition.objects.bulk_create(positions)
    return positions


def build(ctx: DemoContext) -> None:
    h = ctx.data["hospitals"][0]
    people = ctx.data.get("people", {})
    secretaries = people.get("secretaries", {})
    b = _Builder(ctx)
    today = ctx.today
    this_month = today.replace(day=1)
    # From January of last year: the duty lists cover this year and the last.
    first = dt.date(today.year - 1, 1, 1)
    months = [first + relativedelta(months=n) for n in range((today.year - first.year) * 12 + today.month)]
    last_quarter = _quarter_start(today) - relativedelta(months=3)

    posts_by_term = {}
    for p in TermPosition.objects.filter(
        term__organization__in=h["branches"], end__isnull=True
    ).select_related("person", "term"):
        posts_by_term.setdefault(p.term.organization_id, []).append(p.person)
    members_by_org = {}
    for m in Membership.objects.filter(
        organization__in=h["branches"], stage__in=(Stage.PROBATIONARY, Stage.FULL)
    ).select_related("person"):
        members_by_org.setdefault(m.organization_id, []).append(m)

    for idx, branch in enumerate(h["branches"]):
        members = members_by_org.get(branch.pk, [])
        if not members:
            continue
        host = secretaries.get(branch.pk)
        everyone = [(m.person, False) for m in members]
        voters = [(m.person, m.stage == Stage.FULL) for m in members]
        committee = [(p, True) for p in posts_by_term.get(branch.pk, [])]
        for month in months:
            skip = (idx == MISSING_LAST_TWO_MONTHS and month >= this_month - relativedelta(months=1)) or (
                idx == MISSING_THIS_MONTH and month == this_month
            )
            if not skip:
                if committee and (day := _day_in(month, 3 + idx % 5, today)):
                    topic = ctx.rng.choice(TOPICS[MeetingKind.BRANCH_COMMITTEE]).format(m=month.month)
                    b.add(branch, MeetingKind.BRANCH_COMMITTEE, _at(day, 12, 30), topic, host, committee)
                if day := _day_in(month, 12 + idx % 6, today):
                    topic = ctx.rng.choice(TOPICS[MeetingKind.THEME_DAY]).format(m=month.month)
                    b.add(branch, MeetingKind.THEME_DAY, _at(day, 16, 30), topic, host, everyone)
            quarter_month = (month.month - 1) % 3
            missed = idx == MISSING_LAST_CONGRESS and _quarter_start(month) == last_quarter
            if quarter_month == 1 and not missed and (day := _day_in(month, 20 + idx % 5, today)):
                q = (month.month - 1) // 3 + 1
                topic = ctx.rng.choice(TOPICS[MeetingKind.MEMBER_CONGRESS]).format(q=q)
                b.add(branch, MeetingKind.MEMBER_CONGRESS, _at(day, 17), topic, host, voters)
            if quarter_month == 2 and (day := _day_in(month, 8 + idx % 6, today)):
                topic = ctx.rng.choice(TOPICS[MeetingKind.PARTY_LECTURE])
                b.add(branch, MeetingKind.PARTY_LECTURE, _at(day, 17), topic, host, everyone)
        # The yearly organisational life session, in last year's Q4 (or January).
        day = dt.date(today.year - 1, 12, 10 + idx % 15)
        b.add(
            branch,
            MeetingKind.ORG_LIFE_SESSION,
            _at(day, 15),
            TOPICS[MeetingKind.ORG_LIFE_SESSION][0],
            host,
            everyone,
        )
        # A few branches record a joint meeting with their first linked department.
        dept = branch.department_links.filter(end__isnull=True).select_related("department").first()
        if dept is not None and idx % 3 == 0:
            day = today - relativedelta(months=2, days=idx)
            b.add(
                branch,
                MeetingKind.JOINT_MEETING,
                _at(day, 14),
                TOPICS[MeetingKind.JOINT_MEETING][0],
                host,
                everyone,
                department=dept.department,
                department_decisions="科室年度发展规划；新技术新项目准入；绩效分配方案调整（支部参与讨论并提出意见）",
            )
        # And the next committee meeting is planned.
        if committee and idx % 2 == 0:
            b.add(
                branch,
                MeetingKind.BRANCH_COMMITTEE,
                _at(today + dt.timedelta(days=7 + idx), 12, 30),
                "研究下月支部工作",
                host,
                [],
                status=MeetingStatus.PLANNED,
                place="支部活动室",
            )

    items = _decisions(ctx, h, b)
    Meeting.objects.bulk_create(b.meetings, batch_size=500)
    Attendance.objects.bulk_create(b.attendance(), batch_size=1000)
    for item in items:
        item.meeting_id = item.meeting.pk
    AgendaItem.objects.bulk_create(items)
    ctx.data["meetings"] = {"count": len(b.meetings)}


def _decisions(ctx: DemoContext, h: dict, b: _Builder) -> list[AgendaItem]:
    """Party committee and president's office meetings with 三重一大 items."""
    committee, hospital, today = h["committee"], h["hospital"], ctx.today
    posts = _committee_posts(ctx, h)
    if not posts:
        return []
    board = [(p.person, True) for p in posts]
    office = [(p.person, False) for p in posts]
    chair = next((p.person for p in posts if p.post == Post.SECRETARY), posts[0].person)
    equipment = MajorMatter.objects.create(
        hospital=hospital, title="儿童医学中心大型医疗设备采购", category=MatterCategory.PROJECT, amount=1280
    )
    supplies = MajorMatter.objects.create(
        hospital=hospital, title="呼吸道传染病应急物资紧急采购", category=MatterCategory.FUNDS, amount=260
    )
    cadres = MajorMatter.objects.create(
        hospital=hospital, title="中层干部竞聘上岗人选", category=MatterCategory.APPOINTMENT
    )
    MajorMatter.objects.create(
        hospital=hospital, title="院区改扩建工程立项", category=MatterCategory.PROJECT, amount=8600
    )
    day1, day2 = (
        today - relativedelta(months=2, days=3),
        today - relativedelta(months=2) + relativedelta(days=4),
    )
    day3, day4 = today - relativedelta(months=1, days=5), today - relativedelta(days=20)
    m1 = b.add(
        committee,
        MeetingKind.COMMITTEE_MEETING,
        _at(day1, 9),
        "党委会：研究设备采购与干部工作",
        chair,
        board,
        place="行政楼第一会议室",
    )
    p1 = b.add(
        committee,
        MeetingKind.PRESIDENT_OFFICE_MEETING,
        _at(day2, 9),
        "院长办公会：设备采购实施方案",
        chair,
        office,
        place="行政楼第二会议室",
    )
    p2 = b.add(
        committee,
        MeetingKind.PRESIDENT_OFFICE_MEETING,
        _at(day3, 8, 30),
        "院长办公会（紧急）：应急物资采购",
        chair,
        office,
        place="行政楼第二会议室",
    )
    m2 = b.add(
        committee,
        MeetingKind.COMMITTEE_MEETING,
        _at(day4, 9),
        "党委会：干部任用与应急采购通报",
        chair,
        board,
        place="行政楼第一会议室",
    )
    b.add(
        committee,
        MeetingKind.COMMITTEE_MEETING,
        _at(today + dt.timedelta(days=10), 9),
        "党委会：院区改扩建工程立项",
        chair,
        [],
        status=MeetingStatus.PLANNED,
        place="行政楼第一会议室",
    )
    n = len(board)
    return [
        AgendaItem(
            meeting=m1,
            order=1,
            title="审议儿童医学中心设备采购事项",
            matter=equipment,
            status=ItemStatus.STUDIED,
            conclusion="原则同意，提交院长办公会研究实施方案。",
        ),
        AgendaItem(
            meeting=m1,
            order=2,
            title="研究中层干部竞聘工作方案",
            matter=cadres,
            status=ItemStatus.STUDIED,
            conclusion="同意启动竞聘工作。",
        ),
        AgendaItem(
            meeting=p1,
            order=1,
            title="设备采购实施方案",
            matter=equipment,
            status=ItemStatus.DECIDED,
            conclusion="按党委会意见组织公开招标。",
        ),
        AgendaItem(
            meeting=p2,
            order=1,
            title="应急物资紧急采购",
            matter=supplies,
            status=ItemStatus.DECIDED,
            urgent=True,
            secretary_consent=True,
            conclusion="情况紧急，经党委书记同意先行采购，报党委会通报。",
        ),
        AgendaItem(
            meeting=m2,
            order=1,
            title="中层干部任用人选",
            matter=cadres,
            status=ItemStatus.DECIDED,
            votes_yes=n,
            votes_no=0,
            votes_abstain=0,
            conclusion="同意任用。",
        ),
        AgendaItem(
            meeting=m2,
            order=2,
            title="通报应急物资紧急采购情况",
            matter=supplies,
            status=ItemStatus.STUDIED,
            conclusion="同意追认。",
        ),
    ]


register_builder(30, "party-meetings", build)
