"""A new practice goes from Wagtail's page editor to the public search page, in a browser.

Editors write and submit for moderation; only moderators publish (editorial/roles.py).
So: a Seoul editor logs in, adds a practice in Wagtail's own editor and submits it; it is not
searchable yet; a moderator approves and publishes it from the dashboard; a visitor then
finds it on /en/search/ by a word that nothing else on the site contains.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from wagtail.models import Locale

from editorial.roles import EDITORS, MODERATORS
from knowledge.models import PracticeIndexPage, PracticePage, TopicArea
from tests.browser.conftest import new_browser_page
from tests.browser.journeys import Stopwatch, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

User = get_user_model()
EDITOR_PASSWORD = "editor-pass-2020"  # noqa: S105
MODERATOR_PASSWORD = "moderator-pass-2020"  # noqa: S105
UNIQUE_WORD = "Quillowbrook"
TITLE = "Quillowbrook night-bus disinfection rota"
SUMMARY = f"Buses on the {UNIQUE_WORD} routes were disinfected between every night run."


@pytest.fixture
def editor(seeded_site):
    from django.contrib.auth.models import Group

    user = User.objects.create_user("editor", "editor@example.org", EDITOR_PASSWORD)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def moderator(seeded_site):
    from django.contrib.auth.models import Group

    user = User.objects.create_user("moderator", "moderator@example.org", MODERATOR_PASSWORD)
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def search_count(page: Page, base_url: str, query: str) -> int:
    page.goto(f"{base_url}/en/search/")
    page.get_by_label("Search practices, sessions and summaries").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    summary = page.locator(".search-summary")
    expect(summary).to_be_visible()
    return int(re.search(r"\d+", summary.inner_text()).group(0))


def test_editor_writes_a_practice_a_moderator_publishes_it_and_search_finds_it(
    tasks_in_process, seeded_site, editor, moderator, chromium_browser, live_server
):
    base_url = live_server.url
    index = PracticeIndexPage.objects.get(locale=Locale.get_default())
    topic = TopicArea.objects.get(slug="public-transportation", locale=Locale.get_default())
    watch = Stopwatch("Editor publishes")

    # 1. The editor opens the practices in the page explorer and adds one.
    page = new_browser_page(chromium_browser)
    log_in(page, base_url, "editor", EDITOR_PASSWORD)
    page.goto(f"{base_url}/admin/pages/{index.pk}/")
    page.get_by_role("link", name="Add child page").first.click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/add/knowledge/practicepage/{index.pk}/$"))
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill(SUMMARY)
    page.locator("#id_kind").select_option("countermeasure")
    page.get_by_label(topic.name, exact=True).check()
    # An editor cannot publish: the editor offers submitting to the moderators instead.
    expect(page.get_by_role("button", name="Publish", exact=True)).to_have_count(0)
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=re.compile(r"^Submit to Moderation")).click()
    expect(page.locator(".messages")).to_contain_text("submitted for moderation")
    practice = PracticePage.objects.get(title=TITLE)
    assert not practice.live
    assert practice.workflow_in_progress
    watch.lap("editor writes and submits")
    page.context.close()

    # Drafts never leak: the visitor's search does not find it yet.
    visitor = new_browser_page(chromium_browser)
    assert search_count(visitor, base_url, UNIQUE_WORD) == 0

    # 2. A moderator finds it awaiting review and approves it, which publishes it.
    page = new_browser_page(chromium_browser)
    log_in(page, base_url, "moderator", MODERATOR_PASSWORD)
    review_row = page.locator("#awaiting-review-content tr", has_text=TITLE)
    expect(review_row).to_contain_text("editor")
    review_row.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{practice.pk}/edit/$"))
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"'{TITLE}' has been updated")
    practice.refresh_from_db()
    assert practice.live
    watch.lap("moderator approves")
    page.context.close()

    # 3. The visitor's search now finds it, once, and it opens.
    assert search_count(visitor, base_url, UNIQUE_WORD) == 1
    hit = visitor.locator(".search-hit", has_text=TITLE)
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_have_text(UNIQUE_WORD)
    watch.lap("visitor searches")
    screenshot(visitor.locator(".search-layout"), "editor-published-search")
    hit.get_by_role("link", name=TITLE).click()
    expect(visitor).to_have_url(re.compile(rf"/en/practices/{practice.slug}/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    visitor.context.close()
    watch.report()
