"""The rapporteur's journey once in a real browser: Chromium, driven by Playwright.

A rapporteur logs in, writes the summary of their session with the slides attached and
sends it to the moderators; a moderator approves it in Wagtail's own screens; anyone then
finds the phrase from the slides on the public search page. Each step asserts what the
person sees. With CAC_SCREENSHOT_DIR set, the steps are saved there as numbered PNGs with
the timings in timings.json (docs/screenshots/rapporteur-journey holds a run).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from wagtail.models import Locale

from editorial.roles import assign_rapporteur, ensure_editorial_roles
from knowledge.models import SessionPage, SessionSummaryPage
from tests.documents import files

# The live server's requests commit, as in production: publishing's after-commit work
# (text extraction, emails, the index drain) runs as it would for a real user.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

User = get_user_model()
# A phrase found nowhere else on the site: only the PDF's text can bring the summary up.
PDF_PHRASE = "Marbleglass chalkboard almanac"
RAPPORTEUR_PASSWORD = "guest-pass-2020"  # noqa: S105
MODERATOR_PASSWORD = "moderator-pass-2020"  # noqa: S105


@pytest.fixture
def roles(summit):
    return ensure_editorial_roles()


@pytest.fixture
def education(roles):
    return SessionPage.objects.get(slug="education", locale=Locale.get_default())


@pytest.fixture
def rapporteur(education):
    user = User.objects.create_user(
        "rapporteur", email="rapporteur@example.org", password=RAPPORTEUR_PASSWORD
    )
    assign_rapporteur(user, education)
    return user


@pytest.fixture
def moderator(roles):
    user = User.objects.create_user(
        "moderator", email="moderator@example.org", password=MODERATOR_PASSWORD
    )
    user.groups.add(roles.moderators)
    return user


@pytest.fixture
def slides_pdf(tmp_path) -> Path:
    path = tmp_path / "education-slides.pdf"
    path.write_bytes(files.pdf_with_text("Education session slides", PDF_PHRASE))
    return path


class Journey:
    """The browser, the steps' screenshots and the rapporteur's own effort."""

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url
        shots = os.environ.get("CAC_SCREENSHOT_DIR")
        self.screenshot_dir = Path(shots) if shots else None
        if self.screenshot_dir:
            self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        self.shot_number = 0
        # Time spent taking screenshots, left out of the timings: the person never waits on it.
        self.screenshot_seconds = 0.0
        self.actions = {"fields_typed": 0, "clicks": 0, "files_chosen": 0}
        self.characters_typed = 0
        self.counting = False

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def type(self, locator, text: str) -> None:
        locator.fill(text)
        if self.counting:
            self.actions["fields_typed"] += 1
            self.characters_typed += len(text)

    def click(self, locator) -> None:
        locator.click()
        if self.counting:
            self.actions["clicks"] += 1

    def choose_files(self, locator, *paths: Path) -> None:
        locator.set_input_files([str(path) for path in paths])
        if self.counting:
            self.actions["files_chosen"] += 1

    def screenshot(self, name: str) -> None:
        self.shot_number += 1
        if not self.screenshot_dir:
            return
        started = time.monotonic()
        path = self.screenshot_dir / f"{self.shot_number:02d}-{name}.png"
        # Wagtail's admin scrolls inside its main column, not the document, so full_page
        # alone shows one screenful: grow the window to the tallest scroller for the shot.
        viewport = self.page.viewport_size
        tallest = self.page.evaluate(
            "() => Math.max(...Array.from(document.querySelectorAll('body, body *'),"
            " (element) => element.scrollHeight))"
        )
        self.page.set_viewport_size(
            {"width": viewport["width"], "height": min(max(tallest, viewport["height"]), 8000)}
        )
        # Animations finished: Wagtail's messages slide in.
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        self.page.set_viewport_size(viewport)
        self.screenshot_seconds += time.monotonic() - started

    def seconds_since(self, started: float) -> float:
        """Wall-clock seconds since `started`, less the screenshots taken meanwhile."""
        return time.monotonic() - started - self.screenshot_seconds

    def search(self, phrase: str) -> None:
        # As a visitor does it: the search page's own box.
        self.open("/en/search/")
        self.page.get_by_label("Search practices, sessions and summaries").fill(phrase)
        self.page.get_by_role("button", name="Search", exact=True).click()
        expect(self.page.locator(".search-summary")).to_be_visible()

    def report(self, **seconds: float) -> None:
        timings = {name: round(value, 1) for name, value in seconds.items()}
        timings["rapporteur_actions"] = {**self.actions, "total": sum(self.actions.values())}
        timings["rapporteur_characters_typed"] = self.characters_typed
        print("\nRapporteur journey timings:", json.dumps(timings))
        if self.screenshot_dir:
            (self.screenshot_dir / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")

    def log_in(self, username: str, password: str, screenshot: str | None = None) -> None:
        self.open("/admin/login/")
        expect(self.page.get_by_label("Username")).to_be_visible()
        self.type(self.page.get_by_label("Username"), username)
        self.type(self.page.get_by_label("Password"), password)
        if screenshot:
            self.screenshot(screenshot)
        self.click(self.page.get_by_role("button", name="Sign in"))

    def log_out(self) -> None:
        # Wagtail's sidebar: the account menu at the foot holds "Log out" (a POST form).
        self.page.locator("[data-wagtail-sidebar] .sidebar-footer__account").click()
        self.page.get_by_role("button", name="Log out").click()
        expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()


def test_rapporteur_goes_from_login_to_a_published_searchable_summary_in_the_browser(
    tasks_in_process, browser_page, live_server, rapporteur, moderator, education, slides_pdf
):
    # tasks_in_process comes first: the seeded summit's indexing then runs here too, rather
    # than queueing on a broker that no worker reads (with CELERY_BROKER_URL set).
    page = browser_page
    journey = Journey(page, live_server.url)
    journey_started = time.monotonic()

    # 1. The rapporteur logs in and lands on "My sessions", their session not started.
    journey.counting = True
    journey.log_in("rapporteur", RAPPORTEUR_PASSWORD, screenshot="login")
    expect(page).to_have_url(re.compile(r"/admin/my-sessions/$"))
    sessions_table = page.locator("table#my-sessions")
    row = sessions_table.locator(f"tr[data-session='{education.pk}']")
    expect(row).to_contain_text(education.title)
    expect(row).to_contain_text("Not started")
    expect(sessions_table.locator("tbody tr")).to_have_count(1)
    journey.screenshot("my-sessions")

    # 2. The guided form.
    journey.click(row.get_by_role("link", name="Write the summary"))
    expect(page).to_have_url(re.compile(rf"/admin/my-sessions/{education.pk}/summary/$"))
    form = page.locator("form#summary-form")
    expect(form.locator("[name=title]")).not_to_have_value("")
    journey.type(
        form.locator("[name=key_messages]"),
        "Schools reopened in stages\nOnline classes reached every pupil",
    )
    journey.type(form.locator("[name=recommendations]"), "Keep a device loan scheme ready")
    journey.type(form.locator("[name='quotes-0-text']"), "No pupil was left offline.")
    journey.type(form.locator("[name='quotes-0-speaker']"), "A Seoul teacher")
    journey.type(
        form.locator("[name=full_summary]"),
        "The session compared school reopening plans.\n\nCities shared their data.",
    )
    journey.choose_files(form.locator("input[name=new_files]"), slides_pdf)
    journey.screenshot("summary-form")

    # 3. Sent to the moderators: back on "My sessions", in moderation.
    journey.click(form.get_by_role("button", name="Submit for moderation"))
    expect(page).to_have_url(re.compile(r"/admin/my-sessions/$"))
    expect(page.get_by_text("was sent to the moderators")).to_be_visible()
    row = page.locator(f"table#my-sessions tr[data-session='{education.pk}']")
    expect(row).to_contain_text("In moderation")
    rapporteur_seconds = journey.seconds_since(journey_started)
    journey.counting = False
    journey.screenshot("submitted")
    summary = SessionSummaryPage.objects.child_of(education).get()
    assert not summary.live

    # Not public yet: the search page does not bring it up.
    journey.log_out()
    journey.search(PDF_PHRASE)
    expect(page.locator(".search-summary")).to_contain_text("0 results")
    expect(page.get_by_role("link", name=summary.title)).to_have_count(0)

    # 4. A moderator finds it on the dashboard, reads it in Wagtail's editor and approves.
    journey.log_in("moderator", MODERATOR_PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    review_row = page.locator("#awaiting-review-content tr", has_text=summary.title)
    expect(review_row).to_contain_text("rapporteur")
    journey.screenshot("moderator-dashboard")
    review_row.get_by_role("link", name=summary.title).click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{summary.pk}/edit/$"))
    expect(page.locator("#main")).to_contain_text("No pupil was left offline.")
    journey.screenshot("moderator-review")
    page.locator("footer").get_by_role("button", name="More actions").click()
    # The menu's items are mounted outside the footer (by its popup library). The moderators'
    # task is the workflow's last, so Wagtail labels its "Approve" "Approve and Publish".
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    # Wagtail confirms a workflow action with its generic "has been updated".
    expect(page.locator(".messages")).to_contain_text(f"'{summary.title}' has been updated")
    journey.screenshot("approved")
    summary.refresh_from_db()
    assert summary.live
    journey.log_out()

    # 5. Anyone finds the PDF's phrase on the search page; the hit is the summary.
    journey.search(PDF_PHRASE)
    hit = page.locator(".search-hit", has_text=summary.title)
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_have_text("Marbleglass")
    journey.screenshot("published-search")
    hit.get_by_role("link", name=summary.title).click()
    expect(page).to_have_url(re.compile(r"/en/summit-2020/education/summary/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(summary.title)
    expect(page.locator(".key-messages")).to_contain_text("Online classes reached every pupil")
    expect(page.locator(".recommendations")).to_contain_text("Keep a device loan scheme ready")
    expect(page.locator("#main")).to_contain_text("A Seoul teacher")
    slides_link = page.locator(".attachment-list a")
    expect(slides_link).to_have_count(1)
    expect(page.locator(".attachment-list")).to_contain_text("PDF")
    journey.screenshot("published-summary")
    # The slides link serves the PDF itself to the public.
    slides = page.request.get(live_server.url + slides_link.get_attribute("href"))
    assert slides.ok
    assert slides.body() == slides_pdf.read_bytes()

    # 6. The session's own page shows the summary.
    page.get_by_role("link", name=education.title).first.click()
    expect(page).to_have_url(re.compile(r"/en/summit-2020/education/$"))
    session_summary = page.locator("section.session-summary")
    expect(session_summary).to_contain_text("Schools reopened in stages")
    expect(session_summary.locator(".attachment-list a")).to_have_count(1)
    journey.screenshot("session-page")
    journey_seconds = journey.seconds_since(journey_started)

    journey.report(rapporteur_seconds=rapporteur_seconds, journey_seconds=journey_seconds)
