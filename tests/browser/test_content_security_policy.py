"""The public pages and the admin run under their Content-Security-Policy in Chromium with
no violation: nothing the site itself ships is blocked."""

from __future__ import annotations

import pytest
from wagtail.models import Locale

from knowledge.models import PracticePage, SessionPage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _violations(page, url: str, then=None) -> list[str]:
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(url)
    assert response.status < 400, url
    if then:
        then(page)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations") + console


def _type_a_query(page):
    page.fill("#search-q", "clin")
    page.wait_for_timeout(800)  # the suggestions are fetched after a pause in typing


def test_public_pages_and_admin_login_have_no_csp_violations(
    browser_page, live_server, seeded_site
):
    browser_page.add_init_script(RECORD_VIOLATIONS)
    en = Locale.objects.get(language_code="en")
    practice = PracticePage.objects.live().filter(locale=en).first()
    session = SessionPage.objects.live().filter(locale=en).first()
    pages = {
        "/en/": None,
        "/en/search/?q=clinic": _type_a_query,
        "/en/cities/": None,  # the world map's inline SVG and its outline image
        practice.url: None,
        session.url: None,
        "/admin/login/": None,
    }
    found = {
        path: _violations(browser_page, f"{live_server.url}{path}", then)
        for path, then in pages.items()
    }

    assert found == {path: [] for path in pages}


def test_the_admin_editor_works_under_the_admin_policy(
    browser_page, live_server, seeded_site, django_user_model
):
    django_user_model.objects.create_superuser("csp-admin", password="csp-admin-password")
    practice = PracticePage.objects.live().filter(locale__language_code="en").first()
    browser_page.add_init_script(RECORD_VIOLATIONS)
    browser_page.goto(f"{live_server.url}/admin/login/")
    browser_page.fill("#id_username", "csp-admin")
    browser_page.fill("#id_password", "csp-admin-password")
    browser_page.click("button[type=submit]")
    browser_page.wait_for_url(f"{live_server.url}/admin/")

    pages = ["/admin/", f"/admin/pages/{practice.pk}/edit/", "/admin/documents/"]
    found = {path: _violations(browser_page, f"{live_server.url}{path}") for path in pages}

    assert found == {path: [] for path in pages}
    # The editor's rich text field (Draftail) came up.
    browser_page.goto(f"{live_server.url}/admin/pages/{practice.pk}/edit/")
    assert browser_page.locator(".Draftail-Editor").count() > 0
