"""Arabic pages mirror: laid out right to left in a real browser, English ones left to right."""

from __future__ import annotations

import pytest

from home.site_structure import ensure_site_structure

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _layout(page, url: str) -> dict:
    page.goto(url)
    return page.evaluate(
        """() => {
            const box = (selector) => document.querySelector(selector).getBoundingClientRect();
            return {
                direction: getComputedStyle(document.body).direction,
                siteName: box(".site-name").left,
                switcher: box(".language-switcher").left,
                firstNav: box(".site-nav a").left,
                lastNav: box(".site-nav li:last-child a").left,
            };
        }"""
    )


def test_arabic_mirrors_the_header_and_navigation(browser_page, live_server):
    ensure_site_structure()
    arabic = _layout(browser_page, f"{live_server.url}/ar/")
    english = _layout(browser_page, f"{live_server.url}/en/")

    assert english["direction"] == "ltr"
    assert english["siteName"] < english["switcher"]
    assert english["firstNav"] < english["lastNav"]

    assert arabic["direction"] == "rtl"
    # The site name starts on the right, the language switcher sits on the left, and the
    # navigation reads from right to left.
    assert arabic["siteName"] > arabic["switcher"]
    assert arabic["firstNav"] > arabic["lastNav"]
