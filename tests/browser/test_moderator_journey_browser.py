"""From the dashboard: an editor adds a practice, a moderator approves it, both see where it is.

The editorial desk (editorial/panels.py): "Add practice" straight from the dashboard, the
practice under "In moderation" for both, the moderator's confirmation naming the page, then
"Recently published".
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from editorial.roles import EDITORS, MODERATORS
from knowledge.models import PracticePage
from tests.browser.conftest import new_browser_page
from tests.browser.journeys import Stopwatch, screenshot
from tests.browser.test_editor_publishes_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "desk-pass-2020"  # noqa: S105
TITLE = "Wobblethorn pop-up testing tents"


def _user(name: str, group: str):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    return user


def _panel(page: Page, heading: str):
    return page.locator("section, div.w-panel").filter(
        has=page.get_by_role("heading", name=heading, exact=True)
    )


def test_editor_adds_from_the_dashboard_and_a_moderator_approves_with_a_confirmation(
    tasks_in_process, seeded_site, chromium_browser, live_server
):
    _user("desk-editor", EDITORS)
    _user("desk-moderator", MODERATORS)
    base_url = live_server.url
    watch = Stopwatch("Moderator approves")

    # 1. The editor starts from the dashboard's "Add practice", no tree walking.
    page = new_browser_page(chromium_browser)
    log_in(page, base_url, "desk-editor", PASSWORD)
    page.get_by_role("link", name="Add practice").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/knowledge/practicepage/\d+/$"))
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("Tents that went up in a day where queues formed.")
    page.locator("#id_kind").select_option("countermeasure")
    page.get_by_label("Quarantine & Public Health", exact=True).check()
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=re.compile(r"^Submit to Moderation")).click()
    expect(page.locator(".messages")).to_contain_text("submitted for moderation")
    page.goto(f"{base_url}/admin/")
    expect(_panel(page, "In moderation").get_by_role("link", name=TITLE)).to_be_visible()
    screenshot(page, "editor-dashboard")
    watch.lap("editor adds and submits")
    page.context.close()

    # 2. The moderator finds it under "In moderation", approves, and is told what happened.
    page = new_browser_page(chromium_browser)
    log_in(page, base_url, "desk-moderator", PASSWORD)
    _panel(page, "In moderation").get_by_role("link", name=TITLE).click()
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        f"You approved '{TITLE}'. It is now published."
    )
    screenshot(page, "moderator-approved")
    assert PracticePage.objects.get(title=TITLE).live
    page.goto(f"{base_url}/admin/")
    expect(_panel(page, "Recently published").get_by_role("link", name=TITLE)).to_be_visible()
    expect(_panel(page, "In moderation").get_by_role("link", name=TITLE)).to_have_count(0)
    watch.lap("moderator approves")
    page.context.close()
    watch.report()
