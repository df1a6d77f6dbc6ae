"""The three separated administrator duties (三员分立).

The system administrator manages users; the security administrator assigns roles and lifts
lockouts; the audit administrator reads the audit log. None does another's duty, and none sees
business data.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver

from hongqing.accounts.choices import Role
from hongqing.accounts.models import RoleAssignment, User

ADMINS = ("sysadmin", "secadmin", "auditor")


def user_data(**extra):
    return {"username": "newuser", "display_name": "新用户", "email": "", "is_active": "on", **extra}


def role_data(world, user, role=Role.PARTY_OFFICE, **extra):
    return {"user": user.pk, "role": role, "hospital": world.hospital.pk, "organization": "", **extra}


# System administrator
def test_system_administrator_manages_users(client, world):
    client.force_login(world.sysadmin)
    assert client.get("/accounts/users/").status_code == 200
    assert client.get("/accounts/users/add/").status_code == 200
    response = client.post("/accounts/users/add/", user_data(password="hongqing2026"))
    assert response.status_code == 302
    new = User.objects.get(username="newuser")
    assert new.check_password("hongqing2026")
    response = client.post(f"/accounts/users/{new.pk}/edit/", user_data(display_name="改名"))
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.display_name == "改名" and new.check_password("hongqing2026")


def test_system_administrator_neither_assigns_roles_nor_unlocks_nor_reads_the_audit_log(client, world):
    client.force_login(world.sysadmin)
    before = RoleAssignment.objects.count()
    assert client.get("/accounts/roles/add/").status_code == 403
    assert client.post("/accounts/roles/add/", role_data(world, world.nobody)).status_code == 403
    assignment = world.office.role_assignments.get()
    assert client.post(f"/accounts/roles/{assignment.pk}/edit/", {"delete": "1"}).status_code == 403
    assert client.post(f"/accounts/users/{world.office.pk}/unlock/").status_code == 403
    assert client.get("/accounts/audit/").status_code == 403
    assert client.get("/accounts/audit/?export=xlsx").status_code == 403
    assert RoleAssignment.objects.count() == before


# Security administrator
def test_security_administrator_assigns_and_removes_roles(client, world):
    client.force_login(world.secadmin)
    assert client.get("/accounts/users/").status_code == 200
    assert client.get(f"/accounts/roles/add/?user={world.nobody.pk}").status_code == 200
    response = client.post("/accounts/roles/add/", role_data(world, world.nobody, Role.DISCIPLINE_INSPECTOR))
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=world.nobody)
    assert assignment.role == Role.DISCIPLINE_INSPECTOR
    response = client.post(f"/accounts/roles/{assignment.pk}/edit/", {"delete": "1"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=world.nobody).exists()


def test_security_administrator_neither_edits_users_nor_reads_the_audit_log(client, world):
    client.force_login(world.secadmin)
    assert client.get("/accounts/users/add/").status_code == 403
    assert client.post("/accounts/users/add/", user_data(password="hongqing2026")).status_code == 403
    response = client.post(f"/accounts/users/{world.office.pk}/edit/", user_data(username="office"))
    assert response.status_code == 403
    assert client.get("/accounts/audit/").status_code == 403
    assert not User.objects.filter(username="newuser").exists()


def test_security_administrator_cannot_change_their_own_roles(client, world):
    # Otherwise they could grant themselves the Party office and read business data.
    client.force_login(world.secadmin)
    before = RoleAssignment.objects.count()
    response = client.post("/accounts/roles/add/", role_data(world, world.secadmin))
    assert response.status_code in (403, 422)
    own = world.secadmin.role_assignments.get()
    response = client.post(f"/accounts/roles/{own.pk}/edit/", {"delete": "1"})
    assert response.status_code in (403, 422)
    assert RoleAssignment.objects.count() == before


# Audit administrator
def test_audit_administrator_reads_the_audit_log_and_nothing_else(client, world):
    client.force_login(world.auditor)
    assert client.get("/accounts/audit/").status_code == 200
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/accounts/users/add/").status_code == 403
    assert client.get("/accounts/roles/add/").status_code == 403
    assert client.post("/accounts/roles/add/", role_data(world, world.nobody)).status_code == 403
    assert client.post(f"/accounts/users/{world.office.pk}/unlock/").status_code == 403
    assert client.post("/accounts/users/add/", user_data(password="hongqing2026")).status_code == 403


# Separation of the duties
@pytest.mark.parametrize(
    "held,added",
    [
        (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN),
        (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN),
        (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN),
        (Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN),
    ],
)
def test_one_user_never_holds_two_admin_duties(world, held, added):
    user = User.objects.create_user("dual", password="hongqing2026")
    RoleAssignment.objects.create(user=user, role=held, hospital=world.hospital)
    with pytest.raises(ValidationError) as exc:
        RoleAssignment(user=user, role=added, hospital=world.hospital).full_clean()
    assert "role" in exc.value.message_dict


def test_the_same_admin_duty_in_another_hospital_is_allowed(world):
    RoleAssignment(user=world.sysadmin, role=Role.SYSTEM_ADMIN, hospital=world.hospital2).full_clean()


@pytest.mark.parametrize("admin", ADMINS)
def test_an_admin_duty_is_not_combined_with_a_business_role(world, admin):
    user = getattr(world, admin)
    with pytest.raises(ValidationError):
        RoleAssignment(user=user, role=Role.PARTY_OFFICE, hospital=world.hospital).full_clean()
    with pytest.raises(ValidationError):
        RoleAssignment(user=world.office, role=Role.AUDIT_ADMIN, hospital=world.hospital).full_clean()


def test_the_role_form_refuses_a_second_admin_duty(client, world):
    client.force_login(world.secadmin)
    before = RoleAssignment.objects.count()
    response = client.post("/accounts/roles/add/", role_data(world, world.sysadmin, Role.AUDIT_ADMIN))
    assert response.status_code == 422
    assert "role" in response.context["form"].errors
    response = client.post("/accounts/roles/add/", role_data(world, world.auditor, Role.PARTY_OFFICE))
    assert response.status_code == 422
    assert RoleAssignment.objects.count() == before


# No business data for any of the three
def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace, p


def business_pages():
    """Every business page and API list without a URL argument (lists, add pages, the tree)."""
    urls = []
    for route, namespace, _p in walk(get_resolver().url_patterns):
        if "<" in route or "(?P" in route or not namespace:
            continue
        app = namespace.split(":")[0]
        if app in ("accounts", "core") or route.endswith(("schema/", "docs/", "redoc/")):
            continue
        if getattr(_p, "name", "") == "api-root" or route.rstrip("^$/").endswith("api"):
            continue  # API roots list the endpoints, not data
        if "/mine/" in route or getattr(_p, "name", "") == "mine":
            continue  # the user's own records (an admin account has no staff record, so none)
        urls.append("/" + route.replace("^", "").replace("$", "").replace("\\.(?P<format>[a-z0-9]+)/?", ""))
    return sorted(set(urls))


def test_there_are_business_pages_to_check():
    pages = business_pages()
    assert "/people/persons/" in pages and "/api/people/persons/" in pages
    assert "/organization/departments/add/" in pages


@pytest.mark.parametrize("admin", ADMINS)
def test_no_admin_sees_business_data(client, world, admin):
    client.force_login(getattr(world, admin))
    for url in business_pages():
        response = client.get(url, follow=True)  # a page may redirect to its first tab
        status = response.status_code
        if status == 200 and url.startswith("/api/"):
            # A personal endpoint (the user's own ballots…) answers, with nothing in it.
            data = response.json()
            assert data in ([], {}) or data.get("results") == [], (admin, url, data)
            continue
        assert status in (403, 404), (admin, url, response.redirect_chain, status)
    for url in (f"/people/persons/{world.person_a.pk}/", f"/api/people/persons/{world.person_a.pk}/"):
        assert client.get(url).status_code == 403
    assert client.get("/").context["counts"] == []
