"""Helpers of the meeting tests (no tests here): rosters of members, meetings, attendance, files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hongqing.core.testing.world import make_member, make_person
from hongqing.organization.models import CommitteeTerm
from hongqing.party.choices import AttendanceStatus, ItemStatus, MatterCategory, MeetingKind, MeetingStatus
from hongqing.party.models import AgendaItem, Attendance, MajorMatter, Meeting, MeetingAttachment
from hongqing.people.choices import Post, Stage
from hongqing.people.models import TermPosition

# Test meetings happen on days counted from DAY0, three months ago (held meetings are in the past).
DAY0 = timezone.localdate() - dt.timedelta(days=90)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def at(n: int, h: int = 14, mi: int = 0) -> dt.datetime:
    """The aware time ``h:mi`` of day ``n`` (counted from DAY0)."""
    return timezone.make_aware(dt.datetime.combine(day(n), dt.time(h, mi)))


PAST = at(10)


def members(world, org, full: int, probationary: int = 0, dept=None) -> list:
    """Add ``full`` full and ``probationary`` probationary members to ``org``; returns their persons."""
    out = []
    for i in range(full + probationary):
        p = make_person(world.hospital, dept or world.dept_a, f"党员{i:02d}")
        make_member(p, org, stage=Stage.FULL if i < full else Stage.PROBATIONARY)
        out.append(p)
    return out


def committee_posts(org, persons) -> list:
    term = CommitteeTerm.objects.get(organization=org, actual_end__isnull=True)
    posts = [
        Post.SECRETARY,
        Post.ORGANIZATION,
        Post.PUBLICITY,
        Post.DISCIPLINE,
        Post.MEMBER,
        Post.MEMBER,
        Post.MEMBER,
    ]
    return [
        TermPosition.objects.create(term=term, person=p, post=posts[min(i, len(posts) - 1)])
        for i, p in enumerate(persons)
    ]


def meeting(org, kind=MeetingKind.MEMBER_CONGRESS, start=PAST, status=MeetingStatus.PLANNED, **kw) -> Meeting:
    return Meeting.objects.create(
        organization=org, kind=kind, start=start, status=status, topic=kw.pop("topic", "测试会议"), **kw
    )


def attend(m, persons, status=AttendanceStatus.PRESENT, **kw) -> list:
    rows = []
    for p in persons:
        a = Attendance(meeting=m, person=p, status=status, **kw)
        if status in (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT) and not a.reason:
            a.reason = "值班"
        a.save()
        rows.append(a)
    return rows


def rows(persons, status=AttendanceStatus.PRESENT, reason="") -> list[dict]:
    return [{"person": p, "status": status, "reason": reason} for p in persons]


def matter(hospital, title="大型设备采购") -> MajorMatter:
    return MajorMatter.objects.create(
        hospital=hospital, title=title, category=MatterCategory.PROJECT, amount=500
    )


def item(m, title="议题", status=ItemStatus.PROPOSED, **kw) -> AgendaItem:
    return AgendaItem.objects.create(meeting=m, title=title, status=status, **kw)


# Files: the first bytes of each kind, and a minimal .docx
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def upload(name: str, content: bytes, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@dataclass
class MeetingRecords:
    meeting_a: Meeting
    meeting_b: Meeting
    meeting_h2: Meeting
    planned_a: Meeting
    attendance_a: Attendance  # member_a's own
    attendance_b: Attendance
    attendance_h2: Attendance
    attendance_sec_a: Attendance  # secretary A's, at branch A's meeting (member_a does not see it)
    item_a: AgendaItem
    item_b: AgendaItem
    item_h2: AgendaItem
    matter_h: MajorMatter
    matter_h2: MajorMatter
    committee_meeting: Meeting
    committee_item: AgendaItem
    file_a: MeetingAttachment
    file_b: MeetingAttachment
    file_h2: MeetingAttachment


def add_meeting_records(world) -> object:
    """Meetings of branch A, branch B and hospital H2 (each with attendance, an item and a file)."""
    rec = world.rec
    sec_a = world.secretary_a.person
    ma = meeting(world.branch_a, MeetingKind.THEME_DAY, status=MeetingStatus.HELD, topic="甲支部主题党日")
    mb = meeting(world.branch_b, MeetingKind.THEME_DAY, status=MeetingStatus.HELD, topic="乙支部主题党日")
    mh2 = meeting(rec.branch_h2, MeetingKind.THEME_DAY, status=MeetingStatus.HELD, topic="外院主题党日")
    planned = meeting(
        world.branch_a, MeetingKind.BRANCH_COMMITTEE, start=at(20), topic="甲支部计划中的支委会"
    )
    att_a, att_sec_a = attend(ma, [world.person_a, sec_a])
    (att_b,) = attend(mb, [world.person_b])
    (att_h2,) = attend(mh2, [world.person_h2])
    cm = meeting(world.committee, MeetingKind.COMMITTEE_MEETING, status=MeetingStatus.HELD, topic="党委会")
    mat_h, mat_h2 = matter(world.hospital, "甲院设备采购"), matter(world.hospital2, "乙院基建")
    files = [
        MeetingAttachment.objects.create(meeting=m, file=upload(f"{m.topic}.png", PNG), name=f"{m.topic}.png")
        for m in (ma, mb, mh2)
    ]
    world.mrec = MeetingRecords(
        meeting_a=ma,
        meeting_b=mb,
        meeting_h2=mh2,
        planned_a=planned,
        attendance_a=att_a,
        attendance_b=att_b,
        attendance_h2=att_h2,
        attendance_sec_a=att_sec_a,
        item_a=item(ma, "甲支部议题"),
        item_b=item(mb, "乙支部议题"),
        item_h2=item(mh2, "外院议题"),
        matter_h=mat_h,
        matter_h2=mat_h2,
        committee_meeting=cm,
        committee_item=item(cm, "党委会议题", matter=mat_h),
        file_a=files[0],
        file_b=files[1],
        file_h2=files[2],
    )
    return world
