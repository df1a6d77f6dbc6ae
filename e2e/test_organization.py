"""Browsing the organisation tree as the Party office: tree → branch → departments, terms, committee."""

import re

from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD
from hongqing.organization.models import BranchDepartment, CommitteeTerm
from hongqing.people.choices import Post
from hongqing.people.models import TermPosition


def test_office_browses_tree_to_a_branch_and_its_history(live_server, page, demo, log_in):
    main = demo.data["hospitals"][0]
    branch = main["branches"][0]
    departments = [
        link.department.name
        for link in BranchDepartment.objects.filter(organization=branch).select_related("department")
    ]
    term = CommitteeTerm.objects.get(organization=branch, actual_end__isnull=True)
    secretary = TermPosition.objects.get(term=term, post=Post.SECRETARY).person

    log_in(page, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/organization/tree/")
    tree = page.locator("#party-tree")
    # The whole hospital: the committee, the general branch, every branch; not the other hospital.
    expect(tree.get_by_role("link", name=main["committee"].name, exact=True)).to_be_visible()
    expect(tree.get_by_role("link")).to_have_count(len(main["branches"]) + 3)
    expect(tree).not_to_contain_text(demo.data["hospitals"][1]["hospital"].name)

    tree.get_by_role("link", name=branch.name, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{branch.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(branch.name)
    expect(page.locator(".breadcrumb .active")).to_have_text(branch.name)
    expect(page.locator(".nav-tabs .nav-link.active")).to_have_text(re.compile("Details|详情"))
    # Departments it is built on, its committee terms and its current committee.
    dept_links = page.locator("#dept-links")
    for name in departments:
        expect(dept_links.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(rf"Term {term.number}|第\s*{term.number}\s*届"))
    ).to_be_visible()
    expect(page.get_by_role("link", name=secretary.name, exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name=main["general"].name, exact=True)).to_be_visible()  # parent

    # The history tab opens and shows the record's creation.
    page.locator(".nav-tabs").get_by_role("link", name=re.compile("History|变更记录")).click()
    expect(page).to_have_url(f"{live_server.url}{branch.get_absolute_url()}history/")
    expect(page.locator(".nav-tabs .nav-link.active")).to_have_text(re.compile("History|变更记录"))
    first_entry = page.locator("table tbody tr").first
    expect(first_entry).to_contain_text(branch.name)
    # Only the record's own fields: no reverse relations ("people.Transfer.None"), no tree bookkeeping.
    expect(first_entry).not_to_contain_text(".None")
    expect(first_entry).not_to_contain_text("numchild")

    # Back through the Details tab, then into one of its departments, which links back to the branch.
    page.locator(".nav-tabs").get_by_role("link", name=re.compile("Details|详情")).click()
    expect(page).to_have_url(f"{live_server.url}{branch.get_absolute_url()}")
    page.locator("#dept-links").get_by_role("link", name=departments[0], exact=True).click()
    expect(page.locator("h1")).to_contain_text(departments[0])
    expect(page.get_by_role("link", name=branch.name, exact=True)).to_be_visible()

    # The breadcrumb leads to the list of Party organisations, which contains the branch.
    page.go_back()
    page.locator(".breadcrumb a").first.click()
    expect(page).to_have_url(re.compile(r"/organization/party-organizations/$"))
    expect(page.locator("#results").get_by_role("link", name=branch.name, exact=True)).to_be_visible()
