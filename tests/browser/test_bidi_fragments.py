"""Arabic pages in a real browser: every fragment in another language is marked as such.

A run of Latin letters on an Arabic page (an English title, a city name as the index holds
it, a query) must sit inside an element that names its language (`lang`) or isolates its
direction (`<bdi>`, `dir`). Unmarked, a screen reader speaks it with Arabic rules and the
bidi algorithm moves its punctuation to the wrong end (".A recovery plan…").
"""

from __future__ import annotations

import pytest

from tests.browser.journeys import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARABIC_PAGES = [
    "/ar/",
    "/ar/search/?q=screening",
    "/ar/search/?q=zzzqqq",  # nothing found: the query is echoed
    "/ar/practices/",
    "/ar/practices/drive-through-screening-clinics/",  # not translated: read in Arabic
    "/ar/topics/",
    "/ar/topics/quarantine/",
    "/ar/cities/",  # the table, and the names on the world map
    "/ar/cities/seoul/",
    "/ar/summit-2020/",
    "/ar/summit-2020/world-mayors-summit/",
    "/ar/open-data/",
    "/ar/open-data/dictionary/",
]

# Latin text nodes (with no Arabic in them) whose nearest language is the page's and that
# nothing isolates.
UNMARKED_LATIN = """() => {
    const unmarked = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        // An Arabic sentence may hold an acronym (CSV, UTC): the translation's own choice.
        if (!/[A-Za-z]{2,}/.test(text) || /[\u0600-\u06ff]/.test(text)) continue;
        let element = node.parentElement;
        if (element.closest("script, style, [aria-hidden=true], [hidden]")) continue;
        let marked = false;
        for (; element && element !== document.documentElement; element = element.parentElement) {
            if (element.tagName === "BDI" || element.hasAttribute("dir")) { marked = true; break; }
            if (element.hasAttribute("lang")) {
                marked = !element.getAttribute("lang").startsWith("ar");
                break;
            }
        }
        if (!marked) unmarked.push(text.slice(0, 60));
    }
    return unmarked;
}"""


def test_arabic_pages_mark_every_fragment_in_another_language(
    seeded_site, browser_page, live_server
):
    found = {}
    for path in ARABIC_PAGES:
        response = browser_page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert browser_page.locator("html").get_attribute("dir") == "rtl"
        unmarked = browser_page.evaluate(UNMARKED_LATIN)
        if unmarked:
            found[path] = unmarked
    screenshot(browser_page, "arabic-session-page")
    assert not found, f"unmarked Latin text on Arabic pages: {found}"
