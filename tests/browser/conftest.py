"""A real browser for the journey tests: Playwright driving Debian's Chromium.

Playwright's sync API runs an event loop in the test's thread, and Django refuses database
work from a thread with a running loop; these tests (and only these) allow it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.services import service_missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = "needs Chromium at /usr/bin/chromium (apt install chromium)"


@pytest.fixture
def allow_database_calls_beside_playwright():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def chromium_browser(allow_database_calls_beside_playwright):
    """Headless Chromium, for tests that open their own contexts (a time zone, a locale)."""
    if not CHROMIUM.exists():
        service_missing(CHROMIUM_MISSING)
    from django.db import connections
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
            )
        except PlaywrightError as error:
            service_missing(f"{CHROMIUM_MISSING}: it did not start: {error}")
        try:
            yield browser
        finally:
            # While Playwright's loop runs, Django keeps this thread's connections per
            # context: close the test's own here, or it outlives the test and PostgreSQL
            # refuses to drop the test database.
            connections.close_all()
            browser.close()


def new_browser_page(browser, **context_options):
    """A page in a fresh context: 1280x900, English unless told otherwise."""
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", **context_options}
    context = browser.new_context(**options)
    # Long enough for a cold first request (Wagtail's admin, the PDF's extraction).
    context.set_default_timeout(20_000)
    return context.new_page()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh page in headless Chromium, 1280x900, in English."""
    page = new_browser_page(chromium_browser)
    try:
        yield page
    finally:
        page.context.close()


@pytest.fixture
def seeded_site(tasks_in_process, transactional_db):
    """The demo site `make run` serves: summit, demo practices, editorial roles, indexed."""
    from django.core.management import call_command

    from editorial.roles import ensure_editorial_roles

    call_command("load_summit_2020", verbosity=0)
    call_command("load_demo_practices", verbosity=0)
    ensure_editorial_roles()
    call_command("search_rebuild", verbosity=0)


def pytest_collection_modifyitems(config, items):
    # A journey's outcome does not depend on the database: CI drives the browser once, in the
    # embedded-default pass (.ci/run).
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.database_independent)
