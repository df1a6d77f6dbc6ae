"""Reusable permission contracts for a model's pages and API (NetBox-style test mixins).

Subclass ``PageContract`` / ``ApiContract`` in an app's tests and set the attributes; each gives
the model the same tests, for every page the model has (list, add, detail, edit, history, delete):

- anonymous → the login page (401 for the API), and nothing is written;
- a user without permission (``no_permission``, the auditor by default) → 403;
- the ``viewer`` sees ``in_scope()`` and not ``elsewhere()``: 404 by URL, absent from the list,
  the export, the filters' choices and the form's choices;
- the ``editor`` creates (``create_data``), edits and deletes (``deletable``) in scope; a create that
  would land outside the scope (``create_outside_data``) is refused and nothing is written;
  ``editor = None`` says the viewer reads ``in_scope()`` but may not change it;
- the regional reader reads both ``in_scope()`` and ``elsewhere()`` and writes nothing (403);
- the discipline inspector reads ``in_scope()`` and writes nothing;
- a member (``member_a``) sees ``member_own()`` and not ``member_other()``.

    class TestPersonPages(PageContract):
        model = Person
        def in_scope(self, world): return world.person_a          # visible to ``viewer``
        def elsewhere(self, world): return world.person_b         # invisible to ``viewer``

The ``world`` of a contract is the personas (``world.py``) plus one record of every model in
branch A, branch B and hospital H2 (``world.rec``, see ``records.py``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest
from auditlog.context import disable_auditlog
from django import forms
from django.db import connection
from django.db.models import Model
from django.urls import NoReverseMatch, reverse

from .records import add_records
from .world import build_world

LOGIN = "/accounts/login/"


def assert_test_database() -> None:
    """Refuse to build test data anywhere but the test database.

    A module that overrides ``world`` without naming ``db`` gets, from pytest-django, a connection to
    the development database: building the world there would fail half-way, or worse.
    """
    name = str(connection.settings_dict["NAME"])
    if not (name.startswith("test") or "memorydb" in name or "mode=memory" in name):
        raise RuntimeError(
            f"not a test database: {name} (a fixture overriding `world` must name `db` too: "
            "def world(db, world))"
        )


@pytest.fixture
def world(db):
    assert_test_database()
    return build_world()


def form_data(form) -> dict:
    """The POST data that re-submits ``form`` (an unbound form) unchanged."""
    data: dict = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [v.pk if isinstance(v, Model) else v for v in (value or [])]
            continue
        if isinstance(value, Model):
            value = value.pk
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = "" if value is None else value
    return data


def select_options(html: str, name: str) -> list[str]:
    """The option values of ``<select name="name">`` in ``html`` (empty values left out)."""
    match = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    if not match:
        return []
    values = re.findall(r'<option[^>]*value="([^"]*)"', match.group(1))
    return [unescape(v) for v in values if v]


def xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None)


class _Base:
    model = None
    viewer = "secretary_a"  # sees in_scope(), not elsewhere()
    editor: str | None = "secretary_a"  # may change in_scope(); None: the viewer only reads it
    no_permission = "auditor"  # has no grant over the model's area at all
    region = "region"  # reads every hospital, writes nothing
    inspector = "inspector"  # reads hospital H, writes nothing

    @pytest.fixture
    def world(self, db):
        # The setup is not what these tests audit: building it without the change log halves its time.
        assert_test_database()
        with disable_auditlog():
            return add_records(build_world())

    def in_scope(self, world):
        raise NotImplementedError

    def elsewhere(self, world):
        raise NotImplementedError

    def editable(self, world):
        """What ``editor`` edits (default: in_scope)."""
        return self.in_scope(world)

    def deletable(self, world):
        """A record in the editor's scope with nothing depending on it; None: not tested."""
        return None

    def member_own(self, world):
        """A record member_a sees as their own; None: not tested."""
        return None

    def member_other(self, world):
        """A record member_a does not see; None: not tested."""
        return None

    def user(self, world, persona):
        return getattr(world, persona)

    def login(self, client, world, persona):
        client.force_login(self.user(world, persona))

    def exists(self, obj) -> bool:
        return self.model.objects.filter(pk=obj.pk).exists()


