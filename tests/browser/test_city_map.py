"""The cities' world map in a browser: every request stays on the site, and a keyboard and a
screen reader reach each city."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOCUS_YELLOW = "rgb(255, 191, 0)"


def test_the_map_loads_only_from_the_site_and_works_by_keyboard(
    browser_page, live_server, seeded_site
):
    page = browser_page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    outline = []
    page.on(
        "response",
        lambda response: (
            outline.append(response.status) if response.url.endswith("world-map.svg") else None
        ),
    )
    page.goto(f"{live_server.url}/en/cities/")
    page.wait_for_load_state("networkidle")

    assert requested and all(url.startswith(live_server.url) for url in requested), requested
    assert outline == [200]
    # What a screen reader meets: a named group of named links, one per city on the map.
    world_map = page.get_by_role("group", name=re.compile(r"World map of \d+ cities"))
    links = world_map.get_by_role("link")
    assert links.count() >= 2
    first_name = links.first.get_attribute("aria-label")
    expect(page.get_by_role("link", name=first_name, exact=True)).to_have_count(1)
    assert re.fullmatch(r".+, .+: \d+ practices?(, \d+ summit sessions?)?", first_name)

    # Tab reaches the "skip the map" link, then the first city, whose point turns yellow and
    # whose name shows.
    page.get_by_role("heading", name="Map", exact=True).click()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('skip-map')"):
            break
    expect(page.get_by_role("link", name="Skip the map", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.locator(".city-point:focus")
    assert focused.get_attribute("aria-label") == first_name
    fill = focused.locator("circle").evaluate("circle => getComputedStyle(circle).fill")
    assert fill == FOCUS_YELLOW
    expect(focused.locator("text")).to_be_visible()
    href = focused.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{href}")


def test_skipping_the_map_lands_on_the_table(browser_page, live_server, seeded_site):
    page = browser_page
    page.goto(f"{live_server.url}/en/cities/")
    page.locator(".skip-map").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/en/cities/#city-table")
    # The next Tab goes on from the table (the region itself, or its first link), not the map.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#city-table') !== null")
