"""A city representative's journey in Chromium: from the public request to a published
practice that says "Shared by <city>".

An official asks for an account on "Share your city's practice", opens the link e-mailed
to their official address, a moderator approves them, they choose a password through the
welcome e-mail's link, write a practice in the guided form and submit it; the moderator sees
who vouched for them in Wagtail's editor and publishes it. With CAC_SCREENSHOT_DIR set, each
step is saved there (docs/screenshots/representative-journey holds a run).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from editorial.roles import ensure_editorial_roles
from knowledge.models import PracticePage, TopicArea
from tests.browser.journeys import Stopwatch
from tests.browser.test_rapporteur_journey_browser import Journey

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

User = get_user_model()
MODERATOR_PASSWORD = "moderator-pass-2020"  # noqa: S105
REPRESENTATIVE_PASSWORD = "Recife-share-2020!"  # noqa: S105
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def roles(site_structure):
    return ensure_editorial_roles()


@pytest.fixture
def moderator(roles):
    user = User.objects.create_user(
        "moderator",
        email="moderator@example.org",
        password=MODERATOR_PASSWORD,
        first_name="Mo",
        last_name="Moderata",
    )
    user.groups.add(roles.moderators)
    return user


@pytest.fixture
def topic(roles):
    return TopicArea.objects.create(name="Vaccination", slug="vaccination")


def emailed_path(live_server, email) -> str:
    [link] = LINK.findall(email.body)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_a_representative_goes_from_request_to_a_published_practice_in_the_browser(
    tasks_in_process, browser_page, live_server, moderator, topic, settings
):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    page = browser_page
    journey = Journey(page, live_server.url)
    stopwatch = Stopwatch("Representative journey")

    # 1. From the home page to the request form.
    journey.open("/en/")
    page.get_by_role("link", name="Share your city's practice").first.click()
    expect(page).to_have_url(re.compile(r"/en/share/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Share your city's practice")
    page.get_by_label("Your name").fill("Ana Souza")
    page.get_by_label("Your role").fill("Director of Health Surveillance")
    page.get_by_label("Your official e-mail address").fill("ana.souza@recife.example")
    page.get_by_label("City").fill("Recife")
    page.get_by_label("Country").select_option("BR")
    journey.screenshot("request-form")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    journey.screenshot("request-sent")
    stopwatch.lap("request")

    # 2. The link in the e-mail confirms the address.
    [verification] = mail.outbox
    assert verification.to == ["ana.souza@recife.example"]
    journey.open(emailed_path(live_server, verification))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your address is confirmed")
    journey.screenshot("address-confirmed")
    stopwatch.lap("verification")

    # 3. A moderator approves the request.
    mail.outbox.clear()
    journey.log_in("moderator", MODERATOR_PASSWORD)
    journey.open("/admin/representative-requests/")
    pending = page.locator("#pending-requests")
    expect(pending).to_contain_text("ana.souza@recife.example")
    journey.screenshot("moderator-requests")
    pending.get_by_role("link", name="Ana Souza").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("can now share the practices")
    journey.log_out()
    stopwatch.lap("approval")

    # 4. The welcome e-mail's link: they choose a password and sign in to "My city".
    [welcome] = mail.outbox
    journey.open(emailed_path(live_server, welcome))
    page.locator("input[name=new_password1]").fill(REPRESENTATIVE_PASSWORD)
    page.locator("input[name=new_password2]").fill(REPRESENTATIVE_PASSWORD)
    journey.screenshot("choose-password")
    page.get_by_role(
        "button", name=re.compile("Reset password|Set password|Change password")
    ).click()
    journey.log_in("ana.souza@recife.example", REPRESENTATIVE_PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/my-city/$"))
    expect(page.get_by_role("link", name="Write a new practice of Recife")).to_be_visible()
    journey.screenshot("my-city")
    stopwatch.lap("sign-in")

    # 5. The guided form, submitted for moderation.
    page.get_by_role("link", name="Write a new practice of Recife").click()
    form = page.locator("form#practice-form")
    form.get_by_label("Title").fill("Drive-through vaccination in Recife")
    form.get_by_label("Summary").fill(
        "Cars queued at three sites; nurses vaccinated people in their seats."
    )
    form.get_by_label("Description").fill("Sites opened at 8 am.\n\nEach car took four minutes.")
    form.get_by_label("Vaccination").check()
    form.get_by_label("Status").select_option("ended")
    form.get_by_label("Started").fill("2021-01-19")
    form.get_by_label("Ended").fill("2021-06-30")
    form.get_by_label("Outcome or evidence").fill("About 40,000 doses were given at the sites.")
    form.get_by_label("Source link").fill("https://www2.recife.pe.gov.br/noticias/vacinacao")
    form.get_by_label("Contact name").fill("Ana Souza")
    form.get_by_label("Contact e-mail address").fill("vacina@recife.example")
    journey.screenshot("practice-form")
    form.get_by_role("button", name="Submit for moderation").click()
    expect(page).to_have_url(re.compile(r"/admin/my-city/$"))
    expect(page.locator("#my-practices")).to_contain_text("In moderation")
    journey.screenshot("submitted")
    journey.log_out()
    stopwatch.lap("practice")
    practice = PracticePage.objects.get(title="Drive-through vaccination in Recife")
    assert not practice.live

    # 6. The moderator sees who vouched for it, and publishes it.
    journey.log_in("moderator", MODERATOR_PASSWORD)
    journey.open(f"/admin/pages/{practice.pk}/edit/")
    expect(page.locator(".messages")).to_contain_text("Shared by Recife")
    expect(page.locator(".messages")).to_contain_text("ana.souza@recife.example")
    journey.screenshot("moderator-review")
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("has been updated")
    journey.log_out()
    practice.refresh_from_db()
    assert practice.live
    stopwatch.lap("moderation")

    # 7. The public page: "Shared by Recife", the outcome, no contact address.
    journey.open(practice.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(practice.title)
    expect(page.locator(".shared-by")).to_have_text("Shared by Recife")
    expect(page.locator("#main")).to_contain_text("40,000 doses")
    expect(page.locator("body")).not_to_contain_text("vacina@recife.example")
    journey.screenshot("published-practice")
    stopwatch.report()