class PageContract(_Base):
    # None: detected from the URL names; False: the model has no such page.
    has_list: bool | None = None
    has_edit: bool | None = None
    has_delete: bool | None = None
    has_history: bool | None = None
    # Form fields to change in the edit test: {field: value}.
    edit_changes: dict = {}

    def has(self, action: str) -> bool:
        flag = {"list": self.has_list, "add": self.has_edit, "edit": self.has_edit}.get(action)
        if action == "delete":
            flag = self.has_delete
        if action == "history":
            flag = self.has_history
        if flag is False:
            return False
        try:
            reverse(self.model.url_name(action), kwargs={"pk": 1} if action not in ("list", "add") else None)
        except NoReverseMatch:
            return False
        return True

    def url(self, action, obj=None):
        name = self.model.url_name(action)
        return reverse(name, kwargs={"pk": obj.pk}) if obj is not None else reverse(name)

    def create_data(self, world) -> dict | None:
        """POST data the editor may create; None: not tested."""
        return None

    def created(self, world):
        """The queryset that finds what create_data created."""
        raise NotImplementedError

    def create_outside_data(self, world) -> dict | None:
        """POST data that would create a record outside the editor's scope; None: not tested."""
        return None

    def forbidden_choices(self, world) -> dict:
        """{form field: [objects]} the editor must not be offered on the add page."""
        return {}

    def forbidden_filter_choices(self, world) -> dict:
        """{filter field: [objects]} the viewer must not be offered in the list's filters."""
        return {}

    def export_marker(self, obj) -> str:
        return str(getattr(obj, "name", obj))

    def page_urls(self, obj) -> list[tuple[str, str]]:
        """(method, url) of every page of the model, for ``obj``."""
        out = []
        if self.has("list"):
            out.append(("get", self.url("list")))
        if self.has("add"):
            out += [("get", self.url("add")), ("post", self.url("add"))]
        out.append(("get", self.url("detail", obj)))
        if self.has("history"):
            out.append(("get", self.url("history", obj)))
        if self.has("edit"):
            out += [("get", self.url("edit", obj)), ("post", self.url("edit", obj))]
        if self.has("delete"):
            out += [("get", self.url("delete", obj)), ("post", self.url("delete", obj))]
        return out

    # Anonymous and no permission
    def test_anonymous_is_sent_to_login(self, client, world):
        obj = self.in_scope(world)
        before = self.model.objects.count()
        for method, url in self.page_urls(obj):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(LOGIN), (method, url)
        assert self.model.objects.count() == before
        assert self.exists(obj)

    def test_list_requires_login(self, client, world):
        if not self.has("list"):
            pytest.skip("no list page")
        response = client.get(self.url("list"))
        assert response.status_code == 302 and LOGIN in response["Location"]

    def test_detail_requires_login(self, client, world):
        response = client.get(self.url("detail", self.in_scope(world)))
        assert response.status_code == 302

    def test_no_permission_is_403(self, client, world):
        obj = self.in_scope(world)
        before = self.model.objects.count()
        for persona in (self.no_permission, "nobody"):
            self.login(client, world, persona)
            for method, url in self.page_urls(obj):
                response = getattr(client, method)(url)
                assert response.status_code == 403, (persona, method, url, response.status_code)
        assert self.model.objects.count() == before
        assert self.exists(obj)

    def test_list_forbidden_without_permission(self, client, world):
        if not self.has("list"):
            pytest.skip("no list page")
        self.login(client, world, self.no_permission)
        assert client.get(self.url("list")).status_code == 403

    def test_edit_forbidden_without_permission(self, client, world):
        if not self.has("edit"):
            pytest.skip("no edit page")
        self.login(client, world, self.no_permission)
        assert client.get(self.url("edit", self.in_scope(world))).status_code == 403

    # The viewer's scope
    def test_list_shows_scope_only(self, client, world):
        if not self.has("list"):
            pytest.skip("no list page")
        inside, outside = self.in_scope(world), self.elsewhere(world)
        self.login(client, world, self.viewer)
        response = client.get(self.url("list"), {"per_page": 500})
        assert response.status_code == 200
        rows = list(response.context["table"].data)
        assert inside in rows
        assert outside not in rows

    def test_export_shows_scope_only(self, client, world):
        if not self.has("list"):
            pytest.skip("no list page")
        self.login(client, world, self.viewer)
        response = client.get(self.url("list") + "?export=xlsx")
        assert response.status_code == 200
        text = xlsx_text(response.content)
        assert self.export_marker(self.in_scope(world)) in text
        assert self.export_marker(self.elsewhere(world)) not in text

    def test_list_filter_choices_are_scoped(self, client, world):
        if not self.has("list"):
            pytest.skip("no list page")
        user = self.user(world, self.viewer)
        self.login(client, world, self.viewer)
        response = client.get(self.url("list"))
        filterset = response.context.get("filter")
        if filterset is None:
            pytest.skip("no filters")
        html = response.content.decode()
        for name, field in filterset.form.fields.items():
            qs = getattr(field, "queryset", None)
            if qs is None:
                continue
            offered = {int(v) for v in select_options(html, name)}
            visible = set(qs.model.objects.restrict(user, "view").values_list("pk", flat=True))
            assert offered <= visible, (name, offered - visible)
        for name, objs in self.forbidden_filter_choices(world).items():
            offered = select_options(html, name)
            for obj in objs:
                assert str(obj.pk) not in offered, (name, obj)

    def test_detail_in_scope(self, client, world):
        self.login(client, world, self.viewer)
        assert client.get(self.url("detail", self.in_scope(world))).status_code == 200

    def test_detail_elsewhere_is_404(self, client, world):
        self.login(client, world, self.viewer)
        assert client.get(self.url("detail", self.elsewhere(world))).status_code == 404

    def test_history_in_scope_and_elsewhere(self, client, world):
        if not self.has("history"):
            pytest.skip("no history page")
        self.login(client, world, self.viewer)
        assert client.get(self.url("history", self.in_scope(world))).status_code == 200
        assert client.get(self.url("history", self.elsewhere(world))).status_code == 404

    # The editor
    def test_edit_in_scope(self, client, world):
        if not self.has("edit") or self.editor is None:
            pytest.skip("no edit page")
        self.login(client, world, self.editor)
        assert client.get(self.url("edit", self.editable(world))).status_code == 200

    def test_edit_saves_in_scope(self, client, world):
        if not self.has("edit") or self.editor is None:
            pytest.skip("no edit page")
        obj = self.editable(world)
        self.login(client, world, self.editor)
        response = client.get(self.url("edit", obj))
        data = form_data(response.context["form"])
        data.update(self.edit_changes)
        response = client.post(self.url("edit", obj), data)
        errors = response.context["form"].errors if response.context and "form" in response.context else None
        assert response.status_code == 302, errors
        obj.refresh_from_db()
        for name, value in self.edit_changes.items():
            assert str(getattr(obj, name)) == str(value)

    def test_edit_elsewhere_is_404(self, client, world):
        if not self.has("edit") or self.editor is None:
            pytest.skip("no edit page")
        self.login(client, world, self.editor)
        obj = self.elsewhere(world) if self.editor == self.viewer else self.edit_elsewhere(world)
        assert client.get(self.url("edit", obj)).status_code == 404
        assert client.post(self.url("edit", obj), {}).status_code == 404

    def edit_elsewhere(self, world):
        """A record outside the editor's scope (when the editor is not the viewer)."""
        return self.elsewhere(world)

    def test_viewer_who_only_reads_cannot_change(self, client, world):
        if self.editor is not None or not self.has("edit"):
            pytest.skip("the viewer is the editor")
        obj = self.in_scope(world)
        self.login(client, world, self.viewer)
        assert client.get(self.url("edit", obj)).status_code in (403, 404)
        assert client.post(self.url("edit", obj), {}).status_code in (403, 404)
        if self.has("delete"):
            assert client.post(self.url("delete", obj)).status_code in (403, 404)
        assert self.exists(obj)

    def test_create_in_scope(self, client, world):
        data = self.create_data(world) if self.has("add") and self.editor else None
        if data is None:
            pytest.skip("no create test")
        self.login(client, world, self.editor)
        assert client.get(self.url("add")).status_code == 200
        response = client.post(self.url("add"), data)
        errors = response.context["form"].errors if response.context and "form" in response.context else None
        assert response.status_code == 302, errors
        obj = self.created(world).get()
        assert obj.created_by == self.user(world, self.editor)

    def test_create_outside_scope_is_refused(self, client, world):
        data = self.create_outside_data(world) if self.has("add") and self.editor else None
        if data is None:
            pytest.skip("no create test")
        self.login(client, world, self.editor)
        before = self.model.objects.count()
        response = client.post(self.url("add"), data)
        assert response.status_code in (403, 404, 422)
        assert self.model.objects.count() == before

    def test_add_page_choices_are_scoped(self, client, world):
        if not self.has("add") or self.editor is None:
            pytest.skip("no add page")
        user = self.user(world, self.editor)
        self.login(client, world, self.editor)
        response = client.get(self.url("add"))
        assert response.status_code == 200
        form, html = response.context["form"], response.content.decode()
        for name, field in form.fields.items():
            qs = getattr(field, "queryset", None)
            if qs is None or not hasattr(qs.model.objects, "restrict"):
                continue
            offered = {int(v) for v in select_options(html, name)} or {o.pk for o in field.queryset}
            visible = set(qs.model.objects.restrict(user, "view").values_list("pk", flat=True))
            assert offered <= visible, (name, offered - visible)
        for name, objs in self.forbidden_choices(world).items():
            offered = {str(o.pk) for o in form.fields[name].queryset}
            offered |= set(select_options(html, name))
            for obj in objs:
                assert str(obj.pk) not in offered, (name, obj)

    def test_delete_in_scope(self, client, world):
        obj = self.deletable(world) if self.has("delete") and self.editor else None
        if obj is None:
            pytest.skip("no delete test")
        self.login(client, world, self.editor)
        assert client.get(self.url("delete", obj)).status_code == 200
        response = client.post(self.url("delete", obj))
        assert response.status_code == 302
        assert not self.exists(obj)

    def test_delete_elsewhere_is_404(self, client, world):
        if not self.has("delete") or self.editor is None:
            pytest.skip("no delete page")
        self.login(client, world, self.editor)
        obj = self.elsewhere(world) if self.editor == self.viewer else self.edit_elsewhere(world)
        assert client.post(self.url("delete", obj)).status_code == 404
        assert self.exists(obj)

    # Read-only roles
    def test_region_reads_everything_and_writes_nothing(self, client, world):
        inside, outside = self.in_scope(world), self.elsewhere(world)
        self.login(client, world, self.region)
        if self.has("list"):
            response = client.get(self.url("list"), {"per_page": 500})
            assert response.status_code == 200
            rows = list(response.context["table"].data)
            assert inside in rows and outside in rows
        for obj in (inside, outside):
            assert client.get(self.url("detail", obj)).status_code == 200
        before = self.model.objects.count()
        if self.has("add"):
            assert client.get(self.url("add")).status_code == 403
            assert client.post(self.url("add"), self.create_data(world) or {}).status_code == 403
        if self.has("edit"):
            assert client.get(self.url("edit", inside)).status_code == 403
            assert client.post(self.url("edit", inside), {}).status_code == 403
        if self.has("delete"):
            assert client.post(self.url("delete", inside)).status_code == 403
        assert self.model.objects.count() == before

    def test_inspector_reads_and_writes_nothing(self, client, world):
        obj = self.in_scope(world)
        self.login(client, world, self.inspector)
        assert client.get(self.url("detail", obj)).status_code == 200
        before = self.model.objects.count()
        if self.has("add"):
            assert client.get(self.url("add")).status_code == 403
            assert client.post(self.url("add"), self.create_data(world) or {}).status_code == 403
        if self.has("edit"):
            assert client.post(self.url("edit", obj), {}).status_code == 403
        if self.has("delete"):
            assert client.post(self.url("delete", obj)).status_code == 403
        assert self.model.objects.count() == before

    def test_member_sees_own_records_only(self, client, world):
        own, other = self.member_own(world), self.member_other(world)
        if own is None and other is None:
            pytest.skip("no member test")
        self.login(client, world, "member_a")
        if own is not None:
            assert client.get(self.url("detail", own)).status_code == 200
        if other is not None:
            assert client.get(self.url("detail", other)).status_code == 404
        if self.has("list"):
            response = client.get(self.url("list"), {"per_page": 500})
            assert response.status_code == 200
            rows = list(response.context["table"].data)
            if own is not None:
                assert own in rows
            if other is not None:
                assert other not in rows
        if own is not None and self.has("edit"):
            assert client.post(self.url("edit", own), {}).status_code in (403, 404)


