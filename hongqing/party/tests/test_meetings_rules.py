"""The meeting rules at their boundaries: roster, quorum and votes (RULES.md §1), held vs future, guests
and outsiders, attachments, joint meetings, and the 三重一大 order of bodies (RULES.md §5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from hongqing.core.models import Rule
from hongqing.core.testing.world import make_member, make_person
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.party.choices import AttendanceStatus, ItemStatus, MeetingKind, MeetingStatus
from hongqing.party.models import AgendaItem, Attendance, Meeting, MeetingAttachment
from hongqing.party.services import meetings as svc

from .test_meetings_support import (
    EXE,
    JPEG,
    PDF,
    PNG,
    at,
    attend,
    committee_posts,
    day,
    docx_bytes,
    item,
    matter,
    meeting,
    members,
    rows,
    upload,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english():
    # The messages are matched in English here (the Chinese catalogue is tested on its own).
    with translation.override("en"):
        yield


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


# The roster -------------------------------------------------------------------------------------


def test_roster_of_a_congress_is_the_members_and_only_full_members_vote(world):
    full = members(world, world.branch_a, 3, probationary=2)
    entries = svc.roster(world.branch_a, MeetingKind.MEMBER_CONGRESS, day(10))
    by_person = {e.person.pk: e.voting for e in entries}
    # secretary A and person A are full members of branch A too (the world's personas)
    assert by_person[full[0].pk] and by_person[full[2].pk]
    assert by_person[full[3].pk] is False and by_person[full[4].pk] is False
    assert world.person_b.pk not in by_person
    # At a theme day nobody votes.
    assert not any(e.voting for e in svc.roster(world.branch_a, MeetingKind.THEME_DAY, day(10)))


def test_roster_of_a_committee_meeting_is_the_current_terms_post_holders(world):
    persons = members(world, world.branch_a, 5)
    committee_posts(world.branch_a, persons[:3])
    entries = svc.roster(world.branch_a, MeetingKind.BRANCH_COMMITTEE, day(10))
    assert [e.person.pk for e in entries] == [p.pk for p in persons[:3]]
    assert all(e.voting for e in entries)


def test_roster_of_a_group_meeting_is_the_groups_members(world):
    group = PartyOrganization.objects.add_child(
        world.branch_a, dict(hospital=world.hospital, name="第一党小组", kind=OrgKind.GROUP)
    )
    p = make_person(world.hospital, world.dept_a, "组员")
    make_member(p, group)
    entries = svc.roster(group, MeetingKind.GROUP_MEETING, day(10))
    assert [e.person.pk for e in entries] == [p.pk]
    # …and the group's members are members of the branch (its congress).
    assert p.pk in {e.person.pk for e in svc.roster(world.branch_a, MeetingKind.MEMBER_CONGRESS, day(10))}


# Quorum and votes ------------------------------------------------------------------------------


@pytest.fixture
def congress(world):
    """Branch C: 10 full members who should attend, plus 3 probationary (no vote)."""
    branch = PartyOrganization.objects.add_child(
        world.committee, dict(hospital=world.hospital, name="丙支部", kind=OrgKind.BRANCH)
    )
    persons = members(world, branch, 10, probationary=3)
    m = meeting(branch, MeetingKind.MEMBER_CONGRESS)
    return m, persons[:10], persons[10:]


def hold_with(m, present, others, world, extra=()):
    att = rows(present) + rows(others, AttendanceStatus.LEAVE, "值班") + list(extra)
    return svc.hold_meeting(m, actor=world.office, attendance=att)


@pytest.mark.parametrize("present, met", [(5, False), (6, True)])
def test_congress_quorum_is_more_than_half_of_the_full_members(world, congress, present, met):
    m, full, probationary = congress
    # Probationary members present do not make a quorum.
    hold_with(m, full[:present] + probationary, full[present:], world)
    q = svc.quorum(m)
    assert (q.should_attend, q.present, q.needed, q.met) == (10, present, 6, met)


def test_the_quorum_fraction_is_a_rule(world, congress):
    m, full, probationary = congress
    Rule.objects.create(key="meeting.quorum_fraction", hospital_id=world.hospital.pk, value="0.6")
    hold_with(m, full[:6], full[6:] + probationary, world)
    q = svc.quorum(m)
    assert (q.needed, q.met) == (7, False)


@pytest.mark.parametrize("yes, passes", [(5, False), (6, True)])
def test_a_resolution_passes_with_more_than_half_of_those_who_should_attend(world, congress, yes, passes):
    m, full, probationary = congress
    hold_with(m, full[:6], full[6:] + probationary, world)  # only 6 of 10 present
    it = item(m, "接收预备党员", votes_yes=yes, votes_no=6 - yes, votes_abstain=0)
    if passes:
        svc.decide_item(it, actor=world.office)
        assert AgendaItem.objects.get(pk=it.pk).status == ItemStatus.DECIDED
    else:
        with pytest.raises(ValidationError) as exc:
            svc.decide_item(it, actor=world.office)
        assert "did not pass" in messages_of(exc)
        assert AgendaItem.objects.get(pk=it.pk).status == ItemStatus.PROPOSED


def test_nothing_is_decided_without_a_quorum_nor_without_votes_at_a_congress(world, congress):
    m, full, probationary = congress
    hold_with(m, full[:5], full[5:] + probationary, world)
    it = item(m, "议题", votes_yes=5, votes_no=0, votes_abstain=0)
    with pytest.raises(ValidationError) as exc:
        svc.decide_item(it, actor=world.office)
    assert "no quorum" in messages_of(exc)
    m2 = meeting(m.organization, MeetingKind.MEMBER_CONGRESS, start=at(11))
    hold_with(m2, full, probationary, world)
    with pytest.raises(ValidationError) as exc:
        svc.decide_item(item(m2, "未表决"), actor=world.office)
    assert "Record the votes" in messages_of(exc)


def test_more_votes_than_voters_present_are_refused(world, congress):
    m, full, probationary = congress
    hold_with(m, full[:6] + probationary, full[6:], world)
    it = AgendaItem(meeting=m, title="议题", votes_yes=6, votes_no=1, votes_abstain=0)
    with pytest.raises(ValidationError) as exc:
        it.full_clean()
    assert "only 6 members with a vote" in messages_of(exc)


def test_an_item_is_decided_only_at_a_held_meeting(world, congress):
    m, _full, _prob = congress
    with pytest.raises(ValidationError) as exc:
        svc.decide_item(item(m, "议题"), actor=world.office)
    assert "held meeting" in messages_of(exc)


@pytest.mark.parametrize("present, met", [(2, False), (3, True)])
def test_committee_meeting_quorum_is_more_than_half_of_the_committee(world, present, met):
    persons = members(world, world.branch_a, 5)
    committee_posts(world.branch_a, persons)
    m = meeting(world.branch_a, MeetingKind.BRANCH_COMMITTEE)
    svc.hold_meeting(
        m,
        actor=world.office,
        attendance=rows(persons[:present]) + rows(persons[present:], AttendanceStatus.LEAVE, "出差"),
    )
    q = svc.quorum(m)
    assert (q.basis, q.should_attend, q.needed, q.met) == ("committee", 5, 3, met)


def test_kinds_without_a_quorum_say_so(world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    assert svc.quorum(m).applies is False
    it = AgendaItem(meeting=m, title="议题", votes_yes=3)
    with pytest.raises(ValidationError) as exc:
        it.full_clean()
    assert "Votes are recorded" in messages_of(exc)


# Held, planned, cancelled ----------------------------------------------------------------------


def test_a_meeting_in_the_future_cannot_be_recorded_as_held(world):
    future = timezone.now() + dt.timedelta(hours=1)
    m = meeting(world.branch_a, MeetingKind.THEME_DAY, start=future)
    with pytest.raises(ValidationError) as exc:
        svc.hold_meeting(m, actor=world.secretary_a, attendance=rows([world.person_a]))
    assert "A meeting in the future cannot be recorded as held." in messages_of(exc)
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.PLANNED
    assert not Attendance.objects.filter(meeting=m).exists()  # nothing half-written
    with pytest.raises(ValidationError):
        Meeting(
            organization=world.branch_a, kind=MeetingKind.THEME_DAY, start=future, topic="x", status="held"
        ).full_clean()
    # A minute ago is the past.
    m.start = timezone.now() - dt.timedelta(minutes=1)
    m.save()
    svc.hold_meeting(m, actor=world.secretary_a, attendance=rows([world.person_a, world.secretary_a.person]))
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.HELD


def test_holding_needs_everyone_on_the_roster_and_someone_present(world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    with pytest.raises(ValidationError) as exc:
        svc.hold_meeting(m, actor=world.secretary_a)
    assert "Record the attendance" in messages_of(exc)
    attend(m, [world.person_a])
    with pytest.raises(ValidationError) as exc:
        svc.hold_meeting(m, actor=world.secretary_a)
    assert world.secretary_a.person.name in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        svc.hold_meeting(
            m,
            actor=world.secretary_a,
            attendance=rows([world.person_a, world.secretary_a.person], "absent", "未到"),
        )
    assert "Nobody was present" in messages_of(exc)
    assert Attendance.objects.get(meeting=m, person=world.person_a).status == AttendanceStatus.PRESENT


def test_hold_and_cancel_are_audited_and_final(world):
    from auditlog.models import LogEntry

    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    svc.hold_meeting(m, actor=world.secretary_a, attendance=rows([world.person_a, world.secretary_a.person]))
    assert LogEntry.objects.filter(object_pk=str(m.pk), additional_data__event="meeting_held").exists()
    with pytest.raises(ValidationError):
        svc.hold_meeting(m, actor=world.secretary_a)
    with pytest.raises(ValidationError):
        svc.cancel_meeting(m, actor=world.secretary_a, reason="x")
    planned = meeting(world.branch_a, MeetingKind.THEME_DAY, start=at(12))
    with pytest.raises(ValidationError):
        svc.cancel_meeting(planned, actor=world.secretary_a, reason="  ")
    svc.cancel_meeting(planned, actor=world.secretary_a, reason="专家临时出诊")
    planned.refresh_from_db()
    assert (planned.status, planned.cancel_reason) == (MeetingStatus.CANCELLED, "专家临时出诊")
    with pytest.raises(ValidationError):
        svc.hold_meeting(planned, actor=world.secretary_a)
    m.refresh_from_db()
    assert m.delete_blockers() and not planned.delete_blockers()


# Attendance: reasons, make-up, guests and outsiders -------------------------------------------


def test_leave_or_absence_needs_a_reason_and_a_makeup_a_date_after_the_meeting(world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    for status in (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT):
        with pytest.raises(ValidationError) as exc:
            Attendance(meeting=m, person=world.person_a, status=status).full_clean()
        assert "needs a reason" in messages_of(exc)
    a = Attendance(meeting=m, person=world.person_a, status=AttendanceStatus.MAKEUP, reason="夜班")
    with pytest.raises(ValidationError):
        a.full_clean()
    a.makeup_on = m.local_date - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        a.full_clean()
    assert "after the meeting" in messages_of(exc)
    a.makeup_on = m.local_date
    a.full_clean()
    a.makeup_on = m.local_date + dt.timedelta(days=3)
    a.makeup_note = "补学会议精神"
    a.full_clean()


def test_an_outsider_is_refused_unless_a_guest(world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    with pytest.raises(ValidationError) as exc:
        Attendance(meeting=m, person=world.person_b).full_clean()
    assert "mark them as a guest" in messages_of(exc)
    with pytest.raises(svc.AttendanceRefused) as exc:
        svc.record_attendance(m, rows([world.person_a, world.person_b]), actor=world.secretary_a)
    assert world.person_b.pk in exc.value.rows
    assert not Attendance.objects.filter(meeting=m).exists()  # all or nothing
    svc.record_attendance(
        m,
        rows([world.person_a]) + [{"person": world.person_b, "status": "present", "is_guest": True}],
        actor=world.secretary_a,
    )
    guest = Attendance.objects.get(meeting=m, person=world.person_b)
    assert guest.is_guest and not guest.expected and not guest.voting
    # Another hospital's person is refused even as a guest.
    with pytest.raises(ValidationError) as exc:
        Attendance(meeting=m, person=world.person_h2, is_guest=True).full_clean()
    assert "another hospital" in messages_of(exc)


def test_a_member_of_the_branch_off_the_committee_roster_attends_without_a_vote(world):
    persons = members(world, world.branch_a, 3)
    committee_posts(world.branch_a, persons[:2])
    m = meeting(world.branch_a, MeetingKind.BRANCH_COMMITTEE)
    svc.record_attendance(m, rows(persons), actor=world.secretary_a)
    flags = {a.person_id: (a.expected, a.voting, a.is_guest) for a in m.attendances.all()}
    assert flags[persons[0].pk] == (True, True, False)
    assert flags[persons[2].pk] == (False, False, False)  # 列席: a member, not a guest


def test_recording_twice_updates_the_rows(world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    svc.record_attendance(m, rows([world.person_a]), actor=world.secretary_a)
    svc.record_attendance(m, rows([world.person_a], AttendanceStatus.LEAVE, "门诊"), actor=world.secretary_a)
    a = Attendance.objects.get(meeting=m, person=world.person_a)
    assert (a.status, a.reason) == (AttendanceStatus.LEAVE, "门诊")


# Joint meetings and the kinds each organisation holds ------------------------------------------


def test_a_joint_meeting_names_one_of_the_branchs_linked_departments(world):
    m = Meeting(organization=world.branch_a, kind=MeetingKind.JOINT_MEETING, start=at(1), topic="联席会")
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert "names the department" in messages_of(exc)
    m.department = world.dept_b
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert "is not one of the departments" in messages_of(exc)
    m.department = world.dept_a
    m.department_decisions = "科室绩效方案"
    m.full_clean()
    theme = Meeting(
        organization=world.branch_a,
        kind=MeetingKind.THEME_DAY,
        start=at(1),
        topic="x",
        department=world.dept_a,
    )
    with pytest.raises(ValidationError):
        theme.full_clean()


def test_each_kind_is_held_by_its_organisations(world):
    with pytest.raises(ValidationError) as exc:
        Meeting(
            organization=world.branch_a, kind=MeetingKind.COMMITTEE_MEETING, start=at(1), topic="x"
        ).full_clean()
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError):
        Meeting(
            organization=world.committee, kind=MeetingKind.MEMBER_CONGRESS, start=at(1), topic="x"
        ).full_clean()
    Meeting(organization=world.committee, kind=MeetingKind.PARTY_LECTURE, start=at(1), topic="x").full_clean()


# Attachments ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [("合影.png", PNG), ("签到表.jpg", JPEG), ("纪要.pdf", PDF), ("记录.docx", None)],
)
def test_photos_pdf_and_word_files_are_attached(world, name, content):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    f = svc.add_attachment(m, upload(name, content or docx_bytes()), actor=world.secretary_a)
    assert f.name == name and f.size > 0
    assert not f.file.name.endswith(name)  # a random name on disk


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("setup.exe", EXE, "Only photos, PDF, Word"),
        ("纪要.pdf", EXE, "content is not a .pdf"),  # a renamed program
        ("合影.jpg", PNG, "content is not a .jpg"),
        ("记录.docx", b"PK\x03\x04" + b"\x00" * 40, "content is not a .docx"),
        ("记录.docx", PDF, "content is not a .docx"),
    ],
)
def test_wrong_types_and_contents_are_refused(world, name, content, message):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    with pytest.raises(ValidationError) as exc:
        svc.add_attachment(m, upload(name, content), actor=world.secretary_a)
    assert message in messages_of(exc)
    assert not MeetingAttachment.objects.exists()


def test_the_size_limit_is_a_setting(world, settings):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY)
    settings.ATTACHMENT_MAX_BYTES = len(PNG)
    svc.add_attachment(m, upload("a.png", PNG), actor=world.secretary_a)
    with pytest.raises(ValidationError) as exc:
        svc.add_attachment(m, upload("b.png", PNG + b"\x00"), actor=world.secretary_a)
    assert "larger than" in messages_of(exc)
    assert MeetingAttachment.objects.count() == 1


# 三重一大: the committee studies a matter before the president's office decides it ----------------


@pytest.fixture
def bodies(world):
    """The Party committee (5 posts, all present) and a president's office meeting on day 10."""
    persons = members(world, world.branch_a, 5)
    committee_posts(world.committee, persons)

    def held(kind, start):
        m = meeting(world.committee, kind, start=start)
        return svc.hold_meeting(m, actor=world.office, attendance=rows(persons))

    office = held("president_office_meeting", at(10, 9))
    return held, office


