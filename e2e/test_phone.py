"""At 375 px wide nothing scrolls sideways, and the navbar folds into an offcanvas menu that opens on tap."""

import re

import pytest
from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.people.models import Cadre, Person

PHONE_WIDTH = 375


def assert_no_horizontal_scroll(page, what):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{what} is {width}px wide at {PHONE_WIDTH}px: it scrolls sideways"
    # Wider content (tables) scrolls inside its own .table-responsive box, not the page.
    too_wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > limit + 0.5 && !e.closest('.table-responsive'))
            .filter(e => getComputedStyle(e).visibility !== 'hidden')
            .map(e => e.tagName + '#' + e.id + '.' + [...e.classList].join('.'))""",
        PHONE_WIDTH,
    )
    assert not too_wide, f"{what}: elements stick out of the screen: {too_wide[:5]}"


def person_with_most_detail(hospital) -> Person:
    """A department head with talent tags: the longest person page."""
    cadre = (
        Cadre.objects.filter(person__hospital=hospital, person__talent_tags__isnull=False)
        .select_related("person")
        .first()
    )
    return cadre.person if cadre else Person.objects.filter(hospital=hospital).first()


@pytest.mark.parametrize("username", ["member", "office"])
def test_pages_fit_a_phone(live_server, phone_page, demo, log_in, username):
    page = phone_page
    hospital = demo.data["hospitals"][0]["hospital"]
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    assert_no_horizontal_scroll(page, "the login page")

    log_in(page, username, DEMO_PASSWORD)
    user_person = Person.objects.get(user__username=username)
    person = user_person if username == "member" else person_with_most_detail(hospital)
    pages = {
        "the home page": "/",
        "the persons list": "/people/persons/",
        "a person's page": person.get_absolute_url(),
    }
    if username == "office":
        pages["the organisation tree"] = "/organization/tree/"
    for what, url in pages.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, (what, response and response.status)
        assert_no_horizontal_scroll(page, what)

    # The persons table is wider than the phone: it scrolls inside its box.
    page.goto(f"{live_server.url}/people/persons/")
    box = page.locator("#results .table-responsive")
    expect(box).to_be_visible()
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    # Names stay on one line (they wrapped one character per line before the table could scroll).
    name = page.locator("#results tbody td a").first
    assert name.bounding_box()["height"] < 30
    # The pager sits in the scrolling box too; every page link must be on the screen, also after
    # scrolling the table sideways.
    items = page.locator("#results .pagination .page-item")
    if username == "office":  # 600 persons: 12 pages (the member sees only themselves)
        expect(items.first).to_be_visible()
    for scroll in (0, 10_000):
        box.evaluate("(e, x) => { e.scrollLeft = x; }", scroll)
        for item in items.all():
            b = item.bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE_WIDTH, (
                f"page link {item.inner_text()!r} is off the screen ({b}), table scrolled to {scroll}"
            )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_tree_names_do_not_wrap_one_character_per_line(live_server, phone_page, demo, log_in, language):
    # In English the kind badges are long ("Discipline inspection committee").
    phone_page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    log_in(phone_page, "office", DEMO_PASSWORD)
    phone_page.goto(f"{live_server.url}/organization/tree/")
    expect(phone_page.locator("html")).to_have_attribute("lang", language)
    assert_no_horizontal_scroll(phone_page, "the organisation tree")
    links = phone_page.locator("#party-tree a, #dept-tree a")
    expect(links.first).to_be_visible()
    for link in links.all():
        box = link.bounding_box()
        assert box["height"] <= 3 * 24, f"{link.inner_text()!r} wraps into {box['height']:.0f}px"


def test_navbar_folds_into_an_offcanvas_menu_on_a_phone(live_server, phone_page, demo, log_in):
    page = phone_page
    log_in(page, "office", DEMO_PASSWORD)
    menu = page.locator("#hq-menu")
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(menu).not_to_be_visible()
    assert_no_horizontal_scroll(page, "the home page")

    toggler.click()
    expect(menu).to_be_visible()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    area = menu.locator(".nav-link.dropdown-toggle", has_text=re.compile("People|人员"))
    area.click()
    persons = menu.locator(".dropdown-menu.show a.dropdown-item[href='/people/persons/']")
    expect(persons).to_be_visible()
    persons.click()
    expect(page).to_have_url(f"{live_server.url}/people/persons/")
    expect(page.locator("#hq-menu")).not_to_be_visible()

    # The close button folds it away again.
    toggler.click()
    expect(menu).to_be_visible()
    menu.locator(".btn-close").click()
    expect(menu).not_to_be_visible()


def test_navbar_is_inline_on_a_desktop(live_server, page, demo, log_in):
    log_in(page, "office", DEMO_PASSWORD)
    expect(page.locator(".navbar-toggler")).not_to_be_visible()
    expect(page.locator("#hq-menu .nav-link.dropdown-toggle").first).to_be_visible()
