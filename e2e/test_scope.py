"""A branch secretary finds no trace of another branch: tree, list, search, filter choices, URLs."""

import re

from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Person


def test_secretary_of_branch_a_sees_nothing_of_branch_b(live_server, page, demo, log_in):
    main = demo.data["hospitals"][0]
    branch_a, branch_b = main["branches"][0], main["branches"][3]
    b_persons = list(Person.objects.filter(membership__organization=branch_b))
    # A branch-B member whose name nobody else in the hospital has, so a name search is conclusive.
    b_person = next(
        p for p in b_persons if Person.objects.filter(hospital=main["hospital"], name=p.name).count() == 1
    )
    b_urls = {p.get_absolute_url() for p in b_persons}

    log_in(page, "secretary", DEMO_PASSWORD)

    # The tree: branch A's subtree only.
    page.goto(f"{live_server.url}/organization/tree/")
    tree = page.locator("#party-tree")
    expect(tree.get_by_role("link", name=branch_a.name, exact=True)).to_be_visible()
    expect(tree.get_by_role("link")).to_have_count(
        1 + PartyOrganization.objects.get_descendant_count(branch_a)
    )
    expect(page.locator("main")).not_to_contain_text(branch_b.name)

    # The persons list: no branch-B person on any page, and branch B is no choice in the filter.
    page.goto(f"{live_server.url}/people/persons/")
    results = page.locator("#results")
    expect(results.locator("tbody tr").first).to_be_visible()
    while True:
        hrefs = set(
            results.locator("tbody a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        )
        assert hrefs and not hrefs & b_urls
        expect(results).not_to_contain_text(branch_b.name)
        next_page = results.locator(".pagination .next a")
        if next_page.count() == 0:
            break
        current = page.url
        next_page.click()
        expect(page).not_to_have_url(current)
    options = page.locator("select[name=branch] option").all_inner_texts()
    assert branch_a.name in options
    assert branch_b.name not in options

    # Typing a branch-B member's name finds nothing.
    page.goto(f"{live_server.url}/people/persons/")
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("input[name=q]").press_sequentially(b_person.name, delay=50)
    expect(results.locator("tbody a")).to_have_count(0)
    expect(results.locator("p").first).to_contain_text(re.compile(r"(?<!\d)0(?!\d)"))

    # Branch B's page and its members' pages do not exist for the secretary.
    for url in (branch_b.get_absolute_url(), b_person.get_absolute_url()):
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 404, url