class ApiContract(_Base):
    api_list: str = ""  # e.g. "/api/people/persons/"
    read_only = False
    # A PATCH the editor may make: {field: value}.
    api_changes: dict = {}

    def api_detail(self, obj) -> str:
        return f"{self.api_list}{obj.pk}/"

    def api_create_data(self, world) -> dict | None:
        """JSON the editor may POST; None: not tested."""
        return None

    def api_created(self, world):
        raise NotImplementedError

    def api_create_outside_data(self, world) -> dict | None:
        """JSON naming a related record outside the editor's scope: 400 and nothing written."""
        return None

    def post(self, client, url, data):
        return client.post(url, data, content_type="application/json")

    def patch(self, client, url, data):
        return client.patch(url, data, content_type="application/json")

    def test_api_requires_authentication(self, client, world):
        obj = self.in_scope(world)
        before = self.model.objects.count()
        assert client.get(self.api_list).status_code == 401
        assert client.get(self.api_detail(obj)).status_code == 401
        assert self.post(client, self.api_list, {}).status_code in (401, 405)
        assert self.patch(client, self.api_detail(obj), {}).status_code in (401, 405)
        assert client.delete(self.api_detail(obj)).status_code in (401, 405)
        assert self.model.objects.count() == before

    def test_api_forbidden_without_permission(self, client, world):
        obj = self.in_scope(world)
        before = self.model.objects.count()
        for persona in (self.no_permission, "nobody"):
            self.login(client, world, persona)
            assert client.get(self.api_list).status_code == 403
            assert client.get(self.api_detail(obj)).status_code == 403
            if not self.read_only:
                assert self.post(client, self.api_list, {}).status_code == 403
                assert self.patch(client, self.api_detail(obj), {}).status_code == 403
                assert client.delete(self.api_detail(obj)).status_code == 403
        assert self.model.objects.count() == before

    def test_api_list_shows_scope_only(self, client, world):
        inside, outside = self.in_scope(world), self.elsewhere(world)
        self.login(client, world, self.viewer)
        response = client.get(self.api_list, {"page_size": 500})
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert inside.pk in ids
        assert outside.pk not in ids

    def test_api_detail_elsewhere_is_404(self, client, world):
        self.login(client, world, self.viewer)
        assert client.get(self.api_detail(self.elsewhere(world))).status_code == 404
        assert client.get(self.api_detail(self.in_scope(world))).status_code == 200

    def test_api_write_elsewhere_is_404(self, client, world):
        if self.read_only or self.editor is None:
            pytest.skip("read-only endpoint")
        self.login(client, world, self.editor)
        obj = self.elsewhere(world) if self.editor == self.viewer else self.edit_elsewhere(world)
        response = self.patch(client, self.api_detail(obj), {})
        assert response.status_code == 404
        assert client.delete(self.api_detail(obj)).status_code == 404
        assert self.exists(obj)

    def edit_elsewhere(self, world):
        return self.elsewhere(world)

    def test_api_writes_refused_on_read_only_endpoint(self, client, world):
        if not self.read_only:
            pytest.skip("writable endpoint")
        obj = self.in_scope(world)
        self.login(client, world, "office")
        before = self.model.objects.count()
        assert self.post(client, self.api_list, {}).status_code in (403, 405)
        assert self.patch(client, self.api_detail(obj), {}).status_code in (403, 405)
        assert client.delete(self.api_detail(obj)).status_code in (403, 405)
        assert self.model.objects.count() == before

    def test_api_viewer_who_only_reads_cannot_change(self, client, world):
        if self.read_only or self.editor is not None:
            pytest.skip("the viewer is the editor")
        obj = self.in_scope(world)
        self.login(client, world, self.viewer)
        assert self.patch(client, self.api_detail(obj), {}).status_code in (403, 404)
        assert client.delete(self.api_detail(obj)).status_code in (403, 404)
        assert self.exists(obj)

    def test_api_create_in_scope(self, client, world):
        data = None if self.read_only or not self.editor else self.api_create_data(world)
        if data is None:
            pytest.skip("no create test")
        self.login(client, world, self.editor)
        response = self.post(client, self.api_list, data)
        assert response.status_code == 201, response.content
        obj = self.api_created(world).get()
        assert response.json()["id"] == obj.pk
        assert obj.created_by == self.user(world, self.editor)

    def test_api_create_with_related_outside_scope_is_400(self, client, world):
        data = None if self.read_only or not self.editor else self.api_create_outside_data(world)
        if data is None:
            pytest.skip("no create test")
        self.login(client, world, self.editor)
        before = self.model.objects.count()
        response = self.post(client, self.api_list, data)
        assert response.status_code == 400, response.content
        assert self.model.objects.count() == before

    def test_api_update_in_scope(self, client, world):
        if self.read_only or not self.editor or not self.api_changes:
            pytest.skip("no update test")
        obj = self.editable(world)
        self.login(client, world, self.editor)
        response = self.patch(client, self.api_detail(obj), self.api_changes)
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        for name, value in self.api_changes.items():
            assert str(getattr(obj, name)) == str(value)

    def test_api_delete_in_scope(self, client, world):
        obj = None if self.read_only or not self.editor else self.deletable(world)
        if obj is None:
            pytest.skip("no delete test")
        self.login(client, world, self.editor)
        assert client.delete(self.api_detail(obj)).status_code == 204
        assert not self.exists(obj)

    def test_api_region_reads_everything_and_writes_nothing(self, client, world):
        inside, outside = self.in_scope(world), self.elsewhere(world)
        self.login(client, world, self.region)
        response = client.get(self.api_list, {"page_size": 500})
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert {inside.pk, outside.pk} <= ids
        before = self.model.objects.count()
        assert self.post(client, self.api_list, self.api_create_data(world) or {}).status_code in (403, 405)
        assert self.patch(client, self.api_detail(inside), self.api_changes).status_code in (403, 405)
        assert client.delete(self.api_detail(inside)).status_code in (403, 405)
        assert self.model.objects.count() == before

    def test_api_inspector_reads_and_writes_nothing(self, client, world):
        obj = self.in_scope(world)
        self.login(client, world, self.inspector)
        assert client.get(self.api_detail(obj)).status_code == 200
        before = self.model.objects.count()
        assert self.post(client, self.api_list, self.api_create_data(world) or {}).status_code in (403, 405)
        assert self.patch(client, self.api_detail(obj), self.api_changes).status_code in (403, 405)
        assert client.delete(self.api_detail(obj)).status_code in (403, 405)
        assert self.model.objects.count() == before

    def test_api_member_sees_own_records_only(self, client, world):
        own, other = self.member_own(world), self.member_other(world)
        if own is None and other is None:
            pytest.skip("no member test")
        self.login(client, world, "member_a")
        response = client.get(self.api_list, {"page_size": 500})
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        if own is not None:
            assert own.pk in ids
            assert self.patch(client, self.api_detail(own), self.api_changes).status_code in (403, 404, 405)
        if other is not None:
            assert other.pk not in ids
            assert client.get(self.api_detail(other)).status_code == 404
