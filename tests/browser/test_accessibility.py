"""axe-core over the public pages a visitor meets: no serious or critical violation.

axe-core is the npm devDependency in package.json (`npm ci` installs it; `make install`
does so). Each page is loaded in Chromium, axe.min.js is injected and `axe.run()` checks
the rendered page with its default rules (WCAG 2.0/2.1/2.2 A and AA, and best practices).
Moderate and minor findings are printed, and listed in docs/browser-journeys.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import new_browser_page
from tests.services import service_missing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

# The summit and its sessions are published in English only (load_summit_2020): there is
# no /ko/summit-2020/ to check.
PAGES = {
    "home-en": "/en/",
    "home-ko": "/ko/",
    "search-en": "/en/search/?q=screening",
    "search-en-filtered": "/en/search/?q=screening&kind=countermeasure",
    "search-ko": "/ko/search/?q=%EC%84%A0%EB%B3%84%EC%A7%84%EB%A3%8C%EC%86%8C",  # 선별진료소
    "practice-en": "/en/practices/drive-through-screening-clinics/",
    "practice-ko": "/ko/practices/drive-through-screening-clinics/",
    "session-en": "/en/summit-2020/education/",
    "programme-en": "/en/summit-2020/",
}


@pytest.fixture
def axe_script() -> Path:
    if not AXE.exists():
        service_missing("needs axe-core: run `npm ci` (or `make install`) at the project root")
    return AXE


def run_axe(page: Page, axe_script: Path) -> dict:
    page.add_script_tag(path=str(axe_script))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, { resultTypes: ["violations"] });
            return {
                version: axe.version,
                rules: results.passes.length + results.violations.length
                    + results.incomplete.length + results.inapplicable.length,
                violations: results.violations.map((violation) => ({
                    id: violation.id,
                    impact: violation.impact,
                    help: violation.help,
                    targets: violation.nodes.map((node) => node.target.join(" ")),
                })),
                // What axe could not decide alone (e.g. contrast over a gradient): printed.
                incomplete: results.incomplete.map((result) => result.id),
            };
        }"""
    )


def impact_counts(violations: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + len(violation["targets"])
    return counts


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_or_critical_axe_violation(
    name, axe_script, seeded_site, chromium_browser, live_server
):
    # A visitor abroad, so the programme's "Your time" lines are on the page and checked too.
    # The site's CSP (script-src 'self') would block the injected axe script: this context
    # alone lets it run; the page's own scripts are the same either way.
    page = new_browser_page(chromium_browser, timezone_id="America/New_York", bypass_csp=True)
    response = page.goto(live_server.url + PAGES[name])
    assert response.status == 200
    if name.startswith("search"):
        # The page under test is a results page, not the empty one.
        assert page.locator(".search-hit").count() > 0
    if name.startswith(("programme", "session")):
        expect(page.locator("[data-local-time-output]").first).to_be_visible()

    results = run_axe(page, axe_script)
    violations = results["violations"]
    print(
        f"\naxe-core {results['version']} on {name} ({PAGES[name]}): {results['rules']} rules, "
        f"violations by impact (nodes): {json.dumps(impact_counts(violations))}, "
        f"needing review: {results['incomplete']}"
    )
    for violation in violations:
        print(f"  {violation['impact']:9} {violation['id']}: {violation['targets']}")
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING]
    assert not blocking, "serious or critical axe violations:\n" + json.dumps(
        blocking, indent=2, ensure_ascii=False
    )


def test_axe_does_report_a_broken_page(axe_script, browser_page):
    """The check above can fail: axe, run the same way, flags a page built to break rules."""
    page = browser_page
    page.set_content(
        "<html><body><img src='data:,'><a href='#'></a>"
        "<p style='color:#bbb;background:#fff'>Pale text</p></body></html>"
    )
    violations = run_axe(page, axe_script)["violations"]
    ids = {violation["id"]: violation["impact"] for violation in violations}
    assert ids["image-alt"] == "critical"
    assert ids["html-has-lang"] == "serious"
    assert ids["link-name"] == "serious"
    assert ids["color-contrast"] == "serious"
