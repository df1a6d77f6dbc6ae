"""Reusable permission contracts for a model's pages and API (NetBox-style test mixins).

Subclass ``PageContract`` / ``ApiContract`` in an app's tests and set the attributes; each gives
the model the same tests: anonymous → login (401 for the API), a user without permission → 403,
a permitted user → 200, a user scoped elsewhere → 404 and absent from lists.

    class TestPersonPages(PageContract):
        model = Person
        def in_scope(self, world): return world.person_a          # visible to ``viewer``
        def elsewhere(self, world): return world.person_b         # invisible to ``viewer``
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from .world import build_world


@pytest.fixture
def world(db):
    return build_world()


class _Base:
    model = None
    viewer = "secretary_a"  # sees in_scope(), not elsewhere()
    editor = "secretary_a"  # may change in_scope()
    no_permission = "auditor"  # has no grant over the model's area at all

    def in_scope(self, world):
        raise NotImplementedError

    def elsewhere(self, world):
        raise NotImplementedError

    def url(self, action, obj=None):
        name = self.model.url_name(action)
        return reverse(name, kwargs={"pk": obj.pk}) if obj is not None else reverse(name)


class PageContract(_Base):
    has_list = True
    has_edit = True
    has_delete = True

    def test_list_requires_login(self, client, world):
        if not self.has_list:
            pytest.skip("no list page")
        response = client.get(self.url("list"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_list_forbidden_without_permission(self, client, world):
        if not self.has_list:
            pytest.skip("no list page")
        client.force_login(getattr(world, self.no_permission))
        assert client.get(self.url("list")).status_code == 403

    def test_list_shows_scope_only(self, client, world):
        if not self.has_list:
            pytest.skip("no list page")
        inside, outside = self.in_scope(world), self.elsewhere(world)
        client.force_login(getattr(world, self.viewer))
        response = client.get(self.url("list"))
        assert response.status_code == 200
        rows = list(response.context["table"].data)
        assert inside in rows
        assert outside not in rows

    def test_export_shows_scope_only(self, client, world):
        if not self.has_list:
            pytest.skip("no list page")
        import io

        from openpyxl import load_workbook

        client.force_login(getattr(world, self.viewer))
        response = client.get(self.url("list") + "?export=xlsx")
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        text = " ".join(str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None)
        assert self.export_marker(self.in_scope(world)) in text
        assert self.export_marker(self.elsewhere(world)) not in text

    def export_marker(self, obj) -> str:
        return str(getattr(obj, "name", obj))

    def test_detail_in_scope(self, client, world):
        client.force_login(getattr(world, self.viewer))
        assert client.get(self.url("detail", self.in_scope(world))).status_code == 200

    def test_detail_elsewhere_is_404(self, client, world):
        client.force_login(getattr(world, self.viewer))
        assert client.get(self.url("detail", self.elsewhere(world))).status_code == 404

    def test_detail_requires_login(self, client, world):
        response = client.get(self.url("detail", self.in_scope(world)))
        assert response.status_code == 302

    def test_edit_in_scope(self, client, world):
        if not self.has_edit:
            pytest.skip("no edit page")
        client.force_login(getattr(world, self.editor))
        assert client.get(self.url("edit", self.in_scope(world))).status_code == 200

    def test_edit_elsewhere_is_404(self, client, world):
        if not self.has_edit:
            pytest.skip("no edit page")
        client.force_login(getattr(world, self.editor))
        obj = self.elsewhere(world)
        assert client.get(self.url("edit", obj)).status_code == 404
        assert client.post(self.url("edit", obj), {}).status_code == 404

    def test_edit_forbidden_without_permission(self, client, world):
        if not self.has_edit:
            pytest.skip("no edit page")
        client.force_login(getattr(world, self.no_permission))
        assert client.get(self.url("edit", self.in_scope(world))).status_code == 403

    def test_delete_elsewhere_is_404(self, client, world):
        if not self.has_delete:
            pytest.skip("no delete page")
        client.force_login(getattr(world, self.editor))
        obj = self.elsewhere(world)
        assert client.post(self.url("delete", obj)).status_code == 404
        assert self.model.objects.filter(pk=obj.pk).exists()


class ApiContract(_Base):
    api_list: str = ""  # e.g. "/api/people/persons/"
    read_only = False

    def test_api_requires_authentication(self, client, world):
        assert client.get(self.api_list).status_code in (401, 403)
        response = client.get(self.api_list)
        assert response.status_code == 401 or "detail" in response.json()

    def test_api_forbidden_without_permission(self, client, world):
        client.force_login(getattr(world, self.no_permission))
        assert client.get(self.api_list).status_code == 403

    def test_api_list_shows_scope_only(self, client, world):
        inside, outside = self.in_scope(world), self.elsewhere(world)
        client.force_login(getattr(world, self.viewer))
        response = client.get(self.api_list, {"page_size": 500})
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert inside.pk in ids
        assert outside.pk not in ids

    def test_api_detail_elsewhere_is_404(self, client, world):
        client.force_login(getattr(world, self.viewer))
        assert client.get(f"{self.api_list}{self.elsewhere(world).pk}/").status_code == 404
        assert client.get(f"{self.api_list}{self.in_scope(world).pk}/").status_code == 200

    def test_api_write_elsewhere_is_404(self, client, world):
        if self.read_only:
            pytest.skip("read-only endpoint")
        client.force_login(getattr(world, self.editor))
        obj = self.elsewhere(world)
        response = client.patch(f"{self.api_list}{obj.pk}/", {}, content_type="application/json")
        assert response.status_code == 404
        assert client.delete(f"{self.api_list}{obj.pk}/").status_code == 404
        assert self.model.objects.filter(pk=obj.pk).exists()
