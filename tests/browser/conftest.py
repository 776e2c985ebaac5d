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
def browser_page(allow_database_calls_beside_playwright):
    """A fresh page in headless Chromium, 1280x900, in English."""
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
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
        )
        # Long enough for a cold first request (Wagtail's admin, the PDF's extraction).
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            yield page
        finally:
            # While Playwright's loop runs, Django keeps this thread's connections per
            # context: close the test's own here, or it outlives the test and PostgreSQL
            # refuses to drop the test database.
            connections.close_all()
            context.close()
            browser.close()
