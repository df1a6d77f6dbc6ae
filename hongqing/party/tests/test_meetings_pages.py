"""The meeting pages: recording a meeting on one page (roster pre-filled, one toggle each, saved once),
the attendance page, holding and cancelling, attachments, item decisions, the panels on the
organisation and person pages, the API actions, and the query budgets of the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone, translation

from hongqing.party.choices import AttendanceStatus, ItemStatus, MeetingKind, MeetingStatus
from hongqing.party.models import AgendaItem, Attendance, Meeting, MeetingAttachment
from hongqing.party.services import meetings as svc

from .test_meetings_support import (
    EXE,
    PNG,
    at,
    attend,
    committee_posts,
    item,
    matter,
    meeting,
    members,
    upload,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english(client, settings):
    # The messages are matched in English: the user chose English (the language cookie).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def branch(world):
    """Branch A with a committee of 4 (the secretary and three members) and 6 more members."""
    persons = members(world, world.branch_a, 9)
    committee = [world.secretary_a.person, *persons[:3]]
    committee_posts(world.branch_a, committee)
    return committee, persons


def sheet_data(persons, **overrides) -> dict:
    data = {"a-sheet": "1"}
    for p in persons:
        data[f"a-{p.pk}-status"] = "present"
        data[f"a-{p.pk}-reason"] = ""
    for pk, (status, reason) in overrides.items():
        data[f"a-{pk}-status"] = status
        data[f"a-{pk}-reason"] = reason
    return data


def record_data(world, kind=MeetingKind.BRANCH_COMMITTEE, start=None, held=True, **extra) -> dict:
    data = {
        "organization": world.branch_a.pk,
        "kind": kind,
        "start": (start or at(60, 12, 30))
        .astimezone(timezone.get_current_timezone())
        .strftime("%Y-%m-%dT%H:%M"),
        "topic": "研究本月支部工作",
        "place": "支部活动室",
    }
    if held:
        data["held"] = "on"
    data.update(extra)
    return data


# Recording a meeting on one page ---------------------------------------------------------------


def test_the_record_page_prefills_the_roster_of_the_secretarys_branch(client, world, branch):
    committee, _others = branch
    client.force_login(world.secretary_a)
    response = client.get("/party/meetings/add/?kind=branch_committee")
    assert response.status_code == 200
    form, sheet = response.context["form"], response.context["sheet"]
    assert form["organization"].value() == world.branch_a.pk  # the only organisation they record for
    assert [r.person.pk for r in sheet.rows] == [p.pk for p in committee]
    assert all(r.status == AttendanceStatus.PRESENT for r in sheet.rows)
    html = response.content.decode()
    assert html.count('value="present" autocomplete="off" checked') == 4


def test_a_branch_committee_meeting_is_recorded_held_in_one_post(client, world, branch):
    committee, _others = branch
    on_leave = committee[2]
    client.force_login(world.secretary_a)
    data = {**record_data(world), **sheet_data(committee, **{str(on_leave.pk): ("leave", "门诊值班")})}
    response = client.post("/party/meetings/add/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    m = Meeting.objects.get(topic="研究本月支部工作")
    assert response["Location"] == m.get_absolute_url()
    assert (m.status, m.kind, m.organization, m.created_by) == (
        MeetingStatus.HELD,
        MeetingKind.BRANCH_COMMITTEE,
        world.branch_a,
        world.secretary_a,
    )
    rows = {a.person_id: a for a in m.attendances.all()}
    assert len(rows) == 4 and all(a.expected and a.voting for a in rows.values())
    assert (rows[on_leave.pk].status, rows[on_leave.pk].reason) == (AttendanceStatus.LEAVE, "门诊值班")
    assert LogEntry.objects.filter(object_pk=str(m.pk), additional_data__event="meeting_held").exists()
    page = client.get(m.get_absolute_url())
    assert page.context["quorum"].met and page.context["quorum"].present == 3
    assert "门诊值班" in page.content.decode()
    listing = client.get("/party/meetings/")
    assert m in list(listing.context["table"].data)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"reason": ""}, "Leave or absence needs a reason."),
        ({"start": "future"}, "A meeting in the future cannot be recorded as held."),
    ],
)
def test_bad_input_writes_nothing(client, world, branch, change, message):
    committee, _others = branch
    client.force_login(world.secretary_a)
    reason = change.get("reason", "值班")
    start = timezone.now() + dt.timedelta(days=1) if change.get("start") else None
    data = {
        **record_data(world, start=start),
        **sheet_data(committee, **{str(committee[1].pk): ("leave", reason)}),
    }
    response = client.post("/party/meetings/add/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_a_meeting_planned_ahead_has_no_attendance_yet(client, world, branch):
    committee, _others = branch
    client.force_login(world.secretary_a)
    start = timezone.now() + dt.timedelta(days=7)
    response = client.post(
        "/party/meetings/add/", {**record_data(world, start=start, held=False), **sheet_data(committee)}
    )
    assert response.status_code == 302
    m = Meeting.objects.get()
    assert m.status == MeetingStatus.PLANNED and not m.attendances.exists()


def test_a_new_meeting_starts_with_the_organisations_usual_kind(client, world):
    client.force_login(world.office)
    form = client.get(f"/party/meetings/add/?organization={world.committee.pk}").context["form"]
    assert (form["organization"].value(), form["kind"].value()) == (world.committee.pk, "committee_meeting")
    form = client.get("/party/meetings/add/?organization=x&kind=nonsense").context["form"]
    assert (form["organization"].value(), form["kind"].value()) == (None, "branch_committee")
    client.force_login(world.secretary_b)  # another branch's organisation is not preselected
    form = client.get(f"/party/meetings/add/?organization={world.branch_a.pk}").context["form"]
    assert form["organization"].value() is None


def test_the_roster_follows_the_kind_without_javascript_and_with_htmx(client, world, branch):
    committee, others = branch
    client.force_login(world.secretary_a)
    # Without JavaScript: "show the roster" re-renders the page, nothing is saved.
    response = client.post(
        "/party/meetings/add/", {**record_data(world, kind="member_congress"), "_roster": "1"}
    )
    assert response.status_code == 200 and not Meeting.objects.exists()
    names = {r.person.pk for r in response.context["sheet"].rows}
    assert {p.pk for p in others} <= names and world.person_a.pk in names
    # With HTMX: the partial for the chosen organisation and kind.
    response = client.get(
        "/party/meetings/roster/",
        {"organization": world.branch_a.pk, "kind": "branch_committee", "start": ""},
    )
    assert response.status_code == 200
    assert [r.person.pk for r in response.context["sheet"].rows] == [p.pk for p in committee]
    # Another branch's roster is not shown.
    response = client.get(
        "/party/meetings/roster/", {"organization": world.branch_b.pk, "kind": "member_congress"}
    )
    assert not response.context["sheet"].ready
    client.force_login(world.member_a)
    assert client.get("/party/meetings/roster/", {"organization": world.branch_a.pk}).status_code == 403


def test_a_guest_is_added_on_the_page_and_an_outsider_is_refused(client, world, branch):
    committee, _others = branch
    client.force_login(world.office)
    base = {**record_data(world), **sheet_data(committee)}
    # The office adds person B (branch B) without ticking "guest": refused, nothing written.
    response = client.post("/party/meetings/add/", {**base, "add_person": world.person_b.pk, "_add": "1"})
    assert response.status_code == 200
    assert world.person_b.pk in {r.person.pk for r in response.context["sheet"].rows}
    data = {**base, "a-extra": str(world.person_b.pk), f"a-{world.person_b.pk}-status": "present"}
    response = client.post("/party/meetings/add/", data)
    assert response.status_code == 422
    assert "mark them as a guest" in response.content.decode()
    assert not Meeting.objects.exists()
    data["a-extra"] = f"{world.person_b.pk}:g"
    response = client.post("/party/meetings/add/", data)
    assert response.status_code == 302
    guest = Attendance.objects.get(person=world.person_b)
    assert guest.is_guest and not guest.expected


# The attendance page, holding, cancelling --------------------------------------------------------


def test_the_attendance_page_records_and_holds(client, world, branch):
    committee, _others = branch
    m = meeting(world.branch_a, MeetingKind.BRANCH_COMMITTEE)
    client.force_login(world.secretary_a)
    url = f"/party/meetings/{m.pk}/attendance/"
    response = client.get(url)
    assert response.status_code == 200 and response.context["can_hold"]
    data = sheet_data(committee, **{str(committee[3].pk): ("absent", "未请假")})
    assert client.post(url, data).status_code == 302  # saved, still planned
    m.refresh_from_db()
    assert m.status == MeetingStatus.PLANNED and m.attendances.count() == 4
    data[f"a-{committee[3].pk}-status"] = "makeup"
    data[f"a-{committee[3].pk}-makeup_on"] = timezone.localdate().isoformat()
    data[f"a-{committee[3].pk}-makeup_note"] = "自学会议精神"
    response = client.post(url, {**data, "hold": "1"})
    assert response.status_code == 302
    m.refresh_from_db()
    a = m.attendances.get(person=committee[3])
    assert m.status == MeetingStatus.HELD and (a.status, a.makeup_note) == ("makeup", "自学会议精神")
    # Another branch's secretary cannot reach it.
    client.force_login(world.secretary_b)
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404


def test_cancel_page(client, world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY, start=timezone.now() + dt.timedelta(days=3))
    client.force_login(world.secretary_a)
    url = f"/party/meetings/{m.pk}/cancel/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "院内应急演练"}).status_code == 302
    m.refresh_from_db()
    assert m.status == MeetingStatus.CANCELLED
    assert client.post(url, {"reason": "again"}).status_code == 422
    client.force_login(world.secretary_b)
    assert client.post(url, {"reason": "x"}).status_code == 404


# Attachments --------------------------------------------------------------------------------------


def test_attachments_upload_download_and_delete(client, world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY, status=MeetingStatus.HELD)
    client.force_login(world.secretary_a)
    url = f"/party/meetings/{m.pk}/attach/"
    response = client.post(url, {"file": upload("程序.pdf", EXE)})
    assert response.status_code == 422 and "content is not a .pdf" in response.content.decode()
    assert client.post(url, {"file": upload("合影.png", PNG), "name": ""}).status_code == 302
    f = MeetingAttachment.objects.get()
    download = client.get(f.get_absolute_url())
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG
    assert download["X-Content-Type-Options"] == "nosniff"
    stored = f.file.name
    assert f.file.storage.exists(stored)
    response = client.post(f"/party/meeting-attachments/{f.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == m.get_absolute_url()
    assert not MeetingAttachment.objects.exists() and not f.file.storage.exists(stored)


def test_api_upload_checks_the_file(client, world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY, status=MeetingStatus.HELD)
    client.force_login(world.secretary_a)
    bad = client.post("/api/party/meeting-attachments/", {"meeting": m.pk, "file": upload("签到.jpg", EXE)})
    assert bad.status_code == 400 and "file" in bad.json()
    good = client.post(
        "/api/party/meeting-attachments/",
        {"meeting": m.pk, "file": upload("签到.jpg", b"\xff\xd8\xff" + PNG)},
    )
    assert good.status_code == 201, good.content
    body = good.json()
    assert body["name"] == "签到.jpg" and body["size"] > 0 and "file" not in body
    assert client.get(body["url"]).status_code == 200
    other = meeting(world.branch_b, MeetingKind.THEME_DAY, status=MeetingStatus.HELD)
    outside = client.post(
        "/api/party/meeting-attachments/", {"meeting": other.pk, "file": upload("a.png", PNG)}
    )
    assert outside.status_code == 400
    assert MeetingAttachment.objects.count() == 1


# Items and their decisions ------------------------------------------------------------------------


def test_item_status_buttons_go_through_the_rules(client, world, branch):
    committee, _others = branch
    m = meeting(world.branch_a, MeetingKind.BRANCH_COMMITTEE)
    attend(m, committee[:2])
    attend(m, committee[2:], AttendanceStatus.LEAVE)
    m.status = MeetingStatus.HELD
    m.save()
    it = item(m, "推荐发展对象", votes_yes=2, votes_no=0, votes_abstain=0)
    client.force_login(world.secretary_a)
    response = client.post(f"/party/agenda-items/{it.pk}/status/", {"status": "decided"}, follow=True)
    assert "no quorum" in response.content.decode()
    assert AgendaItem.objects.get(pk=it.pk).status == ItemStatus.PROPOSED
    client.post(f"/party/agenda-items/{it.pk}/status/", {"status": "deferred"})
    assert AgendaItem.objects.get(pk=it.pk).status == ItemStatus.DEFERRED
    page = client.get(m.get_absolute_url())
    assert not page.context["quorum"].met
    assert 'id="quorum-status">No quorum' in page.content.decode()


def test_api_actions_hold_decide_and_refuse(client, world, bodies_api):
    client.force_login(world.office)
    office, mat, persons = bodies_api
    svc.hold_meeting(
        office, actor=world.office, attendance=[{"person": p, "status": "present"} for p in persons]
    )
    it = AgendaItem.objects.create(meeting=office, title="设备采购", matter=mat)
    response = client.post(f"/api/party/agenda-items/{it.pk}/decide/")
    assert response.status_code == 400 and "only after the Party committee" in str(response.json())
    response = client.patch(
        f"/api/party/agenda-items/{it.pk}/", {"status": "decided"}, content_type="application/json"
    )
    assert AgendaItem.objects.get(pk=it.pk).status == ItemStatus.PROPOSED  # status is read-only
    response = client.patch(
        f"/api/party/agenda-items/{it.pk}/",
        {"urgent": True, "secretary_consent": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    response = client.post(f"/api/party/agenda-items/{it.pk}/decide/")
    assert response.status_code == 200 and response.json()["status"] == "decided"
    bad = client.patch(
        f"/api/party/agenda-items/{it.pk}/", {"urgent": False}, content_type="application/json"
    )
    assert bad.status_code == 400  # consent stays only with urgent
    path = client.get(f"/api/party/major-matters/{mat.pk}/").json()["path"]
    assert [p["status"] for p in path] == ["decided"]


@pytest.fixture
def bodies_api(world):
    persons = members(world, world.branch_a, 3)
    committee_posts(world.committee, persons)
    office = meeting(world.committee, MeetingKind.PRESIDENT_OFFICE_MEETING, start=at(70, 9))
    return office, matter(world.hospital), persons


def test_api_hold_and_cancel(client, world, bodies_api):
    office, _mat, persons = bodies_api
    client.force_login(world.office)
    url = f"/api/party/meetings/{office.pk}/hold/"
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 400  # no attendance yet
    rows = [{"person": p.pk, "status": "present"} for p in persons]
    rows[0] = {"person": persons[0].pk, "status": "leave"}
    response = client.post(url, {"attendance": rows}, content_type="application/json")
    assert response.status_code == 400 and "attendance" in response.json()  # leave without a reason
    rows[0]["reason"] = "出差"
    response = client.post(url, {"attendance": rows, "minutes": "会议纪要"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "held" and response.json()["quorum"]["applies"] is False
    future = meeting(
        world.committee, MeetingKind.COMMITTEE_MEETING, start=timezone.now() + dt.timedelta(days=2)
    )
    response = client.post(
        f"/api/party/meetings/{future.pk}/hold/", {"attendance": rows}, content_type="application/json"
    )
    assert response.status_code == 400 and "future" in str(response.json())
    assert not future.attendances.exists()
    response = client.post(
        f"/api/party/meetings/{future.pk}/cancel/", {"reason": "改期"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    response = client.patch(
        f"/api/party/meetings/{office.pk}/", {"status": "planned"}, content_type="application/json"
    )
    assert Meeting.objects.get(pk=office.pk).status == MeetingStatus.HELD


# Panels, menu, home --------------------------------------------------------------------------------


def test_the_organisation_page_lists_recent_meetings_with_a_link_to_record_one(client, world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY, status=MeetingStatus.HELD, topic="五月主题党日")
    client.force_login(world.secretary_a)
    html = client.get(world.branch_a.get_absolute_url()).content.decode()
    assert "五月主题党日" in html and f"/party/meetings/add/?organization={world.branch_a.pk}" in html
    client.force_login(world.inspector)
    html = client.get(world.branch_a.get_absolute_url()).content.decode()
    assert "五月主题党日" in html and "/party/meetings/add/" not in html
    assert m.pk


def test_the_person_page_shows_their_attendance(client, world):
    m = meeting(world.branch_a, MeetingKind.THEME_DAY, status=MeetingStatus.HELD, topic="四月主题党日")
    attend(m, [world.person_a], AttendanceStatus.LEAVE)
    client.force_login(world.member_a)
    html = client.get(world.person_a.get_absolute_url()).content.decode()
    assert 'id="person-attendance"' in html and "四月主题党日" in html
    client.force_login(world.secretary_b)
    assert client.get(world.person_a.get_absolute_url()).status_code == 404


def test_menu_and_home(client, world):
    meeting(world.branch_a, MeetingKind.THEME_DAY, start=timezone.now() + dt.timedelta(days=3))
    client.force_login(world.secretary_a)
    response = client.get("/")
    areas = {a["key"]: [i["url_name"] for i in a["items"]] for a in response.context["menu"]}
    assert "party:meeting_list" in areas["party"] and "party:majormatter_list" not in areas["party"]
    counts = {c["url"]: c["value"] for c in response.context["counts"]}
    assert counts["/party/meetings/?status=planned"] == 1
    client.force_login(world.office)
    areas = {a["key"]: [i["url_name"] for i in a["items"]] for a in client.get("/").context["menu"]}
    assert "party:majormatter_list" in areas["party"]


# Query budgets -------------------------------------------------------------------------------------


@pytest.fixture
def many_meetings(world):
    """300 held meetings of branch A with 4 rows of attendance each."""
    start = timezone.now() - dt.timedelta(days=400)
    rows = Meeting.objects.bulk_create(
        [
            Meeting(
                organization=world.branch_a,
                kind=MeetingKind.THEME_DAY,
                status=MeetingStatus.HELD,
                start=start + dt.timedelta(days=i),
                topic=f"主题党日{i}",
                host=world.secretary_a.person,
            )
            for i in range(300)
        ]
    )
    persons = [world.person_a, world.secretary_a.person]
    Attendance.objects.bulk_create([Attendance(meeting=m, person=p) for m in rows for p in persons])
    return rows


@pytest.mark.parametrize("persona", ["secretary_a", "office", "member_a"])
def test_list_page_query_budget(client, world, many_meetings, persona, django_assert_max_num_queries):
    client.force_login(getattr(world, persona))
    with django_assert_max_num_queries(16):
        response = client.get("/party/meetings/", {"kind": "theme_day"})
    assert response.status_code == 200
    page = [row.record for row in response.context["table"].page.object_list]
    assert len(page) == 50
    assert page[0] == many_meetings[-1] and page[0].start > page[1].start  # the newest first


def test_api_list_query_budget(client, world, many_meetings, django_assert_max_num_queries):
    client.force_login(world.secretary_a)
    with django_assert_max_num_queries(60):
        response = client.get("/api/party/meetings/", {"page_size": 50})
    assert response.status_code == 200 and response.json()["count"] == 300
    with django_assert_max_num_queries(16):  # the same for 6 rows or 600
        response = client.get("/api/party/attendances/", {"page_size": 200})
    assert response.json()["count"] == 600


def test_detail_page_query_budget(client, world, branch, django_assert_max_num_queries):
    committee, others = branch
    m = meeting(world.branch_a, MeetingKind.MEMBER_CONGRESS, status=MeetingStatus.HELD)
    attend(m, [world.secretary_a.person, world.person_a, *others])
    for i in range(5):
        item(m, f"议题{i}")
    client.force_login(world.secretary_a)
    with django_assert_max_num_queries(30):
        assert client.get(m.get_absolute_url()).status_code == 200


def test_matter_list_query_budget(client, world, django_assert_max_num_queries):
    from hongqing.party.choices import MatterCategory
    from hongqing.party.models import MajorMatter

    office = meeting(world.committee, MeetingKind.COMMITTEE_MEETING, status=MeetingStatus.HELD)
    matters = MajorMatter.objects.bulk_create(
        [
            MajorMatter(hospital=world.hospital, title=f"事项{i}", category=MatterCategory.FUNDS)
            for i in range(200)
        ]
    )
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=office, title=m.title, matter=m, status=ItemStatus.DECIDED) for m in matters[::2]]
    )
    client.force_login(world.office)
    with django_assert_max_num_queries(14):
        response = client.get("/party/major-matters/")
    rows = [row.record for row in response.context["table"].page.object_list]
    assert len(rows) == 50 and {r.is_decided for r in rows} == {True, False}
    with django_assert_max_num_queries(14):  # the paths of a page of matters in one query
        response = client.get("/api/party/major-matters/", {"page_size": 50})
    paths = [len(m["path"]) for m in response.json()["results"]]
    assert len(paths) == 50 and set(paths) == {0, 1}
