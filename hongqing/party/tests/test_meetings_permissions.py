"""The permission contracts of the meeting pages and API: meetings, attendance, attachments, agenda
items (secretary A against branch B; the Party office against hospital H2) and 三重一大 matters
(hospital-wide roles only)."""

from __future__ import annotations

import pytest
from auditlog.context import disable_auditlog

from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world
from hongqing.party.choices import MatterCategory, MeetingKind
from hongqing.party.models import AgendaItem, Attendance, MajorMatter, Meeting, MeetingAttachment

from .test_meetings_support import PNG, add_meeting_records, at, upload


class MeetingWorld:
    @pytest.fixture
    def world(self, db, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        with disable_auditlog():
            return add_meeting_records(add_records(build_world()))


# Meetings ---------------------------------------------------------------------------------------
class MeetingBranchCase(MeetingWorld):
    model = Meeting
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"place": "党员之家"}

    def in_scope(self, world):
        return world.mrec.meeting_a

    def elsewhere(self, world):
        return world.mrec.meeting_b

    def export_marker(self, obj):
        return obj.topic

    def create_data(self, world):
        return {
            "organization": world.branch_a.pk,
            "kind": MeetingKind.THEME_DAY,
            "start": at(30).strftime("%Y-%m-%dT%H:%M"),
            "topic": "新建的主题党日",
            "place": "示教室",
        }

    def created(self, world):
        return Meeting.objects.filter(topic__startswith="新建的主题党日")

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.branch_b.pk}

    def api_create_data(self, world):
        return {
            "organization": world.branch_a.pk,
            "kind": MeetingKind.THEME_DAY,
            "start": at(30).isoformat(),
            "topic": "新建的主题党日（接口）",
        }

    api_created = created

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organization": world.branch_b.pk}

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b, world.committee], "host": [world.person_b]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        return world.mrec.planned_a

    def member_own(self, world):
        return world.mrec.meeting_a

    def member_other(self, world):
        return world.mrec.meeting_b


class TestMeetingBranchPages(MeetingBranchCase, PageContract):
    pass


class TestMeetingBranchApi(MeetingBranchCase, ApiContract):
    api_list = "/api/party/meetings/"


class MeetingOfficeCase(MeetingBranchCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.mrec.meeting_h2

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.rec.branch_h2.pk}

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "organization": world.rec.branch_h2.pk}

    def forbidden_choices(self, world):
        return {"organization": [world.rec.branch_h2], "host": [world.person_h2]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.rec.branch_h2]}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.mrec.meeting_h2


class TestMeetingOfficePages(MeetingOfficeCase, PageContract):
    pass


# Attendance (API; the pages record it through the meeting's attendance page) --------------------
class TestAttendanceApi(MeetingWorld, ApiContract):
    model = Attendance
    viewer = editor = "secretary_a"
    api_list = "/api/party/attendances/"
    api_changes = {"status": "leave", "reason": "值班"}

    def in_scope(self, world):
        return world.mrec.attendance_a

    def elsewhere(self, world):
        return world.mrec.attendance_b

    def api_create_data(self, world):
        return {"meeting": world.mrec.planned_a.pk, "person": world.person_a.pk, "status": "present"}

    def api_created(self, world):
        return Attendance.objects.filter(meeting=world.mrec.planned_a, person=world.person_a)

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "meeting": world.mrec.meeting_b.pk}

    def deletable(self, world):
        return world.mrec.attendance_sec_a

    def member_own(self, world):
        return world.mrec.attendance_a

    def member_other(self, world):
        # At the same meeting: a member sees their own row, not the others'.
        return world.mrec.attendance_sec_a


# Attachments: downloaded through the scope, deleted on their page -------------------------------
class AttachmentCase(MeetingWorld):
    model = MeetingAttachment
    viewer = editor = "secretary_a"
    api_changes = {"name": "改名的合影.png"}

    def in_scope(self, world):
        return world.mrec.file_a

    def elsewhere(self, world):
        return world.mrec.file_b

    def deletable(self, world):
        return MeetingAttachment.objects.create(
            meeting=world.mrec.meeting_a, file=upload("删除.png", PNG), name="删除.png"
        )

    def member_own(self, world):
        return world.mrec.file_a

    def member_other(self, world):
        return world.mrec.file_b


class TestAttachmentPages(AttachmentCase, PageContract):
    pass


class TestAttachmentApi(AttachmentCase, ApiContract):
    api_list = "/api/party/meeting-attachments/"


