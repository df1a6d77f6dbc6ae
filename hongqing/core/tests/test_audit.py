"""The audit trail: every create, update and delete (pages and API), with who, when, what, IP and
request id; masked ID numbers; audited unmasking; the history tab; the audit log page; and no way
to change an entry through the application."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from hongqing.core import idnumber
from hongqing.core.testing.contracts import form_data, xlsx_text
from hongqing.core.testing.world import PASSWORD
from hongqing.organization.models import Campus
from hongqing.people.models import Person

ID_NUMBER = "11010519491231002X"  # a valid number (GB 11643 check digit)
IP = "10.20.30.40"


def entries_for(obj, action=None):
    qs = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk)
    ).order_by("timestamp", "pk")
    return qs.filter(action=action) if action is not None else qs


def assert_context(entry, user, response):
    assert entry.actor == user
    assert entry.remote_addr == IP
    assert entry.cid == response["X-Request-Id"]


def person_data(world, **extra):
    return {
        "hospital": world.hospital.pk,
        "staff_no": "A0001",
        "name": "审计测试",
        "gender": "",
        "birth_date": "",
        "id_number": ID_NUMBER,
        "phone": "",
        "department": world.dept_a.pk,
        "post": "",
        "title_grade": "",
        "education": "",
        "employment_start": "",
        "status": "active",
        **extra,
    }


def test_it_audits_create_edit_and_delete_through_the_pages(client, world):
    client.force_login(world.office)
    response = client.post(
        "/organization/campuses/add/", {"hospital": world.hospital.pk, "name": "北院区"}, REMOTE_ADDR=IP
    )
    assert response.status_code == 302
    campus = Campus.objects.get(name="北院区")
    created = entries_for(campus, LogEntry.Action.CREATE).get()
    assert_context(created, world.office, response)
    assert created.changes_dict["name"][1] == "北院区"

    response = client.post(
        f"/organization/campuses/{campus.pk}/edit/",
        {"hospital": world.hospital.pk, "name": "北院区", "address": "北京路1号"},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    updated = entries_for(campus, LogEntry.Action.UPDATE).get()
    assert_context(updated, world.office, response)
    assert updated.changes_dict == {"address": ["", "北京路1号"]}

    response = client.post(f"/organization/campuses/{campus.pk}/delete/", REMOTE_ADDR=IP)
    assert response.status_code == 302
    deleted = entries_for(campus, LogEntry.Action.DELETE).get()
    assert_context(deleted, world.office, response)


def test_it_audits_create_edit_and_delete_through_the_api(client, world):
    client.force_login(world.office)
    url = "/api/organization/campuses/"
    response = client.post(
        url,
        {"hospital": world.hospital.pk, "name": "南院区"},
        content_type="application/json",
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 201
    campus = Campus.objects.get(pk=response.json()["id"])
    assert_context(entries_for(campus, LogEntry.Action.CREATE).get(), world.office, response)
    response = client.patch(
        f"{url}{campus.pk}/", {"address": "南京路2号"}, content_type="application/json", REMOTE_ADDR=IP
    )
    assert response.status_code == 200
    updated = entries_for(campus, LogEntry.Action.UPDATE).get()
    assert_context(updated, world.office, response)
    assert updated.changes_dict == {"address": ["", "南京路2号"]}
    response = client.delete(f"{url}{campus.pk}/", REMOTE_ADDR=IP)
    assert response.status_code == 204
    assert_context(entries_for(campus, LogEntry.Action.DELETE).get(), world.office, response)


def test_an_api_write_with_a_token_records_its_author(client, world):
    token = client.post("/api/auth/token/", {"username": "office", "password": PASSWORD}).json()["token"]
    api = client.__class__(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post(
        "/api/organization/campuses/",
        {"hospital": world.hospital.pk, "name": "西院区"},
        content_type="application/json",
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 201
    campus = Campus.objects.get(name="西院区")
    assert campus.created_by == world.office
    assert_context(entries_for(campus, LogEntry.Action.CREATE).get(), world.office, response)
    response = api.delete(f"/api/organization/campuses/{campus.pk}/", REMOTE_ADDR=IP)
    assert response.status_code == 204
    assert_context(entries_for(campus, LogEntry.Action.DELETE).get(), world.office, response)


def test_a_given_request_id_is_kept_as_the_correlation_id(client, world):
    client.force_login(world.office)
    response = client.post(
        "/organization/campuses/add/",
        {"hospital": world.hospital.pk, "name": "东院区"},
        HTTP_X_REQUEST_ID="req-from-the-proxy-1",
    )
    assert response["X-Request-Id"] == "req-from-the-proxy-1"
    assert entries_for(Campus.objects.get(name="东院区")).get().cid == "req-from-the-proxy-1"


def test_a_refused_write_leaves_no_entry(client, world):
    # The office may not create a hospital: the save is rolled back, and its log entry with it.
    client.force_login(world.office)
    before = LogEntry.objects.count()
    response = client.post(
        "/organization/hospitals/add/", {"name": "新医院", "code": "xin", "level": "3A", "kind": "general"}
    )
    assert response.status_code == 422
    assert LogEntry.objects.count() == before


# ID numbers
def test_the_id_number_is_masked_in_the_change_log(client, world):
    client.force_login(world.office)
    response = client.post("/people/persons/add/", person_data(world))
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(staff_no="A0001")
    assert person.id_number == ID_NUMBER
    entry = entries_for(person, LogEntry.Action.CREATE).get()
    logged = entry.changes_dict["id_number"][1]
    assert logged == idnumber.mask(ID_NUMBER)
    text = str(entry.changes)
    assert ID_NUMBER not in text and ID_NUMBER[6:14] not in text
    # …also on the history tab and in the audit log's export.
    assert ID_NUMBER not in client.get(f"/people/persons/{person.pk}/history/").content.decode()
    client.force_login(world.auditor)
    assert ID_NUMBER not in xlsx_text(client.get("/accounts/audit/?export=xlsx").content)


def test_the_id_number_is_masked_on_pages_and_in_the_api(client, world):
    person = world.person_a
    person.id_number = ID_NUMBER
    person.birth_date, person.gender = dt.date(1949, 12, 31), "F"
    person.save()
    client.force_login(world.office)
    assert ID_NUMBER not in client.get(f"/people/persons/{person.pk}/").content.decode()
    assert ID_NUMBER not in client.get(f"/people/persons/{person.pk}/edit/").content.decode()
    data = client.get(f"/api/people/persons/{person.pk}/").json()
    assert "id_number" not in data and data["id_number_masked"] == idnumber.mask(ID_NUMBER)
    assert ID_NUMBER not in xlsx_text(client.get("/people/persons/?export=xlsx").content)


@pytest.mark.parametrize("persona", ["office", "inspector"])
def test_the_office_and_the_inspector_see_the_id_number_and_it_is_audited(client, world, persona):
    person = world.person_a
    Person.objects.filter(pk=person.pk).update(id_number=ID_NUMBER)
    user = getattr(world, persona)
    client.force_login(user)
    response = client.get(f"/people/persons/{person.pk}/id-number/", REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    entry = LogEntry.objects.get(additional_data__event="unmask")
    assert_context(entry, user, response)
    assert entry.object_pk == str(person.pk)
    assert ID_NUMBER not in str(entry.additional_data) + str(entry.changes)


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "region", "auditor", "nobody"])
def test_other_roles_may_not_see_the_id_number(client, world, persona):
    Person.objects.filter(pk=world.person_a.pk).update(id_number=ID_NUMBER)
    client.force_login(getattr(world, persona))
    response = client.get(f"/people/persons/{world.person_a.pk}/id-number/")
    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    assert not LogEntry.objects.filter(additional_data__event="unmask").exists()


def test_the_id_number_of_a_person_out_of_scope_does_not_exist(client, world):
    client.force_login(world.office)
    assert client.get(f"/people/persons/{world.person_h2.pk}/id-number/").status_code == 404
    client.force_login(world.secretary_a)
    assert client.get(f"/people/persons/{world.person_b.pk}/id-number/").status_code == 404
    client.logout()
    response = client.get(f"/people/persons/{world.person_a.pk}/id-number/")
    assert response.status_code == 302
    assert not LogEntry.objects.filter(additional_data__event="unmask").exists()


# The history tab
def test_the_history_tab_shows_the_records_changes(client, world):
    client.force_login(world.secretary_a)
    person = world.person_a
    response = client.get(f"/people/persons/{person.pk}/edit/")
    data = {**form_data(response.context["form"]), "phone": "13612345678"}
    assert client.post(f"/people/persons/{person.pk}/edit/", data).status_code == 302
    response = client.get(f"/people/persons/{person.pk}/history/")
    assert response.status_code == 200
    update = next(e for e in response.context["entries"] if e.action == LogEntry.Action.UPDATE)
    assert update.actor == world.secretary_a
    assert update.changes_dict["phone"] == ["", "13612345678"]
    assert "13612345678" in response.content.decode()
    # The history of another branch's member does not exist for secretary A.
    assert client.get(f"/people/persons/{world.person_b.pk}/history/").status_code == 404


def test_every_detail_page_links_its_history_tab(client, world):
    from hongqing.core.testing.records import add_records

    add_records(world)
    client.force_login(world.office)
    r = world.rec
    for obj in (
        world.hospital,
        r.campus_h,
        world.dept_a,
        world.branch_a,
        r.link_a,
        r.term_a,
        world.person_a,
        r.membership_a,
        r.transfer_a,
        r.cadre_a,
        r.rotation_a,
        r.tag_h,
        r.position_a,
    ):
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200, obj
        url = response.context["history_url"]
        assert url, f"{type(obj).__name__} has no history tab"
        assert client.get(url).status_code == 200


# The audit log page
@pytest.fixture
def some_entries(client, world):
    """A login, a failed login, a change by the office and one by secretary A."""
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    client.post("/organization/campuses/add/", {"hospital": world.hospital.pk, "name": "甲院区"})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "secretary_a", "password": "wrong-pass-1"})
    client.force_login(world.secretary_a)
    person = world.person_a
    data = {**form_data(client.get(f"/people/persons/{person.pk}/edit/").context["form"]), "phone": "1"}
    client.post(f"/people/persons/{person.pk}/edit/", data)
    client.logout()
    client.force_login(world.auditor)
    return client


def listed(response):
    return list(response.context["page"].object_list)


def test_the_audit_log_lists_and_filters(some_entries, world):
    client = some_entries
    everything = listed(client.get("/accounts/audit/"))
    assert len(everything) >= 5
    by_office = listed(client.get("/accounts/audit/", {"actor": "office"}))
    assert by_office and all(e.actor == world.office for e in by_office)
    failed = listed(client.get("/accounts/audit/", {"event": "login_failed"}))
    assert [e.additional_data["username"] for e in failed] == ["secretary_a"]
    logins = listed(client.get("/accounts/audit/", {"event": "login"}))
    assert world.office in [e.actor for e in logins]
    assert all(e.additional_data["event"] == "login" for e in logins)
    campuses = listed(client.get("/accounts/audit/", {"model": "campus"}))
    assert [e.object_repr for e in campuses] == ["甲院区"]
    updates = listed(client.get("/accounts/audit/", {"action": str(LogEntry.Action.UPDATE)}))
    assert updates and all(e.action == LogEntry.Action.UPDATE for e in updates)
    today = timezone.localdate()
    assert len(listed(client.get("/accounts/audit/", {"date_from": today, "date_to": today}))) == len(
        everything
    )
    tomorrow = today + dt.timedelta(days=1)
    assert listed(client.get("/accounts/audit/", {"date_from": tomorrow})) == []
    yesterday = today - dt.timedelta(days=1)
    assert listed(client.get("/accounts/audit/", {"date_to": yesterday})) == []
    cid = by_office[0].cid
    assert all(e.cid == cid for e in listed(client.get("/accounts/audit/", {"cid": cid})))


def test_the_audit_log_exports_its_filtered_rows_to_excel(some_entries, world):
    client = some_entries
    response = client.get("/accounts/audit/", {"actor": "secretary_a", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = xlsx_text(response.content)
    assert "secretary_a" in text and str(world.person_a) in text
    assert "甲院区" not in text  # the office's change is filtered out


def test_a_bad_date_filter_is_not_a_500(some_entries):
    assert some_entries.get("/accounts/audit/", {"date_from": "not-a-date"}).status_code in (200, 400)


# Nobody edits or deletes an entry
def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def view_model(pattern):
    view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    queryset = getattr(view, "queryset", None)
    return getattr(view, "model", None) or getattr(queryset, "model", None)


def test_no_view_serves_log_entries_except_the_audit_log():
    for route, pattern in walk(get_resolver().url_patterns):
        assert view_model(pattern) is not LogEntry, route
    audit = [route for route, _ in walk(get_resolver().url_patterns) if "audit" in route]
    assert audit == ["accounts/audit/"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_log_page_takes_no_writes(client, world, method):
    client.force_login(world.auditor)
    entry = LogEntry.objects.first() or LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Person), object_pk="1", action=0, changes={}
    )
    before = (LogEntry.objects.count(), entry.changes, entry.object_repr)
    for url in ("/accounts/audit/", f"/accounts/audit/?id={entry.pk}"):
        response = getattr(client, method)(url, {"id": entry.pk, "object_repr": "x"})
        assert response.status_code in (403, 405)
    entry.refresh_from_db()
    assert (LogEntry.objects.count(), entry.changes, entry.object_repr) == before
