"""Proves the browser pipeline: Debian chromium, pytest-django's live server, vendored static files."""

import re
from urllib.parse import urljoin

VENDOR_FILES = [
    "bootstrap/bootstrap.bundle.min.js",
    "htmx/htmx.min.js",
    "echarts/echarts.min.js",
    "bootstrap-icons/bootstrap-icons.min.css",
]


def test_vendored_static_files_are_served(live_server, page):
    css_url = f"{live_server.url}/static/vendor/bootstrap/bootstrap.min.css"
    response = page.goto(css_url)
    assert response is not None
    assert response.status == 200, f"{css_url} -> {response.status}; run `make static`"

    for path in VENDOR_FILES:
        url = f"{live_server.url}/static/vendor/{path}"
        assert page.request.get(url).status == 200, f"{url} not served; run `make static`"

    # The icon fonts sit where bootstrap-icons.min.css looks for them (url("fonts/...") beside it).
    icons_url = f"{live_server.url}/static/vendor/bootstrap-icons/bootstrap-icons.min.css"
    font_refs = re.findall(r'url\("([^"]+)"\)', page.request.get(icons_url).text())
    assert font_refs, "no font url() found in bootstrap-icons.min.css"
    for ref in font_refs:
        font_url = urljoin(icons_url, ref)
        assert page.request.get(font_url).status == 200, f"{font_url} not served"
