"""Logging in: passwords, the lockout after failures, the idle timeout and API tokens (等保 requirements).

Everything goes through the real login view and middleware with the test client; ``force_login``
would skip what is being tested.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from hongqing.core.testing.world import PASSWORD

LOGIN = "/accounts/login/"


def login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def events(name, **filters):
    return LogEntry.objects.filter(additional_data__event=name, **filters)


# Passwords
@pytest.mark.parametrize("password", ["abc123", "abcdefgh", "12345678", "hongqing", "Ab1"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["hongqing2026", "Qx7-lantern-4", "red9engine"])
def test_passwords_of_eight_letters_and_digits_pass(password):
    validate_password(password)


def test_the_user_form_applies_the_validators(client, world):
    client.force_login(world.sysadmin)
    data = {"username": "newuser", "display_name": "新用户", "email": "", "is_active": "on"}
    response = client.post("/accounts/users/add/", {**data, "password": "abcdefgh"})
    assert response.status_code == 422
    assert "password" in response.context["form"].errors
    assert not world.office.__class__.objects.filter(username="newuser").exists()
    response = client.post("/accounts/users/add/", {**data, "password": "hongqing2026"})
    assert response.status_code == 302
    assert login(client, "newuser", "hongqing2026").status_code == 302


# Logging in and out
def test_login_with_username_and_password(client, world):
    response = login(client, "office", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    entry = events("login").get()
    assert entry.actor == world.office
    assert entry.remote_addr == "10.1.2.3"
    assert entry.cid == response["X-Request-Id"]


def test_a_wrong_password_is_refused_and_audited(client, world):
    response = login(client, "office", "wrong-pass-1", REMOTE_ADDR="10.1.2.4")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/").status_code == 302
    entry = events("login_failed").get()
    assert entry.actor is None
    assert entry.additional_data["username"] == "office"
    assert entry.remote_addr == "10.1.2.4"
    assert entry.cid == response["X-Request-Id"]
    assert not events("login").exists()


def test_logout_is_audited(client, world):
    login(client, "office")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert events("logout", actor=world.office).count() == 1


def test_a_user_without_a_role_logs_in_to_an_empty_home(client, world):
    assert login(client, "nobody").status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["counts"] == []


# Lockout: 15 minutes after 5 failures, per username
def fail_five_times(client, username="office"):
    for _ in range(5):
        login(client, username, "wrong-pass-1")


def test_five_failures_lock_the_account_even_for_the_right_password(client, world):
    fail_five_times(client)
    response = login(client, "office")
    assert response.status_code == 429
    assert b'id="locked-out"' in response.content
    assert client.get("/").status_code == 302  # not logged in
    assert events("login_failed").count() >= 5


def test_four_failures_do_not_lock(client, world):
    for _ in range(4):
        login(client, "office", "wrong-pass-1")
    assert login(client, "office").status_code == 302


def test_the_lockout_is_per_username_not_per_address(client, world):
    # Wards share one address behind NAT: one user's failures must not lock the ward.
    fail_five_times(client)
    assert login(client, "secretary_a").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, world):
    fail_five_times(client)
    assert login(client, "office").status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=14))
    assert login(client, "office").status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert login(client, "office").status_code == 302


def test_the_security_administrator_lifts_a_lockout(client, world):
    fail_five_times(client)
    admin = client.__class__()
    admin.force_login(world.secadmin)
    assert admin.post(f"/accounts/users/{world.office.pk}/unlock/").status_code == 302
    assert login(client, "office").status_code == 302


# Idle timeout: 30 minutes without a request
def set_last_seen(client, minutes_ago):
    session = client.session
    session["_hq_last_seen"] = int(time.time()) - minutes_ago * 60
    session.save()


def test_a_session_idle_for_31_minutes_is_logged_out(client, world):
    login(client, "office")
    assert client.get("/").status_code == 200
    set_last_seen(client, 31)
    response = client.get("/people/persons/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN) and "idle=1" in response["Location"]
    assert client.get("/").status_code == 302  # the session is gone, not only redirected once
    assert events("logout", actor=world.office).exists()


def test_a_session_idle_for_29_minutes_is_kept(client, world):
    login(client, "office")
    set_last_seen(client, 29)
    assert client.get("/people/persons/").status_code == 200
    # …and the request counts as activity.
    assert time.time() - client.session["_hq_last_seen"] < 5


def test_an_idle_session_does_not_read_the_api(client, world):
    login(client, "office")
    client.get("/")
    set_last_seen(client, 31)
    assert client.get("/api/people/persons/").status_code == 401


# API tokens
def get_token(client, username="office", password=PASSWORD):
    return client.post("/api/auth/token/", {"username": username, "password": password})


def test_an_api_token_reads_the_users_scope(client, world):
    response = get_token(client, "secretary_a")
    assert response.status_code == 200
    token = response.json()["token"]
    api = client.__class__(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/people/persons/", {"page_size": 500})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert world.person_a.pk in ids and world.person_b.pk not in ids
    assert api.get(f"/api/people/persons/{world.person_b.pk}/").status_code == 404
    bad = client.__class__(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/people/persons/").status_code == 401


def test_issuing_a_token_is_an_audited_login(client, world):
    response = get_token(client, "office")
    assert response.status_code == 200
    entry = events("login", actor=world.office).get()
    assert entry.additional_data.get("via") == "token"
    assert entry.cid == response["X-Request-Id"]


def test_a_wrong_password_for_a_token_is_400_and_an_audited_failure(client, world):
    response = get_token(client, "office", "wrong-pass-1")
    assert response.status_code == 400
    assert "token" not in response.json()
    entry = events("login_failed").get()
    assert entry.additional_data["username"] == "office"
    assert entry.cid == response["X-Request-Id"]


def test_the_lockout_also_stops_tokens(client, world):
    fail_five_times(client)
    response = get_token(client, "office")
    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()


def test_token_failures_count_towards_the_lockout(client, world):
    for _ in range(5):
        get_token(client, "office", "wrong-pass-1")
    assert login(client, "office").status_code == 429
