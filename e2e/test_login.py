"""Logging in through the real form, logging out, and the lockout after repeated wrong passwords."""

import re

from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.people.models import Person


def test_office_logs_in_through_the_form_and_out_again(live_server, page, demo):
    hospital = demo.data["hospitals"][0]["hospital"]
    page.goto(f"{live_server.url}/")
    # Anonymous: sent to the login page, which remembers where we wanted to go.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("#hq-menu")).to_have_count(0)

    page.locator("#id_username").press_sequentially("office")
    page.locator("#id_password").press_sequentially(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_contain_text(re.compile("Hello|您好"))
    # The Party office sees its whole hospital: staff, members, branches and departments figures first
    # (later apps add theirs after them).
    counts = page.locator("#hq-counts .card")
    expect(counts.nth(3)).to_be_visible()
    staff = Person.objects.filter(hospital=hospital).count()
    expect(counts.first.locator(".hq-card-figure")).to_have_text(str(staff))

    page.locator("#hq-user-menu").click()
    page.get_by_role("button", name=re.compile("Log out|退出")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto(f"{live_server.url}/people/persons/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/people/persons/$"))


def test_five_wrong_passwords_lock_the_account(live_server, page, django_user_model):
    django_user_model.objects.create_user(username="lockme", password="right-pass-2026")
    page.goto(f"{live_server.url}/accounts/login/")

    def attempt(password):
        page.locator("#id_username").fill("lockme")
        page.locator("#id_password").fill(password)
        page.locator("form button[type=submit]").click()

    for n in range(1, 5):
        attempt(f"wrong-{n}")
        expect(page.locator(".alert-danger")).to_contain_text("5")  # "After 5 failures ..."
        expect(page.locator("#locked-out")).to_have_count(0)
    attempt("wrong-5")
    # The sixth attempt, even with the right password, meets the lockout.
    page.goto(f"{live_server.url}/accounts/login/")
    attempt("right-pass-2026")
    expect(page.locator("#locked-out")).to_be_visible()
    expect(page.locator("#hq-user-menu")).to_have_count(0)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
