"""Demo builder "learning": a year of study for the demo hospital.

- Study plans of this year: the committee theory study group's, the branches' and the members', with
  their monthly topics (published).
- Sessions since 1 January: a morning meeting (晨会) in each branch every other week, the monthly
  night school (夜校) and the quarterly lecture (大讲堂) for the whole hospital, a young doctors'
  lecture, each branch's quarterly Party lecture, the committee study group's monthly session, and a
  red-education trip in three batches — each covering a plan topic of its month. Attendance leaves
  some members short of their hours (each member has their own habit), shift workers make up a few
  (补学) with the recording, the night schools are mostly checked in by QR code.
- Now: a morning meeting in the first branch with check-in open (the demo ``member`` has not checked
  in), and a night school tomorrow evening.
- Self-study: confirmed records, a few awaiting the secretary's confirmation (one the member's), one
  returned with a reason.
- The question bank (``demo_questions``), a quiz of the Party's history open to the whole hospital
  (its leaderboard turned on) that some have taken — not the demo member — and a closed one.

Rows are bulk-created (no signals): later builders read the tables (the duty lists, points).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from hongqing.accounts.models import User
from hongqing.core.demo import DemoContext, register_builder
from hongqing.people.choices import MEMBER_STAGES, EmploymentStatus
from hongqing.people.models import Membership, TermPosition

from .choices import (
    PlanLevel,
    RecordedVia,
    SelfStudyKind,
    SelfStudyStatus,
    SessionKind,
    StudyAttendanceStatus,
    StudyMode,
)
from .demo_questions import QUESTIONS
from .models import (
    CheckIn,
    Question,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizQuestion,
    SelfStudy,
    StudyAttendance,
    StudyPlan,
    StudyPlanItem,
    StudySession,
)
from .services.quizzes import grade

TOPICS = {
    PlanLevel.COMMITTEE_GROUP: [
        "学习党的二十大报告",
        "学习《习近平谈治国理政》",
        "党委领导下的院长负责制",
        "公立医院高质量发展",
        "全面从严治党与清廉医院建设",
        "意识形态工作责任制",
        "党史学习：从一大到二十大",
        "“三重一大”决策制度",
        "卫生健康领域政策解读",
        "纪律教育：《中国共产党纪律处分条例》",
        "党建引领学科建设",
        "年度学习研讨交流",
    ],
    PlanLevel.BRANCH: [
        "《中国共产党章程》",
        "《中国共产党支部工作条例（试行）》",
        "医德医风与“九项准则”",
        "党史学习：伟大建党精神",
        "支部建在科室上：党建与业务融合",
        "红色教育：革命传统",
        "“七一”党课",
        "医疗安全与患者服务",
        "基层党组织选举工作",
        "党费收缴与党员管理",
        "组织生活会准备",
        "年度学习总结",
    ],
    PlanLevel.MEMBER: [
        "党章党规",
        "党史",
        "医德医风",
        "政策法规",
        "专业与党建融合",
        "红色教育",
    ],
}
SELF_TITLES = [
    ("《中国共产党简史》", SelfStudyKind.BOOK),
    ("《习近平谈治国理政》第四卷", SelfStudyKind.BOOK),
    ("“学习强国”党史专题课程", SelfStudyKind.COURSE),
    ("纪录片《中国》", SelfStudyKind.VIDEO),
    ("《觉醒年代》观影学习", SelfStudyKind.VIDEO),
    ("干部网络学院：公立医院高质量发展", SelfStudyKind.COURSE),
]
PLACES = ["院报告厅", "行政楼第一会议室", "科室示教室", "党员之家", "线上（腾讯会议）"]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class _Builder:
    def __init__(self, ctx: DemoContext, h: dict):
        self.ctx, self.rng, self.today = ctx, ctx.rng, ctx.today
        self.hospital, self.committee, self.branches = h["hospital"], h["committee"], h["branches"]
        self.now = timezone.make_aware(dt.datetime.combine(ctx.today, timezone.localtime().time()))
        self.sessions: list[StudySession] = []
        self.rosters: list[tuple[list, float]] = []  # per session: invited persons, attendance factor
        self.links: list[tuple[StudySession, StudyPlanItem]] = []
        self.invited_persons: list[tuple[StudySession, list]] = []

    def members(self):
        rows = (
            Membership.objects.filter(organization__hospital=self.hospital, stage__in=MEMBER_STAGES)
            .exclude(person__status=EmploymentStatus.LEFT)
            .select_related("person", "organization")
        )
        by_branch: dict[int, list] = {}
        for m in rows:
            branch = next((b for b in self.branches if m.organization.path.startswith(b.path)), None)
            if branch is not None:
                by_branch.setdefault(branch.pk, []).append(m.person)
        return by_branch

    def add(
        self,
        org,
        kind,
        title,
        start,
        minutes,
        hours,
        roster,
        factor=1.0,
        mode=StudyMode.LEAD,
        item=None,
        **extra,
    ):
        s = StudySession(
            organization=org,
            kind=kind,
            mode=mode,
            title=title,
            start=start,
            end=start + dt.timedelta(minutes=minutes),
            hours=Decimal(str(hours)),
            place=extra.pop("place", self.rng.choice(PLACES)),
            **extra,
        )
        self.sessions.append(s)
        self.rosters.append((roster, factor))
        if item is not None:
            self.links.append((s, item))
        return s


def _plans(b: _Builder) -> dict:
    year = b.today.year
    plans = {}
    for level, title in (
        (PlanLevel.COMMITTEE_GROUP, "党委理论学习中心组{y}年学习计划"),
        (PlanLevel.BRANCH, "{y}年党支部学习清单"),
        (PlanLevel.MEMBER, "{y}年党员学习教育清单"),
    ):
        plan = StudyPlan.objects.create(
            organization=b.committee,
            level=level,
            year=year,
            title=title.format(y=year),
            note="由党委办公室制定并发布，各支部结合实际落实。",
            published_on=dt.date(year, 1, 10) if b.today >= dt.date(year, 1, 10) else b.today,
        )
        topics = TOPICS[level]
        items = []
        for i, topic in enumerate(topics, start=1):
            month = i if len(topics) == 12 else None
            items.append(
                StudyPlanItem(
                    plan=plan,
                    order=i,
                    topic=topic,
                    month=month,
                    hours=Decimal("4") if level == PlanLevel.COMMITTEE_GROUP else Decimal("2"),
                    mode=StudyMode.STUDY_GROUP if level == PlanLevel.COMMITTEE_GROUP else StudyMode.LEAD,
                )
            )
        plans[level] = StudyPlanItem.objects.bulk_create(items)
    return plans


def build(ctx: DemoContext) -> None:
    h = ctx.data["hospitals"][0]
    b = _Builder(ctx, h)
    today, rng = b.today, b.rng
    by_branch = b.members()
    everyone = [p for people in by_branch.values() for p in people]
    if not everyone:
        return
    # Each member's habit: how often they come (a few often miss: short of their hours).
    habit = {p.pk: rng.choice([0.35, 0.5, 0.65, 0.8, 0.85, 0.9, 0.95, 1.0]) for p in everyone}
    account = User.objects.filter(username="member").select_related("person").first()
    demo_member = getattr(account, "person", None) if account is not None else None
    plans = _plans(b)
    leaders = {
        p.person
        for p in TermPosition.objects.filter(
            term__organization=b.committee, term__actual_end__isnull=True, end__isnull=True
        ).select_related("person")
    }
    first = dt.date(today.year, 1, 1)
    months = [first + relativedelta(months=n) for n in range(today.month)]

    def item_of(level, month):
        items = plans[level]
        return next((i for i in items if i.month == month), items[(month - 1) % len(items)])

    for month in months:
        m = month.month
        # The monthly night school and the committee study group.
        day = month + dt.timedelta(days=14 + rng.randint(0, 6))
        if day < today:
            b.add(
                b.committee,
                SessionKind.NIGHT_SCHOOL,
                f"红擎夜校第{m}期：{item_of(PlanLevel.BRANCH, m).topic}",
                _at(day, 19),
                120,
                2,
                everyone,
                0.85,
                item=item_of(PlanLevel.BRANCH, m),
                speaker_name=rng.choice(["市委党校 王教授", "医学院 马克思主义学院 李教授", ""]),
            )
        day = month + dt.timedelta(days=6 + rng.randint(0, 4))
        if leaders and day < today:
            s = b.add(
                b.committee,
                SessionKind.GROUP_STUDY,
                f"党委理论学习中心组{m}月集体学习：{item_of(PlanLevel.COMMITTEE_GROUP, m).topic}",
                _at(day, 14),
                240,
                4,
                list(leaders),
                0.95,
                mode=StudyMode.STUDY_GROUP,
                item=item_of(PlanLevel.COMMITTEE_GROUP, m),
                place="行政楼第一会议室",
            )
            b.invited_persons.append((s, list(leaders)))
        # The quarterly lecture and the young doctors' lecture.
        if m % 3 == 2 and (day := month + dt.timedelta(days=20)) < today:
            b.add(
                b.committee,
                SessionKind.LECTURE,
                f"大讲堂：{item_of(PlanLevel.MEMBER, m % 6 + 1).topic}专题",
                _at(day, 15),
                180,
                3,
                everyone,
                0.75,
                item=item_of(PlanLevel.MEMBER, m % 6 + 1),
                place="院报告厅",
            )
        if m % 4 == 1 and (day := month + dt.timedelta(days=24)) < today:
            b.add(
                b.committee,
                SessionKind.YOUNG_DOCTOR_LECTURE,
                "青年医师大讲堂：党建引领下的学科成长",
                _at(day, 18),
                90,
                1.5,
                everyone,
                0.4,
            )
        for idx, branch in enumerate(b.branches):
            people = by_branch.get(branch.pk, [])
            if not people:
                continue
            # A morning meeting every other week.
            for week in (0, 14):
                day = month + dt.timedelta(days=2 + idx % 5 + week)
                if day.month == m and day < today:
                    b.add(
                        branch,
                        SessionKind.MORNING_MEETING,
                        f"教练式晨会：{item_of(PlanLevel.MEMBER, m % 6 + 1).topic}",
                        _at(day, 7, 45),
                        30,
                        0.5,
                        people,
                        0.9,
                        mode=StudyMode.SUPERVISE,
                        place="科室示教室",
                    )
            if m % 3 == 0 and (day := month + dt.timedelta(days=10 + idx % 8)) < today:
                b.add(
                    branch,
                    SessionKind.PARTY_LECTURE,
                    f"支部书记讲党课：{item_of(PlanLevel.BRANCH, m).topic}",
                    _at(day, 17),
                    90,
                    2,
                    people,
                    1.0,
                    item=item_of(PlanLevel.BRANCH, m),
                )

    # The red-education trip in three batches, in spring (or last autumn when it is early in the year).
    trip_day = (
        dt.date(today.year, 4, 10) if today > dt.date(today.year, 6, 1) else dt.date(today.year - 1, 10, 12)
    )
    trip = StudySession.objects.create(
        organization=b.committee,
        kind=SessionKind.RED_EDUCATION,
        mode=StudyMode.LEAD,
        title="红色教育：重走红军路（井冈山）",
        start=_at(trip_day, 7),
        end=_at(trip_day + dt.timedelta(days=14), 19),
        hours=Decimal("8"),
        place="井冈山",
        description="全院党员分三批赴井冈山开展红色教育，每批一天。",
    )
    pool = list(everyone)
    rng.shuffle(pool)
    thirds = [pool[i::3] for i in range(3)]
    for n, group in enumerate(thirds):
        day = trip_day + dt.timedelta(days=7 * n)
        b.add(
            b.committee,
            SessionKind.RED_EDUCATION,
            trip.title,
            _at(day, 7),
            12 * 60,
            8,
            group,
            0.9,
            place="井冈山",
            batch_of=trip,
            batch_number=n + 1,
            description=trip.description,
        )
        b.invited_persons.append((b.sessions[-1], group))

    # Now: the first branch's morning meeting with check-in open, and tomorrow's night school.
    first_branch = b.branches[0]
    now_meeting = b.add(
        first_branch,
        SessionKind.MORNING_MEETING,
        "晨会：学习《中国共产党支部工作条例（试行）》",
        b.now - dt.timedelta(minutes=10),
        50,
        0.5,
        [],
        mode=StudyMode.SUPERVISE,
        place="科室示教室",
    )
    tomorrow = today + dt.timedelta(days=1)
    b.add(
        b.committee,
        SessionKind.NIGHT_SCHOOL,
        f"红擎夜校第{today.month}期（加场）：医德医风专题",
        _at(tomorrow, 19),
        120,
        2,
        [],
        place="院报告厅",
    )

    StudySession.objects.bulk_create(b.sessions, batch_size=500)
    Through = StudySession.plan_items.through
    Through.objects.bulk_create([Through(studysession_id=s.pk, studyplanitem_id=i.pk) for s, i in b.links])
    Invited = StudySession.audience_persons.through
    Invited.objects.bulk_create(
        [Invited(studysession_id=s.pk, person_id=p.pk) for s, people in b.invited_persons for p in people]
    )

    rows, proofs = [], []
    for s, (roster, factor) in zip(b.sessions, b.rosters, strict=True):
        if s.start > b.now:
            continue
        for p in roster:
            chance = factor * habit[p.pk]
            r = rng.random()
            if r < chance:
                via = (
                    RecordedVia.CHECKIN
                    if s.kind == SessionKind.NIGHT_SCHOOL and rng.random() < 0.75
                    else RecordedVia.ROSTER
                )
                rows.append(
                    StudyAttendance(
                        session=s, person=p, status=StudyAttendanceStatus.PRESENT, hours=s.hours, via=via
                    )
                )
            elif r < chance + 0.05 and s.kind in (SessionKind.PARTY_LECTURE, SessionKind.NIGHT_SCHOOL):
                made = min(s.local_date + dt.timedelta(days=rng.randint(2, 9)), today)
                rows.append(
                    StudyAttendance(
                        session=s,
                        person=p,
                        status=StudyAttendanceStatus.MAKEUP,
                        hours=s.hours,
                        reason="值夜班",
                        makeup_on=made,
                        makeup_note="观看会议录像补学，并提交学习心得",
                    )
                )
            elif r < chance + 0.08 and s.kind != SessionKind.MORNING_MEETING:
                rows.append(
                    StudyAttendance(
                        session=s,
                        person=p,
                        status=StudyAttendanceStatus.LEAVE,
                        hours=s.hours,
                        reason=rng.choice(["手术", "门诊", "外出进修", "病假"]),
                    )
                )
    # At the open morning meeting, a few have checked in already (not the demo member).
    early = [p for p in by_branch.get(first_branch.pk, []) if p != demo_member][:3]
    rows += [
        StudyAttendance(session=now_meeting, person=p, hours=now_meeting.hours, via=RecordedVia.CHECKIN)
        for p in early
    ]
    StudyAttendance.objects.bulk_create(rows, batch_size=1000)
    for att in rows:
        if att.via == RecordedVia.CHECKIN:
            proofs.append(
                CheckIn(
                    session=att.session,
                    person=att.person,
                    attendance=att,
                    at=att.session.start + dt.timedelta(minutes=rng.randint(-20, 10)),
                    code_step=int(att.session.start.timestamp()) // 30,
                    nonce=secrets.token_urlsafe(16),
                )
            )
    CheckIn.objects.bulk_create(proofs, batch_size=1000)

    _self_study(b, by_branch, demo_member)
    _quizzes(b, everyone, demo_member)
    ctx.data["learning"] = {
        "sessions": len(b.sessions) + 1,
        "attendances": len(rows),
        "open_session": now_meeting,
    }


def _self_study(b: _Builder, by_branch: dict, demo_member) -> None:
    rng, today = b.rng, b.today
    office = User.objects.filter(username="office").first()
    records = []
    for people in by_branch.values():
        for p in people:
            if rng.random() < 0.35:
                title, kind = rng.choice(SELF_TITLES)
                day = today - dt.timedelta(
                    days=rng.randint(10, max(11, (today - dt.date(today.year, 1, 1)).days))
                )
                records.append(
                    SelfStudy(
                        person=p,
                        kind=kind,
                        title=title,
                        studied_on=max(day, dt.date(today.year, 1, 1)),
                        hours=Decimal(rng.choice(["2", "3", "4"])),
                        note="通读并做了读书笔记。",
                        status=SelfStudyStatus.CONFIRMED,
                        reviewed_by=office,
                        reviewed_at=timezone.now() - dt.timedelta(days=3),
                    )
                )
    # Awaiting confirmation: in the first branch (one of them the demo member's) and the fourth.
    for branch in (b.branches[0], b.branches[3] if len(b.branches) > 3 else b.branches[-1]):
        people = [p for p in by_branch.get(branch.pk, []) if p != demo_member][:2]
        if branch == b.branches[0] and demo_member is not None:
            people = [demo_member, *people]
        for n, p in enumerate(people):
            title, kind = SELF_TITLES[n % len(SELF_TITLES)]
            records.append(
                SelfStudy(
                    person=p,
                    kind=kind,
                    title=title,
                    studied_on=today - dt.timedelta(days=n + 1),
                    hours=Decimal("2"),
                    note="利用夜班后时间自学，记录学习心得一篇。",
                )
            )
    people = by_branch.get(b.branches[1].pk, []) if len(b.branches) > 1 else []
    if people:
        records.append(
            SelfStudy(
                person=people[0],
                kind=SelfStudyKind.VIDEO,
                title="短视频合集",
                studied_on=today - dt.timedelta(days=12),
                hours=Decimal("6"),
                status=SelfStudyStatus.REJECTED,
                reviewed_by=office,
                reviewed_at=timezone.now() - dt.timedelta(days=10),
                reject_reason="学习内容与学习清单无关，学时偏多，请补充学习心得后重新登记。",
            )
        )
    SelfStudy.objects.bulk_create(records)


def _quizzes(b: _Builder, everyone: list, demo_member) -> None:
    rng = b.rng
    questions = []
    for kind, tags, text, options, answer, explanation in QUESTIONS:
        q = Question(
            hospital=b.hospital,
            kind=kind,
            text=text,
            options=list(options),
            answer=answer,
            explanation=explanation,
            tags=tags,
        )
        q.prepare()
        questions.append(q)
    Question.objects.bulk_create(questions)
    history = [q for q in questions if "党史" in q.tags]
    rules = [q for q in questions if "党章党规" in q.tags or "组织生活" in q.tags]
    now = b.now
    open_quiz = Quiz.objects.create(
        organization=b.committee,
        title="党史快问快答（第一期）",
        description="全院党员参加，5道题，限时10分钟。本次活动开启了排行榜，仅显示本次测验的成绩。",
        tags="党史",
        question_count=5,
        time_limit_minutes=10,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=7),
        leaderboard=True,
    )
    closed_quiz = Quiz.objects.create(
        organization=b.committee,
        title="党章党规知识竞答",
        tags="党章党规、组织生活",
        question_count=10,
        time_limit_minutes=15,
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=45),
    )
    for quiz, pool_, takers in (
        (open_quiz, history, [p for p in everyone if p != demo_member][:25]),
        (closed_quiz, rules, [p for p in everyone if rng.random() < 0.6]),
    ):
        drawn = rng.sample(pool_, min(quiz.question_count, len(pool_)))
        quiz.question_count = len(drawn)
        quiz.save(update_fields=["question_count"])
        QuizQuestion.objects.bulk_create(
            [QuizQuestion(quiz=quiz, question=q, order=i) for i, q in enumerate(drawn, 1)]
        )
        attempts, answers = [], []
        for p in takers:
            started = (
                max(quiz.opens_at, now - dt.timedelta(days=2))
                if quiz is open_quiz
                else quiz.opens_at + dt.timedelta(days=rng.randint(0, 10))
            )
            started += dt.timedelta(minutes=rng.randint(0, 600))
            score = Decimal(0)
            rows = []
            for q in drawn:
                chosen = q.answer if rng.random() < 0.75 else rng.choice("ABCD"[: max(2, len(q.options))])
                right, points = grade(q, chosen, quiz.multiple_partial)
                score += points
                rows.append(
                    QuizAnswer(
                        question=q,
                        chosen=chosen,
                        answered_at=started + dt.timedelta(minutes=2),
                        correct=right,
                        points=points,
                    )
                )
            attempt = QuizAttempt(
                quiz=quiz,
                person=p,
                started_at=started,
                deadline=started + dt.timedelta(minutes=quiz.time_limit_minutes),
                submitted_at=started
                + dt.timedelta(
                    minutes=rng.randint(2, quiz.time_limit_minutes - 1), seconds=rng.randint(0, 59)
                ),
                score=score,
                max_score=Decimal(len(drawn)),
            )
            attempts.append((attempt, rows))
        QuizAttempt.objects.bulk_create([a for a, _r in attempts])
        for attempt, rows in attempts:
            for row in rows:
                row.attempt = attempt
                answers.append(row)
        QuizAnswer.objects.bulk_create(answers, batch_size=1000)


register_builder(36, "learning", build)