def test_a_major_matter_is_not_decided_at_the_presidents_office_without_committee_study(world, bodies):
    held, office = bodies
    mat = matter(world.hospital)
    it = item(office, "设备采购实施方案", matter=mat)
    with pytest.raises(ValidationError) as exc:
        svc.decide_item(it, actor=world.office)
    assert "only after the Party committee has studied it" in messages_of(exc)
    # A committee meeting the next day does not count; nor one that only proposed it.
    later = held("committee_meeting", at(11, 9))
    item(later, "研究", matter=mat, status=ItemStatus.STUDIED)
    earlier = held("committee_meeting", at(5, 9))
    proposed = item(earlier, "列入议程", matter=mat)
    with pytest.raises(ValidationError):
        svc.decide_item(it, actor=world.office)
    # Once the committee studied it (earlier), it is decided.
    svc.study_item(proposed, actor=world.office)
    svc.decide_item(it, actor=world.office)
    assert AgendaItem.objects.get(pk=it.pk).status == ItemStatus.DECIDED


def test_committee_study_the_same_day_counts_but_a_planned_committee_meeting_does_not(world, bodies):
    held, office = bodies
    mat = matter(world.hospital)
    planned = meeting(world.committee, "committee_meeting", start=at(9, 9))
    AgendaItem.objects.create(meeting=planned, title="x", matter=mat, status=ItemStatus.PROPOSED)
    it = item(office, "实施方案", matter=mat)
    with pytest.raises(ValidationError):
        svc.decide_item(it, actor=world.office)
    same_day = held("committee_meeting", at(10, 16))  # the afternoon of the same day
    item(same_day, "研究", matter=mat, status=ItemStatus.STUDIED)
    svc.decide_item(it, actor=world.office)


