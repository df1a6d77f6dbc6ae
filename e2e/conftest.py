"""Browser-test fixtures: the pip `playwright` sync API driving Debian's /usr/bin/chromium.

Playwright's own browser download cannot work on our machines, so we launch the system chromium.
Every test in e2e/ is marked `e2e`. Use `live_server.url` for the address of the app under test;
pytest-django's live server also serves static files (STATICFILES_DIRS included), so run
`make static` first.

Fixtures: `browser` (session), `page` (desktop 1280x800) and `phone_page` (375x740), each page in
a fresh context with locale zh-CN and time zone Asia/Shanghai. A failing test that used a page
leaves a screenshot in test-results/.
`demo` builds the demo hospital (core.demo builders, users with DEMO_PASSWORD) in the test database
and returns its DemoContext — on SQLite built once and copied back for each later test (the builders
take seconds; a page copy of the database, milliseconds); `log_in(page, username, password)` logs in through the real form.
Passwords are hashed with MD5 here, as in hongqing/conftest.py (PBKDF2 would cost seconds per user).
"""

import copy
import dataclasses
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the main thread, so Django would refuse ORM
# calls made by the test itself (SynchronousOnlyOperation). The test is still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
DEFAULT_TIMEOUT_MS = 15_000

E2E_DIR = Path(__file__).resolve().parent
RESULTS_DIR = E2E_DIR.parent / "test-results"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def pytest_configure(config):
    # WhiteNoise warns when STATIC_ROOT (filled by collectstatic) is absent, which it is in tests.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning:django.core.handlers.base")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(item.path).resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        message = (
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium fonts-noto-cjk)"
        )
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


def _open_page(request, browser, viewport) -> Iterator:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "_report_call", None)
        if report is not None and report.failed and not page.is_closed():
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
            try:
                page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
            except Exception as exc:  # the screenshot must never hide the real failure
                print(f"screenshot failed: {exc}")
        context.close()


@pytest.fixture
def page(request, browser):
    """A desktop page (1280x800) in its own browser context."""
    yield from _open_page(request, browser, DESKTOP)


@pytest.fixture
def phone_page(request, browser):
    """A phone-sized page (375x740) in its own browser context."""
    yield from _open_page(request, browser, PHONE)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_demo_snapshot: dict = {}  # on SQLite: "db", a copy of the database just after the demo was built; "ctx"


@pytest.fixture
def demo(live_server):
    """The demo hospital in the live server's database for this test: built by the first test that asks,
    then (SQLite) the database copied back as it was just after that build, caches emptied."""
    from django.core.cache import caches
    from django.db import connection

    from hongqing.core import demo as core_demo

    if connection.vendor != "sqlite":
        return core_demo.run(core_demo.make_context())
    connection.ensure_connection()
    if "db" not in _demo_snapshot:
        ctx = core_demo.run(core_demo.make_context())
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _demo_snapshot.update(db=snapshot, ctx=ctx, data=copy.deepcopy(ctx.data))
        return ctx
    _demo_snapshot["db"].backup(connection.connection)
    for cache in caches.all():
        cache.clear()
    return dataclasses.replace(_demo_snapshot["ctx"], data=copy.deepcopy(_demo_snapshot["data"]))


@pytest.fixture
def log_in(live_server):
    """``log_in(page, username, password)``: type the credentials into the login form and submit."""

    def _log_in(page, username, password):
        from playwright.sync_api import expect

        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("form button[type=submit]").click()
        expect(page.locator("#hq-user-menu")).to_be_visible()
        return page

    return _log_in
