"""axe-core over every public page type in all seven languages: no violation at all.

axe-core is the npm devDependency in package.json (`npm ci` installs it; `make install`
does so). Each page is loaded in Chromium, axe.min.js is injected and `axe.run()` checks
the rendered page with its default rules (WCAG 2.0/2.1/2.2 A and AA, and best practices).
Any violation, whatever its impact, fails; what axe could not decide alone is printed.
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

LANGUAGES = ["en", "ko", "zh-hans", "ja", "es", "fr", "ar"]
# Every page type a visitor meets, in every language. Pages that exist only in English (the
# summit, most practices) are read under each language's address (reader_language.py).
PAGE_TYPES = {
    "home": "/{lang}/",
    "search": "/{lang}/search/?q={query}",
    "search-filtered": "/{lang}/search/?q={query}&kind=countermeasure",
    "practices": "/{lang}/practices/",
    "practice": "/{lang}/practices/drive-through-screening-clinics/",
    "topics": "/{lang}/topics/",
    "topic": "/{lang}/topics/quarantine/",
    "cities": "/{lang}/cities/",
    "city": "/{lang}/cities/seoul/",
    "programme": "/{lang}/summit-2020/",
    "session": "/{lang}/summit-2020/education/",
    "open-data": "/{lang}/open-data/",
}
QUERIES = {"ko": "%EC%84%A0%EB%B3%84%EC%A7%84%EB%A3%8C%EC%86%8C"}  # 선별진료소
PAGES = {
    f"{page_type}-{lang}": path.format(lang=lang, query=QUERIES.get(lang, "screening"))
    for lang in LANGUAGES
    for page_type, path in PAGE_TYPES.items()
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


def test_every_page_type_in_every_language_has_no_axe_violation(
    axe_script, seeded_site, chromium_browser, live_server
):
    # A visitor abroad, so the programme's "Your time" lines are on the page and checked too.
    # The site's CSP (script-src 'self') would block the injected axe script: this context
    # alone lets it run; the page's own scripts are the same either way.
    page = new_browser_page(chromium_browser, timezone_id="America/New_York", bypass_csp=True)
    found = {}
    for name, path in PAGES.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        if name.startswith("search"):
            # The page under test is a results page, not the empty one.
            assert page.locator(".search-hit").count() > 0, path
        if name.startswith(("programme", "session")):
            expect(page.locator("[data-local-time-output]").first).to_be_visible()
        results = run_axe(page, axe_script)
        violations = results["violations"]
        print(
            f"axe-core {results['version']} on {name} ({path}): {results['rules']} rules, "
            f"violations by impact (nodes): {json.dumps(impact_counts(violations))}, "
            f"needing review: {results['incomplete']}"
        )
        if violations:
            found[name] = violations
    page.context.close()
    assert not found, "axe violations:\n" + json.dumps(found, indent=2, ensure_ascii=False)


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