def test_urgent_with_the_secretarys_consent_is_decided_without_study(world, bodies):
    _held, office = bodies
    it = item(office, "应急物资采购", matter=matter(world.hospital, "应急采购"), urgent=True)
    with pytest.raises(ValidationError):  # urgent alone is not enough
        svc.decide_item(it, actor=world.office)
    it.secretary_consent = True
    it.save()
    svc.decide_item(it, actor=world.office)
    assert AgendaItem.objects.get(pk=it.pk).status == ItemStatus.DECIDED


def test_consent_without_urgent_is_refused_by_the_constraint_and_the_form(world, bodies):
    _held, office = bodies
    with pytest.raises(ValidationError) as exc:
        AgendaItem(meeting=office, title="x", secretary_consent=True).full_clean()
    assert "secretary_consent" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(meeting=office, title="x", secretary_consent=True, urgent=False)


def test_an_item_without_a_matter_is_decided_at_the_presidents_office(world, bodies):
    _held, office = bodies
    svc.decide_item(item(office, "日常事项"), actor=world.office)


def test_a_matter_is_named_only_at_decision_meetings_of_its_hospital(world, bodies):
    _held, office = bodies
    m = meeting(world.branch_a, MeetingKind.BRANCH_COMMITTEE)
    with pytest.raises(ValidationError) as exc:
        AgendaItem(meeting=m, title="x", matter=matter(world.hospital)).full_clean()
    assert "matter" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        AgendaItem(meeting=office, title="x", matter=matter(world.hospital2)).full_clean()
    assert "another hospital" in messages_of(exc)


def test_item_status_changes_are_audited(world, bodies):
    from auditlog.models import LogEntry

    _held, office = bodies
    it = item(office, "事项")
    svc.defer_item(it, actor=world.office)
    entry = LogEntry.objects.get(object_pk=str(it.pk), additional_data__event="agenda_item_status")
    assert entry.additional_data["to"] == ItemStatus.DEFERRED and entry.actor == world.office
