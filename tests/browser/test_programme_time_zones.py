"""The summit programme, seen from New York and from Paris: each session in the visitor's time.

The server writes KST and UTC; local-times.js adds "Your time: …" in the browser's own zone.
The browser is given its zone (Playwright's timezone_id), and the expected local times are
worked out here with zoneinfo from the session's stored start and end.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from knowledge.models import SessionPage, SummitPage
from knowledge.models.summit import programme_days
from knowledge.session_times import SEOUL
from tests.browser.conftest import new_browser_page
from tests.browser.journeys import Stopwatch, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def summit() -> SummitPage:
    return SummitPage.objects.get(slug="summit-2020")


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Paris"])
def test_programme_shows_the_visitors_local_time(zone, seeded_site, chromium_browser, live_server):
    session = programme_days(summit())[0].sessions[0]
    local = ZoneInfo(zone)
    start, end = session.start.astimezone(local), session.end.astimezone(local)
    start_kst = session.start.astimezone(SEOUL)
    watch = Stopwatch(f"Programme from {zone}")

    page = new_browser_page(chromium_browser, timezone_id=zone)
    try:
        page.goto(f"{live_server.url}/en/summit-2020/")
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == zone
        times = page.locator(".programme .session-times").first
        # The first entry is the first session, its KST time as stored.
        expect(page.locator(".programme .session__title").first).to_have_text(session.title)
        expect(times.locator(".session-times__kst")).to_contain_text(
            f"{start_kst:%H:%M}–{session.end.astimezone(SEOUL):%H:%M} KST"
        )
        local_time = times.locator("[data-local-time-output]")
        expect(local_time).to_be_visible()
        watch.lap("programme shown with local times")
        text = local_time.inner_text()
        print(f"\n{zone}: {session.title} at {start_kst:%Y-%m-%d %H:%M} KST -> {text!r}")
        assert text.startswith(f"Your time: {start:%H:%M}–{end:%H:%M}")
        # The day is named only when the session falls on another day there than in Seoul.
        assert ("(" in text) == (start.date() != start_kst.date())
        # Every session on the page carries a local time, not just the first.
        total = page.locator(".programme .session-times").count()
        assert total == SessionPage.objects.child_of(summit()).live().count()
        expect(page.locator(".programme [data-local-time-output]:visible")).to_have_count(total)
        shot = f"programme-{zone.replace('/', '-').lower()}"
        screenshot(page.locator(".programme-day").first, shot)
    finally:
        page.context.close()
    watch.report()


def test_a_visitor_in_seoul_reads_kst_and_no_second_local_time(
    seeded_site, chromium_browser, live_server
):
    page = new_browser_page(chromium_browser, timezone_id="Asia/Seoul")
    try:
        page.goto(f"{live_server.url}/en/summit-2020/")
        expect(page.locator(".programme .session-times__kst").first).to_be_visible()
        page.wait_for_load_state("load")
        expect(page.locator(".programme [data-local-time-output]:visible")).to_have_count(0)
    finally:
        page.context.close()
