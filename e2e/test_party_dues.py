"""The dues book on a phone: a secretary marks a member's month paid and the cell turns green in place."""

import re

from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD


def test_secretary_marks_dues_paid_on_a_phone(live_server, phone_page, demo, log_in):
    page = phone_page
    log_in(page, "secretary", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/party/dues/book/")
    expect(page.locator("h1")).to_have_text(re.compile("党费台账"))
    book = page.locator(".dues-book")
    expect(book.locator("tbody tr").first).to_be_visible()
    # Members behind are flagged (the demo has one 3 and one 6 months behind in this branch).
    expect(page.locator('#dues-alerts [data-alert="6"]')).to_be_visible()

    # The page does not scroll sideways; the table does, inside its box, with the names in view.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert book.evaluate("el => el.scrollWidth > el.clientWidth")
    name = book.locator("tbody tr th.dues-name").first
    left_before = name.bounding_box()["x"]
    book.evaluate("el => { el.scrollLeft = el.scrollWidth }")
    page.wait_for_timeout(100)
    assert abs(name.bounding_box()["x"] - left_before) < 2  # sticky

    button = book.locator("td.dues-current button.dues-pay").first
    membership, month = button.get_attribute("value").split("-")
    cell = page.locator(f'#dues-row-{membership} td[data-month="{month}"]')
    expect(cell).to_have_class(re.compile(r"\bdues-unpaid\b"))
    page.evaluate("window.hqNoReload = true")
    button.scroll_into_view_if_needed()
    with page.expect_response(lambda r: "/party/dues/book/pay/" in r.url and r.request.method == "POST"):
        button.click()
    expect(cell).to_have_class(re.compile(r"\bdues-paid\b"))
    expect(cell.locator("button")).to_have_count(0)
    assert page.evaluate("window.hqNoReload") is True  # swapped in place, not reloaded
    red, green, blue = (
        int(v) for v in re.findall(r"\d+", cell.evaluate("el => getComputedStyle(el).backgroundColor"))[:3]
    )
    assert green > red and green > blue  # green

    from hongqing.party.models import DuesPayment

    payment = DuesPayment.objects.get(membership_id=int(membership), month=int(month), kind="regular")
    assert payment.created_by.username == "secretary"
