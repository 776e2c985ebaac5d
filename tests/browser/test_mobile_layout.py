"""On a phone (390×844), the header is compact and the first search result is on screen.

The language list and the search filters sit behind buttons there (js/disclosures.js); on a
wide screen both are shown as they are.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_browser_page
from tests.browser.journeys import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
SEARCHES = [("en", "mask"), ("ko", "방역"), ("es", "mask"), ("ar", "mask")]


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_on_a_phone_the_first_result_is_above_the_fold(seeded_site, chromium_browser, live_server):
    # One site for the four languages: loading it is most of the test's time.
    for language, query in SEARCHES:
        _phone_search(chromium_browser, live_server.url, language, query)


def _phone_search(browser, base_url: str, language: str, query: str) -> None:
    page = new_browser_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{base_url}/{language}/search/?q={query}")
        header = _box(page, ".site-header")
        assert header["height"] <= 120, header
        first_title = _box(page, ".search-hits .search-hit__title")
        assert first_title["y"] + first_title["height"] <= PHONE["height"], first_title
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The filters wait behind their button, which sits under the result count.
        filters = page.locator(".search-filters")
        expect(filters).not_to_have_attribute("open", "")
        button = page.locator(".search-filters > summary")
        expect(button).to_be_visible()
        assert _box(page, ".search-summary")["y"] < button.bounding_box()["y"]
        assert button.bounding_box()["y"] < first_title["y"]
        expect(page.locator(".search-facets")).to_be_hidden()
        button.click()
        expect(page.locator(".search-facets")).to_be_visible()

        # One language button instead of seven; it opens the list.
        languages = page.locator(".language-switcher ul")
        expect(languages).to_be_hidden()
        page.locator(".language-menu > summary").click()
        expect(languages).to_be_visible()
        expect(languages.get_by_role("link")).to_have_count(7)
        screenshot(page, f"mobile-search-{language}")
    finally:
        page.context.close()


def test_on_a_wide_screen_filters_and_languages_are_shown_without_buttons(
    seeded_site, browser_page, live_server
):
    browser_page.goto(f"{live_server.url}/en/search/?q=mask")
    expect(browser_page.locator(".search-facets")).to_be_visible()
    expect(browser_page.locator(".search-filters > summary")).to_be_hidden()
    expect(browser_page.locator(".language-switcher ul")).to_be_visible()
    expect(browser_page.locator(".language-menu > summary")).to_be_hidden()
    # The filters stand beside the results, not above them.
    facets = browser_page.locator(".search-facets").bounding_box()
    first = browser_page.locator(".search-hits .search-hit").first.bounding_box()
    assert first["y"] < facets["y"] + facets["height"]
    assert first["x"] > facets["x"] + facets["width"] - 1