# Agenda items -----------------------------------------------------------------------------------
class ItemCase(MeetingWorld):
    model = AgendaItem
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"title": "改过的议题"}

    def in_scope(self, world):
        return world.mrec.item_a

    def elsewhere(self, world):
        return world.mrec.item_b

    def export_marker(self, obj):
        return obj.title

    def create_data(self, world):
        return {"meeting": world.mrec.meeting_a.pk, "order": 2, "title": "新的议题"}

    def created(self, world):
        return AgendaItem.objects.filter(title="新的议题")

    def create_outside_data(self, world):
        return {**self.create_data(world), "meeting": world.mrec.meeting_b.pk}

    def api_create_data(self, world):
        return {"meeting": world.mrec.meeting_a.pk, "order": 3, "title": "新的议题"}

    api_created = created

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "meeting": world.mrec.meeting_b.pk}

    def forbidden_choices(self, world):
        return {"meeting": [world.mrec.meeting_b, world.mrec.committee_meeting]}

    def deletable(self, world):
        return AgendaItem.objects.create(meeting=world.mrec.meeting_a, title="删掉的议题")

    def member_own(self, world):
        return world.mrec.item_a

    def member_other(self, world):
        return world.mrec.item_b


class TestItemPages(ItemCase, PageContract):
    pass


class TestItemApi(ItemCase, ApiContract):
    api_list = "/api/party/agenda-items/"


# 三重一大 matters: the Party office (hospital-wide) against the other hospital --------------------
class MatterCase(MeetingWorld):
    model = MajorMatter
    viewer = editor = "office"
    edit_changes = api_changes = {"title": "改过的事项"}

    def in_scope(self, world):
        return world.mrec.matter_h

    def elsewhere(self, world):
        return world.mrec.matter_h2

    def export_marker(self, obj):
        return obj.title

    def create_data(self, world):
        return {
            "hospital": world.hospital.pk,
            "title": "新的事项",
            "category": MatterCategory.FUNDS,
            "amount": "120.50",
        }

    def created(self, world):
        return MajorMatter.objects.filter(title="新的事项")

    def create_outside_data(self, world):
        return {**self.create_data(world), "hospital": world.hospital2.pk}

    api_create_data = create_data
    api_created = created
    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"hospital": [world.hospital2]}

    def deletable(self, world):
        return MajorMatter.objects.create(
            hospital=world.hospital, title="可删", category=MatterCategory.PROJECT
        )


class TestMatterPages(MatterCase, PageContract):
    pass


class TestMatterApi(MatterCase, ApiContract):
    api_list = "/api/party/major-matters/"


@pytest.mark.parametrize("persona", ["secretary_a", "secretary_b", "member_a"])
def test_branch_roles_and_members_get_nothing_of_the_matters(db, client, persona, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with disable_auditlog():
        world = add_meeting_records(add_records(build_world()))
    client.force_login(getattr(world, persona))
    matter = world.mrec.matter_h
    assert client.get("/party/major-matters/").status_code == 403
    assert client.get(matter.get_absolute_url()).status_code == 403
    assert client.get("/api/party/major-matters/").status_code == 403
    assert client.get(f"/api/party/major-matters/{matter.pk}/").status_code == 403
    # The committee's meetings are not theirs either.
    assert client.get(world.mrec.committee_meeting.get_absolute_url()).status_code == 404
    assert client.get(world.mrec.committee_item.get_absolute_url()).status_code == 404
    # …and an agenda item's matter cannot be chosen by them.
    response = client.get(f"/party/agenda-items/add/?meeting={world.mrec.meeting_a.pk}")
    if persona == "member_a":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        form = response.context["form"]
        assert "matter" not in form.fields or not form.fields["matter"].queryset.exists()
        offered = set(form.fields["meeting"].queryset.values_list("pk", flat=True))
        assert (world.mrec.meeting_a.pk in offered) == (persona == "secretary_a")


def test_the_committee_meeting_is_the_offices(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with disable_auditlog():
        world = add_meeting_records(add_records(build_world()))
    client.force_login(world.office)
    response = client.get(f"/party/agenda-items/add/?meeting={world.mrec.committee_meeting.pk}")
    assert response.status_code == 200
    offered = {m.pk for m in response.context["form"].fields["matter"].queryset}
    assert world.mrec.matter_h.pk in offered and world.mrec.matter_h2.pk not in offered
    client.force_login(world.inspector)
    assert client.get(world.mrec.matter_h.get_absolute_url()).status_code == 200
    assert client.get("/party/major-matters/add/").status_code == 403
