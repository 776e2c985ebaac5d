"""The summary form's "Add another quote" and "Add another city" in Chromium: the new row
appears without a save, takes focus, and is saved with the rest under the site's CSP."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from wagtail.models import Locale

from editorial.roles import assign_rapporteur, ensure_editorial_roles
from knowledge.models import City, SessionPage, SessionSummaryPage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "guest-pass-2020"  # noqa: S105


def test_rapporteur_adds_quote_and_city_rows_without_saving_first(
    tasks_in_process, browser_page, live_server, summit
):
    ensure_editorial_roles()
    education = SessionPage.objects.get(slug="education", locale=Locale.get_default())
    user = get_user_model().objects.create_user("rapporteur", password=PASSWORD)
    assign_rapporteur(user, education)
    page = browser_page
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("rapporteur")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/admin/my-sessions/{education.pk}/summary/")
    form = page.locator("form#summary-form")
    expect(form.locator(".summary-quote")).to_have_count(3)

    form.get_by_role("button", name="Add another quote").click()
    expect(form.locator(".summary-quote")).to_have_count(4)
    new_quote = form.locator("[name='quotes-3-text']")
    expect(new_quote).to_be_focused()
    # The copied row keeps its labels, tied to the new fields.
    expect(form.locator("label[for='id_quotes-3-text']")).to_have_count(1)
    new_quote.fill("Every city learnt from another.")
    form.locator("[name='quotes-3-speaker']").fill("A mayor")
    expect(form.locator("[name='quotes-TOTAL_FORMS']")).to_have_value("4")

    form.get_by_role("button", name="Add another city").click()
    expect(form.locator("[name='new_cities-1-name']")).to_be_focused()
    form.locator("[name='new_cities-0-name']").fill("Helsinki")
    form.locator("[name='new_cities-0-country']").select_option("FI")
    form.locator("[name='new_cities-1-name']").fill("Wellington")
    form.locator("[name='new_cities-1-country']").select_option("NZ")

    form.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert script_errors == []

    summary = SessionSummaryPage.objects.child_of(education).get()
    saved = summary.get_latest_revision_as_object()
    assert [block.value["speaker"] for block in saved.notable_quotes] == ["A mayor"]
    assert {city.slug for city in saved.cities.all()} >= {"helsinki", "wellington"}
    assert City.objects.get(slug="wellington", locale=Locale.get_default()).country.code == "NZ"
