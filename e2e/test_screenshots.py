"""Screenshots of the home page and the persons list at desktop and phone width, for a person to look at.

They are written to test-results/ (git-ignored) on every run: screenshot-<page>-<width>.png.
"""

import pytest
from playwright.sync_api import expect

from hongqing.core.demo import DEMO_PASSWORD

from .conftest import RESULTS_DIR

PAGES = {"home": ("/", "#hq-counts"), "persons": ("/people/persons/", "#results tbody tr")}


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_screenshots_of_home_and_persons_list(request, live_server, demo, log_in, device):
    page = request.getfixturevalue(device)
    log_in(page, "office", DEMO_PASSWORD)
    width = page.viewport_size["width"]
    RESULTS_DIR.mkdir(exist_ok=True)
    for name, (url, ready) in PAGES.items():
        page.goto(f"{live_server.url}{url}")
        expect(page.locator(ready).first).to_be_visible()
        page.evaluate("document.fonts.ready")
        path = RESULTS_DIR / f"screenshot-{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
